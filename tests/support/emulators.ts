import { acceptWhatSqsAccepts } from "../../sandbox/endpoint/fauxqs";
import { AddressInfo } from "node:net";
import type { Server } from "node:http";
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { S3Client } from "@aws-sdk/client-s3";
import { SQSClient } from "@aws-sdk/client-sqs";

/**
 * Real emulators for handler tests: dynalite (DynamoDB) and fauxqs (S3 + SQS), each on a free
 * loopback port. Handlers reach them through AWS_ENDPOINT_URL like the sandbox's functions do.
 */
export const region = "us-east-1";
export const credentials = { accessKeyId: "test", secretAccessKey: "test" };

export interface Emulators {
  dynamoEndpoint: string;
  awsEndpoint: string;
  dynamo: DynamoDBClient;
  s3: S3Client;
  sqs: SQSClient;
  fauxqs: import("fauxqs").FauxqsServer;
  stop(): Promise<void>;
}

export async function startEmulators(): Promise<Emulators> {
  const { default: dynalite } = await import("dynalite");
  const dynaliteServer: Server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => dynaliteServer.listen(0, "127.0.0.1", resolve));
  const dynamoEndpoint = `http://127.0.0.1:${(dynaliteServer.address() as AddressInfo).port}`;

  const { startFauxqs, interceptLocalhostDns } = await import("fauxqs");
  interceptLocalhostDns();
  // The same fauxqs as the sandbox's: accepting every body SQS accepts.
  await acceptWhatSqsAccepts();
  const fauxqs = await startFauxqs({ port: 0, host: "127.0.0.1", logger: false, defaultRegion: region });
  const awsEndpoint = `http://127.0.0.1:${fauxqs.port}`;

  return {
    dynamoEndpoint,
    awsEndpoint,
    fauxqs,
    dynamo: new DynamoDBClient({ endpoint: dynamoEndpoint, region, credentials }),
    s3: new S3Client({ endpoint: awsEndpoint, region, credentials, forcePathStyle: true }),
    sqs: new SQSClient({ endpoint: awsEndpoint, region, credentials, useQueueUrlAsEndpoint: false }),
    async stop() {
      await fauxqs.stop();
      await new Promise<void>((resolve) => dynaliteServer.close(() => resolve()));
    },
  };
}

/** The jobs table as the program declares it: hash id, range city, GSI byCity (city, id). */
export async function createJobsTable(dynamo: DynamoDBClient, tableName: string, cityIndexName = "byCity"): Promise<void> {
  await dynamo.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: "PAY_PER_REQUEST",
      AttributeDefinitions: [
        { AttributeName: "id", AttributeType: "S" },
        { AttributeName: "city", AttributeType: "S" },
      ],
      KeySchema: [
        { AttributeName: "id", KeyType: "HASH" },
        { AttributeName: "city", KeyType: "RANGE" },
      ],
      GlobalSecondaryIndexes: [
        {
          IndexName: cityIndexName,
          KeySchema: [
            { AttributeName: "city", KeyType: "HASH" },
            { AttributeName: "id", KeyType: "RANGE" },
          ],
          Projection: { ProjectionType: "ALL" },
        },
      ],
    }),
  );
  // dynalite can refuse writes right after CreateTable: wait until the table says ACTIVE.
  for (let attempt = 0; attempt < 100; attempt++) {
    const { Table } = await dynamo.send(new DescribeTableCommand({ TableName: tableName }));
    if (Table?.TableStatus === "ACTIVE") return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`table ${tableName} did not become ACTIVE`);
}
