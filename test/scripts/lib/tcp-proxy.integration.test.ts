import { createServer, type Server, type Socket, connect as tcpConnect } from "node:net";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { startTcpProxy, type TcpProxy } from "../../../scripts/lib/tcp-proxy.ts";
import { sleep } from "../../../shared/sleep.ts";

/** An echo server on a free loopback port, and every socket it accepted. */
async function startEchoServer(): Promise<{ server: Server; port: number; sockets: Socket[] }> {
  const sockets: Socket[] = [];
  const server = createServer((socket) => {
    sockets.push(socket);
    socket.on("error", () => socket.destroy());
    socket.pipe(socket);
  });
  const port = await new Promise<number>((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      resolve(typeof address === "object" && address !== null ? address.port : 0);
    });
  });
  return { server, port, sockets };
}

async function closeEchoServer(echo: { server: Server; sockets: Socket[] }): Promise<void> {
  for (const socket of echo.sockets) socket.destroy();
  await new Promise<void>((resolve) => echo.server.close(() => resolve()));
}

/** A client socket that records what it receives and whether it was closed. */
interface Client {
  socket: Socket;
  received(): string;
  closed(): boolean;
}

function connectClient(port: number): Promise<Client> {
  return new Promise((resolve, reject) => {
    const socket = tcpConnect({ host: "127.0.0.1", port });
    let data = "";
    let isClosed = false;
    socket.on("data", (chunk: Buffer) => {
      data += chunk.toString();
    });
    socket.on("error", () => undefined);
    socket.on("close", () => {
      isClosed = true;
    });
    socket.once("connect", () => resolve({ socket, received: () => data, closed: () => isClosed }));
    socket.once("error", reject);
  });
}

async function waitFor(condition: () => boolean, what: string, timeoutMs = 2_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms: ${what}`);
    await sleep(5);
  }
}

async function withProxy(
  run: (proxy: TcpProxy, echo: Awaited<ReturnType<typeof startEchoServer>>) => Promise<void>,
): Promise<void> {
  const echo = await startEchoServer();
  const proxy = await startTcpProxy(echo.port);
  try {
    await run(proxy, echo);
  } finally {
    await proxy.close();
    await closeEchoServer(echo);
  }
}

test("forwards bytes both ways to the target port", async () => {
  await withProxy(async (proxy) => {
    assert.is.not(proxy.port, proxy.targetPort);
    const client = await connectClient(proxy.port);
    client.socket.write("ping");
    await waitFor(() => client.received() === "ping", "the echo through the proxy");
    assert.is(proxy.forwardedConnections, 1);
    client.socket.destroy();
  });
});

test("block cuts the connections in flight", async () => {
  await withProxy(async (proxy) => {
    const client = await connectClient(proxy.port);
    client.socket.write("a");
    await waitFor(() => client.received() === "a", "the first echo");
    proxy.block();
    assert.ok(proxy.blocked);
    await waitFor(() => client.closed(), "the client connection to be cut");
    assert.is(proxy.forwardedConnections, 0);
  });
});

test("while blocked, new connections are accepted but nothing reaches the target or comes back", async () => {
  await withProxy(async (proxy, echo) => {
    proxy.block();
    const client = await connectClient(proxy.port);
    client.socket.write("lost");
    await sleep(150);
    assert.is(client.received(), "", "no echo from behind the partition");
    assert.not.ok(client.closed(), "a blackholed connection stays open, like a dropped route");
    assert.is(echo.sockets.length, 0, "the target never saw a connection");
    assert.is(proxy.acceptedConnections, 1);
    client.socket.destroy();
  });
});

test("unblock cuts blackholed connections and forwards new ones again", async () => {
  await withProxy(async (proxy) => {
    proxy.block();
    const stuck = await connectClient(proxy.port);
    proxy.unblock();
    await waitFor(() => stuck.closed(), "the blackholed connection to be cut");
    const client = await connectClient(proxy.port);
    client.socket.write("back");
    await waitFor(() => client.received() === "back", "the echo after healing");
    client.socket.destroy();
  });
});

test("a connection closed by the target is closed for the client too", async () => {
  await withProxy(async (proxy, echo) => {
    const client = await connectClient(proxy.port);
    await waitFor(() => echo.sockets.length === 1, "the target to accept");
    echo.sockets[0]!.destroy();
    await waitFor(() => client.closed(), "the client to see the close");
    await waitFor(() => proxy.forwardedConnections === 0, "the link to be forgotten");
  });
});

test("close cuts every connection, forwarded or blackholed", async () => {
  const echo = await startEchoServer();
  const proxy = await startTcpProxy(echo.port);
  const forwarded = await connectClient(proxy.port);
  await waitFor(() => proxy.forwardedConnections === 1, "the first link");
  proxy.block();
  const blackholed = await connectClient(proxy.port);
  await proxy.close();
  await waitFor(() => forwarded.closed() && blackholed.closed(), "both clients to be cut");
  await closeEchoServer(echo);
});

test.run();
