import { describe, expect, it } from "vitest";
import { EndpointFaults, type SqsAnswer } from "../../../sandbox/faults/endpoint";
import { FaultPlan } from "../../../sandbox/faults/plan";
import { parseFaultRules } from "../../../sandbox/faults/rules";

const sqsToDynamo = { name: "ingest-sqs-to-dynamo-22659b6", logicalName: "ingest-sqs-to-dynamo" };

describe("--faults rules", () => {
  it("reads the five kinds, separated by ;", () => {
    expect(
      parseFaultRules(
        " ingest-sqs-to-dynamo:error=0.3; ingest-s3-to-sqs:timeout=1 ;api-handler:crash=0.25;dynamodb:throttle=0.2;sqs:send-fail=.5;",
      ),
    ).toEqual([
      { target: "ingest-sqs-to-dynamo", kind: "error", rate: 0.3 },
      { target: "ingest-s3-to-sqs", kind: "timeout", rate: 1 },
      { target: "api-handler", kind: "crash", rate: 0.25 },
      { target: "dynamodb", kind: "throttle", rate: 0.2 },
      { target: "sqs", kind: "send-fail", rate: 0.5 },
    ]);
    expect(parseFaultRules("")).toEqual([]);
  });

  it.each([
    ["consumer-error=0.3", /is not <target>:<kind>=<rate>/],
    ["fn:error=1.5", /the rate must be a number from 0 to 1, not '1.5'/],
    ["fn:error=-0.1", /the rate must be a number from 0 to 1/],
    ["fn:error=abc", /the rate must be a number from 0 to 1/],
    ["dynamodb:error=0.1", /dynamodb takes only throttle=<rate>/],
    ["sqs:throttle=0.1", /sqs takes only send-fail=<rate>/],
    ["fn:throttle=0.1", /a function takes error=<rate>, timeout=<rate> or crash=<rate> \(throttle belongs to dynamodb\)/],
    ["fn:explode=0.1", /a function takes error=<rate>, timeout=<rate> or crash=<rate>/],
    ["fn:error=0.1; fn:error=0.2", /fn:error is given twice/],
  ])("refuses %s", (text, message) => {
    expect(() => parseFaultRules(text)).toThrow(message);
  });
});

describe("the fault plan", () => {
  const draws = (plan: FaultPlan, count: number) =>
    Array.from({ length: count }, () => (plan.invocationFault(sqsToDynamo) === "error" ? "E" : "-")).join("");

  it("is reproducible from its seed, and another seed gives other faults", () => {
    const rules = "ingest-sqs-to-dynamo:error=0.3";
    const first = draws(new FaultPlan(rules, 42), 200);
    expect(draws(new FaultPlan(rules, 42), 200)).toBe(first);
    expect(draws(new FaultPlan(rules, 43), 200)).not.toBe(first);
    // Close to the rate asked for.
    const hits = first.split("").filter((fault) => fault === "E").length;
    expect(hits).toBeGreaterThan(40);
    expect(hits).toBeLessThan(80);
  });

  it("gives each rule its own sequence: adding a rule does not change another's decisions", () => {
    const alone = new FaultPlan("ingest-sqs-to-dynamo:error=0.5", 9);
    const withOthers = new FaultPlan("ingest-sqs-to-dynamo:error=0.5; dynamodb:throttle=0.5", 9);
    const sequence = (plan: FaultPlan) =>
      Array.from({ length: 100 }, () => {
        plan.throttlesDynamo();
        return plan.invocationFault(sqsToDynamo) ?? "-";
      }).join("");
    expect(sequence(withOthers)).toBe(sequence(alone));
  });

  it("names functions by name or logical name, and reports rules that name none", () => {
    const plan = new FaultPlan("ingest-sqs-to-dynamo:timeout=1; api-handler:error=1; nope:error=1");
    expect(plan.invocationFault(sqsToDynamo)).toBe("timeout");
    expect(plan.invocationFault({ name: "api-handler-eb5ff98", logicalName: "api-handler" })).toBe("error");
    expect(plan.invocationFault({ name: "other", logicalName: "other" })).toBeUndefined();
    expect(plan.unknownTargets([sqsToDynamo, { name: "api-handler-eb5ff98", logicalName: "api-handler" }])).toEqual([
      "fault rule nope:error names no function of the program (ingest-sqs-to-dynamo, api-handler)",
    ]);
  });

  it("prints its plan with the seed", () => {
    expect(new FaultPlan("ingest-sqs-to-dynamo:error=0.3; sqs:send-fail=0.05", 5).describe()).toBe(
      [
        "Faults (seed 5; the same seed and traffic give the same faults):",
        "  ingest-sqs-to-dynamo:error=0.3  30% of invocations fail before the handler runs",
        "  sqs:send-fail=0.05  5% of SendMessageBatch entries come back in Failed",
      ].join("\n"),
    );
    expect(new FaultPlan().describe()).toBe("Faults: none");
  });

  it("can be replaced while running: no rules, no faults", () => {
    const plan = new FaultPlan("dynamodb:throttle=1");
    expect(plan.throttlesDynamo()).toBeDefined();
    plan.replace("");
    expect(plan.throttlesDynamo()).toBeUndefined();
  });
});

