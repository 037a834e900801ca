import { join } from "node:path";
import { startDynamo, type DynamoEmulator } from "./dynamodb";
import { startFauxqs, type FauxqsEmulator } from "./fauxqs";
import { startAwsEndpoint, type AwsEndpoint } from "./endpoint";
import type { ObjectEvent } from "./s3-object-events";

export type { ObjectEvent } from "./s3-object-events";

export interface LocalAws extends AwsEndpoint {
  /** Subscribers to S3 object creations (the S3 notification wiring). */
  objectEvents: Set<(write: ObjectEvent) => void>;
}

/** dynalite and fauxqs behind one endpoint; stop() stops all three, in reverse order. */
export async function startLocalAws(options: { port: number; stateDir: string }): Promise<LocalAws> {
  const objectEvents = new Set<(write: ObjectEvent) => void>();
  const upstreams: { dynamo?: DynamoEmulator; fauxqs?: FauxqsEmulator } = {};
  const endpoint = await startAwsEndpoint({
    port: options.port,
    upstreams,
    onObjectEvent: (write) => objectEvents.forEach((listener) => listener(write)),
  });
  const started: Array<{ stop(): Promise<void> }> = [];
  try {
    const dynamo = await startDynamo(join(options.stateDir, "dynamodb"));
    started.push(dynamo);
    const fauxqs = await startFauxqs();
    started.push(fauxqs);
    Object.assign(upstreams, { dynamo, fauxqs });
  } catch (error) {
    await Promise.all([endpoint.stop(), ...started.map((emulator) => emulator.stop())]);
    throw error;
  }
  const stopEndpoint = endpoint.stop;
  // The same object, so routes added later (`extraRoutes`) reach the running server.
  return Object.assign(endpoint, {
    objectEvents,
    async stop() {
      await stopEndpoint();
      await Promise.all(started.map((emulator) => emulator.stop()));
    },
  });
}
