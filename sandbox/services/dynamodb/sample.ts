import { randomUUID } from "node:crypto";
import { types, type ResourceIndex } from "../../model/resource-index";
import { sandboxAccountId, sandboxRegion } from "../../shared/constants";
import type { StreamEventRecord } from "./stream-event-source-mapping";
import { isStreamArn } from "./stream-wiring";

/**
 * A stream event for `invoke --sample dynamodb`: the last record the function accepted if it has
 * accepted one, else an INSERT of a placeholder item with the keys of the table whose stream feeds it.
 */
export function dynamodbSampleEvent(
  functionName: string,
  index: ResourceIndex,
  accepted?: StreamEventRecord,
): { Records: StreamEventRecord[] } {
  if (accepted) return { Records: [accepted] };
  const fnArn = index.functionByRef(functionName)?.state.arn;
  const mapping = index
    .all(types.eventSourceMapping)
    .find(
      (candidate) =>
        isStreamArn(candidate.inputs.eventSourceArn) && index.functionByRef(candidate.inputs.functionName)?.state.arn === fnArn,
    );
  const streamArn = String(
    mapping?.inputs.eventSourceArn ?? `arn:aws:dynamodb:${sandboxRegion}:${sandboxAccountId}:table/example/stream/2026-01-01T00:00:00.000`,
  );
  const tableName = streamArn.split("/")[1];
  const table = index.all(types.table).find((candidate) => candidate.state.name === tableName);
  const attributes = (table?.inputs.attributes as Array<{ name: string; type: string }> | undefined) ?? [];
  const keyNames = [table?.inputs.hashKey ?? "id", table?.inputs.rangeKey].filter((name): name is string => typeof name === "string");
  const keys: Record<string, Record<string, string>> = {};
  for (const name of keyNames) {
    const type = attributes.find((attribute) => attribute.name === name)?.type ?? "S";
    keys[name] = type === "N" ? { N: "1" } : type === "B" ? { B: Buffer.from("sample").toString("base64") } : { S: `sample-${name}` };
  }
  const now = Date.now();
  return {
    Records: [
      {
        eventID: randomUUID().replace(/-/g, ""),
        eventName: "INSERT",
        eventVersion: "1.1",
        eventSource: "aws:dynamodb",
        awsRegion: sandboxRegion,
        dynamodb: {
          ApproximateCreationDateTime: Math.floor(now / 1000),
          Keys: keys,
          NewImage: keys,
          SequenceNumber: (BigInt(now) * 1_000_000n).toString().padStart(21, "0"),
          SizeBytes: Buffer.byteLength(JSON.stringify(keys)) * 2,
          StreamViewType: "NEW_AND_OLD_IMAGES",
        },
        eventSourceARN: streamArn,
      },
    ],
  };
}
