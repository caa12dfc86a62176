/**
 * Minimal forward proxies for tests, on loopback: an HTTP CONNECT proxy and a
 * SOCKS5 proxy (RFC 1928, with RFC 1929 user/password when asked for). Each
 * tunnels only to loopback and records every tunnel with the local port of
 * its upstream socket, so a test can match the connections a server saw to
 * the proxy's tunnels. (The `proxy` package on npm serves CONNECT but keeps
 * its upstream sockets to itself, and the SOCKS5 servers on npm are
 * unmaintained.)
 */
import { once } from "node:events";
import { createServer as createHttpServer } from "node:http";
import { type AddressInfo, connect, createServer, type Server, type Socket } from "node:net";

/** One tunnel a proxy opened. */
export interface Tunnel {
  /** host:port the client asked for. */
  target: string;
  /** The local port of the proxy's socket to the target: what the target sees as the remote port. */
  upstreamPort: number;
}

export interface TunnelProxy {
  /** The proxy's URL with the credentials, e.g. socks5://u:p@127.0.0.1:40000. */
  readonly url: string;
  /** Tunnels opened so far, oldest first. */
  tunnels(): Tunnel[];
  /** Requests refused: bad credentials, or a target off loopback. */
  refusals(): number;
  stop(): Promise<void>;
}

export interface Credentials {
  user: string;
  password: string;
}

const LOOPBACK = "127.0.0.1";

/** Opens the tunnel to `host:port` (loopback only) and pipes `client` through it once it answers. */
async function openUpstream(host: string, port: number): Promise<Socket | null> {
  if (host !== LOOPBACK && host !== "localhost") return null;
  const upstream = connect({ host: LOOPBACK, port });
  try {
    await once(upstream, "connect");
    return upstream;
  } catch {
    return null;
  }
}

function splice(client: Socket, upstream: Socket): void {
  client.pipe(upstream).pipe(client);
  client.on("error", () => upstream.destroy());
  upstream.on("error", () => client.destroy());
  client.on("close", () => upstream.destroy());
  upstream.on("close", () => client.destroy());
}

async function listen(server: Server, sockets: Set<Socket>): Promise<number> {
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  server.listen(0, LOOPBACK);
  await once(server, "listening");
  return (server.address() as AddressInfo).port;
}

