import {
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  ResourceNotFoundException,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
  type CreateTableCommandInput,
  type TableDescription,
} from "@aws-sdk/client-dynamodb";
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { CreateQueueCommand, GetQueueUrlCommand, SetQueueAttributesCommand, SQSClient } from "@aws-sdk/client-sqs";
import { sandboxCredentials, sandboxRegion } from "../shared/constants";
import { isBucketType } from "../model/resource-index";

type Inputs = Record<string, unknown>;

/** Creates the stateful resources in the emulators, from the inputs the program declared. */
export class Provisioner {
  private readonly dynamo: DynamoDBClient;
  private readonly s3: S3Client;
  private readonly sqs: SQSClient;
  readonly notes: string[] = [];

  constructor(endpoint: string) {
    const common = { endpoint, region: sandboxRegion, credentials: sandboxCredentials };
    this.dynamo = new DynamoDBClient(common);
    this.s3 = new S3Client({ ...common, forcePathStyle: true });
    this.sqs = new SQSClient(common);
  }

  /** Creates what the emulators hold for this type (nothing for other types); what AWS computed (a queue's URL, a table's stream). */
  async create(type: string, name: string, inputs: Inputs): Promise<Record<string, string>> {
    if (isBucketType(type)) {
      await this.bucket(name);
      return {};
    }
    switch (type) {
      case "aws:dynamodb/table:Table":
        return this.table(name, inputs);
      case "aws:sqs/queue:Queue":
        return { url: await this.queue(name, inputs) };
      default:
        return {};
    }
  }

  async bucket(name: string): Promise<void> {
    try {
      await this.s3.send(new CreateBucketCommand({ Bucket: name }));
    } catch (error) {
      const code = (error as { name?: string }).name;
      if (code !== "BucketAlreadyOwnedByYou" && code !== "BucketAlreadyExists") throw error;
    }
  }

  /**
   * Returns the queue URL. CreateQueue answers a queue of the same name and attributes with its
   * URL (a restart, a redeploy that changed nothing); one whose attributes differ (a redeploy)
   * gets the new attributes.
   */
  async queue(name: string, inputs: Inputs): Promise<string> {
    const Attributes = queueAttributes(inputs);
    try {
      const { QueueUrl } = await this.sqs.send(new CreateQueueCommand({ QueueName: name, Attributes }));
      return QueueUrl!;
    } catch (error) {
      // QueueNameExists, which SQS's JSON protocol may also name AWS.SimpleQueueService.QueueNameExists.
      if (!/(^|\.)QueueNameExists$/.test(String((error as { name?: string }).name))) throw error;
    }
    const { QueueUrl } = await this.sqs.send(new GetQueueUrlCommand({ QueueName: name }));
    await this.sqs.send(new SetQueueAttributesCommand({ QueueUrl, Attributes }));
    return QueueUrl!;
  }

  /**
   * Keeps a table whose keys and indexes are unchanged (its data persists across restarts);
   * recreates one whose schema changed, as a replacement would in AWS. Its stream and time to
   * live follow the program's declaration either way. Returns the stream's ARN and label.
   */
  async table(name: string, inputs: Inputs): Promise<Record<string, string>> {
    const wanted = createTableInput(name, inputs);
    let existing = await this.describe(name);
    if (existing && schemaOf(existing) !== schemaOf(wanted)) {
      this.notes.push(`table ${name}: keys or indexes changed, so it was recreated empty (AWS would replace it too)`);
      await this.dynamo.send(new DeleteTableCommand({ TableName: name }));
      await this.waitFor(name, (table) => !table);
      existing = undefined;
    }
    if (!existing) {
      await this.dynamo.send(new CreateTableCommand(wanted));
      // Writes right after CreateTable can be refused: the deployment ends only once it is ACTIVE.
      await this.waitFor(name, (table) => table?.TableStatus === "ACTIVE");
    } else {
      await this.followStream(name, existing, wanted.StreamSpecification);
    }
    await this.followTimeToLive(name, (inputs as TableInputs).ttl);
    const table = await this.describe(name);
    return table?.LatestStreamArn && table.StreamSpecification?.StreamEnabled
      ? { streamArn: table.LatestStreamArn, streamLabel: table.LatestStreamLabel ?? "" }
      : {};
  }

