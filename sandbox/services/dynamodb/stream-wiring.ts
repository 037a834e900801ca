import { SendMessageCommand } from "@aws-sdk/client-sqs";
import { queueUrlOfArn, types } from "../../model/resource-index";
import type { StartedTriggers, TriggerContext } from "../lambda/triggers";
import type { StreamLog } from "./streams";
import { StreamPoller, streamMappingSettings, type StreamEventRecord } from "./stream-event-source-mapping";

/** A DynamoDB stream's ARN: `arn:aws:dynamodb:<region>:<account>:table/<name>/stream/<label>`. */
export function isStreamArn(arn: unknown): arn is string {
  return typeof arn === "string" && /^arn:aws:dynamodb:[^:]*:[^:]*:table\/[^/]+\/stream\/.+$/.test(arn);
}

/**
 * The program's event source mappings on its tables' streams (`table.onEvent` declares one too),
 * each read as Lambda reads a stream. `onAccepted` is told each function's last accepted record
 * (what `invoke --sample dynamodb` replays).
 */
export function startStreamMappings(
  context: TriggerContext,
  streams: StreamLog,
  onAccepted: (functionName: string, record: StreamEventRecord) => void,
): StartedTriggers {
  const lines: string[] = [];
  const fed = new Set<string>();
  const pollers: StreamPoller[] = [];
  for (const mapping of context.index.all(types.eventSourceMapping)) {
    if (mapping.inputs.enabled === false || !isStreamArn(mapping.inputs.eventSourceArn)) continue;
    const streamArn = mapping.inputs.eventSourceArn;
    const fn = context.functionByRef(mapping.inputs.functionName);
    if (!fn) {
      context.reporter.warn(
        `${mapping.name}: its function ${String(mapping.inputs.functionName)} is not one of this program's: the stream feeds nothing`,
      );
      continue;
    }
    if (streams.shardIdOf(streamArn) === undefined) {
      context.reporter.warn(
        `${mapping.name}: ${streamArn} is not the stream of a table of this program (does the table set streamEnabled?)`,
      );
      continue;
    }
    const settings = streamMappingSettings(mapping.name, mapping.inputs, streamArn);
    if (typeof settings === "string") {
      context.reporter.warn(settings);
      continue;
    }
    const sendFailure = async (destination: string, record: unknown) => {
      if (!destination.startsWith("arn:aws:sqs:"))
        throw new Error("only SQS queues are emulated as on-failure destinations of stream mappings");
      await context.sqs.send(
        new SendMessageCommand({ QueueUrl: queueUrlOfArn(destination, context.awsEndpoint), MessageBody: JSON.stringify(record) }),
      );
    };
    // The function is looked up at each batch: hot reload may have replaced it.
    const poller = new StreamPoller(
      settings,
      () => context.functionByRef(mapping.inputs.functionName) ?? fn,
      streams,
      context.reporter,
      sendFailure,
      (records) => onAccepted(fn.name, records[records.length - 1]),
    );
    poller.start();
    pollers.push(poller);
    fed.add(fn.name);
    const tableName = streamArn.split("/")[1];
    const retries = settings.maximumRetryAttempts < 0 ? "retried until it succeeds" : `${settings.maximumRetryAttempts} retries`;
    lines.push(
      `trigger   dynamodb stream ${tableName} -> ${fn.name} (batch ${settings.batchSize}, from ${settings.startingPosition}, ${retries})`,
    );
  }
  return {
    describe: () => lines,
    tryIt: (programFlag) => [...fed].map((name) => `npm run invoke -- ${name} --sample dynamodb${programFlag}`),
    handlesEventSource: (arn) => isStreamArn(arn),
    stop: async () => {
      await Promise.all(pollers.map((poller) => poller.stop()));
    },
  };
}
