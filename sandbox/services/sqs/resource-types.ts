import type { ResourceTypeSupport } from "../../model/resource-type";

export const sqsResourceTypes: ResourceTypeSupport[] = [
  {
    type: "aws:sqs/queue:Queue",
    coverage: "emulated",
    honoured: [
      "visibilityTimeoutSeconds",
      "messageRetentionSeconds",
      "delaySeconds",
      "maxMessageSize",
      "receiveWaitTimeSeconds",
      "redrivePolicy",
      "redriveAllowPolicy",
      "fifoQueue",
      "contentBasedDeduplication",
    ],
    noLocalEffect: ["sqsManagedSseEnabled", "kmsMasterKeyId", "kmsDataKeyReusePeriodSeconds", "policy"],
    meaning: { deduplicationScope: "FIFO deduplication is per queue locally", fifoThroughputLimit: "no FIFO throughput limit locally" },
    state: ({ physical, url, arn }) => ({ id: url!, state: { name: physical, url, arn: arn("sqs", physical) } }),
    describe: (queue) => {
      const redrive = queue.inputs.redrivePolicy ? JSON.parse(String(queue.inputs.redrivePolicy)) : undefined;
      const dlq = redrive ? `, to ${String(redrive.deadLetterTargetArn).split(":").pop()} after ${redrive.maxReceiveCount} receives` : "";
      // SQS's own default visibility timeout when a program sets none.
      return `queue     ${queue.state.name}  (${queue.name}; visibility ${queue.inputs.visibilityTimeoutSeconds ?? 30} s${dlq}; messages kept until a stop)`;
    },
  },
  { type: "aws:sqs/queuePolicy:QueuePolicy", coverage: "recorded, not enforced" },
];
