import type { IncomingMessage, ServerResponse } from "node:http";
import { randomBytes } from "node:crypto";
import { crc32 } from "node:zlib";
import * as db from "dynalite/db";
import type { AttributeMap, Store, SubDb, TableRecord } from "dynalite/db";
import { DynamoEngine, engineOperations, errorAnswer, type EngineAnswer, type Json } from "./engine";
import { StreamLog, streamViewTypes, type WriteOrigin } from "./streams";
import { Transactions } from "./transactions";
import { TimeToLiveSweeper } from "./ttl";
import { partiqlOperations, partiqlRefusal } from "./partiql";

const dynamoPrefix = "DynamoDB_20120810.";
const streamsPrefix = "DynamoDBStreams_20120810.";
const singleWrites = new Set(["PutItem", "UpdateItem", "DeleteItem"]);
const known = new Set<string>(engineOperations);

export interface DynamoService {
  /** Serves one DynamoDB or DynamoDB Streams request (by `X-Amz-Target`). */
  handle(request: IncomingMessage, response: ServerResponse): void;
  /** Whether this service answers a request with this `X-Amz-Target`. */
  owns(target: string): boolean;
  readonly streams: StreamLog;
  readonly ttl: TimeToLiveSweeper;
  stop(): Promise<void>;
}

/**
 * DynamoDB as AWS answers it, around dynalite: dynalite stores items and evaluates expressions;
 * around it the sandbox adds what dynalite lacks (transactions, streams, TTL, a few answers of the
 * core operations) and names what it does not do (PartiQL).
 */
export async function startDynamoService(options: { dataDir?: string; region: string; ttlSweepMs?: number }): Promise<DynamoService> {
  const engine = DynamoEngine.start(options.dataDir);
  const streams = new StreamLog(options.region);
  const writes = new Writes(engine, streams);
  const transactions = new Transactions(engine, streams);
  const ttl = new TimeToLiveSweeper(engine, (request) => writes.single("DeleteItem", request, "ttl"), options.ttlSweepMs);
  for (const table of await tableRecords(engine.store)) streams.enable(table);
  await ttl.start();

  async function answer(target: string, body: Json): Promise<EngineAnswer> {
    if (target.startsWith(streamsPrefix)) return streams.answer(target.slice(streamsPrefix.length), body);
    if (!target.startsWith(dynamoPrefix)) return { status: 400, body: { __type: "com.amazon.coral.service#UnknownOperationException" } };
    const operation = target.slice(dynamoPrefix.length);
    switch (operation) {
      case "TransactWriteItems":
        return transactions.write(body);
      case "TransactGetItems":
        return transactions.get(body);
      case "UpdateTimeToLive":
        return ttl.update(body);
      case "DescribeTimeToLive":
        return ttl.describe(body);
      case "CreateTable":
        return writes.createTable(body);
      case "UpdateTable":
        return writes.updateTable(body);
      case "DeleteTable": {
        const answered = await engine.call("DeleteTable", body);
        if (answered.status === 200) {
          streams.disable(String(body.TableName));
          await ttl.forget(String(body.TableName));
        }
        return answered;
      }
      case "BatchWriteItem":
        return writes.batch(body);
      case "Query":
      case "Scan":
        return specificAttributesWithoutProjection(body) ?? engine.call(operation, body);
      default:
        if (singleWrites.has(operation)) return writes.single(operation, body, "client");
        if (partiqlOperations.has(operation)) return partiqlRefusal(operation);
        if (known.has(operation)) return engine.call(operation, body);
        return { status: 400, body: { __type: "com.amazon.coral.service#UnknownOperationException" } };
    }
  }

  return {
    streams,
    ttl,
    owns: (target) => target.startsWith("DynamoDB_") || target.startsWith("DynamoDBStreams_"),
    handle(request, response) {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => {
        const contentType = String(request.headers["content-type"] ?? "")
          .split(";")[0]
          .trim();
        const jsonType = contentType === "application/json" ? contentType : "application/x-amz-json-1.0";
        const send = (answered: EngineAnswer) => reply(response, answered, jsonType);
        const target = String(request.headers["x-amz-target"] ?? "");
        const raw = Buffer.concat(chunks).toString("utf8");
        let body: Json;
        try {
          body = JSON.parse(raw || "null");
        } catch {
          return send({ status: 400, body: { __type: "com.amazon.coral.service#SerializationException" } });
        }
        if (!body || typeof body !== "object")
          return send({ status: 400, body: { __type: "com.amazon.coral.service#SerializationException" } });
        if (!request.headers.authorization && !String(request.url ?? "").includes("X-Amz-Algorithm")) {
          return send({
            status: 400,
            body: {
              __type: "com.amazon.coral.service#MissingAuthenticationTokenException",
              message: "Request is missing Authentication Token",
            },
          });
        }
        answer(target, body).then(send, (error: Error) =>
          send({
            status: 500,
            body: { __type: "com.amazonaws.dynamodb.v20120810#InternalServerError", message: `sandbox DynamoDB: ${error.message}` },
          }),
        );
      });
    },
    async stop() {
      await ttl.stop();
      await engine.stop();
    },
  };
}

