/**
 * TCP listeners on 127.0.0.1 that accept every connection and close it at
 * once: what a TCP connect probe needs to see a server's port answer.
 */
import { createServer, type Server } from "node:net";

export interface AcceptingListeners {
  /** One port per listener, each chosen by the kernel. */
  readonly ports: readonly number[];
  close(): Promise<void>;
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      server.off("error", reject);
      const address = server.address();
      resolve(typeof address === "object" && address !== null ? address.port : 0);
    });
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

/** Starts `count` listeners; on failure none is left open. */
export async function startAcceptingListeners(count: number): Promise<AcceptingListeners> {
  const servers: Server[] = [];
  const ports: number[] = [];
  try {
    for (let position = 0; position < count; position++) {
      const server = createServer((socket) => {
        // The prober may reset the connection first; that is no error here.
        socket.on("error", () => undefined);
        socket.destroy();
      });
      servers.push(server);
      ports.push(await listen(server));
    }
  } catch (error) {
    await Promise.all(servers.map(close));
    throw error;
  }
  return {
    ports,
    close: async () => {
      await Promise.all(servers.map(close));
    },
  };
}
