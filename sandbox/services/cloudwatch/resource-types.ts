import type { ResourceTypeSupport } from "../../model/resource-type";
import { metricAlarmType } from "./alarms";

/**
 * Handler output goes to the terminal: log groups are recorded, never written. Metric alarms are
 * evaluated against the sandbox's own figures (see alarms.ts); one on a metric it does not measure
 * is listed as not evaluated.
 */
export const cloudwatchResourceTypes: ResourceTypeSupport[] = [
  {
    type: "aws:cloudwatch/logGroup:LogGroup",
    coverage: "recorded, not enforced",
    state: ({ physical, arn }) => ({ id: physical, state: { name: physical, arn: arn("logs", `log-group:${physical}`) } }),
  },
  {
    type: metricAlarmType,
    coverage: "emulated",
    honoured: [
      "namespace",
      "metricName",
      "dimensions",
      "statistic",
      "period",
      "evaluationPeriods",
      "datapointsToAlarm",
      "threshold",
      "comparisonOperator",
      "treatMissingData",
      "alarmActions",
      "okActions",
      "insufficientDataActions",
      "actionsEnabled",
      "alarmDescription",
      "metricQueries",
      "extendedStatistic",
    ],
    meaning: {
      unit: "datapoints are not filtered by unit locally",
      evaluateLowSampleCountPercentiles: "percentile alarms are not evaluated locally",
      thresholdMetricId: "anomaly detection bands are not evaluated locally",
    },
    state: ({ physical, arn }) => ({ id: physical, state: { name: physical, arn: arn("cloudwatch", `alarm:${physical}`) } }),
  },
];
