import { join } from "node:path";
import { startDynamo } from "./dynamodb";
import { startFauxqs } from "./fauxqs";
import { startAwsEndpoint, type AwsEndpoint } from "./endpoint";
import type { ObjectCreated } from "./s3-object-writes";

export type { ObjectCreated } from "./s3-object-writes";

export interface LocalAws extends AwsEndpoint {
  /** Subscribers to S3 object creations (the S3 notification wiring). */
  objectCreated: Set<(write: ObjectCreated) => void>;
}

/** dynalite and fauxqs behind one endpoint; stop() stops all three, in reverse order. */
export async function startLocalAws(options: { port: number; stateDir: string }): Promise<LocalAws> {
  const objectCreated = new Set<(write: ObjectCreated) => void>();
  const upstreams = { dynamo: "", fauxqs: "" };
  const endpoint = await startAwsEndpoint({
    port: options.port,
    upstreams,
    onObjectCreated: (write) => objectCreated.forEach((listener) => listener(write)),
  });
  const started: Array<{ stop(): Promise<void> }> = [];
  try {
    const dynamo = await startDynamo(join(options.stateDir, "dynamodb"));
    started.push(dynamo);
    const fauxqs = await startFauxqs();
    started.push(fauxqs);
    Object.assign(upstreams, { dynamo: dynamo.origin, fauxqs: fauxqs.origin });
  } catch (error) {
    await Promise.all([endpoint.stop(), ...started.map((emulator) => emulator.stop())]);
    throw error;
  }
  const stopEndpoint = endpoint.stop;
  // The same object, so routes added later (`extraRoutes`) reach the running server.
  return Object.assign(endpoint, {
    objectCreated,
    async stop() {
      await stopEndpoint();
      await Promise.all(started.map((emulator) => emulator.stop()));
    },
  });
}
