import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { INTEGER_SETTINGS as LIMITS, isEmailAddress } from "./setting-rules";
import { integerCheck, validate } from "./validate";

/** A queue or function to watch: its label names its alarms. */
export interface Watched {
  readonly label: string;
  readonly name: pulumi.Input<string>;
}

export interface PipelineAlarmsArgs {
  /** The jobs queue: alarms when its oldest message waits too long, naming the function that consumes it. */
  readonly queue: { readonly name: pulumi.Input<string>; readonly consumedBy: string };
  /** Queues that must stay empty: anything in them is a row or an upload that needs a person. */
  readonly mustStayEmpty: ReadonlyArray<Watched>;
  /** Functions watched for errors and throttles. */
  readonly functions: ReadonlyArray<Watched>;
  /** Functions invoked asynchronously (by S3): alarms when Lambda drops one of their events. */
  readonly asyncFunctions: ReadonlyArray<Watched>;
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
    const settings = normalize(name, args);

    const parent = { parent: this };
    this.topic = createTopic(name, settings, parent);
    this.alarms = watchesOf(args, settings).map((watch) => createAlarm(name, watch, this.topic, parent));

    this.registerOutputs({ topicArn: this.topic.arn });
  }
}

type Settings = ReturnType<typeof normalize>;
type Parent = { parent: pulumi.Resource };

/** The topic every alarm and recovery goes to, with the e-mail subscription when an address is given. */
function createTopic(name: string, settings: Settings, parent: Parent): aws.sns.Topic {
  // Not encrypted with the AWS-managed SNS key: CloudWatch cannot publish to a topic that uses it.
  const topic = new aws.sns.Topic(`${name}-topic`, {}, parent);
  if (settings.email) {
    new aws.sns.TopicSubscription(`${name}-email`, { topic: topic.arn, protocol: "email", endpoint: settings.email }, parent);
  }
  return topic;
}

/** What is watched, in this order: queues that must stay empty, the jobs queue's age, each function, the asynchronous ones. */
function watchesOf(args: PipelineAlarmsArgs, settings: Settings): Watch[] {
  return [
    ...args.mustStayEmpty.map(queueNotEmpty),
    queueFallingBehind(args.queue, settings.maxMessageAgeSeconds),
    ...args.functions.flatMap((fn) => [functionErrors(fn), functionThrottles(fn)]),
    ...args.asyncFunctions.map(asyncEventsDropped),
  ];
}

function queueNotEmpty(queue: Watched): Watch {
  return {
    suffix: `${queue.label}-not-empty`,
    description: `Messages are waiting in ${queue.label}: inspect them (npm run dlq -- list) and redrive once fixed`,
    namespace: "AWS/SQS",
    metricName: "ApproximateNumberOfMessagesVisible",
    dimensions: { QueueName: queue.name },
    statistic: "Maximum",
    threshold: 1,
    periodSeconds: 60,
  };
}

function queueFallingBehind(queue: PipelineAlarmsArgs["queue"], maxMessageAgeSeconds: number): Watch {
  return {
    suffix: "queue-falling-behind",
    description: `The oldest job message has waited over ${maxMessageAgeSeconds} s: ${queue.consumedBy} is failing or too slow`,
    namespace: "AWS/SQS",
    metricName: "ApproximateAgeOfOldestMessage",
    dimensions: { QueueName: queue.name },
    statistic: "Maximum",
    threshold: maxMessageAgeSeconds,
    periodSeconds: 60,
  };
}

/** A Lambda metric that should stay at zero: alarm on any in five minutes. */
function functionSum(fn: Watched, metricName: string, suffix: string, description: string): Watch {
  return {
    suffix: `${fn.label}-${suffix}`,
    description,
    namespace: "AWS/Lambda",
    metricName,
    dimensions: { FunctionName: fn.name },
    statistic: "Sum",
    threshold: 1,
    periodSeconds: 300,
  };
}

const functionErrors = (fn: Watched) => functionSum(fn, "Errors", "errors", `${fn.label} invocations failed`);
const functionThrottles = (fn: Watched) => functionSum(fn, "Throttles", "throttles", `${fn.label} invocations were throttled`);
const asyncEventsDropped = (fn: Watched) =>
  functionSum(
    fn,
    "AsyncEventsDropped",
    "events-dropped",
    `Lambda dropped asynchronous events of ${fn.label} (too old or too many retries)`,
  );

function createAlarm(name: string, watch: Watch, topic: aws.sns.Topic, parent: Parent): aws.cloudwatch.MetricAlarm {
  return new aws.cloudwatch.MetricAlarm(
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
      alarmActions: [topic.arn],
      okActions: [topic.arn],
    },
    parent,
  );
}

function normalize(name: string, args: PipelineAlarmsArgs) {
  const settings = { maxMessageAgeSeconds: args.maxMessageAgeSeconds ?? LIMITS.queueAgeAlarmSeconds.default, email: args.email };
  validate(`PipelineAlarms '${name}'`, [
    integerCheck("maxMessageAgeSeconds", settings.maxMessageAgeSeconds, LIMITS.queueAgeAlarmSeconds),
    [settings.email === undefined || isEmailAddress(settings.email), `email '${settings.email}' is not an e-mail address`],
  ]);
  return settings;
}
