import { afterEach, describe, expect, it, vi } from "vitest";
import { personalStackConfig, runProgram } from "../support/pulumi-program";

afterEach(() => {
  vi.resetModules();
});

describe("pipeline alarms", () => {
  it("watches the queues and every function, all on one topic, with an e-mail subscription from config", async () => {
    const run = await runProgram({
      stack: "alice",
      config: personalStackConfig({ "job-offers:alarmEmail": "ops@example.com", "job-offers:queueAgeAlarmSeconds": "600" }),
    });
    expect(run.error).toBeUndefined();
    const topic = run.one("aws:sns/topic:Topic");
    expect(run.one("aws:sns/topicSubscription:TopicSubscription").inputs).toEqual({
      topic: topic.state.arn,
      protocol: "email",
      endpoint: "ops@example.com",
    });
    const queueName = (name: string) => run.one("aws:sqs/queue:Queue", name).state.name;
    const functionName = (name: string) => run.one("aws:lambda/function:Function", name).state.name;
    const alarms = Object.fromEntries(
      run.all("aws:cloudwatch/metricAlarm:MetricAlarm").map((alarm) => {
        const { alarmDescription: _description, ...inputs } = alarm.inputs;
        return [alarm.name, inputs];
      }),
    );
    const common = {
      evaluationPeriods: 1,
      comparisonOperator: "GreaterThanOrEqualToThreshold",
      treatMissingData: "notBreaching",
      alarmActions: [topic.state.arn],
      okActions: [topic.state.arn],
    };
    const sqs = (metricName: string, queue: string, threshold: number) => ({
      ...common,
      namespace: "AWS/SQS",
      metricName,
      dimensions: { QueueName: queueName(queue) },
      statistic: "Maximum",
      period: 60,
      threshold,
    });
    const lambda = (metricName: string, fn: string) => ({
      ...common,
      namespace: "AWS/Lambda",
      metricName,
      dimensions: { FunctionName: functionName(fn) },
      statistic: "Sum",
      period: 300,
      threshold: 1,
    });
    expect(alarms).toEqual({
      "alarms-dead-letter-queue-not-empty": sqs("ApproximateNumberOfMessagesVisible", "ingest-dlq", 1),
      "alarms-ingest-failures-queue-not-empty": sqs("ApproximateNumberOfMessagesVisible", "ingest-failures", 1),
      "alarms-queue-falling-behind": sqs("ApproximateAgeOfOldestMessage", "ingest-queue", 600),
      "alarms-s3-to-sqs-errors": lambda("Errors", "ingest-s3-to-sqs"),
      "alarms-s3-to-sqs-throttles": lambda("Throttles", "ingest-s3-to-sqs"),
      "alarms-sqs-to-dynamo-errors": lambda("Errors", "ingest-sqs-to-dynamo"),
      "alarms-sqs-to-dynamo-throttles": lambda("Throttles", "ingest-sqs-to-dynamo"),
      "alarms-job-api-errors": lambda("Errors", "api-handler"),
      "alarms-job-api-throttles": lambda("Throttles", "api-handler"),
      "alarms-authorizer-errors": lambda("Errors", "api-authorizer"),
      "alarms-authorizer-throttles": lambda("Throttles", "api-authorizer"),
      "alarms-s3-to-sqs-events-dropped": lambda("AsyncEventsDropped", "ingest-s3-to-sqs"),
    });
  });

  it("subscribes nobody by default", async () => {
    const run = await runProgram({ stack: "alice", config: personalStackConfig() });
    expect(run.all("aws:sns/topicSubscription:TopicSubscription")).toEqual([]);
  });

  it("refuses an alarm e-mail that is not an address", async () => {
    const run = await runProgram({ stack: "alice", config: personalStackConfig({ "job-offers:alarmEmail": "ops" }) });
    expect(run.resources).toEqual([]);
    expect(run.error?.message).toContain(
      "job-offers:alarmEmail 'ops' is not an e-mail address: pulumi config set job-offers:alarmEmail ops@example.com",
    );
  });
});
