import type { SQSClient } from "@aws-sdk/client-sqs";
import type { QueueContents, QueueFigures } from "../endpoint";
import { types, type ResourceIndex } from "../model/resource-index";
import { redriveMessages } from "../services/sqs/redrive";
import { ApiError } from "./http";
import type { QueueView, MessageView } from "./api-types";

/** Messages shown per queue: enough to find a poison message, bounded for a queue of a large file. */
const shownMessages = 100;

interface QueueDeps {
  index(): ResourceIndex;
  queueFigures(name: string): QueueFigures | undefined;
  queueContents(name: string): QueueContents | undefined;
  sqs: SQSClient;
}

const redriveOf = (state: Record<string, unknown>) =>
  state.redrivePolicy ? (JSON.parse(String(state.redrivePolicy)) as { deadLetterTargetArn: string; maxReceiveCount: number }) : undefined;

/** The program's queues with what they hold, each DLQ beside its source. */
export function queueViews(deps: QueueDeps, now = Date.now()): QueueView[] {
  const queues = deps.index().all(types.queue);
  const nameOfArn = (arn: string) => queues.find((queue) => queue.state.arn === arn)?.state.name as string | undefined;
  const views = queues.map((queue): QueueView => {
    const name = String(queue.state.name);
    const figures = deps.queueFigures(name) ?? { visible: 0, inFlight: 0, delayed: 0 };
    const redrive = redriveOf(queue.state);
    const dlqName = redrive && nameOfArn(redrive.deadLetterTargetArn);
    return {
      name,
      logicalName: queue.name,
      url: String(queue.state.url),
      arn: String(queue.state.arn),
      visible: figures.visible,
      inFlight: figures.inFlight,
      delayed: figures.delayed,
      oldestAgeSeconds: figures.oldestSentAt === undefined ? 0 : Math.max(0, Math.floor((now - figures.oldestSentAt) / 1000)),
      ...(dlqName ? { deadLetterQueue: { name: dlqName, maxReceiveCount: Number(redrive!.maxReceiveCount) } } : {}),
      deadLettersOf: queues
        .filter((source) => redriveOf(source.state)?.deadLetterTargetArn === queue.state.arn)
        .map((source) => String(source.state.name)),
    };
  });
  // Each source followed by its DLQ, so they read side by side.
  const ordered: QueueView[] = [];
  for (const view of views.filter((candidate) => candidate.deadLettersOf.length === 0)) {
    ordered.push(view);
    const dlq = views.find((candidate) => candidate.name === view.deadLetterQueue?.name);
    if (dlq && !ordered.includes(dlq)) ordered.push(dlq);
  }
  return [...ordered, ...views.filter((view) => !ordered.includes(view))];
}

function queueOrFail(deps: QueueDeps, name: string): QueueView {
  const view = queueViews(deps).find((candidate) => candidate.name === name);
  if (!view) throw new ApiError(404, `the program declares no queue named '${name}'`);
  return view;
}

/** A queue's messages as they are held: nothing is received, receive counts stay. */
export function queueMessages(deps: QueueDeps, name: string): { queue: QueueView; messages: MessageView[]; total: number } {
  const queue = queueOrFail(deps, name);
  const contents = deps.queueContents(name) ?? { visible: [], inFlight: [], delayed: [] };
  const held = [
    ...contents.visible.map((message) => ({ message, state: "visible" as const })),
    ...contents.inFlight.map((message) => ({ message, state: "in flight" as const })),
    ...contents.delayed.map((message) => ({ message, state: "delayed" as const })),
  ];
  // Only the messages shown are read: each body is read from disk when asked for.
  const shown: MessageView[] = held
    .sort((a, b) => a.message.sentTimestamp - b.message.sentTimestamp)
    .slice(0, shownMessages)
    .map(({ message, state }) => ({
      messageId: message.messageId,
      state,
      receiveCount: message.approximateReceiveCount,
      sentAt: new Date(message.sentTimestamp).toISOString(),
      body: message.body,
      ...(message.messageAttributes && Object.keys(message.messageAttributes).length > 0 ? { attributes: message.messageAttributes } : {}),
    }));
  return { queue, messages: shown, total: held.length };
}

/** Moves a DLQ's messages back to the queue whose dead letters it holds (`to` when several do). */
export async function redrive(deps: QueueDeps, name: string, to: string | null): Promise<{ moved: number; total: number; to: string }> {
  const dlq = queueOrFail(deps, name);
  if (dlq.deadLettersOf.length === 0)
    throw new ApiError(400, `${name} is no queue's dead-letter queue: there is nowhere to redrive its messages`);
  const target = to ?? (dlq.deadLettersOf.length === 1 ? dlq.deadLettersOf[0] : undefined);
  if (!target || !dlq.deadLettersOf.includes(target)) {
    throw new ApiError(400, `${name} holds the dead letters of ${dlq.deadLettersOf.join(", ")}: say which with ?to=<queue name>`);
  }
  const source = queueOrFail(deps, target);
  const { moved, total } = await redriveMessages(deps.sqs, dlq.url, source.url);
  return { moved, total, to: target };
}
