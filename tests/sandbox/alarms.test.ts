import { describe, expect, it } from "vitest";
import { alarmSpecOf, evaluate, metricAlarmType, type AlarmSpec } from "../../sandbox/services/cloudwatch/alarms";
import { LocalCloudWatch } from "../../sandbox/services/cloudwatch/local-cloudwatch";
import { LocalMetrics } from "../../sandbox/services/cloudwatch/metrics";
import { ResourceIndex } from "../../sandbox/model/resource-index";
import { memoryReporter } from "../../sandbox/shared/log";
import type { RecordedResource } from "../../sandbox/model/recorded";

const topic = "arn:aws:sns:us-east-1:000000000000:ops";

function alarm(name: string, inputs: Record<string, unknown>): RecordedResource {
  return { type: metricAlarmType, name, id: `${name}-1234567`, inputs, state: { ...inputs, name: `${name}-1234567` }, custom: true };
}

const dlqDepth = alarm("dlq-not-empty", {
  namespace: "AWS/SQS",
  metricName: "ApproximateNumberOfMessagesVisible",
  dimensions: { QueueName: "dlq" },
  statistic: "Maximum",
  period: 60,
  evaluationPeriods: 1,
  threshold: 1,
  comparisonOperator: "GreaterThanOrEqualToThreshold",
  treatMissingData: "notBreaching",
  alarmActions: [topic],
  okActions: [topic],
  alarmDescription: "dead letters",
});

const metrics = new LocalMetrics();
const spec = (resource: RecordedResource) => alarmSpecOf(resource, metrics) as AlarmSpec;

