import type { AddressInfo } from "node:net";

/**
 * fauxqs (S3 + SQS) on a loopback port of its own, for the producer's queue figures. Started
 * from the package rather than through the sandbox's modules, whose internals are not a contract.
 */
export async function startQueueEmulator(): Promise<{ origin: string; stop(): Promise<void> }> {
  const { buildApp } = await import("fauxqs");
  const app = buildApp({ logger: false, defaultRegion: "us-east-1" });
  await app.listen({ port: 0, host: "127.0.0.1" });
  const { port } = app.server.address() as AddressInfo;
  return { origin: `http://127.0.0.1:${port}`, stop: () => app.close() };
}
