import { createServer } from "node:net";

/**
 * Asks the kernel for a free port on 127.0.0.1. Another process may take it
 * before the caller binds it; callers that can, retry on EADDRINUSE.
 */
export function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error("no free port found"))));
    });
  });
}

/** `count` distinct free loopback ports. */
export async function findFreePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  // The kernel rarely hands out the same port twice in a row; the bound only stops a pathological loop.
  for (let attempt = 0; ports.size < count && attempt < count * 10; attempt++) {
    ports.add(await findFreePort());
  }
  if (ports.size < count) throw new Error(`found only ${ports.size} of ${count} free ports`);
  return [...ports];
}
