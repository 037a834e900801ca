import type { IncomingMessage, ServerResponse } from "node:http";
import type { FaultPlan } from "./plan";

/** DynamoDB calls that read or write items: what a table's capacity limits, and what gets throttled. */
const ITEM_OPERATIONS = new Set([
  "GetItem",
  "PutItem",
  "UpdateItem",
  "DeleteItem",
  "BatchGetItem",
  "BatchWriteItem",
  "Query",
  "Scan",
  "TransactGetItems",
  "TransactWriteItems",
]);

/** An SQS JSON-protocol answer, as the endpoint forwards it. */
export interface SqsAnswer {
  status: number;
  headers: Record<string, string | string[] | number | undefined>;
  body: Buffer;
}

/**
 * The faults as the AWS endpoint applies them: it asks before handing a request to an emulator.
 * Control-plane calls (CreateTable, DescribeTable) are never throttled, so a deployment under
 * faults still comes up.
 */
export class EndpointFaults {
  constructor(private readonly plan: FaultPlan) {}

  /** Answers a throttled DynamoDB item call itself and returns true; false hands it on. */
  throttleDynamo(target: string, request: IncomingMessage, response: ServerResponse): boolean {
    const operation = target.split(".")[1] ?? "";
    if (!ITEM_OPERATIONS.has(operation)) return false;
    const rule = this.plan.throttlesDynamo();
    if (!rule) return false;
    const body = JSON.stringify({
      __type: "com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException",
      message: `The level of configured provisioned throughput for the table was exceeded (injected fault dynamodb:throttle=${rule.rate})`,
    });
    // The body is read first: answering before it arrives would break the keep-alive connection.
    request.resume();
    request.once("end", () => {
      response.writeHead(400, { "content-type": "application/x-amz-json-1.0", "content-length": String(Buffer.byteLength(body)) });
      response.end(body);
    });
    return true;
  }

  /**
   * A SendMessageBatch with some entries failed: those are held back from the queue and come back
   * in `Failed` (not the sender's fault, so a sender retries them); the others are sent.
   */
  async sendMessageBatch(target: string, raw: Buffer, forward: (body: Buffer) => Promise<SqsAnswer>): Promise<SqsAnswer> {
    if (target !== "AmazonSQS.SendMessageBatch") return forward(raw);
    let request: { Entries?: Array<{ Id: string }> } & Record<string, unknown>;
    try {
      request = JSON.parse(raw.toString("utf8"));
    } catch {
      return forward(raw);
    }
    const entries = Array.isArray(request.Entries) ? request.Entries : [];
    const { rule, failed } = this.plan.failedSendEntries(entries.length);
    if (!rule || !failed.includes(true)) return forward(raw);
    const kept = entries.filter((_, position) => !failed[position]);
    const failures = entries
      .filter((_, position) => failed[position])
      .map((entry) => ({ Id: entry.Id, SenderFault: false, Code: "InternalError", Message: `injected fault sqs:send-fail=${rule.rate}` }));
    if (kept.length === 0) {
      const body = Buffer.from(JSON.stringify({ Successful: [], Failed: failures }));
      return { status: 200, headers: { "content-type": "application/x-amz-json-1.0" }, body };
    }
    const answer = await forward(Buffer.from(JSON.stringify({ ...request, Entries: kept })));
    if (answer.status !== 200) return answer;
    const result = JSON.parse(answer.body.toString("utf8")) as { Successful?: unknown[]; Failed?: unknown[] };
    return { ...answer, body: Buffer.from(JSON.stringify({ ...result, Failed: [...(result.Failed ?? []), ...failures] })) };
  }
}
