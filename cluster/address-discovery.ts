import { createHmac, timingSafeEqual } from "node:crypto";
import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import type { Logger } from "../shared/logger.ts";
import { type AddressReport, publicAddressChange } from "./agent/public-ip.ts";
import type { ControlPlaneService } from "./control-plane-service.ts";
import type { NodeId } from "./raft/types.ts";

/** The path where a node tells a peer which address the peer's request came from. */
export const OBSERVED_ADDRESS_PATH = "/cluster/observed-address";

/** The bearer token nodes use between themselves for this endpoint, derived from the cluster secret. */
export function observedAddressToken(clusterSecret: string): string {
  return createHmac("sha256", clusterSecret)
    .update("nexaloak/observed-address/v1")
    .digest("base64url");
}

/** Answers a peer with the source address of its request, if it proves it knows the cluster secret. */
export function observedAddressAnswer(
  request: IncomingMessage,
  clusterSecret: string,
): { status: number; body: unknown } {
  const expected = Buffer.from(`Bearer ${observedAddressToken(clusterSecret)}`);
  const given = Buffer.from(request.headers.authorization ?? "");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return {
      status: 401,
      body: { error: { code: "UNAUTHORIZED", message: "cluster members only" } },
    };
  }
  return { status: 200, body: { address: request.socket.remoteAddress ?? null } };
}

/** Asks one peer how it sees this node. */
function askPeer(
  peerUrl: string,
  token: string,
  localAddress: string | undefined,
  timeoutMs: number,
): Promise<string | null> {
  const url = new URL(OBSERVED_ADDRESS_PATH, peerUrl.replace(/^ws/, "http"));
  const send = url.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    const req = send(
      url,
      {
        method: "GET",
        headers: { authorization: `Bearer ${token}` },
        timeout: timeoutMs,
        ...(localAddress ? { localAddress } : {}),
      },
      (response) => {
        let text = "";
        response.setEncoding("utf8");
        response.on("data", (chunk: string) => {
          if (text.length < 4096) text += chunk;
        });
        response.on("end", () => {
          try {
            const parsed = JSON.parse(text) as { address?: unknown };
            resolve(
              response.statusCode === 200 && typeof parsed.address === "string"
                ? parsed.address
                : null,
            );
          } catch {
            resolve(null);
          }
        });
      },
    );
    req.on("timeout", () => req.destroy());
    req.on("error", () => resolve(null));
    req.end();
  });
}

export interface AddressDiscoveryOptions {
  serverId: NodeId;
  clusterSecret: string;
  /** The other members' URLs, as the transport dials them. */
  peers: () => ReadonlyMap<NodeId, string>;
  service: ControlPlaneService;
  localAddress: string | undefined;
  intervalMs: number;
  logger: Logger;
}

/**
 * Learns this server's public address from how its peers see it (the
 * majority view) and proposes it as the server's endpoint when it changes.
 * Used when PUBLIC_HOST is not set.
 */
export class AddressDiscovery {
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private round: Promise<void> = Promise.resolve();

  constructor(private readonly options: AddressDiscoveryOptions) {}

  start(): void {
    this.running = true;
    this.schedule(0);
  }

  stop(): void {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
  }

  /** Runs one round now (also used by tests); resolves when it is done. */
  checkNow(): Promise<void> {
    this.round = this.round.then(() => this.checkOnce());
    return this.round;
  }

  private schedule(delayMs: number): void {
    if (!this.running) return;
    this.timer = setTimeout(() => {
      void this.checkNow().finally(() => this.schedule(this.options.intervalMs));
    }, delayMs);
    this.timer.unref?.();
  }

  private async checkOnce(): Promise<void> {
    const { serverId, service, logger } = this.options;
    const token = observedAddressToken(this.options.clusterSecret);
    const peers = [...this.options.peers()].filter(([id]) => id !== serverId);
    const answers = await Promise.all(
      peers.map(async ([reporterId, url]) => ({
        reporterId,
        address: await askPeer(url, token, this.options.localAddress, 3000),
      })),
    );
    const reports: AddressReport[] = answers.flatMap(({ reporterId, address }) =>
      address ? [{ reporterId, observedAddress: address }] : [],
    );
    const current = service.localState.server(serverId)?.endpointHost ?? null;
    const change = publicAddressChange(reports, current);
    if (change === null) return;
    try {
      await service.run({
        type: "setServerEndpoint",
        serverId,
        endpointHost: change,
        at: service.now(),
      });
      logger.info({ from: current, to: change, reports: reports.length }, "public address changed");
    } catch (error) {
      logger.warn(
        { err: (error as Error).message },
        "could not record the new public address; will retry",
      );
    }
  }
}
