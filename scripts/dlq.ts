/**
 * The dead-letter queues of the running sandbox's program, or of a deployed stack:
 *
 *   npm run dlq -- list | show <message id> | redrive  [--stack <name>] [--program <dir>]
 *
 * In the sandbox the dead-letter queues are those the program's redrive policies name, and looking
 * does not receive; on a deployed stack (`--stack`), the queues its outputs name, and redrive starts
 * an SQS message move task. Exits 2 on a usage error, 1 on any other.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

import {
  GetQueueAttributesCommand,
  ListMessageMoveTasksCommand,
  SQSClient,
  StartMessageMoveTaskCommand,
  type Message,
} from "@aws-sdk/client-sqs";
import { fail, parseFlags, usageError } from "../sandbox/cli/args";
import { commandLine, programOption, programUsage } from "../sandbox/cli/context";
import { requiredOutput, type Target, targetOf } from "./lib/target";
import { drain, redriveMessages, release } from "../sandbox/services/sqs/redrive";

const usage = `npm run dlq -- list | show <message id> | redrive  [--stack <name>] ${programUsage}`;

interface Pair {
  source: { name: string; url: string };
  dlq: { name: string; url: string; arn: string };
}

/** Dead-letter queues as the program declared them: every queue's redrive policy names one. */
function pairsOf(resources: Array<{ type: string; state: Record<string, unknown> }>): Pair[] {
  const queues = resources.filter((resource) => resource.type === "aws:sqs/queue:Queue");
  return queues.flatMap((queue) => {
    if (!queue.state.redrivePolicy) return [];
    const target = JSON.parse(String(queue.state.redrivePolicy)).deadLetterTargetArn;
    const dlq = queues.find((candidate) => candidate.state.arn === target);
    if (!dlq) return [];
    return [
      {
        source: { name: String(queue.state.name), url: String(queue.state.url) },
        dlq: { name: String(dlq.state.name), url: String(dlq.state.url), arn: String(dlq.state.arn) },
      },
    ];
  });
}

/** A deployed stack's queues, from its outputs (the names this project's program exports). */
async function stackPairs(target: Target): Promise<Pair[]> {
  const queueUrl = requiredOutput(target, "queueUrl", "dlq");
  const dlqUrl = requiredOutput(target, "deadLetterQueueUrl", "dlq");
  const { Attributes } = await target.sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ["QueueArn"] }));
  const name = (url: string) => url.split("/").pop() ?? url;
  return [{ source: { name: name(queueUrl), url: queueUrl }, dlq: { name: name(dlqUrl), url: dlqUrl, arn: String(Attributes?.QueueArn) } }];
}

/** How the sandbox's SQS holds a message (fauxqs' own inspection route, which receives nothing). */
interface HeldMessage {
  messageId: string;
  body: string;
  sentTimestamp: number;
  approximateReceiveCount: number;
  approximateFirstReceiveTimestamp?: number;
  messageAttributes?: Message["MessageAttributes"];
}

/** Every message of a sandbox queue as it is: looking does not receive, so receive counts stay. */
async function peek(awsEndpoint: string, queueName: string): Promise<Message[]> {
  const response = await fetch(`${awsEndpoint}/_fauxqs/queues/${encodeURIComponent(queueName)}`);
  if (!response.ok) throw new Error(`could not look into ${queueName}: ${response.status} ${await response.text()}`);
  const { messages } = (await response.json()) as {
    messages: { ready: HeldMessage[]; delayed: HeldMessage[]; inflight: Array<{ message: HeldMessage }> };
  };
  return [...messages.ready, ...messages.delayed, ...messages.inflight.map((entry) => entry.message)]
    .sort((a, b) => a.sentTimestamp - b.sentTimestamp)
    .map((held) => ({
      MessageId: held.messageId,
      Body: held.body,
      MessageAttributes: held.messageAttributes,
      Attributes: {
        ApproximateReceiveCount: String(held.approximateReceiveCount),
        SentTimestamp: String(held.sentTimestamp),
        ...(held.approximateFirstReceiveTimestamp
          ? { ApproximateFirstReceiveTimestamp: String(held.approximateFirstReceiveTimestamp) }
          : {}),
      },
    }));
}

/**
 * A look that does not change what it shows: the sandbox's messages are read where they are; on
 * AWS they must be received (and made visible again), so the counts shown are those from before.
 */
