import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdirSync } from "node:fs";

export interface DynamoEmulator {
  /** Loopback origin of dynalite; internal, the front endpoint is what users see. */
  origin: string;
  stop(): Promise<void>;
}

/** dynalite on disk, so table data survives restarts of the sandbox. */
export async function startDynamo(dataDir: string): Promise<DynamoEmulator> {
  mkdirSync(dataDir, { recursive: true });
  const { default: dynalite } = await import("dynalite");
  // Tables become ACTIVE at once: the deployment waits for nothing a real account would make it wait for.
  const server: Server = dynalite({ path: dataDir, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        // Closing the server also closes the LevelDB store, which releases its lock for the next start.
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}
