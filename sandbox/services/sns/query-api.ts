import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { MessageAttribute } from "./filter-policy";
import type { LocalTopics } from "./topics";

/**
 * SNS's query API on the sandbox endpoint, for AWS SDKs and CLIs (`--endpoint-url`): Publish,
 * PublishBatch and the listing calls a developer looks around with. Every other action answers
 * SNS's own error shape, saying it is not emulated. SNS calls are told from the others by the
 * service in their signature's credential scope.
 */
export function isSnsRequest(request: IncomingMessage): boolean {
  return request.method === "POST" && /\/sns\/aws4_request/.test(String(request.headers.authorization ?? ""));
}

const namespace = "http://sns.amazonaws.com/doc/2010-03-31/";

const escapeXml = (text: string) =>
  text.replace(/[<>&'"]/g, (char) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", "'": "&apos;", '"': "&quot;" })[char]!);

function send(response: ServerResponse, status: number, xml: string): void {
  const body = Buffer.from(`<?xml version="1.0"?>\n${xml}`);
  response.writeHead(status, { "content-type": "text/xml", "content-length": String(body.length), "x-amzn-requestid": randomUUID() });
  response.end(body);
}

function result(action: string, inner: string): string {
  return `<${action}Response xmlns="${namespace}"><${action}Result>${inner}</${action}Result><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></${action}Response>`;
}

function error(response: ServerResponse, status: number, code: string, message: string): void {
  const type = status < 500 ? "Sender" : "Receiver";
  send(
    response,
    status,
    `<ErrorResponse xmlns="${namespace}"><Error><Type>${type}</Type><Code>${code}</Code><Message>${escapeXml(message)}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`,
  );
}

/** `MessageAttributes.entry.N.Name` / `.Value.DataType` / `.Value.StringValue` under a prefix. */
function attributesOf(params: URLSearchParams, prefix: string): Record<string, MessageAttribute> {
  const attributes: Record<string, MessageAttribute> = {};
  for (let entry = 1; params.has(`${prefix}MessageAttributes.entry.${entry}.Name`); entry++) {
    const at = `${prefix}MessageAttributes.entry.${entry}`;
    attributes[params.get(`${at}.Name`)!] = {
      Type: params.get(`${at}.Value.DataType`) ?? "String",
      Value: params.get(`${at}.Value.StringValue`) ?? params.get(`${at}.Value.BinaryValue`) ?? "",
    };
  }
  return attributes;
}

async function formOf(request: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return new URLSearchParams(Buffer.concat(chunks).toString("utf8"));
}

export async function handleSnsRequest(request: IncomingMessage, response: ServerResponse, topics: LocalTopics): Promise<void> {
  const params = await formOf(request);
  const action = params.get("Action") ?? "";
  const topicArn = params.get("TopicArn") ?? params.get("TargetArn") ?? "";
  const knownTopic = () => {
    if (topics.has(topicArn)) return true;
    error(response, 404, "NotFound", "Topic does not exist");
    return false;
  };
  switch (action) {
    case "Publish": {
      if (!knownTopic()) return;
      const message = params.get("Message");
      if (message === null) return error(response, 400, "InvalidParameter", "Invalid parameter: Message");
      const messageId = topics.publish({
        topicArn,
        message,
        subject: params.get("Subject") ?? undefined,
        messageAttributes: attributesOf(params, ""),
      });
      return send(response, 200, result(action, `<MessageId>${messageId}</MessageId>`));
    }
    case "PublishBatch": {
      if (!knownTopic()) return;
      const successful: string[] = [];
      for (let member = 1; params.has(`PublishBatchRequestEntries.member.${member}.Id`); member++) {
        const at = `PublishBatchRequestEntries.member.${member}.`;
        const messageId = topics.publish({
          topicArn,
          message: params.get(`${at}Message`) ?? "",
          subject: params.get(`${at}Subject`) ?? undefined,
          messageAttributes: attributesOf(params, at),
        });
        successful.push(`<member><Id>${escapeXml(params.get(`${at}Id`)!)}</Id><MessageId>${messageId}</MessageId></member>`);
      }
      return send(response, 200, result(action, `<Successful>${successful.join("")}</Successful><Failed/>`));
    }
    case "ListTopics":
      return send(
        response,
        200,
        result(
          action,
          `<Topics>${topics
            .topicArns()
            .map((arn) => `<member><TopicArn>${arn}</TopicArn></member>`)
            .join("")}</Topics>`,
        ),
      );
    case "ListSubscriptions":
    case "ListSubscriptionsByTopic": {
      if (action === "ListSubscriptionsByTopic" && !knownTopic()) return;
      const listed = topics.subscriptions.filter((subscription) => action === "ListSubscriptions" || subscription.topicArn === topicArn);
      const members = listed.map(
        (subscription) =>
          `<member><TopicArn>${subscription.topicArn}</TopicArn><Protocol>${subscription.protocol}</Protocol><SubscriptionArn>${subscription.arn}</SubscriptionArn><Owner>000000000000</Owner><Endpoint>${escapeXml(subscription.endpoint)}</Endpoint></member>`,
      );
      return send(response, 200, result(action, `<Subscriptions>${members.join("")}</Subscriptions>`));
    }
    default:
      return error(
        response,
        400,
        "InvalidAction",
        `The action ${action || "(none)"} is not emulated by the sandbox's SNS (it answers Publish, PublishBatch, ListTopics, ListSubscriptions and ListSubscriptionsByTopic): topics and subscriptions come from the program`,
      );
  }
}