describe("the program's alarms, evaluated locally", () => {
  it("reads an alarm with its period shortened 60 times, as retries are", () => {
    expect(spec(dlqDepth)).toMatchObject({
      name: "dlq-not-empty-1234567",
      periodSeconds: 60,
      localPeriodMs: 1_000,
      datapointsToAlarm: 1,
      arn: "arn:aws:cloudwatch:us-east-1:000000000000:alarm:dlq-not-empty-1234567",
    });
    expect(spec(alarm("slow", { ...dlqDepth.inputs, period: 300, evaluationPeriods: 3, datapointsToAlarm: 2 }))).toMatchObject({
      localPeriodMs: 5_000,
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
    });
  });

  it("names each alarm it cannot evaluate, and why", () => {
    const reasons = [
      alarm("sent", { ...dlqDepth.inputs, metricName: "NumberOfMessagesSent" }),
      alarm("math", { metricQueries: [{ id: "e1", expression: "m1 + m2" }], comparisonOperator: "GreaterThanThreshold", threshold: 1 }),
      alarm("p99", {
        ...dlqDepth.inputs,
        namespace: "AWS/Lambda",
        metricName: "Duration",
        dimensions: { FunctionName: "f" },
        statistic: undefined,
        extendedStatistic: "p99",
      }),
      alarm("band", { ...dlqDepth.inputs, comparisonOperator: "LessThanLowerOrGreaterThanUpperThreshold" }),
      alarm("account", { ...dlqDepth.inputs, namespace: "AWS/Lambda", metricName: "Errors", dimensions: {} }),
    ].map((resource) => alarmSpecOf(resource, metrics));
    expect(reasons.map((reason) => ("reason" in reason ? reason.reason : "evaluated"))).toEqual([
      "the sandbox does not measure AWS/SQS NumberOfMessagesSent",
      "metric math (metricQueries) is not evaluated locally",
      "percentile statistics (p99) are not evaluated locally",
      "comparison LessThanLowerOrGreaterThanUpperThreshold (anomaly detection) is not evaluated locally",
      "the sandbox measures AWS/Lambda Errors per FunctionName only (dimensions: none)",
    ]);
  });

  it("decides as CloudWatch does: M of N datapoints, missing data as the alarm says", () => {
    const twoOfThree = { ...spec(dlqDepth), evaluationPeriods: 3, datapointsToAlarm: 2 };
    expect(evaluate(twoOfThree, [1, 0, 1], "OK").state).toBe("ALARM");
    expect(evaluate(twoOfThree, [1, 0, 0], "OK").state).toBe("OK");
    expect(evaluate(twoOfThree, [1, undefined, 0], "OK").state).toBe("OK");
    expect(evaluate({ ...twoOfThree, treatMissingData: "breaching" }, [1, undefined, 0], "OK").state).toBe("ALARM");
    expect(evaluate({ ...twoOfThree, treatMissingData: "missing" }, [undefined, undefined, undefined], "OK").state).toBe(
      "INSUFFICIENT_DATA",
    );
    expect(evaluate({ ...twoOfThree, treatMissingData: "ignore" }, [undefined, undefined, undefined], "ALARM").state).toBe("ALARM");
    expect(evaluate({ ...twoOfThree, treatMissingData: "notBreaching" }, [undefined, undefined, undefined], "ALARM").state).toBe("OK");
    expect(evaluate(spec(dlqDepth), [3], "OK")).toEqual({
      state: "ALARM",
      reason: "Threshold Crossed: 1 of the last 1 datapoint(s) [3] was greater than or equal to the threshold (1)",
    });
  });

  it("prints a state change, tells listeners and publishes CloudWatch's notification to the alarm's topics", () => {
    const reporter = memoryReporter();
    const published: Array<{ topicArn: string; subject: string; message: string }> = [];
    let visible = 0;
    const index = new ResourceIndex({
      project: "p",
      stack: "s",
      resources: [dlqDepth, { type: "aws:sqs/queue:Queue", name: "dlq", id: "dlq", inputs: {}, state: { name: "dlq" }, custom: true }],
      outputs: {},
      notes: [],
      bundles: [],
      programFiles: [],
    });
    const cloudwatch = new LocalCloudWatch({
      metrics: new LocalMetrics(),
      index: () => index,
      queueFigures: () => ({ visible, inFlight: 0, delayed: 0 }),
      publish: (topicArn, subject, message) => published.push({ topicArn, subject, message }) > 0,
      reporter,
    });
    const changes: string[] = [];
    cloudwatch.listeners.add((change) => changes.push(`${change.previous} -> ${change.alarm.state}`));
    const now = Date.now();
    cloudwatch.tick(now);
    // The first evaluation sets the state without actions.
    expect(cloudwatch.alarms.list().map((status) => status.state)).toEqual(["OK"]);
    visible = 1;
    cloudwatch.tick(now + 1_000);
    expect(cloudwatch.alarms.list().map((status) => status.state)).toEqual(["ALARM"]);
    expect(changes).toEqual(["OK -> ALARM"]);
    expect(reporter.lines).toEqual([
      "alarm dlq-not-empty-1234567: OK -> ALARM (Threshold Crossed: 1 of the last 1 datapoint(s) [1] was greater than or equal to the threshold (1)); notified ops",
    ]);
    expect(published).toHaveLength(1);
    expect(published[0]).toMatchObject({ topicArn: topic, subject: 'ALARM: "dlq-not-empty-1234567" in US East (N. Virginia)' });
    expect(JSON.parse(published[0].message)).toMatchObject({
      AlarmName: "dlq-not-empty-1234567",
      AlarmDescription: "dead letters",
      NewStateValue: "ALARM",
      OldStateValue: "OK",
      Trigger: {
        MetricName: "ApproximateNumberOfMessagesVisible",
        Namespace: "AWS/SQS",
        Statistic: "MAXIMUM",
        Dimensions: [{ name: "QueueName", value: "dlq" }],
        Period: 60,
        Threshold: 1,
      },
    });
  });
});

describe("a period as the sandbox runs it", () => {
  it("holds the datapoints of (now - period, now]", () => {
    const figures = new LocalMetrics();
    const metric = { namespace: "AWS/Lambda", metricName: "Errors", dimensions: { FunctionName: "f" } };
    figures.record(metric, 1, 1_000);
    figures.record(metric, 1, 2_000);
    figures.record(metric, 0, 2_500);
    expect(figures.statistic(metric, "Sum", 1_000, 2_000)).toBe(1);
    expect(figures.statistic(metric, "SampleCount", 1_000, 3_000)).toBe(2);
    expect(figures.statistic(metric, "Sum", 3_000, 4_000)).toBeUndefined();
  });
});
