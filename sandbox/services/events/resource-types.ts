import type { ResourceTypeSupport } from "../../model/resource-type";

export const eventsResourceTypes: ResourceTypeSupport[] = [
  {
    type: "aws:cloudwatch/eventRule:EventRule",
    coverage: "emulated",
    honoured: ["scheduleExpression", "state", "isEnabled", "eventPattern"],
    noLocalEffect: ["roleArn", "eventBusName"],
    state: ({ physical, arn }) => ({ id: physical, state: { name: physical, arn: arn("events", `rule/${physical}`) } }),
  },
  {
    type: "aws:cloudwatch/eventTarget:EventTarget",
    coverage: "emulated",
    honoured: ["rule", "arn", "input"],
    noLocalEffect: ["roleArn", "targetId", "eventBusName"],
    meaning: {
      inputPath: "the target gets the whole event",
      inputTransformer: "the target gets the whole event",
      retryPolicy: "Lambda's own async retries apply",
      deadLetterConfig: "failed deliveries are not sent to a DLQ",
    },
  },
];