function reply(response: ServerResponse, answered: EngineAnswer, contentType: string): void {
  const text = JSON.stringify(answered.body);
  response.writeHead(answered.status, {
    "content-type": contentType,
    "content-length": String(Buffer.byteLength(text)),
    "x-amz-crc32": String(crc32(text)),
    "x-amzn-requestid": randomBytes(39).toString("base64").toUpperCase().replace(/[+/]/g, "0"),
  });
  response.end(text);
}

/** Query and Scan refuse `Select: SPECIFIC_ATTRIBUTES` with nothing that says which attributes. */
function specificAttributesWithoutProjection(body: Json): EngineAnswer | undefined {
  if (body.Select !== "SPECIFIC_ATTRIBUTES" || body.ProjectionExpression || body.AttributesToGet) return undefined;
  return errorAnswer("ValidationException", "Select type SPECIFIC_ATTRIBUTES requires a ProjectionExpression or AttributesToGet");
}

/**
 * The write paths: each write to a table with a stream goes through a store that sees the item
 * before and after (inside dynalite's lock on that item), so the stream gets one record per change
 * in the order the changes happened. Writes to tables without a stream take dynalite's path unchanged.
 */
class Writes {
  constructor(
    private readonly engine: DynamoEngine,
    private readonly streams: StreamLog,
  ) {}

  async single(operation: string, request: Json, origin: WriteOrigin): Promise<EngineAnswer> {
    const tableName = String(request.TableName ?? "");
    const returnOldOnFailure = request.ReturnValuesOnConditionCheckFailure === "ALL_OLD";
    const checked = this.engine.validate(operation, request);
    if ("error" in checked) return checked.error;
    const seen: { item?: AttributeMap } = {};
    const observe = returnOldOnFailure || this.streams.hasStream(tableName);
    const store = observe
      ? observingStore(this.engine.store, seen, (table, before, after) => this.streams.append(table, before, after, origin))
      : undefined;
    const answered = await this.engine.run(operation, checked.data, store);
    if (answered.status !== 200) {
      if (returnOldOnFailure && seen.item && String(answered.body.__type).endsWith("#ConditionalCheckFailedException")) {
        return { ...answered, body: { ...answered.body, Item: seen.item } };
      }
      return answered;
    }
    if (request.ReturnItemCollectionMetrics === "SIZE") {
      const metrics = await this.itemCollectionMetrics(tableName, (request.Item ?? request.Key) as AttributeMap);
      if (metrics) answered.body.ItemCollectionMetrics = metrics;
    }
    return answered;
  }

  async batch(request: Json): Promise<EngineAnswer> {
    const tables = Object.keys((request.RequestItems as Json | undefined) ?? {});
    if (!tables.some((table) => this.streams.hasStream(table))) return this.engine.call("BatchWriteItem", request);
    const store = observingStore(this.engine.store, {}, (table, before, after) => this.streams.append(table, before, after));
    return this.engine.call("BatchWriteItem", request, store);
  }

  async createTable(request: Json): Promise<EngineAnswer> {
    const spec = request.StreamSpecification as { StreamEnabled?: boolean; StreamViewType?: string } | undefined;
    const invalid = invalidStreamSpecification(spec);
    if (invalid) return invalid;
    const checked = this.engine.validate("CreateTable", request);
    if ("error" in checked) return checked.error;
    if (spec?.StreamEnabled) Object.assign(checked.data, streamFields(this.engine.store, String(request.TableName), spec.StreamViewType!));
    const answered = await this.engine.run("CreateTable", checked.data);
    if (answered.status === 200) this.streams.enable(answered.body.TableDescription as TableRecord);
    return answered;
  }

  /** UpdateTable: a StreamSpecification is applied here, anything else by dynalite. */
  async updateTable(request: Json): Promise<EngineAnswer> {
    const spec = request.StreamSpecification as { StreamEnabled?: boolean; StreamViewType?: string } | undefined;
    if (!spec) return this.engine.call("UpdateTable", request);
    const invalid = invalidStreamSpecification(spec);
    if (invalid) return invalid;
    const { StreamSpecification: _spec, ...rest } = request;
    const others = Object.keys(rest).filter((field) => field !== "TableName");
    if (others.length > 0) {
      const answered = await this.engine.call("UpdateTable", rest);
      if (answered.status !== 200) return answered;
    }
    const tableName = String(request.TableName ?? "");
    return new Promise((resolve) => {
      const tableDb = this.engine.store.tableDb;
      tableDb.lock(tableName, (release) => {
        const done = release((answered: unknown) => resolve(answered as EngineAnswer));
        this.engine.store.getTable(tableName, false, (error, table) => {
          if (error || !table)
            return done(errorAnswer("ResourceNotFoundException", `Requested resource not found: Table: ${tableName} not found`));
          const enabled = table.StreamSpecification as { StreamEnabled?: boolean } | undefined;
          if (spec.StreamEnabled && enabled?.StreamEnabled)
            return done(errorAnswer("ValidationException", `Table already has an enabled stream: TableName: ${tableName}`));
          if (!spec.StreamEnabled && !enabled?.StreamEnabled)
            return done(errorAnswer("ValidationException", "Table already has no stream enabled"));
          if (spec.StreamEnabled) Object.assign(table, streamFields(this.engine.store, tableName, spec.StreamViewType!));
          else delete table.StreamSpecification;
          tableDb.put(tableName, table, (failure) => {
            if (failure) return done(errorAnswer("InternalServerError", failure.message));
            this.streams.enable(table as Parameters<StreamLog["enable"]>[0]);
            done({ status: 200, body: { TableDescription: table } });
          });
        });
      });
    });
  }

