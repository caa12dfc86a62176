/**
 * A TCP proxy on 127.0.0.1 that a test controls, to cut and restore one link
 * between two nodes: the lower id's PEERS entry for the higher id points at
 * the proxy, which forwards to the higher id's real port.
 *
 * Blocking behaves like a network partition rather than a closed port: the
 * connections in flight are cut, and new ones are accepted and then
 * blackholed (nothing is forwarded, nothing comes back), so the dialer sees
 * a connection that never answers its handshake, as it would behind a
 * dropped route.
 */
import { createServer, type Server, type Socket, connect as tcpConnect } from "node:net";

const LOOPBACK = "127.0.0.1";

/** A running proxy from {@link startTcpProxy}. */
export interface TcpProxy {
  /** The loopback port clients connect to. */
  readonly port: number;
  /** The port everything is forwarded to. */
  readonly targetPort: number;
  /** True between block() and unblock(). */
  readonly blocked: boolean;
  /** Connections currently forwarded (not counting blackholed ones). */
  readonly forwardedConnections: number;
  /** Connections accepted since start, forwarded or blackholed. */
  readonly acceptedConnections: number;
  /** Cuts every forwarded connection and blackholes new ones until unblock(). */
  block(): void;
  /** Forwards new connections again; blackholed ones are cut so their dialers reconnect. */
  unblock(): void;
  /** Stops listening and cuts every connection. */
  close(): Promise<void>;
}

/** One client connection and, when forwarded, its upstream twin. */
interface Link {
  client: Socket;
  upstream: Socket | null;
}

class ControlledProxy implements TcpProxy {
  private isBlocked = false;
  private accepted = 0;
  private readonly forwarded = new Set<Link>();
  private readonly blackholed = new Set<Socket>();

  constructor(
    private readonly server: Server,
    readonly port: number,
    readonly targetPort: number,
  ) {
    server.on("connection", (client) => this.accept(client));
  }

  get blocked(): boolean {
    return this.isBlocked;
  }

  get forwardedConnections(): number {
    return this.forwarded.size;
  }

  get acceptedConnections(): number {
    return this.accepted;
  }

  block(): void {
    this.isBlocked = true;
    for (const link of this.forwarded) this.cut(link);
  }

  unblock(): void {
    this.isBlocked = false;
    for (const socket of this.blackholed) socket.destroy();
    this.blackholed.clear();
  }

  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.block();
    this.unblock();
    await closed;
  }

  private accept(client: Socket): void {
    this.accepted += 1;
    client.setNoDelay(true);
    // Resets from either side are part of the job; they end the link, nothing more.
    client.on("error", () => client.destroy());
    if (this.isBlocked) {
      this.blackholed.add(client);
      client.resume();
      client.once("close", () => this.blackholed.delete(client));
      return;
    }
    const link: Link = { client, upstream: null };
    this.forwarded.add(link);
    const upstream = tcpConnect({ host: LOOPBACK, port: this.targetPort });
    link.upstream = upstream;
    upstream.setNoDelay(true);
    upstream.on("error", () => upstream.destroy());
    client.pipe(upstream);
    upstream.pipe(client);
    const end = (): void => this.cut(link);
    client.once("close", end);
    upstream.once("close", end);
  }

  private cut(link: Link): void {
    if (!this.forwarded.delete(link)) return;
    link.client.destroy();
    link.upstream?.destroy();
  }
}

/** Starts a proxy on a free loopback port that forwards to `127.0.0.1:<targetPort>`. */
export async function startTcpProxy(targetPort: number): Promise<TcpProxy> {
  const server = createServer({ noDelay: true });
  const port = await new Promise<number>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, LOOPBACK, () => {
      server.off("error", reject);
      const address = server.address();
      resolve(typeof address === "object" && address !== null ? address.port : 0);
    });
  });
  // An open proxy must not keep a test process alive after its last test.
  server.unref();
  return new ControlledProxy(server, port, targetPort);
}
