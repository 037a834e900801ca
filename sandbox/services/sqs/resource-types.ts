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
  },
  { type: "aws:sqs/queuePolicy:QueuePolicy", coverage: "recorded, not enforced" },
];
