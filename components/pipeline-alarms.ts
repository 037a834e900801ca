import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { INTEGER_SETTINGS as LIMITS, isEmailAddress } from "./setting-rules";
import { integerCheck, validate } from "./validate";

export interface PipelineAlarmsArgs {
  /** The jobs queue: alarms when its oldest message waits too long. */
  readonly queue: { readonly name: pulumi.Input<string> };
  /** Queues that must stay empty: anything in them is a row or an upload that needs a person. */
  readonly mustStayEmpty: ReadonlyArray<{ readonly label: string; readonly name: pulumi.Input<string> }>;
  /** Functions watched for errors and throttles. */
  readonly functions: ReadonlyArray<{ readonly label: string; readonly name: pulumi.Input<string> }>;
  /** Functions invoked asynchronously (by S3): alarms when Lambda drops one of their events. */
  readonly asyncFunctions: ReadonlyArray<{ readonly label: string; readonly name: pulumi.Input<string> }>;
  /** Seconds the oldest jobs-queue message may wait before the alarm fires: `INTEGER_SETTINGS.queueAgeAlarmSeconds`. */
  readonly maxMessageAgeSeconds?: number;
  /** Address that receives every alarm and recovery by e-mail (it must confirm the subscription). Default none. */
  readonly email?: string;
}

/** Alarm when the sum (or maximum) over one period is at or above the threshold. */
interface Watch {
  readonly suffix: string;
  readonly description: string;
  readonly namespace: "AWS/SQS" | "AWS/Lambda";
  readonly metricName: string;
  readonly dimensions: Record<string, pulumi.Input<string>>;
  readonly statistic: "Sum" | "Maximum";
  readonly threshold: number;
  readonly periodSeconds: number;
}

/**
 * The signals an operator needs from the pipeline, all on one SNS topic: a dead-letter or failures
 * queue that is not empty, a jobs queue falling behind, function errors and throttles, and
 * asynchronous events Lambda gave up on.
 */
export class PipelineAlarms extends pulumi.ComponentResource {
  readonly topic: aws.sns.Topic;
  readonly alarms: aws.cloudwatch.MetricAlarm[];

  constructor(name: string, args: PipelineAlarmsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("job-offers:ops:PipelineAlarms", name, {}, opts);
    const maxMessageAgeSeconds = args.maxMessageAgeSeconds ?? LIMITS.queueAgeAlarmSeconds.default;
    validate(`PipelineAlarms '${name}'`, [
      integerCheck("maxMessageAgeSeconds", maxMessageAgeSeconds, LIMITS.queueAgeAlarmSeconds),
      [args.email === undefined || isEmailAddress(args.email), `email '${args.email}' is not an e-mail address`],
    ]);

    // Not encrypted with the AWS-managed SNS key: CloudWatch cannot publish to a topic that uses it.
    this.topic = new aws.sns.Topic(`${name}-topic`, {}, { parent: this });
    if (args.email) {
      new aws.sns.TopicSubscription(`${name}-email`, { topic: this.topic.arn, protocol: "email", endpoint: args.email }, { parent: this });
    }

    const watches: Watch[] = [
      ...args.mustStayEmpty.map((queue): Watch => ({
        suffix: `${queue.label}-not-empty`,
        description: `Messages are waiting in ${queue.label}: inspect them (npm run dlq -- list) and redrive once fixed`,
        namespace: "AWS/SQS",
        metricName: "ApproximateNumberOfMessagesVisible",
        dimensions: { QueueName: queue.name },
        statistic: "Maximum",
        threshold: 1,
        periodSeconds: 60,
      })),
      {
        suffix: "queue-falling-behind",
        description: `The oldest job message has waited over ${maxMessageAgeSeconds} s: the consumer is failing or too slow`,
        namespace: "AWS/SQS",
        metricName: "ApproximateAgeOfOldestMessage",
        dimensions: { QueueName: args.queue.name },
        statistic: "Maximum",
        threshold: maxMessageAgeSeconds,
        periodSeconds: 60,
      },
      ...args.functions.flatMap((fn): Watch[] => [
        {
          suffix: `${fn.label}-errors`,
          description: `${fn.label} invocations failed`,
          namespace: "AWS/Lambda",
          metricName: "Errors",
          dimensions: { FunctionName: fn.name },
          statistic: "Sum",
          threshold: 1,
          periodSeconds: 300,
        },
        {
          suffix: `${fn.label}-throttles`,
          description: `${fn.label} invocations were throttled`,
          namespace: "AWS/Lambda",
          metricName: "Throttles",
          dimensions: { FunctionName: fn.name },
          statistic: "Sum",
          threshold: 1,
          periodSeconds: 300,
        },
      ]),
      ...args.asyncFunctions.map((fn): Watch => ({
        suffix: `${fn.label}-events-dropped`,
        description: `Lambda dropped asynchronous events of ${fn.label} (too old or too many retries)`,
        namespace: "AWS/Lambda",
        metricName: "AsyncEventsDropped",
        dimensions: { FunctionName: fn.name },
        statistic: "Sum",
        threshold: 1,
        periodSeconds: 300,
      })),
    ];

    this.alarms = watches.map(
      (watch) =>
        new aws.cloudwatch.MetricAlarm(
          `${name}-${watch.suffix}`,
          {
            alarmDescription: watch.description,
            namespace: watch.namespace,
            metricName: watch.metricName,
            dimensions: watch.dimensions,
            statistic: watch.statistic,
            period: watch.periodSeconds,
            evaluationPeriods: 1,
            threshold: watch.threshold,
            comparisonOperator: "GreaterThanOrEqualToThreshold",
            // No data means no messages and no invocations: nothing is wrong.
            treatMissingData: "notBreaching",
            alarmActions: [this.topic.arn],
            okActions: [this.topic.arn],
          },
          { parent: this },
        ),
    );

    this.registerOutputs({ topicArn: this.topic.arn });
  }
}
