import { randomUUID } from "node:crypto";
import type { AttributeMap } from "dynalite/db";
import { errorAnswer, type EngineAnswer, type Json } from "./engine";

export type StreamViewType = "KEYS_ONLY" | "NEW_IMAGE" | "OLD_IMAGE" | "NEW_AND_OLD_IMAGES";
export const streamViewTypes: StreamViewType[] = ["KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES"];

/** A stream record as GetRecords answers it. */
export interface StreamRecord {
  eventID: string;
  eventName: "INSERT" | "MODIFY" | "REMOVE";
  eventVersion: "1.1";
  eventSource: "aws:dynamodb";
  awsRegion: string;
  dynamodb: {
    ApproximateCreationDateTime: number;
    Keys: AttributeMap;
    NewImage?: AttributeMap;
    OldImage?: AttributeMap;
    SequenceNumber: string;
    SizeBytes: number;
    StreamViewType: StreamViewType;
  };
  /** As the Streams API spells it; Lambda's events spell it `type` and `principalId`. */
  userIdentity?: { Type: "Service"; PrincipalId: "dynamodb.amazonaws.com" };
}

/** Where a write came from: a client's request, or the service itself (TTL expiry). */
export type WriteOrigin = "client" | "ttl";

interface TableStream {
  arn: string;
  label: string;
  tableName: string;
  viewType: StreamViewType;
  keyNames: string[];
  shardId: string;
  createdAt: number;
  /** DISABLED once the table's stream was turned off or the table deleted: readable, no longer written. */
  status: "ENABLED" | "DISABLED";
  records: StreamRecord[];
  /** Sequence numbers of the records still held (trimmed ones are gone from both). */
  sequences: bigint[];
  /** The last sequence number dropped by retention: a reader behind it has lost records. */
  trimmedThrough: bigint;
}

/** DynamoDB keeps stream records for 24 hours. */
const retentionMs = 24 * 60 * 60 * 1000;
/** Past this many records a stream drops its oldest, so a long bulk load cannot exhaust memory. */
const maxRecordsPerStream = 500_000;
const maxRecordsPerGet = 1000;
/** Shard iterators expire 15 minutes after they are handed out. */
const iteratorLifetimeMs = 15 * 60 * 1000;

/**
 * The tables' streams: every write that changed an item appends one record to its table's stream,
 * in the order the writes took effect (appended while the item's lock is held), with one increasing
 * sequence number across all streams. One shard per stream: AWS's shards split by throughput and
 * time, which a local table never needs; ordering per item, the guarantee programs rely on, holds.
 * Records live in memory for 24 hours (a restart starts the streams empty, as a new stream would).
 */
export class StreamLog {
  private readonly streams = new Map<string, TableStream>();
  private readonly enabledByTable = new Map<string, TableStream>();
  private readonly listeners = new Map<string, Set<() => void>>();
  /** Where each event source mapping got to, by mapping and stream: a rewired mapping resumes there. */
  readonly checkpoints = new Map<string, bigint>();
  private sequence = BigInt(Date.now()) * 1_000_000n;

  constructor(private readonly region: string) {}

  /** A table's stream settings as its record holds them (at start, and after CreateTable or UpdateTable). */
  enable(table: {
    TableName: string;
    KeySchema: Array<{ AttributeName: string }>;
    LatestStreamArn?: string;
    LatestStreamLabel?: string;
    StreamSpecification?: { StreamEnabled?: boolean; StreamViewType?: string };
  }): void {
    const current = this.enabledByTable.get(table.TableName);
    const spec = table.StreamSpecification;
    if (!spec?.StreamEnabled || !table.LatestStreamArn) {
      if (current) this.disable(table.TableName);
      return;
    }
    if (current?.arn === table.LatestStreamArn) return;
    if (current) this.disable(table.TableName);
    const stream: TableStream = this.streams.get(table.LatestStreamArn) ?? {
      arn: table.LatestStreamArn,
      label: table.LatestStreamLabel ?? "",
      tableName: table.TableName,
      viewType: (spec.StreamViewType as StreamViewType) ?? "NEW_AND_OLD_IMAGES",
      keyNames: table.KeySchema.map((key) => key.AttributeName),
      shardId: `shardId-${Date.now().toString().padStart(20, "0")}-${randomUUID().replace(/-/g, "").slice(0, 8)}`,
      createdAt: Date.now(),
      status: "ENABLED",
      records: [],
      sequences: [],
      trimmedThrough: 0n,
    };
    stream.status = "ENABLED";
    this.streams.set(stream.arn, stream);
    this.enabledByTable.set(table.TableName, stream);
  }

  disable(tableName: string): void {
    const stream = this.enabledByTable.get(tableName);
    if (!stream) return;
    stream.status = "DISABLED";
    this.enabledByTable.delete(tableName);
  }

  hasStream(tableName: string): boolean {
    return this.enabledByTable.has(tableName);
  }

  /** Tells the listener each time the stream gets records (event source mappings wait on this). */
  subscribe(streamArn: string, listener: () => void): () => void {
    const set = this.listeners.get(streamArn) ?? new Set();
    set.add(listener);
    this.listeners.set(streamArn, set);
    return () => set.delete(listener);
  }