async function look(sqs: SQSClient, awsEndpoint: string | undefined, dlq: Pair["dlq"]): Promise<Message[]> {
  if (awsEndpoint) return peek(awsEndpoint, dlq.name);
  const messages = await drain(sqs, dlq.url, 30);
  await release(sqs, dlq.url, messages);
  return messages.map((message) => {
    const count = Number(message.Attributes?.ApproximateReceiveCount);
    return Number.isFinite(count)
      ? { ...message, Attributes: { ...message.Attributes, ApproximateReceiveCount: String(count - 1) } }
      : message;
  });
}

function describeMessage(message: Message): string {
  const sent = Number(message.Attributes?.SentTimestamp);
  return `${message.MessageId}  received ${message.Attributes?.ApproximateReceiveCount ?? "?"} times, sent ${Number.isFinite(sent) ? new Date(sent).toISOString() : "?"}`;
}

/** The whole body, indented when it is JSON (a job message names its file and line in `source`). */
function bodyText(body: string): string {
  try {
    return JSON.stringify(JSON.parse(body), null, 2);
  } catch {
    return body;
  }
}

async function main() {
  const { positionals, values } = parseFlags(usage, { stack: { type: "string" }, ...programOption });
  const [command, id] = positionals;
  if (!["list", "show", "redrive"].includes(command ?? ""))
    usageError(usage, command === undefined ? "give list, show <message id> or redrive" : `no command '${command}'`);
  if ((command === "show") !== (id !== undefined))
    usageError(usage, command === "show" ? "show takes the message id" : `${command} takes no argument`);
  const target = targetOf(values);
  try {
    await run(target, command, id, values.program);
  } finally {
    target.close();
  }
}

async function run(target: Target, command: string, id: string | undefined, program: string | undefined): Promise<void> {
  const { sqs, awsEndpoint } = target;
  const onAws = target.resources === undefined;
  const pairs = target.resources ? pairsOf(await target.resources()) : await stackPairs(target);
  if (pairs.length === 0) return console.log("the program declares no queue with a dead-letter queue");

  if (command === "show") {
    for (const { dlq } of pairs) {
      const messages = await look(sqs, awsEndpoint, dlq);
      const found = messages.find((message) => message.MessageId === id);
      if (!found) continue;
      console.log(`${dlq.name}: ${describeMessage(found)}`);
      const firstReceive = Number(found.Attributes?.ApproximateFirstReceiveTimestamp);
      if (Number.isFinite(firstReceive)) console.log(`first received ${new Date(firstReceive).toISOString()}`);
      if (found.MessageAttributes && Object.keys(found.MessageAttributes).length > 0)
        console.log(`attributes ${JSON.stringify(found.MessageAttributes)}`);
      console.log(bodyText(found.Body ?? ""));
      return;
    }
    fail(
      new Error(
        `no message ${id} in ${pairs.map((pair) => pair.dlq.name).join(", ")} (${commandLine("dlq -- list", program)} shows their ids)`,
      ),
    );
  }

  for (const { source, dlq } of pairs) {
    if (command === "list") {
      const messages = await look(sqs, awsEndpoint, dlq);
      console.log(`${dlq.name} (dead letters of ${source.name}): ${messages.length} message(s)`);
      for (const message of messages) {
        console.log(`- ${describeMessage(message)}`);
        console.log(`  ${(message.Body ?? "").slice(0, 300)}`);
      }
      continue;
    }
    if (onAws) {
      // SQS moves the messages itself, back to the queues they came from, at its own pace.
      const { TaskHandle } = await sqs.send(new StartMessageMoveTaskCommand({ SourceArn: dlq.arn }));
      const { Results } = await sqs.send(new ListMessageMoveTasksCommand({ SourceArn: dlq.arn, MaxResults: 1 }));
      const task = Results?.[0];
      console.log(`started moving the messages of ${dlq.name} back to ${source.name} (task ${TaskHandle})`);
      if (task)
        console.log(
          `status ${task.Status}: ${task.ApproximateNumberOfMessagesMoved ?? 0} of ${task.ApproximateNumberOfMessagesToMove ?? "?"} moved; run this again to start another once it has ended`,
        );
      continue;
    }
    const { moved, total } = await redriveMessages(sqs, dlq.url, source.url);
    console.log(`moved ${moved} message(s) from ${dlq.name} back to ${source.name}`);
    if (moved < total) {
      process.exitCode = 1;
      console.log(`${total - moved} message(s) could not be sent and stay in ${dlq.name}: run redrive again`);
    }
  }
}

main().catch(fail);