  /** A kept table's stream as declared now: turned on, off, or replaced when its view type changed. */
  private async followStream(name: string, existing: TableDescription, wanted: CreateTableCommandInput["StreamSpecification"]) {
    const current = existing.StreamSpecification?.StreamEnabled ? existing.StreamSpecification.StreamViewType : undefined;
    const next = wanted?.StreamEnabled ? wanted.StreamViewType : undefined;
    if (current === next) return;
    if (current) await this.dynamo.send(new UpdateTableCommand({ TableName: name, StreamSpecification: { StreamEnabled: false } }));
    if (next)
      await this.dynamo.send(
        new UpdateTableCommand({ TableName: name, StreamSpecification: { StreamEnabled: true, StreamViewType: next } }),
      );
  }

  private async followTimeToLive(name: string, ttl: TableInputs["ttl"]) {
    const wanted = ttl?.enabled && ttl.attributeName ? ttl.attributeName : undefined;
    const { TimeToLiveDescription: current } = await this.dynamo.send(new DescribeTimeToLiveCommand({ TableName: name }));
    const now = current?.TimeToLiveStatus === "ENABLED" ? current.AttributeName : undefined;
    if (now === wanted) return;
    if (now)
      await this.dynamo.send(
        new UpdateTimeToLiveCommand({ TableName: name, TimeToLiveSpecification: { Enabled: false, AttributeName: now } }),
      );
    if (wanted)
      await this.dynamo.send(
        new UpdateTimeToLiveCommand({ TableName: name, TimeToLiveSpecification: { Enabled: true, AttributeName: wanted } }),
      );
  }

  private async describe(name: string): Promise<TableDescription | undefined> {
    try {
      return (await this.dynamo.send(new DescribeTableCommand({ TableName: name }))).Table;
    } catch (error) {
      if (error instanceof ResourceNotFoundException) return undefined;
      throw error;
    }
  }

