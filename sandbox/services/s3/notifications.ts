import { HeadObjectCommand } from "@aws-sdk/client-s3";
import { SendMessageCommand } from "@aws-sdk/client-sqs";
import type { ObjectEvent } from "../../endpoint";
import { queueUrlOfArn, types } from "../../model/resource-index";
import { asyncConfigFor } from "../lambda/async-invoke";
import type { StartedTriggers, TriggerContext } from "../lambda/triggers";
import { s3EventRecord } from "./s3-event";

interface NotificationTarget {
  id?: string;
  events?: string[];
  filterPrefix?: string;
  filterSuffix?: string;
  lambdaFunctionArn?: string;
  queueArn?: string;
  topicArn?: string;
}

/** `s3:ObjectCreated:*` matches every creation; `s3:ObjectCreated:Put` only that one. */
export function eventMatches(patterns: string[] = [], eventName: string): boolean {
  const name = `s3:${eventName}`;
  return patterns.some((pattern) => (pattern.endsWith("*") ? name.startsWith(pattern.slice(0, -1)) : pattern === name));
}

export function keyMatches(target: NotificationTarget, key: string): boolean {
  return key.startsWith(target.filterPrefix ?? "") && key.endsWith(target.filterSuffix ?? "");
}

/**
 * The bucket notifications the program declared: an object created under a matching prefix and
 * suffix invokes the function asynchronously (retries, on-failure destination) or lands in the
 * queue, with the event S3 would send.
 */
export function startS3Notifications(deps: TriggerContext, objectEvents: Set<(write: ObjectEvent) => void>): StartedTriggers {
  const listener = notificationListener(deps);
  objectEvents.add(listener);
  return {
    describe: () =>
      deps.index
        .all(types.bucketNotification)
        .flatMap((notification) => [
          ...((notification.inputs.lambdaFunctions as NotificationTarget[] | undefined) ?? []).map(
            (target) =>
              `trigger   s3 ${notification.inputs.bucket}/${target.filterPrefix ?? ""}*${target.filterSuffix ?? ""} -> ${deps.index.functionByRef(target.lambdaFunctionArn)?.name ?? target.lambdaFunctionArn} (async)`,
          ),
          ...((notification.inputs.queues as NotificationTarget[] | undefined) ?? []).map(
            (target) =>
              `trigger   s3 ${notification.inputs.bucket}/${target.filterPrefix ?? ""}*${target.filterSuffix ?? ""} -> queue ${String(target.queueArn).split(":").pop()}`,
          ),
        ]),
    stop: () => {
      objectEvents.delete(listener);
    },
  };
}

function notificationListener(deps: TriggerContext): (write: ObjectEvent) => void {
  const notifications = deps.index.all(types.bucketNotification);
  for (const notification of notifications) {
    if (Array.isArray(notification.inputs.topics) && notification.inputs.topics.length > 0) {
      deps.reporter.warn(`${notification.name}: SNS topic notifications are not emulated`);
    }
  }

  return (write) => {
    const matching = notifications
      .filter((notification) => notification.inputs.bucket === write.bucket)
      .flatMap((notification) => [
        ...((notification.inputs.lambdaFunctions as NotificationTarget[] | undefined) ?? []),
        ...((notification.inputs.queues as NotificationTarget[] | undefined) ?? []),
      ])
      .filter((target) => eventMatches(target.events, write.eventName) && keyMatches(target, write.key));
    if (matching.length === 0) return;
    void (async () => {
      const removed = write.eventName.startsWith("ObjectRemoved");
      const head = removed ? undefined : await deps.s3.send(new HeadObjectCommand({ Bucket: write.bucket, Key: write.key }));
      const facts = { size: head?.ContentLength ?? 0, eTag: head?.ETag ?? "", versionId: head?.VersionId };
      for (const [position, target] of matching.entries()) {
        const event = { Records: [s3EventRecord(write, facts, target.id ?? `sandbox-notification-${position + 1}`)] };
        if (target.queueArn) {
          await deps.sqs.send(
            new SendMessageCommand({ QueueUrl: queueUrlOfArn(target.queueArn, deps.awsEndpoint), MessageBody: JSON.stringify(event) }),
          );
          continue;
        }
        const recorded = deps.index.functionByRef(target.lambdaFunctionArn);
        const fn = recorded && deps.functions.get(String(recorded.state.name));
        if (!fn) {
          deps.reporter.warn(`notification for ${write.key}: function ${target.lambdaFunctionArn} is not deployed`);
          continue;
        }
        void deps.asyncInvoker.invoke(
          fn,
          event,
          { source: "s3", detail: removed ? `${write.eventName} ${write.key}` : `${write.eventName} ${write.key} (${facts.size} bytes)` },
          asyncConfigFor(deps.index, fn.name),
        );
      }
    })().catch((error) => deps.reporter.warn(`S3 notification for ${write.bucket}/${write.key}: ${error}`));
  };
}