  /** ItemCollectionMetrics: for tables with local secondary indexes, the size of the item's collection. */
  private async itemCollectionMetrics(tableName: string, item: AttributeMap | undefined): Promise<Json | undefined> {
    const table = await new Promise<TableRecord | undefined>((resolve) =>
      this.engine.store.getTable(tableName, false, (error, found) => resolve(error ? undefined : found)),
    );
    if (!table?.LocalSecondaryIndexes?.length || !item) return undefined;
    const hashKey = table.KeySchema.find((key) => key.KeyType === "HASH")!.AttributeName;
    let bytes = 0;
    let startKey: Json | undefined;
    do {
      const page = await this.engine.call("Query", {
        TableName: tableName,
        KeyConditionExpression: "#h = :h",
        ExpressionAttributeNames: { "#h": hashKey },
        ExpressionAttributeValues: { ":h": item[hashKey] },
        ...(startKey ? { ExclusiveStartKey: startKey } : {}),
      });
      if (page.status !== 200) return undefined;
      for (const found of (page.body.Items as AttributeMap[]) ?? []) bytes += db.itemSize(found);
      startKey = page.body.LastEvaluatedKey as Json | undefined;
    } while (startKey);
    const gigabytes = Math.floor(bytes / 2 ** 30);
    return { ItemCollectionKey: { [hashKey]: item[hashKey] }, SizeEstimateRangeGB: [gigabytes, gigabytes + 1] };
  }
}

function invalidStreamSpecification(spec: { StreamEnabled?: boolean; StreamViewType?: string } | undefined): EngineAnswer | undefined {
  if (!spec) return undefined;
  if (typeof spec.StreamEnabled !== "boolean") {
    return errorAnswer(
      "ValidationException",
      "1 validation error detected: Value null at 'streamSpecification.streamEnabled' failed to satisfy constraint: Member must not be null",
    );
  }
  if (spec.StreamEnabled && !streamViewTypes.includes(spec.StreamViewType as never)) {
    return errorAnswer(
      "ValidationException",
      "StreamSpecification: StreamViewType is required when StreamEnabled is true; one of KEYS_ONLY, NEW_IMAGE, OLD_IMAGE, NEW_AND_OLD_IMAGES",
    );
  }
  return undefined;
}

/** What DescribeTable shows of an enabled stream; the label is the stream's creation time, as AWS makes it. */
function streamFields(store: Store, tableName: string, viewType: string): Json {
  const label = new Date().toISOString().replace("Z", "");
  const tableArn = `arn:aws:dynamodb:${(store.tableDb as unknown as { awsRegion: string }).awsRegion}:${(store.tableDb as unknown as { awsAccountId: string }).awsAccountId}:table/${tableName}`;
  return {
    StreamSpecification: { StreamEnabled: true, StreamViewType: viewType },
    LatestStreamLabel: label,
    LatestStreamArn: `${tableArn}/stream/${label}`,
  };
}

/**
 * The engine's store, seen through: each item read (the item before) and each write (the item
 * after) of a table is reported, inside the item's lock, before the write is acknowledged.
 */
function observingStore(
  store: Store,
  seen: { item?: AttributeMap },
  onChange: (table: string, before: AttributeMap | undefined, after: AttributeMap | undefined) => void,
): Store {
  return {
    ...store,
    getItemDb(name: string): SubDb {
      const real = store.getItemDb(name);
      const before = new Map<string, AttributeMap | undefined>();
      return {
        ...real,
        get: (key, callback) =>
          real.get(key, (error, item) => {
            before.set(key, item ?? undefined);
            seen.item = item ?? undefined;
            callback(error, item);
          }),
        put: (key, value, callback) =>
          real.put(key, value, (error) => {
            if (!error) onChange(name, before.get(key), value as AttributeMap);
            callback(error);
          }),
        del: (key, callback) =>
          real.del(key, (error) => {
            if (!error) onChange(name, before.get(key), undefined);
            callback(error);
          }),
      };
    },
  };
}

async function tableRecords(store: Store): Promise<TableRecord[]> {
  const tables: TableRecord[] = [];
  for await (const [key, value] of store.db.iterator({ gte: "table~", lt: "table~\xff" })) {
    if (value && typeof value === "object" && key.startsWith("table~")) tables.push(value as TableRecord);
  }
  return tables;
}