  /** Records one write's effect on one item; a write that changed nothing records nothing. */
  append(tableName: string, before: AttributeMap | undefined, after: AttributeMap | undefined, origin: WriteOrigin = "client"): void {
    const stream = this.enabledByTable.get(tableName);
    if (!stream || (!before && !after)) return;
    if (before && after && JSON.stringify(before) === JSON.stringify(after)) return;
    const item = (after ?? before)!;
    const keys: AttributeMap = {};
    for (const name of stream.keyNames) keys[name] = item[name];
    const eventName = !before ? "INSERT" : !after ? "REMOVE" : "MODIFY";
    const sequence = ++this.sequence;
    const dynamodb: StreamRecord["dynamodb"] = {
      ApproximateCreationDateTime: Math.floor(Date.now() / 1000),
      Keys: keys,
      SequenceNumber: sequence.toString().padStart(21, "0"),
      SizeBytes: 0,
      StreamViewType: stream.viewType,
    };
    if (after && (stream.viewType === "NEW_IMAGE" || stream.viewType === "NEW_AND_OLD_IMAGES")) dynamodb.NewImage = after;
    if (before && (stream.viewType === "OLD_IMAGE" || stream.viewType === "NEW_AND_OLD_IMAGES")) dynamodb.OldImage = before;
    dynamodb.SizeBytes = Buffer.byteLength(JSON.stringify([dynamodb.Keys, dynamodb.NewImage ?? null, dynamodb.OldImage ?? null]));
    const record: StreamRecord = {
      eventID: randomUUID().replace(/-/g, ""),
      eventName,
      eventVersion: "1.1",
      eventSource: "aws:dynamodb",
      awsRegion: this.region,
      dynamodb,
    };
    // TTL deletions are the service's own: Lambda filters and programs tell them apart by this.
    if (origin === "ttl") record.userIdentity = { Type: "Service", PrincipalId: "dynamodb.amazonaws.com" };
    stream.records.push(record);
    stream.sequences.push(sequence);
    this.trim(stream);
    this.listeners.get(stream.arn)?.forEach((listener) => listener());
  }

  private trim(stream: TableStream): void {
    const cutoff = Math.floor((Date.now() - retentionMs) / 1000);
    let drop = Math.max(0, stream.records.length - maxRecordsPerStream);
    while (drop < stream.records.length && stream.records[drop].dynamodb.ApproximateCreationDateTime < cutoff) drop++;
    if (drop === 0) return;
    stream.trimmedThrough = stream.sequences[drop - 1];
    stream.records.splice(0, drop);
    stream.sequences.splice(0, drop);
  }

  /** Records at or after a position, for the event source mappings (no iterator round trip). */
  read(streamArn: string, after: bigint | undefined, limit: number): { records: StreamRecord[]; last?: bigint; trimmed: boolean } {
    const stream = this.streams.get(streamArn);
    if (!stream) return { records: [], trimmed: false };
    const start = after === undefined ? 0 : firstAfter(stream.sequences, after);
    const trimmed = after !== undefined && after < stream.trimmedThrough;
    const records = stream.records.slice(start, start + limit);
    return { records, last: records.length > 0 ? stream.sequences[start + records.length - 1] : after, trimmed };
  }

  /** The sequence number before the next record: where a LATEST reader starts. */
  latest(streamArn: string): bigint | undefined {
    const stream = this.streams.get(streamArn);
    if (!stream) return undefined;
    return stream.sequences.length > 0 ? stream.sequences[stream.sequences.length - 1] : this.sequence;
  }

  shardIdOf(streamArn: string): string | undefined {
    return this.streams.get(streamArn)?.shardId;
  }

  streamArnOf(tableName: string): string | undefined {
    return this.enabledByTable.get(tableName)?.arn;
  }

  // ---- the DynamoDB Streams API (target prefix DynamoDBStreams_20120810) ----

  answer(operation: string, body: Json): EngineAnswer {
    switch (operation) {
      case "ListStreams":
        return this.listStreams(body);
      case "DescribeStream":
        return this.describeStream(body);
      case "GetShardIterator":
        return this.getShardIterator(body);
      case "GetRecords":
        return this.getRecords(body);
      default:
        return errorAnswer("UnknownOperationException", `DynamoDB Streams has no operation ${operation}`);
    }
  }

  private listStreams(body: Json): EngineAnswer {
    const tableName = body.TableName as string | undefined;
    const limit = Number(body.Limit ?? 100);
    const all = [...this.streams.values()]
      .filter((stream) => !tableName || stream.tableName === tableName)
      .sort((a, b) => a.arn.localeCompare(b.arn));
    const start = body.ExclusiveStartStreamArn ? all.findIndex((stream) => stream.arn === body.ExclusiveStartStreamArn) + 1 : 0;
    const page = all.slice(start, start + limit);
    const result: Json = {
      Streams: page.map((stream) => ({ StreamArn: stream.arn, TableName: stream.tableName, StreamLabel: stream.label })),
    };
    if (start + limit < all.length) result.LastEvaluatedStreamArn = page[page.length - 1].arn;
    return { status: 200, body: result };
  }

