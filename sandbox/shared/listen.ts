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

/**
 * Why a request is refused when its `Host` is not this server's loopback address and port, or
 * undefined when it is addressed here. Listening on loopback is not enough: a page on another
 * site whose name is made to resolve to 127.0.0.1 (DNS rebinding) reaches the server with its own
 * name in `Host`. `localhost` and its subdomains never resolve through DNS in browsers, so they
 * are as safe as the address itself (SDKs and CLIs configured with `localhost` keep working).
 */
export function foreignHost(host: string | undefined, port: number): string | undefined {
  const allowed = (value: string) => {
    const match = /^(.+):(\d+)$/.exec(value.toLowerCase());
    if (!match || Number(match[2]) !== port) return false;
    const name = match[1];
    return name === "127.0.0.1" || name === "localhost" || name.endsWith(".localhost");
  };
  if (host && allowed(host)) return undefined;
  return `the sandbox answers requests addressed to 127.0.0.1:${port} or localhost:${port} only, not ${host ? `'${host}'` : "requests without a Host"}`;
}
