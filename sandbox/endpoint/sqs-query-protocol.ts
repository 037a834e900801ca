import { randomUUID } from "node:crypto";

/**
 * SQS's older query protocol (form-encoded `Action=...`, XML answers), which AWS CLIs before
 * JSON-protocol SQS (e.g. the CLI 2.9 of Debian's awscli package) still speak. fauxqs answers only
 * the JSON protocol, so the endpoint translates both ways.
 */
export const sqsQueryActions = new Set([
  "CreateQueue",
  "DeleteQueue",
  "GetQueueUrl",
  "ListQueues",
  "GetQueueAttributes",
  "SetQueueAttributes",
  "PurgeQueue",
  "SendMessage",
  "SendMessageBatch",
  "ReceiveMessage",
  "DeleteMessage",
  "DeleteMessageBatch",
  "ChangeMessageVisibility",
  "ChangeMessageVisibilityBatch",
  "TagQueue",
  "UntagQueue",
  "ListQueueTags",
]);

const numeric = new Set(["DelaySeconds", "MaxNumberOfMessages", "VisibilityTimeout", "WaitTimeSeconds", "MaxResults"]);

type Tree = { [key: string]: Tree | string };

function unflatten(form: URLSearchParams): Tree {
  const root: Tree = {};
  for (const [key, value] of form) {
    const parts = key.split(".");
    let node = root;
    for (const part of parts.slice(0, -1)) node = (node[part] ??= {}) as Tree;
    node[parts[parts.length - 1]] = value;
  }
  return root;
}

const list = (node: Tree | string | undefined): string[] =>
  node && typeof node === "object"
    ? Object.keys(node)
        .sort((a, b) => Number(a) - Number(b))
        .map((index) => String(node[index]))
    : [];

const members = (node: Tree | string | undefined): Tree[] =>
  node && typeof node === "object"
    ? Object.keys(node)
        .sort((a, b) => Number(a) - Number(b))
        .map((index) => node[index] as Tree)
    : [];

function messageAttributes(node: Tree | string | undefined) {
  return Object.fromEntries(
    members(node).map((entry) => {
      const value = (entry.Value ?? {}) as Tree;
      return [entry.Name as string, { DataType: value.DataType, StringValue: value.StringValue, BinaryValue: value.BinaryValue }];
    }),
  );
}

function jsonOf(node: Tree): Record<string, unknown> {
  const json: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === "Action" || key === "Version") continue;
    if (key === "Attribute") json.Attributes = Object.fromEntries(members(value).map((entry) => [entry.Name, entry.Value]));
    else if (key === "AttributeName") json.AttributeNames = list(value);
    else if (key === "MessageAttributeName") json.MessageAttributeNames = list(value);
    else if (key === "MessageSystemAttributeName") json.MessageSystemAttributeNames = list(value);
    else if (key === "MessageAttribute") json.MessageAttributes = messageAttributes(value);
    else if (key === "Tag") json.Tags = Object.fromEntries(members(value).map((entry) => [entry.Key, entry.Value]));
    else if (key === "TagKey") json.TagKeys = list(value);
    else if (key.endsWith("RequestEntry")) json.Entries = members(value).map(jsonOf);
    else if (numeric.has(key) && typeof value === "string") json[key] = Number(value);
    else json[key] = value;
  }
  return json;
}

/** The JSON-protocol request for a query-protocol one. */
export function queryToJson(body: string): { action: string; json: Record<string, unknown> } | undefined {
  const form = new URLSearchParams(body);
  const action = form.get("Action");
  if (!action || !sqsQueryActions.has(action)) return undefined;
  const json = jsonOf(unflatten(form));
  // CreateQueue's query form calls its tags `Tag`; the JSON form `tags`.
  if (action === "CreateQueue" && json.Tags) {
    json.tags = json.Tags;
    delete json.Tags;
  }
  return { action, json };
}

const escape = (text: unknown) => String(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

const element = (name: string, content: string) => `<${name}>${content}</${name}>`;

const singular: Record<string, string> = {
  QueueUrls: "QueueUrl",
  Messages: "Message",
  Failed: "BatchResultErrorEntry",
};

function xmlOf(value: unknown, action: string): string {
  if (value === null || value === undefined) return "";
  if (typeof value !== "object") return escape(value);
  return Object.entries(value as Record<string, unknown>)
    .map(([key, inner]) => {
      if (inner === undefined || inner === null) return "";
      if (key === "Attributes" && typeof inner === "object") {
        return Object.entries(inner as Record<string, unknown>)
          .map(([name, text]) => element("Attribute", element("Name", escape(name)) + element("Value", escape(text))))
          .join("");
      }
      if (key === "MessageAttributes" && typeof inner === "object") {
        return Object.entries(inner as Record<string, Record<string, unknown>>)
          .map(([name, attribute]) =>
            element("MessageAttribute", element("Name", escape(name)) + element("Value", xmlOf(attribute, action))),
          )
          .join("");
      }
      if (key === "Tags" && typeof inner === "object") {
        return Object.entries(inner as Record<string, unknown>)
          .map(([name, text]) => element("Tag", element("Key", escape(name)) + element("Value", escape(text))))
          .join("");
      }
      if (Array.isArray(inner)) {
        const name = key === "Successful" ? `${action}ResultEntry` : (singular[key] ?? key);
        return inner.map((item) => element(name, xmlOf(item, action))).join("");
      }
      return element(key, xmlOf(inner, action));
    })
    .join("");
}

const namespace = "http://queue.amazonaws.com/doc/2012-11-05/";

/** The query-protocol XML answer for a JSON-protocol answer. */
export function jsonToQueryXml(action: string, status: number, json: Record<string, unknown>, queryError?: string): string {
  const requestId = randomUUID();
  if (status >= 400) {
    const [code, type] = (queryError ?? "").split(";");
    const fallback = String(json.__type ?? "InternalError")
      .split("#")
      .pop();
    return `<?xml version="1.0"?><ErrorResponse xmlns="${namespace}"><Error><Type>${type || "Sender"}</Type><Code>${escape(code || fallback)}</Code><Message>${escape(json.message ?? json.Message ?? "")}</Message><Detail/></Error><RequestId>${requestId}</RequestId></ErrorResponse>`;
  }
  const result = xmlOf(json, action);
  return `<?xml version="1.0"?><${action}Response xmlns="${namespace}">${result ? element(`${action}Result`, result) : ""}<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`;
}
