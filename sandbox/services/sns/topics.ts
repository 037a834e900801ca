import { randomUUID } from "node:crypto";
import { SendMessageCommand, type MessageAttributeValue } from "@aws-sdk/client-sqs";
import { queueUrlOfArn } from "../../model/resource-index";
import { asyncConfigFor } from "../lambda/async-invoke";
import type { StartedTriggers, TriggerContext } from "../lambda/triggers";
import { passesFilterPolicy, type MessageAttribute } from "./filter-policy";

export const topicType = "aws:sns/topic:Topic";
export const subscriptionType = "aws:sns/topicSubscription:TopicSubscription";

/** The protocols whose deliveries the sandbox makes. */
const deliveredProtocols = new Set(["lambda", "sqs"]);

export interface Subscription {
  arn: string;
  topicArn: string;
  protocol: string;
  endpoint: string;
  filterPolicy?: string;
  filterPolicyScope?: string;
  rawMessageDelivery: boolean;
}

export interface Publication {
  topicArn: string;
  message: string;
  subject?: string;
  messageAttributes: Record<string, MessageAttribute>;
}

/**
 * The program's SNS topics: a publication fans out to each subscription whose filter policy it
 * passes, a Lambda subscription as an asynchronous invocation with SNS's event (Lambda's retries
 * and destinations apply), an SQS subscription as a message: SNS's JSON envelope, or the message
 * itself with raw message delivery.
 */
export class LocalTopics implements StartedTriggers {
  readonly subscriptions: Subscription[];

  constructor(private readonly deps: TriggerContext) {
    this.subscriptions = deps.index.all(subscriptionType).map((resource) => {
      const inputs = resource.inputs as Record<string, unknown>;
      return {
        arn: String(resource.state.arn),
        topicArn: String(inputs.topic),
        protocol: String(inputs.protocol),
        endpoint: String(inputs.endpoint),
        filterPolicy: (inputs.filterPolicy as string | undefined) || undefined,
        filterPolicyScope: (inputs.filterPolicyScope as string | undefined) || undefined,
        rawMessageDelivery: inputs.rawMessageDelivery === true || inputs.rawMessageDelivery === "true",
      };
    });
    for (const subscription of this.subscriptions) {
      if (!deliveredProtocols.has(subscription.protocol)) {
        deps.reporter.warn(
          `SNS subscription ${subscription.protocol}:${subscription.endpoint} is not emulated (only lambda and sqs subscriptions are): nothing is delivered to it`,
        );
      }
    }
  }

  topicArns(): string[] {
    return this.deps.index.all(topicType).map((topic) => String(topic.state.arn));
  }

  describe(): string[] {
    const { index } = this.deps;
    const topics = this.topicArns().map((topic) => `topic     ${topic.split(":").pop()}`);
    const subscriptions = this.subscriptions.map((subscription) => {
      const target =
        subscription.protocol === "lambda"
          ? (index.functionByRef(subscription.endpoint)?.name ?? subscription.endpoint)
          : subscription.endpoint.split(":").pop();
      const options = [subscription.filterPolicy ? "filter policy" : "", subscription.rawMessageDelivery ? "raw" : ""]
        .filter(Boolean)
        .join(", ");
      return `trigger   sns ${subscription.topicArn.split(":").pop()} -> ${subscription.protocol} ${target}${options ? ` (${options})` : ""}`;
    });
    return [...topics, ...subscriptions];
  }

  tryIt(programFlag: string): string[] {
    const subscribers = new Set(
      this.subscriptions.flatMap((subscription) =>
        subscription.protocol === "lambda" ? [this.deps.index.functionByRef(subscription.endpoint)?.name ?? subscription.endpoint] : [],
      ),
    );
    return [...subscribers].map((fn) => `npm run invoke -- ${fn} --sample sns${programFlag}`);
  }

  /** Publications are delivered as they come: nothing runs between them. */
  stop(): void {}

  has(topicArn: string): boolean {
    return this.topicArns().includes(topicArn);
  }

