import type { Server } from "node:http";
import { createServer, type Server as NetServer } from "node:net";
import type { AddressInfo } from "node:net";

/** A port the sandbox could not bind; the message names the flag that picks another. */
export class PortInUseError extends Error {
  constructor(port: number, flag: string) {
    super(`port ${port} is already in use: stop what holds it, or start with ${flag} <port> (${flag} 0 picks a free one)`);
    this.name = "PortInUseError";
  }
}

/** The IPv6 loopback listener beside each server's IPv4 one, closed with it. */
const ipv6Listeners = new WeakMap<Server, NetServer>();

function bind(server: Server | NetServer, port: number, address: string): Promise<NodeJS.ErrnoException | undefined> {
  return new Promise((resolve) => {
    const onError = (error: NodeJS.ErrnoException) => resolve(error);
    server.once("error", onError);
    server.listen(port, address, () => {
      server.off("error", onError);
      resolve(undefined);
    });
  });
}

/**
 * Binds a server to loopback only, both 127.0.0.1 and ::1 on the same port: the sandbox is never
 * reachable from the network, and a client that resolves `localhost` to ::1 first (Node, curl)
 * reaches it and not whatever else might hold that port on ::1. A machine without IPv6 has no ::1
 * to bind, and nothing can connect to it there either.
 */
export async function listenOnLoopback(server: Server, port: number, flag: string): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    const ipv4 = await bind(server, port, "127.0.0.1");
    if (ipv4) throw ipv4.code === "EADDRINUSE" ? new PortInUseError(port, flag) : ipv4;
    const bound = (server.address() as AddressInfo).port;
    const ipv6 = createServer((socket) => server.emit("connection", socket));
    const refused = await bind(ipv6, bound, "::1");
    if (!refused) {
      ipv6Listeners.set(server, ipv6);
      ipv6.unref();
      return bound;
    }
    if (refused.code === "EADDRNOTAVAIL" || refused.code === "EAFNOSUPPORT") return bound;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    // A port picked at random may be free on one address and not the other: pick again.
    if (refused.code !== "EADDRINUSE" || port !== 0 || attempt === 5)
      throw refused.code === "EADDRINUSE" ? new PortInUseError(bound, flag) : refused;
  }
}

export function closeServer(server: Server): Promise<void> {
  ipv6Listeners.get(server)?.close();
  ipv6Listeners.delete(server);
  return new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
}

/** Names that reach this machine's loopback without DNS, so a page elsewhere cannot take them over. */
export function isLoopbackName(hostname: string): boolean {
  const name = hostname.toLowerCase();
  return name === "127.0.0.1" || name === "[::1]" || name === "localhost" || name.endsWith(".localhost");
}

/**
 * Why a request is refused when its `Host` is not this server's loopback address and port, or
 * undefined when it is addressed here. Listening on loopback is not enough: a page on another
 * site whose name is made to resolve to 127.0.0.1 (DNS rebinding) reaches the server with its own
 * name in `Host`. `localhost` and its subdomains never resolve through DNS in browsers, so they
 * are as safe as the addresses themselves (SDKs and CLIs configured with `localhost` keep working).
 */
export function foreignHost(host: string | undefined, port: number): string | undefined {
  const match = /^(.+):(\d+)$/.exec(host ?? "");
  if (match && Number(match[2]) === port && isLoopbackName(match[1])) return undefined;
  return `the sandbox answers requests addressed to 127.0.0.1:${port}, [::1]:${port} or localhost:${port} only, not ${host ? `'${host}'` : "requests without a Host"}`;
}
