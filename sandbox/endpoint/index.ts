import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startDynamoService, type DynamoService } from "../services/dynamodb/service";
import { sandboxRegion } from "../shared/constants";
import { startFauxqs, type FauxqsEmulator, type QueueContents, type QueueFigures } from "./fauxqs";
import { startAwsEndpoint, type AwsEndpoint } from "./endpoint";
import type { ObjectEvent } from "./s3-object-events";

export type { ObjectEvent } from "./s3-object-events";
export type { HeldMessage, QueueContents, QueueFigures } from "./fauxqs";

export interface LocalAws extends AwsEndpoint {
  /** Subscribers to S3 object creations (the S3 notification wiring). */
  objectEvents: Set<(write: ObjectEvent) => void>;
  /** The DynamoDB service: its tables' streams feed the stream event source mappings. */
  dynamo: DynamoService;
  /** A queue's counts and oldest message, by queue name, read without receiving. */
  queueFigures(name: string): QueueFigures | undefined;
  /** A queue's messages by name, read in place (receive counts and visibility untouched). */
  queueContents(name: string): QueueContents | undefined;
}

/**
 * DynamoDB (dynalite inside) and fauxqs behind one endpoint; stop() stops all three, in reverse order.
 * The sandbox keeps its tables in `stateDir`, and while it runs its S3 objects' bytes in
 * `stateDir/s3` and its queued messages' bodies in `stateDir/sqs`; without one (handler tests,
 * benchmarks) tables live in memory and objects and bodies in a temporary directory.
 */
export async function startLocalAws(options: { port: number; stateDir?: string }): Promise<LocalAws> {
  const objectEvents = new Set<(write: ObjectEvent) => void>();
  const upstreams: { dynamo?: DynamoService; fauxqs?: FauxqsEmulator } = {};
  const endpoint = await startAwsEndpoint({
    port: options.port,
    upstreams,
    onObjectEvent: (write) => objectEvents.forEach((listener) => listener(write)),
  });
  const started: Array<{ stop(): Promise<void> }> = [];
  const filesDir = options.stateDir ?? mkdtempSync(join(tmpdir(), "sandbox-aws-"));
  const removeTemporaryFiles = () => options.stateDir || rmSync(filesDir, { recursive: true, force: true });
  // Both at once: neither needs the other, and each waits on its own I/O.
  const [dynamo, fauxqs] = await Promise.allSettled([
    startDynamoService({ dataDir: options.stateDir && join(options.stateDir, "dynamodb"), region: sandboxRegion }),
    startFauxqs({ objectsDir: join(filesDir, "s3"), messagesDir: join(filesDir, "sqs") }),
  ]);
  for (const emulator of [dynamo, fauxqs]) if (emulator.status === "fulfilled") started.push(emulator.value);
  if (dynamo.status === "rejected" || fauxqs.status === "rejected") {
    await Promise.all([endpoint.stop(), ...started.map((emulator) => emulator.stop())]);
    removeTemporaryFiles();
    throw dynamo.status === "rejected" ? dynamo.reason : (fauxqs as PromiseRejectedResult).reason;
  }
  Object.assign(upstreams, { dynamo: dynamo.value, fauxqs: fauxqs.value });
  const stopEndpoint = endpoint.stop;
  // The same object, so routes added later (`extraRoutes`) reach the running server.
  return Object.assign(endpoint, {
    objectEvents,
    dynamo: dynamo.value,
    queueFigures: (name: string) => fauxqs.value.queueFigures(name),
    queueContents: (name: string) => fauxqs.value.queueContents(name),
    async stop() {
      await stopEndpoint();
      await Promise.all(started.map((emulator) => emulator.stop()));
      removeTemporaryFiles();
    },
  });
}
