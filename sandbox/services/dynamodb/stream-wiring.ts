import { SendMessageCommand, type SQSClient } from "@aws-sdk/client-sqs";
import { queueUrlOfArn, types, type ResourceIndex } from "../../model/resource-index";
import type { LocalFunction } from "../lambda/function";
import type { Reporter } from "../../shared/log";
import type { StreamLog } from "./streams";
import { StreamPoller, streamMappingSettings, type StreamEventRecord } from "./stream-event-source-mapping";

/** A DynamoDB stream's ARN: `arn:aws:dynamodb:<region>:<account>:table/<name>/stream/<label>`. */
export function isStreamArn(arn: unknown): arn is string {
  return typeof arn === "string" && /^arn:aws:dynamodb:[^:]*:[^:]*:table\/[^/]+\/stream\/.+$/.test(arn);
}

export interface StreamWiringDeps {
  index: ResourceIndex;
  functionByRef(ref: unknown): LocalFunction | undefined;
  streams: StreamLog;
  sqs: SQSClient;
  awsEndpoint: string;
  reporter: Reporter;
  /** Told each batch a function accepted: what `invoke --sample dynamodb` replays. */
  onAccepted(functionName: string, records: StreamEventRecord[]): void;
}

/** Starts a poller for each enabled event source mapping on a table's stream (`table.onEvent` makes one too). */
export function wireStreamMappings(deps: StreamWiringDeps): { stop(): Promise<void> } {
  const pollers: StreamPoller[] = [];
  for (const mapping of deps.index.all(types.eventSourceMapping)) {
    if (mapping.inputs.enabled === false || !isStreamArn(mapping.inputs.eventSourceArn)) continue;
    const streamArn = mapping.inputs.eventSourceArn;
    const fn = deps.functionByRef(mapping.inputs.functionName);
    if (!fn) {
      deps.reporter.warn(`${mapping.name}: its function ${String(mapping.inputs.functionName)} is not one of this program's: the stream feeds nothing`);
      continue;
    }
    if (deps.streams.shardIdOf(streamArn) === undefined) {
      deps.reporter.warn(`${mapping.name}: ${streamArn} is not the stream of a table of this program (is streamEnabled set on the table?)`);
      continue;
    }
    const settings = streamMappingSettings(mapping.name, mapping.inputs, streamArn);
    if (typeof settings === "string") {
      deps.reporter.warn(settings);
      continue;
    }
    const sendFailure = async (destination: string, record: unknown) => {
      if (!destination.startsWith("arn:aws:sqs:")) throw new Error(`only SQS queues are emulated as on-failure destinations of stream mappings`);
      await deps.sqs.send(new SendMessageCommand({ QueueUrl: queueUrlOfArn(destination, deps.awsEndpoint), MessageBody: JSON.stringify(record) }));
    };
    const poller = new StreamPoller(settings, () => deps.functionByRef(mapping.inputs.functionName) ?? fn, deps.streams, deps.reporter, sendFailure, (records) =>
      deps.onAccepted(fn.name, records),
    );
    poller.start();
    pollers.push(poller);
  }
  return { stop: async () => void (await Promise.all(pollers.map((poller) => poller.stop()))) };
}