  /** Accepts a publication and delivers it in the background, as SNS does; returns its message id. */
  publish(publication: Publication): string {
    const messageId = randomUUID();
    const timestamp = new Date().toISOString();
    for (const subscription of this.subscriptions.filter((candidate) => candidate.topicArn === publication.topicArn)) {
      if (!deliveredProtocols.has(subscription.protocol)) continue;
      if (
        !passesFilterPolicy(subscription.filterPolicy, subscription.filterPolicyScope, publication.message, publication.messageAttributes)
      )
        continue;
      this.deliver(subscription, publication, messageId, timestamp).catch((error) =>
        this.deps.reporter.warn(`SNS delivery of ${messageId} to ${subscription.endpoint}: ${(error as Error).message}`),
      );
    }
    return messageId;
  }

  private async deliver(subscription: Subscription, publication: Publication, messageId: string, timestamp: string): Promise<void> {
    const notification = notificationOf(publication, {
      messageId,
      timestamp,
      subscriptionArn: subscription.arn,
      origin: this.deps.awsEndpoint,
    });
    if (subscription.protocol === "sqs") {
      await this.deps.sqs.send(
        new SendMessageCommand({
          QueueUrl: queueUrlOfArn(subscription.endpoint, this.deps.awsEndpoint),
          MessageBody: subscription.rawMessageDelivery ? publication.message : JSON.stringify(notification),
          ...(subscription.rawMessageDelivery ? { MessageAttributes: sqsAttributes(publication.messageAttributes) } : {}),
        }),
      );
      return;
    }
    const fn = this.deps.functionByRef(subscription.endpoint);
    if (!fn) throw new Error(`function ${subscription.endpoint} is not deployed`);
    const event = lambdaEventOf(subscription.arn, notification);
    const topicName = publication.topicArn.split(":").pop();
    await this.deps.asyncInvoker.invoke(
      fn,
      event,
      { source: "sns", detail: `${topicName} ${messageId}` },
      asyncConfigFor(this.deps.index, fn.name),
    );
  }
}

/** The notification SNS delivers: the JSON an SQS subscriber gets, unless it asked for raw messages. */
export function notificationOf(
  publication: Publication,
  delivery: { messageId: string; timestamp: string; subscriptionArn: string; origin: string },
) {
  return {
    Type: "Notification",
    MessageId: delivery.messageId,
    TopicArn: publication.topicArn,
    ...(publication.subject !== undefined ? { Subject: publication.subject } : {}),
    Message: publication.message,
    Timestamp: delivery.timestamp,
    SignatureVersion: "1",
    Signature: "c2FuZGJveA==",
    SigningCertURL: `${delivery.origin}/_sandbox/sns/certificate.pem`,
    UnsubscribeURL: `${delivery.origin}/_sandbox/sns/unsubscribe?SubscriptionArn=${encodeURIComponent(delivery.subscriptionArn)}`,
    ...(Object.keys(publication.messageAttributes).length > 0 ? { MessageAttributes: publication.messageAttributes } : {}),
  };
}

/** Lambda's SNS event: the same notification, with the capitalisation the Lambda event uses. */
export function lambdaEventOf(subscriptionArn: string, notification: ReturnType<typeof notificationOf>) {
  const { SigningCertURL, UnsubscribeURL, MessageAttributes, Subject, ...rest } = notification as ReturnType<typeof notificationOf> & {
    MessageAttributes?: Record<string, MessageAttribute>;
    Subject?: string;
  };
  return {
    Records: [
      {
        EventSource: "aws:sns",
        EventVersion: "1.0",
        EventSubscriptionArn: subscriptionArn,
        Sns: {
          ...rest,
          Subject: Subject ?? null,
          SigningCertUrl: SigningCertURL,
          UnsubscribeUrl: UnsubscribeURL,
          MessageAttributes: MessageAttributes ?? {},
        },
      },
    ],
  };
}

function sqsAttributes(attributes: Record<string, MessageAttribute>): Record<string, MessageAttributeValue> {
  return Object.fromEntries(
    Object.entries(attributes).map(([name, attribute]) => [
      name,
      attribute.Type === "Binary"
        ? { DataType: "Binary", BinaryValue: Buffer.from(attribute.Value, "base64") }
        : { DataType: attribute.Type === "String.Array" ? "String" : attribute.Type, StringValue: attribute.Value },
    ]),
  );
}
