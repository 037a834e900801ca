import type { Server } from "node:http";
import type { AddressInfo } from "node:net";

/** A port the sandbox could not bind; the message names the flag that picks another. */
export class PortInUseError extends Error {
  constructor(port: number, flag: string) {
    super(`port ${port} is already in use: stop what holds it, or start with ${flag} <port> (${flag} 0 picks a free one)`);
    this.name = "PortInUseError";
  }
}

/** Binds a server to loopback only: the sandbox is never reachable from the network. */
export async function listenOnLoopback(server: Server, port: number, flag: string): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      reject(error.code === "EADDRINUSE" ? new PortInUseError(port, flag) : error);
    };
    server.once("error", onError);
    server.listen(port, "127.0.0.1", () => {
      server.off("error", onError);
      resolve();
    });
  });
  return (server.address() as AddressInfo).port;
}

export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
}
