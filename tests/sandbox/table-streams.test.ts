import {
  BatchWriteItemCommand,
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  ScanCommand,
  TransactWriteItemsCommand,
  TransactionCanceledException,
  UpdateItemCommand,
  type AttributeValue,
} from "@aws-sdk/client-dynamodb";
import { describe, expect, it } from "vitest";
import { FaultPlan } from "../../sandbox/faults/plan";
import { eventually, fixtureSandbox } from "../support/sandbox-harness";

type Item = Record<string, AttributeValue>;
/** A stream record as the DynamoDB Streams API answers it (JSON protocol). */
interface StreamRecord {
  eventName: string;
  userIdentity?: { Type: string; PrincipalId: string };
  dynamodb: { Keys: Item; OldImage?: Item; NewImage?: Item; SequenceNumber: string };
}

/**
 * A program whose table's stream feeds a function (`table.onEvent`) that copies each job to a
 * second table and keeps a ledger of the records it handled; the function fails at random
 * (injected errors) and reports some records as batch item failures, and the table has a TTL.
 */
describe("a table's stream, transactions and TTL", () => {
  const fixture = fixtureSandbox("table-streams", { faults: new FaultPlan("copy-jobs:error=0.3", 11) });
  const jobs = () => fixture.local.output("jobsTable");

  const scan = async (table: string): Promise<Item[]> => {
    const items: Item[] = [];
    let ExclusiveStartKey: Item | undefined;
    do {
      const page = await fixture.local.dynamo.send(new ScanCommand({ TableName: table, ConsistentRead: true, ExclusiveStartKey }));
      items.push(...(page.Items ?? []));
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    return items;
  };

  /** A DynamoDB Streams call on the sandbox's endpoint, as an SDK sends it (JSON protocol). */
  const streamsCall = async (operation: string, body: object): Promise<Record<string, unknown>> => {
    const response = await fetch(fixture.local.sandbox.awsEndpoint, {
      method: "POST",
      headers: {
        "content-type": "application/x-amz-json-1.0",
        "x-amz-target": `DynamoDBStreams_20120810.${operation}`,
        authorization: "AWS4-HMAC-SHA256 Credential=sandbox/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0",
      },
      body: JSON.stringify(body),
    });
    const answer = (await response.json()) as Record<string, unknown>;
    if (response.status !== 200) throw new Error(`${operation}: ${JSON.stringify(answer)}`);
    return answer;
  };

  /** Every record the stream holds, read through the DynamoDB Streams API of the sandbox's endpoint. */
  const streamRecords = async (): Promise<StreamRecord[]> => {
    const StreamArn = fixture.local.output("jobsStreamArn");
    const { StreamDescription } = (await streamsCall("DescribeStream", { StreamArn })) as {
      StreamDescription: { Shards: Array<{ ShardId: string }> };
    };
    const records: StreamRecord[] = [];
    for (const shard of StreamDescription.Shards) {
      let { ShardIterator } = (await streamsCall("GetShardIterator", {
        StreamArn,
        ShardId: shard.ShardId,
        ShardIteratorType: "TRIM_HORIZON",
      })) as { ShardIterator: string };
      for (;;) {
        const page = (await streamsCall("GetRecords", { ShardIterator })) as { Records: StreamRecord[]; NextShardIterator: string };
        records.push(...page.Records);
        if (page.Records.length === 0) break;
        ShardIterator = page.NextShardIterator;
      }
    }
    return records;
  };

  const job = (id: string, version: number, extra: Item = {}): Item => ({
    id: { S: id },
    version: { N: String(version) },
    title: { S: `job ${id} v${version}` },
    ...extra,
  });

  it("hands every write (Put, Update, Delete, BatchWrite, transaction) to the function once, in order per key, through injected errors and partial batch failures", async () => {
    const { dynamo } = fixture.local;
    for (const id of ["a", "b", "c"]) await dynamo.send(new PutItemCommand({ TableName: jobs(), Item: job(id, 1) }));
    await dynamo.send(
      new UpdateItemCommand({
        TableName: jobs(),
        Key: { id: { S: "a" } },
        UpdateExpression: "SET version = :v, flaky = :yes",
        ExpressionAttributeValues: { ":v": { N: "2" }, ":yes": { BOOL: true } },
      }),
    );
    await dynamo.send(
      new BatchWriteItemCommand({
        RequestItems: {
          [jobs()]: [
            { PutRequest: { Item: job("b", 2) } },
            { PutRequest: { Item: job("d", 1) } },
            { DeleteRequest: { Key: { id: { S: "c" } } } },
          ],
        },
      }),
    );
    await dynamo.send(
      new TransactWriteItemsCommand({
        TransactItems: [
          {
            Put: {
              TableName: jobs(),
              Item: job("a", 3),
              ConditionExpression: "version = :two",
              ExpressionAttributeValues: { ":two": { N: "2" } },
            },
          },
          {
            Update: {
              TableName: jobs(),
              Key: { id: { S: "d" } },
              UpdateExpression: "SET version = :v",
              ExpressionAttributeValues: { ":v": { N: "2" } },
            },
          },
        ],
      }),
    );
    await dynamo.send(new DeleteItemCommand({ TableName: jobs(), Key: { id: { S: "b" } } }));

    const written = await streamRecords();
    // Each call's records after the previous call's; within one batch or transaction, DynamoDB
    // orders records per item only, so each call's are compared as a set.
    const described = written.map((record) => `${record.eventName} ${record.dynamodb.Keys.id.S}`);
    const callSizes = [1, 1, 1, 1, 3, 2, 1];
    const calls = callSizes.map((size, call) => {
      const start = callSizes.slice(0, call).reduce((sum, n) => sum + n, 0);
      return described.slice(start, start + size).sort();
    });
    expect(described).toHaveLength(10);
    expect(calls).toEqual([
      ["INSERT a"],
      ["INSERT b"],
      ["INSERT c"],
      ["MODIFY a"],
      ["INSERT d", "MODIFY b", "REMOVE c"],
      ["MODIFY a", "MODIFY d"],
      ["REMOVE b"],
    ]);

    // The ledger: one row per record the function handled, with how many times it handled it.
    const ledger = await eventually(
      async () => {
        const rows = await scan(fixture.local.output("ledgerTableName"));
        return rows.filter((row) => row.deliveries).length >= written.length ? rows : undefined;
      },
      30_000,
      "the function to handle every stream record",
    );
    const handled = ledger.filter((row) => row.deliveries);
    expect(handled.map((row) => row.seq.S).sort()).toEqual(written.map((record) => record.dynamodb.SequenceNumber).sort());
    expect(handled.every((row) => row.deliveries.N === "1")).toBe(true);
    // Per key, in sequence order, the versions the function saw are the versions written, in order.
    const versionsOf = (id: string) =>
      handled
        .filter((row) => row.id.S === id)
        .sort((x, y) => x.seq.S!.localeCompare(y.seq.S!))
        .map((row) => `${row.eventName.S}:${row.version.N}`);
    expect(versionsOf("a")).toEqual(["INSERT:1", "MODIFY:2", "MODIFY:3"]);
    expect(versionsOf("b")).toEqual(["INSERT:1", "MODIFY:2", "REMOVE:2"]);
    expect(versionsOf("c")).toEqual(["INSERT:1", "REMOVE:1"]);
    expect(versionsOf("d")).toEqual(["INSERT:1", "MODIFY:2"]);
    // The flaky write was reported failed once, then handled once.
    expect(ledger.filter((row) => row.failedOnce).map((row) => row.id.S)).toEqual(["a"]);
    // The copies are the jobs.
    const byId = (items: Item[]) => Object.fromEntries(items.map((item) => [item.id.S, item.version.N]));
    expect(byId(await scan(fixture.local.output("copiesTableName")))).toEqual(byId(await scan(jobs())));
    expect(byId(await scan(jobs()))).toEqual({ a: "3", d: "2" });
    // The injected errors happened, and were retried.
    expect(fixture.local.reporter.lines.some((line) => /copy-jobs/.test(line) && /injected/i.test(line))).toBe(true);
  });

  it("changes nothing, and writes no stream record, when a transaction's condition fails", async () => {
    const { dynamo } = fixture.local;
    await dynamo.send(new PutItemCommand({ TableName: jobs(), Item: job("kept", 1) }));
    await dynamo.send(new PutItemCommand({ TableName: jobs(), Item: job("witness", 1) }));
    const before = (await streamRecords()).length;
    const attempt = dynamo.send(
      new TransactWriteItemsCommand({
        TransactItems: [
          { Put: { TableName: jobs(), Item: job("new", 1) } },
          {
            Update: {
              TableName: jobs(),
              Key: { id: { S: "kept" } },
              UpdateExpression: "SET version = :v",
              ExpressionAttributeValues: { ":v": { N: "2" } },
            },
          },
          {
            ConditionCheck: {
              TableName: jobs(),
              Key: { id: { S: "witness" } },
              ConditionExpression: "version = :nine",
              ExpressionAttributeValues: { ":nine": { N: "9" } },
            },
          },
        ],
      }),
    );
    const error = await attempt.then(
      () => undefined,
      (failure: unknown) => failure,
    );
    expect(error).toBeInstanceOf(TransactionCanceledException);
    expect((error as TransactionCanceledException).CancellationReasons?.map((reason) => reason.Code)).toEqual([
      "None",
      "None",
      "ConditionalCheckFailed",
    ]);
    expect(
      (await dynamo.send(new GetItemCommand({ TableName: jobs(), Key: { id: { S: "new" } }, ConsistentRead: true }))).Item,
    ).toBeUndefined();
    expect(
      (await dynamo.send(new GetItemCommand({ TableName: jobs(), Key: { id: { S: "kept" } }, ConsistentRead: true }))).Item?.version,
    ).toEqual({ N: "1" });
    expect((await streamRecords()).length).toBe(before);
  });

  it("deletes an item past its TTL within seconds, and the removal reaches the stream and the function as the service's", async () => {
    const { dynamo } = fixture.local;
    const expired = Math.floor(Date.now() / 1000) - 60;
    await dynamo.send(new PutItemCommand({ TableName: jobs(), Item: job("expiring", 1, { expiresAt: { N: String(expired) } }) }));
    await dynamo.send(
      new PutItemCommand({ TableName: jobs(), Item: job("lasting", 1, { expiresAt: { N: String(expired + 3600 * 24) } }) }),
    );
    await eventually(
      async () =>
        !(await dynamo.send(new GetItemCommand({ TableName: jobs(), Key: { id: { S: "expiring" } }, ConsistentRead: true }))).Item,
      10_000,
      "the expired item to be deleted",
    );
    const removal = (await streamRecords()).find((record) => record.eventName === "REMOVE" && record.dynamodb.Keys.id.S === "expiring");
    expect(removal?.userIdentity).toEqual({ Type: "Service", PrincipalId: "dynamodb.amazonaws.com" });
    expect(removal?.dynamodb?.OldImage?.expiresAt).toEqual({ N: String(expired) });
    const handled = await eventually(
      async () =>
        (await scan(fixture.local.output("ledgerTableName"))).find((row) => row.id.S === "expiring" && row.eventName?.S === "REMOVE"),
      30_000,
      "the function to handle the TTL removal",
    );
    expect(handled.origin).toEqual({ S: "dynamodb.amazonaws.com" });
    expect(
      (await dynamo.send(new GetItemCommand({ TableName: jobs(), Key: { id: { S: "lasting" } }, ConsistentRead: true }))).Item,
    ).toBeDefined();
  });

  it("builds `invoke --sample dynamodb` from a record the function accepted", async () => {
    const response = await fetch(`${fixture.local.sandbox.awsEndpoint}/_sandbox/sample?source=dynamodb&function=copy-jobs`);
    expect(response.status).toBe(200);
    const event = (await response.json()) as { Records: Array<{ eventSourceARN: string; eventSource: string; dynamodb: { Keys: Item } }> };
    expect(event.Records).toHaveLength(1);
    expect(event.Records[0].eventSource).toBe("aws:dynamodb");
    expect(event.Records[0].eventSourceARN).toBe(fixture.local.output("jobsStreamArn"));
    expect(response.headers.get("x-sandbox-sample-note")).toBeNull();
  });
});