describe("sqs:send-fail at the endpoint", () => {
  const batch = (count: number) =>
    Buffer.from(
      JSON.stringify({
        QueueUrl: "q",
        Entries: Array.from({ length: count }, (_, index) => ({ Id: `e${index}`, MessageBody: `m${index}` })),
      }),
    );
  const ok = (body: Buffer): SqsAnswer => {
    const entries = (JSON.parse(body.toString()).Entries ?? []) as Array<{ Id: string }>;
    return {
      status: 200,
      headers: {},
      body: Buffer.from(
        JSON.stringify({ Successful: entries.map((entry) => ({ Id: entry.Id, MessageId: `id-${entry.Id}` })), Failed: [] }),
      ),
    };
  };

  it("sends only the entries that did not fail and lists the others in Failed, not as the sender's fault", async () => {
    const sent: string[][] = [];
    const faults = new EndpointFaults(new FaultPlan("sqs:send-fail=0.5", 3));
    const answer = await faults.sendMessageBatch("AmazonSQS.SendMessageBatch", batch(10), async (body) => {
      sent.push(JSON.parse(body.toString()).Entries.map((entry: { Id: string }) => entry.Id));
      return ok(body);
    });
    const result = JSON.parse(answer.body.toString()) as {
      Successful: Array<{ Id: string }>;
      Failed: Array<{ Id: string; SenderFault: boolean }>;
    };
    expect(result.Failed.length).toBeGreaterThan(0);
    expect(result.Failed.every((failure) => failure.SenderFault === false)).toBe(true);
    expect(result.Successful.map((entry) => entry.Id)).toEqual(sent.flat());
    expect([...result.Successful, ...result.Failed].map((entry) => entry.Id).sort()).toEqual(
      Array.from({ length: 10 }, (_, index) => `e${index}`).sort(),
    );
  });

  it("leaves other SQS calls and a batch without failures alone", async () => {
    const faults = new EndpointFaults(new FaultPlan("sqs:send-fail=1"));
    let forwarded = 0;
    const forward = async (body: Buffer) => {
      forwarded++;
      return ok(body);
    };
    await faults.sendMessageBatch("AmazonSQS.SendMessage", Buffer.from("{}"), forward);
    expect(forwarded).toBe(1);
    const none = new EndpointFaults(new FaultPlan("sqs:send-fail=0"));
    const answer = await none.sendMessageBatch("AmazonSQS.SendMessageBatch", batch(3), forward);
    expect(JSON.parse(answer.body.toString()).Successful).toHaveLength(3);
    // Every entry failing never reaches the queue at all.
    const all = await faults.sendMessageBatch("AmazonSQS.SendMessageBatch", batch(3), forward);
    expect(forwarded).toBe(2);
    expect(JSON.parse(all.body.toString()).Failed).toHaveLength(3);
  });
});