  private async waitFor(name: string, done: (table: TableDescription | undefined) => boolean) {
    for (let attempt = 0; attempt < 200; attempt++) {
      if (done(await this.describe(name))) return;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error(`table ${name} did not settle in dynalite`);
  }

  destroy() {
    this.dynamo.destroy();
    this.s3.destroy();
    this.sqs.destroy();
  }
}

function queueAttributes(inputs: Inputs): Record<string, string> {
  const mapping: Record<string, string> = {
    visibilityTimeoutSeconds: "VisibilityTimeout",
    messageRetentionSeconds: "MessageRetentionPeriod",
    delaySeconds: "DelaySeconds",
    maxMessageSize: "MaximumMessageSize",
    receiveWaitTimeSeconds: "ReceiveMessageWaitTimeSeconds",
    redrivePolicy: "RedrivePolicy",
    redriveAllowPolicy: "RedriveAllowPolicy",
    fifoQueue: "FifoQueue",
    contentBasedDeduplication: "ContentBasedDeduplication",
  };
  const attributes: Record<string, string> = {};
  for (const [input, attribute] of Object.entries(mapping)) {
    const value = inputs[input];
    if (value === undefined || value === null || value === "") continue;
    attributes[attribute] = typeof value === "string" ? value : String(value);
  }
  if (attributes.FifoQueue === "false") delete attributes.FifoQueue;
  if (attributes.ContentBasedDeduplication === "false") delete attributes.ContentBasedDeduplication;
  return attributes;
}

interface TableInputs {
  attributes?: Array<{ name: string; type: string }>;
  hashKey?: string;
  rangeKey?: string;
  billingMode?: string;
  readCapacity?: number;
  writeCapacity?: number;
  globalSecondaryIndexes?: Array<{
    name: string;
    hashKey?: string;
    rangeKey?: string;
    keySchemas?: Array<{ attributeName: string; keyType: string }>;
    projectionType?: string;
    nonKeyAttributes?: string[];
    readCapacity?: number;
    writeCapacity?: number;
  }>;
  localSecondaryIndexes?: Array<{ name: string; rangeKey: string; projectionType?: string; nonKeyAttributes?: string[] }>;
  streamEnabled?: boolean;
  streamViewType?: string;
  ttl?: { attributeName?: string; enabled?: boolean };
}

const streamViewTypes = ["KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES"];

function keySchema(hashKey: string, rangeKey?: string) {
  return [
    { AttributeName: hashKey, KeyType: "HASH" as const },
    ...(rangeKey ? [{ AttributeName: rangeKey, KeyType: "RANGE" as const }] : []),
  ];
}

/** An index's keys, declared as `keySchemas` (current) or as the deprecated `hashKey`/`rangeKey`. */
function indexKeySchema(table: string, index: NonNullable<TableInputs["globalSecondaryIndexes"]>[number]) {
  if (!index.keySchemas?.length) {
    if (!index.hashKey) throw new Error(`table ${table}: index ${index.name} declares neither keySchemas nor hashKey`);
    return keySchema(index.hashKey, index.rangeKey);
  }
  const count = (keyType: string) => index.keySchemas!.filter((key) => key.keyType === keyType).length;
  if (count("HASH") !== 1 || count("RANGE") > 1) {
    throw new Error(
      `table ${table}: index ${index.name} has a multi-attribute key (${index.keySchemas.map((key) => `${key.attributeName}:${key.keyType}`).join(", ")}), ` +
        `which the sandbox's DynamoDB does not emulate: one HASH and at most one RANGE attribute`,
    );
  }
  const byType = (keyType: string) => index.keySchemas!.find((key) => key.keyType === keyType)?.attributeName;
  return keySchema(byType("HASH")!, byType("RANGE"));
}

function projection(projectionType = "ALL", nonKeyAttributes?: string[]) {
  return {
    ProjectionType: projectionType as "ALL" | "KEYS_ONLY" | "INCLUDE",
    ...(projectionType === "INCLUDE" && nonKeyAttributes?.length ? { NonKeyAttributes: nonKeyAttributes } : {}),
  };
}

export function createTableInput(name: string, raw: Inputs): CreateTableCommandInput {
  const inputs = raw as TableInputs;
  if (!inputs.hashKey) throw new Error(`table ${name}: the program declares no hashKey`);
  const provisioned = inputs.billingMode === "PROVISIONED";
  if (inputs.streamEnabled && !streamViewTypes.includes(inputs.streamViewType ?? "")) {
    throw new Error(
      `table ${name}: streamEnabled needs a streamViewType, one of ${streamViewTypes.join(", ")} (got ${JSON.stringify(inputs.streamViewType ?? null)})`,
    );
  }
  const throughput = (read?: number, write?: number) =>
    provisioned ? { ProvisionedThroughput: { ReadCapacityUnits: read ?? 5, WriteCapacityUnits: write ?? 5 } } : {};
  return {
    TableName: name,
    BillingMode: provisioned ? "PROVISIONED" : "PAY_PER_REQUEST",
    AttributeDefinitions: (inputs.attributes ?? []).map((attribute) => ({
      AttributeName: attribute.name,
      AttributeType: attribute.type as "S" | "N" | "B",
    })),
    KeySchema: keySchema(inputs.hashKey, inputs.rangeKey),
    ...throughput(inputs.readCapacity, inputs.writeCapacity),
    ...(inputs.streamEnabled
      ? {
          StreamSpecification: {
            StreamEnabled: true,
            StreamViewType: inputs.streamViewType as "KEYS_ONLY" | "NEW_IMAGE" | "OLD_IMAGE" | "NEW_AND_OLD_IMAGES",
          },
        }
      : {}),
    ...(inputs.globalSecondaryIndexes?.length
      ? {
          GlobalSecondaryIndexes: inputs.globalSecondaryIndexes.map((index) => ({
            IndexName: index.name,
            KeySchema: indexKeySchema(name, index),
            Projection: projection(index.projectionType, index.nonKeyAttributes),
            ...throughput(index.readCapacity ?? inputs.readCapacity, index.writeCapacity ?? inputs.writeCapacity),
          })),
        }
      : {}),
    ...(inputs.localSecondaryIndexes?.length
      ? {
          LocalSecondaryIndexes: inputs.localSecondaryIndexes.map((index) => ({
            IndexName: index.name,
            KeySchema: keySchema(inputs.hashKey!, index.rangeKey),
            Projection: projection(index.projectionType, index.nonKeyAttributes),
          })),
        }
      : {}),
  };
}

/** What decides whether stored data still fits: keys, attribute types, index keys and projections. */
function schemaOf(table: TableDescription | CreateTableCommandInput): string {
  const keys = (schema?: Array<{ AttributeName?: string; KeyType?: string }>) =>
    (schema ?? []).map((key) => `${key.AttributeName}:${key.KeyType}`).join(",");
  const attributes = [...(table.AttributeDefinitions ?? [])]
    .map((attribute) => `${attribute.AttributeName}:${attribute.AttributeType}`)
    .sort();
  const indexes = [...(table.GlobalSecondaryIndexes ?? []), ...(table.LocalSecondaryIndexes ?? [])]
    .map((index) => `${index.IndexName}(${keys(index.KeySchema)};${index.Projection?.ProjectionType})`)
    .sort();
  return JSON.stringify({ keys: keys(table.KeySchema), attributes, indexes });
}