  private find(streamArn: unknown): TableStream | EngineAnswer {
    const stream = typeof streamArn === "string" ? this.streams.get(streamArn) : undefined;
    return stream ?? errorAnswer("ResourceNotFoundException", `Requested resource not found: Stream: ${String(streamArn)} not found`);
  }

  private describeStream(body: Json): EngineAnswer {
    const stream = this.find(body.StreamArn);
    if ("status" in stream && "body" in stream) return stream;
    const first = stream.sequences[0];
    const shard: Json = {
      ShardId: stream.shardId,
      SequenceNumberRange: { StartingSequenceNumber: (first ?? this.sequence + 1n).toString().padStart(21, "0") },
    };
    return {
      status: 200,
      body: {
        StreamDescription: {
          StreamArn: stream.arn,
          StreamLabel: stream.label,
          StreamStatus: stream.status,
          StreamViewType: stream.viewType,
          CreationRequestDateTime: Math.floor(stream.createdAt / 1000),
          TableName: stream.tableName,
          KeySchema: stream.keyNames.map((name, position) => ({ AttributeName: name, KeyType: position === 0 ? "HASH" : "RANGE" })),
          Shards: [shard],
        },
      },
    };
  }

  private getShardIterator(body: Json): EngineAnswer {
    const stream = this.find(body.StreamArn);
    if ("status" in stream && "body" in stream) return stream;
    if (body.ShardId !== stream.shardId)
      return errorAnswer("ResourceNotFoundException", `Requested resource not found: Shard does not exist`);
    let after: bigint;
    const type = body.ShardIteratorType;
    const sequenceOf = () => {
      try {
        return BigInt(String(body.SequenceNumber));
      } catch {
        return undefined;
      }
    };
    switch (type) {
      case "TRIM_HORIZON":
        after = (stream.sequences[0] ?? this.sequence + 1n) - 1n;
        break;
      case "LATEST":
        after = this.latest(stream.arn)!;
        break;
      case "AT_SEQUENCE_NUMBER":
      case "AFTER_SEQUENCE_NUMBER": {
        const sequence = sequenceOf();
        if (sequence === undefined) return errorAnswer("ValidationException", `Invalid SequenceNumber: ${String(body.SequenceNumber)}`);
        after = type === "AT_SEQUENCE_NUMBER" ? sequence - 1n : sequence;
        break;
      }
      default:
        return errorAnswer(
          "ValidationException",
          `1 validation error detected: Value '${String(type)}' at 'shardIteratorType' failed to satisfy constraint: Member must satisfy enum value set: [AFTER_SEQUENCE_NUMBER, AT_SEQUENCE_NUMBER, TRIM_HORIZON, LATEST]`,
        );
    }
    return {
      status: 200,
      body: { ShardIterator: encodeIterator({ arn: stream.arn, shard: stream.shardId, after: after.toString(), at: Date.now() }) },
    };
  }

  private getRecords(body: Json): EngineAnswer {
    const iterator = decodeIterator(body.ShardIterator);
    if (!iterator) return errorAnswer("ValidationException", "Invalid ShardIterator");
    if (Date.now() - iterator.at > iteratorLifetimeMs)
      return errorAnswer("ExpiredIteratorException", "Iterator expired. The iterator was created more than 15 minutes ago");
    const stream = this.find(iterator.arn);
    if ("status" in stream && "body" in stream) return stream;
    const limit = Math.min(maxRecordsPerGet, Number(body.Limit ?? maxRecordsPerGet));
    const after = BigInt(iterator.after);
    if (after < stream.trimmedThrough) {
      return errorAnswer("TrimmedDataAccessException", "The operation attempted to read past the oldest stream record in a shard");
    }
    const { records, last } = this.read(stream.arn, after, limit);
    const result: Json = { Records: records };
    const closed = stream.status === "DISABLED" && firstAfter(stream.sequences, last ?? after) >= stream.sequences.length;
    if (!closed)
      result.NextShardIterator = encodeIterator({
        arn: stream.arn,
        shard: stream.shardId,
        after: (last ?? after).toString(),
        at: Date.now(),
      });
    return { status: 200, body: result };
  }
}

interface Iterator {
  arn: string;
  shard: string;
  after: string;
  at: number;
}

function encodeIterator(iterator: Iterator): string {
  return Buffer.from(JSON.stringify(iterator)).toString("base64url");
}

function decodeIterator(value: unknown): Iterator | undefined {
  if (typeof value !== "string") return undefined;
  try {
    const iterator = JSON.parse(Buffer.from(value, "base64url").toString("utf8")) as Iterator;
    return typeof iterator.arn === "string" && typeof iterator.after === "string" ? iterator : undefined;
  } catch {
    return undefined;
  }
}

/** The position of the first sequence number greater than `after` (binary search: they increase). */
function firstAfter(sequences: bigint[], after: bigint): number {
  let low = 0;
  let high = sequences.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (sequences[middle] <= after) low = middle + 1;
    else high = middle;
  }
  return low;
}