function handle(
  scheme: string,
  port: number,
  credentials: Credentials | undefined,
  server: Server,
  sockets: Set<Socket>,
  tunnels: Tunnel[],
  counts: { refusals: number },
): TunnelProxy {
  const auth = credentials
    ? `${encodeURIComponent(credentials.user)}:${encodeURIComponent(credentials.password)}@`
    : "";
  return {
    url: `${scheme}://${auth}${LOOPBACK}:${port}`,
    tunnels: () => tunnels.map((tunnel) => ({ ...tunnel })),
    refusals: () => counts.refusals,
    async stop() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** An HTTP proxy that serves CONNECT only, with Basic credentials when given. */
export async function startConnectProxy(credentials?: Credentials): Promise<TunnelProxy> {
  const tunnels: Tunnel[] = [];
  const counts = { refusals: 0 };
  const sockets = new Set<Socket>();
  const expected = credentials
    ? `Basic ${Buffer.from(`${credentials.user}:${credentials.password}`).toString("base64")}`
    : undefined;
  const server = createHttpServer((_request, response) => {
    counts.refusals++;
    response.writeHead(405).end();
  });
  server.on("connect", async (request, client: Socket) => {
    const target = request.url ?? "";
    const [host = "", portText = ""] = target.split(/:(?=\d+$)/);
    if (expected !== undefined && request.headers["proxy-authorization"] !== expected) {
      counts.refusals++;
      client.end("HTTP/1.1 407 Proxy Authentication Required\r\n\r\n");
      return;
    }
    const upstream = await openUpstream(host, Number(portText));
    if (!upstream) {
      counts.refusals++;
      client.end("HTTP/1.1 502 Bad Gateway\r\n\r\n");
      return;
    }
    tunnels.push({ target, upstreamPort: upstream.localPort ?? 0 });
    client.write("HTTP/1.1 200 Connection established\r\n\r\n");
    splice(client, upstream);
  });
  const port = await listen(server, sockets);
  return handle("http", port, credentials, server, sockets, tunnels, counts);
}

/** Reads exactly `length` bytes from `socket`, or null when it closes first. */
function readBytes(
  socket: Socket,
  length: number,
  buffered: { data: Buffer },
): Promise<Buffer | null> {
  return new Promise((resolve) => {
    const tryTake = () => {
      if (buffered.data.length < length) return false;
      const taken = buffered.data.subarray(0, length);
      buffered.data = buffered.data.subarray(length);
      socket.off("data", onData);
      socket.off("close", onClose);
      resolve(taken);
      return true;
    };
    const onData = (chunk: Buffer) => {
      buffered.data = Buffer.concat([buffered.data, chunk]);
      tryTake();
    };
    const onClose = () => resolve(null);
    if (tryTake()) return;
    socket.on("data", onData);
    socket.on("close", onClose);
  });
}

/** The SOCKS5 handshake and CONNECT request; the target, or null after refusing. */
async function socksHandshake(
  client: Socket,
  credentials: Credentials | undefined,
): Promise<{ host: string; port: number } | null> {
  const buffered = { data: Buffer.alloc(0) };
  const greeting = await readBytes(client, 2, buffered);
  if (greeting?.[0] !== 5) return null;
  const methods = await readBytes(client, greeting[1]!, buffered);
  if (!methods) return null;
  const method = credentials ? 0x02 : 0x00;
  if (!methods.includes(method)) {
    client.end(Buffer.from([5, 0xff]));
    return null;
  }
  client.write(Buffer.from([5, method]));
  if (credentials) {
    const head = await readBytes(client, 2, buffered);
    const user = head && (await readBytes(client, head[1]!, buffered));
    const passwordLength = user && (await readBytes(client, 1, buffered));
    const password = passwordLength && (await readBytes(client, passwordLength[0]!, buffered));
    const good =
      password !== null &&
      user?.toString() === credentials.user &&
      password?.toString() === credentials.password;
    if (!good) {
      client.end(Buffer.from([1, 1]));
      return null;
    }
    client.write(Buffer.from([1, 0]));
  }
  const request = await readBytes(client, 4, buffered);
  if (request?.[1] !== 1) return null;
  let host: string;
  if (request[3] === 1) {
    const address = await readBytes(client, 4, buffered);
    if (!address) return null;
    host = [...address].join(".");
  } else if (request[3] === 3) {
    const length = await readBytes(client, 1, buffered);
    const name = length && (await readBytes(client, length[0]!, buffered));
    if (!name) return null;
    host = name.toString();
  } else return null;
  const portBytes = await readBytes(client, 2, buffered);
  if (!portBytes) return null;
  return { host, port: portBytes.readUInt16BE(0) };
}

/** A SOCKS5 proxy (CONNECT only), with user/password authentication when given. */
export async function startSocks5Proxy(credentials?: Credentials): Promise<TunnelProxy> {
  const tunnels: Tunnel[] = [];
  const counts = { refusals: 0 };
  const sockets = new Set<Socket>();
  const server = createServer(async (client) => {
    client.on("error", () => client.destroy());
    const target = await socksHandshake(client, credentials);
    if (!target) {
      counts.refusals++;
      client.destroy();
      return;
    }
    const upstream = await openUpstream(target.host, target.port);
    if (!upstream) {
      counts.refusals++;
      client.end(Buffer.from([5, 2, 0, 1, 0, 0, 0, 0, 0, 0]));
      return;
    }
    tunnels.push({
      target: `${target.host}:${target.port}`,
      upstreamPort: upstream.localPort ?? 0,
    });
    client.write(Buffer.from([5, 0, 0, 1, 127, 0, 0, 1, 0, 0]));
    splice(client, upstream);
  });
  const port = await listen(server, sockets);
  return handle("socks5", port, credentials, server, sockets, tunnels, counts);
}
