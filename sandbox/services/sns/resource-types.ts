import { stableUuid } from "../../model/physical-names";
import type { ResourceTypeSupport } from "../../model/resource-type";

export const snsResourceTypes: ResourceTypeSupport[] = [
  {
    type: "aws:sns/topic:Topic",
    coverage: "emulated",
    honoured: [],
    noLocalEffect: ["kmsMasterKeyId", "policy", "deliveryPolicy", "signatureVersion", "tracingConfig"],
    meaning: { fifoTopic: "messages are not ordered or deduplicated", contentBasedDeduplication: "messages are not deduplicated" },
    state: ({ physical, arn }) => ({ id: arn("sns", physical), state: { name: physical, arn: arn("sns", physical) } }),
  },
  {
    type: "aws:sns/topicSubscription:TopicSubscription",
    coverage: "emulated",
    honoured: ["topic", "protocol", "endpoint", "filterPolicy", "filterPolicyScope", "rawMessageDelivery"],
    noLocalEffect: ["confirmationTimeoutInMinutes", "endpointAutoConfirms", "subscriptionRoleArn"],
    meaning: {
      redrivePolicy: "failed deliveries are not sent to a DLQ",
      deliveryPolicy: "deliveries are not retried",
      replayPolicy: "no replay",
    },
    state: ({ stack, name, inputs }) => {
      // What a replacement would change (its topic, protocol or endpoint) gives another ARN, as on AWS.
      const id = stableUuid(
        stack,
        "aws:sns/topicSubscription:TopicSubscription",
        name,
        ...[inputs.topic, inputs.protocol, inputs.endpoint].map(String),
      );
      const subscription = `${inputs.topic}:${id}`;
      return { id: subscription, state: { arn: subscription, confirmationWasAuthenticated: true, pendingConfirmation: false } };
    },
  },
];
