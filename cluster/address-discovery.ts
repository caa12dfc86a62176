import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import type { Logger } from "../shared/logger.ts";
import { type AddressReport, publicAddressChange } from "./agent/public-ip.ts";
import type { ControlPlaneService } from "./control-plane-service.ts";
import type { NodeIdentity } from "./identity/node-identity.ts";
import {
  type ObservedAddressStatement,
  signObservedAddress,
  verifyObservedAddress,
} from "./observed-address.ts";
import type { NodeId } from "./raft/types.ts";

/** The path where a node tells a peer which address the peer's request came from. */
export const OBSERVED_ADDRESS_PATH = "/cluster/observed-address";

/** The bearer token nodes use between themselves for this endpoint, derived from the cluster secret. */
export function observedAddressToken(clusterSecret: string): string {
  return createHmac("sha256", clusterSecret)
    .update("nexaloak/observed-address/v1")
    .digest("base64url");
}

/** How soon to ask again when a peer's identity key was not pinned yet. */
const RETRY_UNPINNED_MS = 2000;

/** A nonce the asker draws for one question: 32 random bytes, unpadded base64url. */
const NONCE_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/**
 * Answers a peer (it proves it knows the cluster secret) with the source
 * address of its request, signed by this node's identity over the asker's id
 * and nonce (`?from=<id>&nonce=<nonce>`), so the answer cannot be forged or
 * replayed on the way.
 */
export function observedAddressAnswer(
  request: IncomingMessage,
  clusterSecret: string,
  identity: NodeIdentity,
): { status: number; body: unknown } {
  const expected = Buffer.from(`Bearer ${observedAddressToken(clusterSecret)}`);
  const given = Buffer.from(request.headers.authorization ?? "");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return {
      status: 401,
      body: { error: { code: "UNAUTHORIZED", message: "cluster members only" } },
    };
  }
  const query = new URL(request.url ?? "/", "http://node").searchParams;
  const asker = query.get("from") ?? "";
  const nonce = query.get("nonce") ?? "";
  const address = request.socket.remoteAddress;
  if (!NONCE_PATTERN.test(nonce) || asker === "" || asker.length > 64 || address === undefined) {
    return {
      status: 400,
      body: {
        error: {
          code: "INVALID_QUESTION",
          message: "send ?from=<node id>&nonce=<32 random bytes, base64url>",
        },
      },
    };
  }
  return { status: 200, body: signObservedAddress(identity, asker, nonce, address) };
}

/** Asks one peer how it sees this node; its statement, or null when it gave none. */
function askPeer(
  peerUrl: string,
  question: { token: string; askerId: NodeId; nonce: string },
  localAddress: string | undefined,
  timeoutMs: number,
): Promise<ObservedAddressStatement | null> {
  const url = new URL(OBSERVED_ADDRESS_PATH, peerUrl.replace(/^ws/, "http"));
  url.searchParams.set("from", question.askerId);
  url.searchParams.set("nonce", question.nonce);
  const token = question.token;
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
            const parsed = JSON.parse(text) as { address?: unknown; signature?: unknown };
            resolve(
              response.statusCode === 200 &&
                typeof parsed.address === "string" &&
                typeof parsed.signature === "string"
                ? { address: parsed.address, signature: parsed.signature }
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
  /** Set when a peer's key was not pinned yet (the cluster is founding): ask again soon. */
  private askAgainSoon = false;
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
      void this.checkNow().finally(() =>
        this.schedule(this.askAgainSoon ? RETRY_UNPINNED_MS : this.options.intervalMs),
      );
    }, delayMs);
    this.timer.unref?.();
  }

  private async checkOnce(): Promise<void> {
    const { serverId, service, logger } = this.options;
    const token = observedAddressToken(this.options.clusterSecret);
    const peers = [...this.options.peers()].filter(([id]) => id !== serverId);
    const answers = await Promise.all(
      peers.map(async ([reporterId, url]) => {
        const nonce = randomBytes(32).toString("base64url");
        const question = { token, askerId: serverId, nonce };
        const statement = await askPeer(url, question, this.options.localAddress, 3000);
        return { reporterId, nonce, statement };
      }),
    );
    // Only what a member signed with its pinned key, for this question, counts.
    this.askAgainSoon = false;
    const reports: AddressReport[] = answers.flatMap(({ reporterId, nonce, statement }) => {
      if (!statement) return [];
      const key = service.localState.pinnedKeyOf(reporterId);
      if (key === undefined) {
        // The cluster is founding and has not pinned this member yet.
        this.askAgainSoon = true;
        return [];
      }
      if (!verifyObservedAddress(key, serverId, nonce, statement)) {
        logger.warn({ reporterId }, "an observed-address answer did not verify; ignored");
        return [];
      }
      return [{ reporterId, observedAddress: statement.address }];
    });
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
