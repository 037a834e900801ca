import type { IncomingMessage, Server, ServerResponse } from "node:http";
import { mkdirSync } from "node:fs";

export interface DynamoEmulator {
  /** Serves one DynamoDB request in-process: no second HTTP hop between the endpoint and dynalite. */
  handle(request: IncomingMessage, response: ServerResponse): void;
  stop(): Promise<void>;
}

/** dynalite on disk, so table data survives restarts of the sandbox. */
export async function startDynamo(dataDir: string): Promise<DynamoEmulator> {
  mkdirSync(dataDir, { recursive: true });
  const { default: dynalite } = await import("dynalite");
  // Tables become ACTIVE at once: the deployment waits for nothing a real account would make it wait for.
  const server: Server = dynalite({ path: dataDir, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  // Listening (on loopback, never advertised) is what lets dynalite's close() release its LevelDB lock.
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  return {
    handle: (request, response) => server.emit("request", request, response),
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}
