import type { AddressInfo } from "node:net";
import { sandboxRegion } from "../constants";

export interface FauxqsEmulator {
  /** Loopback origin of fauxqs; internal, the front endpoint is what users see. */
  origin: string;
  stop(): Promise<void>;
}

/**
 * fauxqs for S3 and SQS. `startFauxqs` always listens on every interface; `buildApp` lets the
 * sandbox bind it to loopback itself, so nothing is reachable from the network.
 */
export async function startFauxqs(): Promise<FauxqsEmulator> {
  const { buildApp } = await import("fauxqs");
  const app = buildApp({ logger: false, defaultRegion: sandboxRegion });
  await app.listen({ port: 0, host: "127.0.0.1" });
  const { port } = app.server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    stop: async () => {
      await app.close();
    },
  };
}
