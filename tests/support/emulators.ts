import { CreateTableCommand, DescribeTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { S3Client } from "@aws-sdk/client-s3";
import { SQSClient } from "@aws-sdk/client-sqs";
import { jobsTableArgs } from "../../components/jobs-table-args";
import { startLocalAws } from "../../sandbox/endpoint";
import { createTableInput } from "../../sandbox/program/provision";
import { sandboxRegion } from "../../sandbox/shared/constants";

/**
 * The sandbox's own AWS endpoint (DynamoDB, S3 and SQS) for handler tests, on a free loopback
 * port with its tables in memory: handlers reach it through AWS_ENDPOINT_URL as the sandbox's
 * functions do, and meet the same emulation (conditional writes, SQS's body rules, path-style
 * queue URLs).
 */
export const region = sandboxRegion;
export const credentials = { accessKeyId: "test", secretAccessKey: "test" };

export interface Emulators {
  awsEndpoint: string;
  dynamo: DynamoDBClient;
  s3: S3Client;
  sqs: SQSClient;
  stop(): Promise<void>;
}

export async function startEmulators(): Promise<Emulators> {
  const aws = await startLocalAws({ port: 0 });
  const awsEndpoint = aws.origin;
  const clients = {
    dynamo: new DynamoDBClient({ endpoint: awsEndpoint, region, credentials }),
    s3: new S3Client({ endpoint: awsEndpoint, region, credentials, forcePathStyle: true }),
    sqs: new SQSClient({ endpoint: awsEndpoint, region, credentials, useQueueUrlAsEndpoint: false }),
  };
  return {
    awsEndpoint,
    ...clients,
    async stop() {
      for (const client of Object.values(clients)) client.destroy();
      await aws.stop();
    },
  };
}

/** The jobs table as the program declares it (components/jobs-table-args.ts), created as the sandbox creates it. */
export async function createJobsTable(dynamo: DynamoDBClient, tableName: string): Promise<void> {
  await dynamo.send(new CreateTableCommand(createTableInput(tableName, jobsTableArgs())));
  // dynalite can refuse writes right after CreateTable: wait until the table says ACTIVE.
  for (let attempt = 0; attempt < 100; attempt++) {
    const { Table } = await dynamo.send(new DescribeTableCommand({ TableName: tableName }));
    if (Table?.TableStatus === "ACTIVE") return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`table ${tableName} did not become ACTIVE`);
}
