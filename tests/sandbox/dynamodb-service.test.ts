import { createServer, type Server } from "node:http";
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AddressInfo } from "node:net";
import {
  type AttributeValue,
  CreateTableCommand,
  DynamoDBClient,
  ExecuteStatementCommand,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  ScanCommand,
  TransactWriteItemsCommand,
  UpdateItemCommand,
} from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDynamoService, type DynamoService } from "../../sandbox/services/dynamodb/service";
import { partiqlNote } from "../../sandbox/services/dynamodb/partiql";
import { sandboxCredentials as credentials, sandboxRegion as region } from "../../sandbox/shared/constants";

/** The sandbox's DynamoDB service alone, behind a plain HTTP server, driven by the AWS SDK. */
describe("the sandbox's DynamoDB service", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "dynamodb-service-"));
  let service: DynamoService;
  let server: Server;
  let dynamo: DynamoDBClient;

  beforeAll(async () => {
    service = await startDynamoService({ dataDir, region });
    server = createServer((request, response) => service.handle(request, response));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    dynamo = new DynamoDBClient({ endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, region, credentials });
    await dynamo.send(
      new CreateTableCommand({
        TableName: "accounts",
        AttributeDefinitions: [{ AttributeName: "id", AttributeType: "S" }],
        KeySchema: [{ AttributeName: "id", KeyType: "HASH" }],
        BillingMode: "PAY_PER_REQUEST",
      }),
    );
  });

  afterAll(async () => {
    dynamo?.destroy();
    await new Promise((resolve) => server?.close(resolve));
    await service?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const balance = async (id: string) =>
    Number(
      (await dynamo.send(new GetItemCommand({ TableName: "accounts", Key: { id: { S: id } }, ConsistentRead: true }))).Item?.balance.N,
    );

  it("keeps transactions atomic among concurrent single-item writes to the same items", async () => {
    await dynamo.send(new PutItemCommand({ TableName: "accounts", Item: { id: { S: "from" }, balance: { N: "20" } } }));
    await dynamo.send(new PutItemCommand({ TableName: "accounts", Item: { id: { S: "to" }, balance: { N: "0" } } }));
    // 40 transfers of 1 from an account holding 20, plus 10 deposits of 1 into it, all at once:
    // whatever the interleaving, no unit is created or lost, the balance never goes below zero,
    // and every transfer either happened on both items or on neither.
    const transfer = () =>
      dynamo
        .send(
          new TransactWriteItemsCommand({
            TransactItems: [
              {
                Update: {
                  TableName: "accounts",
                  Key: { id: { S: "from" } },
                  UpdateExpression: "ADD balance :minus",
                  ConditionExpression: "balance >= :one",
                  ExpressionAttributeValues: { ":minus": { N: "-1" }, ":one": { N: "1" } },
                },
              },
              {
                Update: {
                  TableName: "accounts",
                  Key: { id: { S: "to" } },
                  UpdateExpression: "ADD balance :one",
                  ExpressionAttributeValues: { ":one": { N: "1" } },
                },
              },
            ],
          }),
        )
        .then(
          () => "done",
          (error: Error) => error.name,
        );
    const deposit = () =>
      dynamo
        .send(
          new UpdateItemCommand({
            TableName: "accounts",
            Key: { id: { S: "from" } },
            UpdateExpression: "ADD balance :one",
            ExpressionAttributeValues: { ":one": { N: "1" } },
          }),
        )
        .then(() => "deposit");
    const outcomes = await Promise.all([...Array.from({ length: 40 }, transfer), ...Array.from({ length: 10 }, deposit)]);
    const done = outcomes.filter((outcome) => outcome === "done").length;
    expect(done).toBeGreaterThanOrEqual(20);
    expect(outcomes.filter((outcome) => outcome === "TransactionCanceledException")).toHaveLength(40 - done);
    expect([await balance("from"), await balance("to")]).toEqual([30 - done, done]);
  });

  it("answers a repeated ClientRequestToken with the first answer, without applying it again", async () => {
    await dynamo.send(new PutItemCommand({ TableName: "accounts", Item: { id: { S: "token" }, balance: { N: "0" } } }));
    const send = (amount: string) =>
      dynamo.send(
        new TransactWriteItemsCommand({
          ClientRequestToken: "same-request",
          TransactItems: [
            {
              Update: {
                TableName: "accounts",
                Key: { id: { S: "token" } },
                UpdateExpression: "ADD balance :n",
                ExpressionAttributeValues: { ":n": { N: amount } },
              },
            },
          ],
        }),
      );
    await send("5");
    await send("5");
    expect(await balance("token")).toBe(5);
    await expect(send("6")).rejects.toMatchObject({ name: "IdempotentParameterMismatchException" });
  });

  it("answers PartiQL with DynamoDB's error shape, saying the sandbox does not implement it", async () => {
    const failure = await dynamo.send(new ExecuteStatementCommand({ Statement: "SELECT * FROM accounts" })).catch((error: Error) => error);
    expect(failure).toMatchObject({ name: "UnknownOperationException", $metadata: { httpStatusCode: 400 } });
    expect((failure as Error).message).toMatch(/does not implement PartiQL \(ExecuteStatement\)/);
  });

  it("names at start a function whose code calls PartiQL, and only such a function", () => {
    expect(partiqlNote({ logicalName: "reports", files: { "index.js": "const c = new ExecuteStatementCommand({ Statement })" } })).toBe(
      "reports: its code calls DynamoDB PartiQL (ExecuteStatement), which the sandbox's DynamoDB does not implement: those calls fail with UnknownOperationException",
    );
    expect(partiqlNote({ logicalName: "api", files: { "index.js": "new PutItemCommand({})" } })).toBeUndefined();
  });

  it("releases what each Query and Scan read from LevelDB, whether it reads to the end or stops at its limit", async () => {
    // LevelDB iterators hold memory until closed: counted as abstract-level attaches and detaches them.
    const fromBackend = createRequire(createRequire(require.resolve("dynalite")).resolve("classic-level"));
    const { AbstractLevel } = fromBackend("abstract-level") as {
      AbstractLevel: { prototype: { attachResource(resource: object): void; detachResource(resource: object): void } };
    };
    const { attachResource, detachResource } = AbstractLevel.prototype;
    let open = 0;
    const isIterator = (resource: object) => resource.constructor.name.includes("Iterator");
    AbstractLevel.prototype.attachResource = function (resource) {
      if (isIterator(resource)) open++;
      return attachResource.call(this, resource);
    };
    AbstractLevel.prototype.detachResource = function (resource) {
      if (isIterator(resource)) open--;
      return detachResource.call(this, resource);
    };
    try {
      for (let i = 0; i < 12; i++) {
        await dynamo.send(new PutItemCommand({ TableName: "accounts", Item: { id: { S: `scan-${i}` }, balance: { N: "1" } } }));
      }
      let pages = 0;
      let start: Record<string, AttributeValue> | undefined;
      do {
        const page = await dynamo.send(new ScanCommand({ TableName: "accounts", Limit: 5, ExclusiveStartKey: start }));
        start = page.LastEvaluatedKey;
        pages++;
      } while (start);
      const queried = await dynamo.send(
        new QueryCommand({
          TableName: "accounts",
          KeyConditionExpression: "id = :id",
          ExpressionAttributeValues: { ":id": { S: "scan-3" } },
        }),
      );
      expect(queried.Items?.map((item) => item.id.S)).toEqual(["scan-3"]);
      expect(pages).toBeGreaterThan(2);
      expect(open).toBe(0);
    } finally {
      Object.assign(AbstractLevel.prototype, { attachResource, detachResource });
    }
  });
});
