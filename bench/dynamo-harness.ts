import { fork, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { createJobsTable } from "../tests/support/emulators";
import { quietEnv } from "./child";

export const credentials = { accessKeyId: "bench", secretAccessKey: "bench" };
export const region = "us-east-1";

/** What went through the proxy since the last reset: the handler's side of the wire. */
export interface Traffic {
  requests: number;
  /** Throttling and server errors: each is followed by an SDK retry (or a failure). */
  errors: number;
  connections: number;
  maxInFlight: number;
  /** Operation (X-Amz-Target without its prefix), with the index it named, in order. */
  operations: Array<{ operation: string; index?: string }>;
}

export interface DynamoHarness {
  /** The proxy's origin: what handlers get as AWS_ENDPOINT_URL. */
  endpoint: string;
  /** The endpoint itself, for a baseline without the proxy. */
  direct: string;
  reset(): Promise<void>;
  traffic(): Promise<Traffic>;
  createJobsTable(name: string): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The sandbox's DynamoDB behind a loopback proxy that counts requests, TCP connections and requests in flight,
 * so that "one request per row" and "clients created once" are observed on the wire rather than
 * read from the code. Both run in a child process (bench/dynamo-server.ts).
 */
export async function startDynamoHarness(stateDir?: string): Promise<DynamoHarness> {
  const child: ChildProcess = fork(join(__dirname, "dynamo-server.ts"), stateDir ? [stateDir] : [], {
    execArgv: ["--import", "tsx"],
    env: quietEnv,
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const ask = <T>(type: string, answer: string) =>
    new Promise<T>((resolve, reject) => {
      const onMessage = (message: { type: string } & T) => {
        if (message.type !== answer) return;
        child.off("message", onMessage);
        resolve(message);
      };
      child.on("message", onMessage);
      child.once("exit", (code) => reject(new Error(`bench/dynamo-server.ts exited (${code})`)));
      if (type) child.send({ type });
    });
  const { endpoint, direct } = await ask<{ endpoint: string; direct: string }>("", "ready");
  const admin = new DynamoDBClient({ endpoint: direct, region, credentials });
  return {
    endpoint,
    direct,
    async reset() {
      child.send({ type: "reset" });
      // A round trip, so that the reset has happened before the caller measures.
      await ask("traffic", "traffic");
    },
    traffic: async () => (await ask<{ traffic: Traffic }>("traffic", "traffic")).traffic,
    // The key schema and index the program declares: index upkeep is part of a write's cost.
    createJobsTable: (name) => createJobsTable(admin, name),
    async stop() {
      admin.destroy();
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill();
      await exited;
    },
  };
}
