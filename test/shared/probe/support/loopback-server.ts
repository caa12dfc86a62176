/** Servers on 127.0.0.1 for probe tests, closed together with whatever connections they still hold. */
import type { AddressInfo, Server, Socket } from "node:net";

export interface LoopbackServer {
  port: number;
  /** Destroys every connection the server accepted, then closes it. */
  close(): Promise<void>;
}

/**
 * Starts `server` on a free loopback port. Closing destroys its connections
 * first: a connection that nobody reads from never sees the peer go away,
 * and would keep `server.close` waiting forever.
 */
export async function listenOnLoopback(server: Server): Promise<LoopbackServer> {
  const connections = new Set<Socket>();
  server.on("connection", (socket: Socket) => {
    connections.add(socket);
    socket.on("close", () => connections.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    close: () =>
      new Promise((resolve) => {
        for (const socket of connections) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
