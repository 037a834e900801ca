import { types } from "../../model/resource-index";
import type { StartedTriggers, TriggerContext } from "../lambda/triggers";
import { mappingSettings, SqsPoller } from "./event-source-mapping";

/**
 * The program's event source mappings on its own SQS queues, each polled as Lambda polls it.
 * `onAccepted` is told each function's last accepted message body (what its sample replays).
 */
export function startSqsMappings(context: TriggerContext, onAccepted: (functionName: string, body: string) => void): StartedTriggers {
  const { index } = context;
  const lines: string[] = [];
  const pollers: SqsPoller[] = [];
  for (const mapping of index.all(types.eventSourceMapping)) {
    if (!String(mapping.inputs.eventSourceArn).startsWith("arn:aws:sqs:") || mapping.inputs.enabled === false) continue;
    const queue = index.queueByArn(mapping.inputs.eventSourceArn);
    const fn = context.functionByRef(mapping.inputs.functionName);
    if (!queue || !fn) {
      context.reporter.warn(
        `${mapping.name}: only SQS queues of this program can feed a function locally (${mapping.inputs.eventSourceArn})`,
      );
      continue;
    }
    const settings = mappingSettings(mapping.name, mapping.inputs, { url: String(queue.state.url), arn: String(queue.state.arn) });
    // The function is looked up at each batch: hot reload may have replaced it.
    const poller = new SqsPoller(
      settings,
      () => context.functionByRef(mapping.inputs.functionName) ?? fn,
      context.sqs,
      context.reporter,
      (body) => onAccepted(fn.name, body),
    );
    poller.start();
    pollers.push(poller);
    lines.push(`trigger   sqs ${queue.state.name} -> ${fn.name} (batch ${settings.batchSize})`);
  }
  return {
    describe: () => lines,
    handlesEventSource: (arn) => arn.startsWith("arn:aws:sqs:"),
    stop: async () => {
      await Promise.all(pollers.map((poller) => poller.stop()));
    },
  };
}
