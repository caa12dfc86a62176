/**
 * Before a node reads its configuration: a node started with JOIN_TOKEN
 * joins the cluster the token names (cluster/membership/join-protocol.ts) and
 * keeps what it received in its DATA_DIR; a node that joined earlier reads
 * that back. Either way the environment is completed with NODE_ID, PEERS,
 * the shared credentials and the token's region and capacity, so the rest
 * of the start is the same as a founder's. A refused token ends the process
 * with exit code 2 and a message that says why.
 */
import { STATE_VERSION } from "../cluster/fsm/state-version.ts";
import { loadOrCreateNodeIdentity } from "../cluster/identity/node-identity.ts";
import { verifyNodeSignature } from "../cluster/identity/node-public-key.ts";
import {
  answerStatement,
  credentialsContext,
  JOIN_PATH,
  type JoinAnswer,
  type JoinCredentials,
  joinAnswerSchema,
  joinCredentialsSchema,
  vouchedLeader,
} from "../cluster/membership/join-protocol.ts";
import {
  checkNotExpired,
  identityStatement,
  type JoinClaim,
  type JoinToken,
  parseJoinToken,
  signJoinClaim,
  type TokenMember,
} from "../cluster/membership/join-token.ts";
import {
  type JoinedMembership,
  readMembership,
  writeMembership,
} from "../cluster/membership/membership-file.ts";
import { adminApiBaseUrl } from "../cluster/transport/peer-url.ts";
import { Backoff } from "../shared/backoff.ts";
import { generateKeyPair } from "../shared/crypto/wireguard-keys.ts";
import { openWithWireGuardKey } from "../shared/crypto/wireguard-sealed-box.ts";
import { type EnvVariable, envNames, envVariables } from "../shared/env-variables.ts";
import { parseHostPort } from "../shared/host-port.ts";
import type { Logger } from "../shared/logger.ts";
import { EXIT_BAD_CONFIG } from "../shared/read-file-or-exit.ts";
import { sleep } from "../shared/sleep.ts";

/** Whether the node joined through a token (now or earlier): it must not found a cluster. */
export interface JoinedStart {
  joined: boolean;
  /** The members' identity keys as the join answer named them: what this node expects until its state pins them. */
  memberKeys: ReadonlyMap<string, string>;
  /**
   * Required variables the cluster withheld from this node (DATA_KEYS from
   * a member that is no voter candidate): it runs without them, never leading.
   */
  withheld: ReadonlySet<string>;
}

function joinedFrom(membership: JoinedMembership): JoinedStart {
  const withheld = new Set<string>();
  for (const name of envNames) {
    const variable: EnvVariable<unknown> = envVariables[name];
    if (
      variable.sharedByCluster &&
      variable.whenUnset.kind === "required" &&
      !(name in membership.credentials)
    )
      withheld.add(name);
  }
  return {
    joined: true,
    memberKeys: new Map(membership.members.map(([id, , key]) => [id, key])),
    withheld,
  };
}

const NOT_JOINED: JoinedStart = { joined: false, memberKeys: new Map(), withheld: new Set() };

/** Codes with which the cluster refuses a join for good: retrying cannot help. */
const FINAL_REFUSALS = new Set([
  "JOIN_TOKEN_USED",
  "JOIN_TOKEN_EXPIRED",
  "JOIN_TOKEN_CANCELLED",
  "JOIN_TOKEN_FORGED",
  "UNKNOWN_JOIN_TOKEN",
  "JOIN_IDENTITY_UNPROVEN",
  "JOIN_VERSION_MISMATCH",
  "NODE_KEY_REVOKED",
  "NODE_KEY_IN_USE",
]);
/** Rounds over every member in which none recognised the token before giving up. */
const UNRECOGNISED_ROUNDS = 5;
const REQUEST_TIMEOUT_MS = 15_000;

function refuseStart(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(EXIT_BAD_CONFIG);
}

/**
 * Completes `env` for a node that joins or joined through a token; leaves a
 * founder's environment alone. Exits with code 2 when the token is refused.
 */
export async function prepareJoinedEnvironment(
  env: NodeJS.ProcessEnv,
  logger: (nodeId: string) => Logger,
): Promise<JoinedStart> {
  const tokenText = env.JOIN_TOKEN?.trim() || undefined;
  const parsedToken = tokenText === undefined ? undefined : parseJoinToken(tokenText);
  if (parsedToken && !parsedToken.ok) refuseStart(parsedToken.error.message);
  const token = parsedToken?.value;
  const dataDir = env.DATA_DIR || (token ? `.data/${token.nodeId}` : undefined);
  if (dataDir === undefined) return NOT_JOINED;
  const kept = readMembership(dataDir);
  if (!kept.ok) refuseStart(kept.error.message);
  if (kept.value) {
    completeEnvironment(env, dataDir, kept.value);
    return joinedFrom(kept.value);
  }
  if (!token) return NOT_JOINED;
  if (env.NODE_ID || env.PEERS)
    refuseStart(
      "JOIN_TOKEN is set beside NODE_ID or PEERS: a joining node gets its id and peers from the cluster. Remove NODE_ID and PEERS to join, or JOIN_TOKEN to found a cluster.",
    );
  const fresh = checkNotExpired(token, Date.now());
  if (!fresh.ok) refuseStart(fresh.error.message);
  const membership = await joinWithToken(env, dataDir, token, logger(token.nodeId));
  writeMembership(dataDir, membership);
  completeEnvironment(env, dataDir, membership);
  return joinedFrom(membership);
}

/** Fills what the cluster gave: the operator's own setting of a variable wins. */
function completeEnvironment(
  env: NodeJS.ProcessEnv,
  dataDir: string,
  membership: JoinedMembership,
): void {
  if (env.NODE_ID && env.NODE_ID !== membership.nodeId)
    refuseStart(
      `NODE_ID is ${env.NODE_ID}, but this DATA_DIR joined the cluster as ${membership.nodeId}; remove NODE_ID`,
    );
  env.NODE_ID = membership.nodeId;
  env.DATA_DIR = dataDir;
  env.PEERS = membership.members.map(([id, url]) => `${id}=${url}`).join(",");
  for (const [name, value] of Object.entries(membership.credentials))
    if (!env[name]) env[name] = value;
  if (!env.SERVER_REGION && membership.region) env.SERVER_REGION = membership.region;
  if (!env.SERVER_CAPACITY && membership.capacity)
    env.SERVER_CAPACITY = String(membership.capacity);
}

/** Where peers reach this node: PUBLIC_HOST (or LISTEN's own address) and LISTEN's port. */
function ownPeerUrl(env: NodeJS.ProcessEnv): string {
  const listen = parseHostPort(env.LISTEN ?? "");
  if (!listen.ok) refuseStart(`LISTEN: ${listen.error.message}; a joining node needs it too`);
  const unspecified = ["0.0.0.0", "::", "[::]"].includes(listen.value.host);
  const host = env.PUBLIC_HOST || (unspecified ? undefined : listen.value.host);
  if (!host)
    refuseStart(
      "PUBLIC_HOST is required to join when LISTEN is on every address: the cluster must know where to reach this node",
    );
  const scheme = env.TLS_CERT_FILE ? "wss" : "ws";
  const bracketed = host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
  return `${scheme}://${bracketed}:${listen.value.port}`;
}

async function joinWithToken(
  env: NodeJS.ProcessEnv,
  dataDir: string,
  token: JoinToken,
  log: Logger,
): Promise<JoinedMembership> {
  const loaded = loadOrCreateNodeIdentity(dataDir);
  if (!loaded.ok) refuseStart(loaded.error.message);
  const identity = loaded.value.identity;
  const box = generateKeyPair();
  const claim: JoinClaim = {
    nodeId: token.nodeId,
    identityKey: identity.publicKey,
    peerUrl: ownPeerUrl(env),
    boxKey: box.publicKey,
  };
  const body = JSON.stringify({
    ...claim,
    tokenSignature: signJoinClaim(token.secret, claim),
    identitySignature: identity.sign(identityStatement(claim)).toString("base64url"),
    stateVersion: STATE_VERSION,
  });
  // The members this node trusts: the token's, and leaders one of them vouched for.
  const trusted = new Map<string, TokenMember>(token.members.map((member) => [member.id, member]));
  const backoff = new Backoff({ minDelayMs: 250, maxDelayMs: 5000 });
  let unrecognisedRounds = 0;
  /** The leader a member named: asked first in the next round. */
  let next: string | undefined;
  log.info({ nodeId: token.nodeId, peerUrl: claim.peerUrl }, "joining the cluster");
  for (;;) {
    let recognised = false;
    for (const candidate of orderedMembers([...trusted.keys()], next)) {
      const asked = trusted.get(candidate)!;
      const answer = await askMember(asked.url, body);
      if (answer.kind === "unreachable" || answer.kind === "stranger") {
        if (answer.kind === "unreachable")
          log.warn({ member: candidate, err: answer.reason }, "cannot reach a member to join");
        continue;
      }
      recognised = true;
      if (answer.kind === "refused") {
        if (FINAL_REFUSALS.has(answer.code))
          refuseStart(`The cluster refused this node's join (${answer.code}): ${answer.message}`);
        log.warn({ member: candidate, code: answer.code }, answer.message);
        if (answer.vouch !== undefined) {
          const vouched = vouchedLeader(answer.vouch, claim, asked);
          if (vouched.ok && !trusted.has(vouched.leader.id)) {
            trusted.set(vouched.leader.id, vouched.leader);
            log.info(
              { leader: vouched.leader.id, vouchedBy: candidate },
              "a member the token names vouched for a leader that joined after it",
            );
          } else if (!vouched.ok)
            log.warn({ member: candidate, why: vouched.why }, "ignored a vouch for the leader");
        }
        if (answer.leaderId && trusted.has(answer.leaderId)) next = answer.leaderId;
        continue;
      }
      const opened = openAnswer(answer.body, claim, box, trusted);
      if (!opened.ok) {
        log.warn(
          { member: candidate, why: opened.why },
          "ignored a join answer that does not check out",
        );
        continue;
      }
      log.info({ nodeId: token.nodeId, answeredBy: opened.answer.signedBy }, "joined the cluster");
      return {
        v: 1,
        nodeId: opened.answer.nodeId,
        members: opened.answer.members,
        region: opened.answer.region,
        capacity: opened.answer.capacity,
        credentials: opened.credentials,
        joinedAt: Date.now(),
      };
    }
    if (!recognised && ++unrecognisedRounds >= UNRECOGNISED_ROUNDS)
      refuseStart(
        "No member of the cluster recognises this join token: it was forged, is for another cluster, the members named in it are gone, or they run a release from before this one's join requests. Ask an admin for a new one, or install the cluster's release here.",
      );
    if (Date.now() >= token.expiresAt)
      refuseStart(
        "The join token expired before the cluster could be reached; ask an admin for a new one.",
      );
    await sleep(backoff.next());
  }
}

/** The members to ask, the leader named last time first. */
function orderedMembers(ids: readonly string[], first: string | undefined): string[] {
  return first ? [first, ...ids.filter((id) => id !== first)] : [...ids];
}

type MemberAnswer =
  | { kind: "joined"; body: unknown }
  | { kind: "refused"; code: string; message: string; leaderId?: string; vouch?: unknown }
  | { kind: "stranger" }
  | { kind: "unreachable"; reason: string };

async function askMember(peerUrl: string, body: string): Promise<MemberAnswer> {
  const base = adminApiBaseUrl(peerUrl);
  if (!base) return { kind: "unreachable", reason: `${peerUrl} is not a peer URL` };
  let response: Response;
  try {
    response = await fetch(base + JOIN_PATH, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body,
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
  } catch (error) {
    return { kind: "unreachable", reason: (error as Error).message };
  }
  const text = await response.text().catch(() => "");
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { kind: "stranger" };
  }
  if (response.status === 200) return { kind: "joined", body: json };
  const error = (
    json as { error?: { code?: unknown; message?: unknown; leaderId?: unknown; vouch?: unknown } }
  )?.error;
  if (!error || typeof error.code !== "string") return { kind: "stranger" };
  return {
    kind: "refused",
    code: error.code,
    message: typeof error.message === "string" ? error.message : error.code,
    ...(typeof error.leaderId === "string" ? { leaderId: error.leaderId } : {}),
    ...(error.vouch === undefined ? {} : { vouch: error.vouch }),
  };
}

function openAnswer(
  body: unknown,
  claim: JoinClaim,
  box: { privateKey: string; publicKey: string },
  trusted: ReadonlyMap<string, TokenMember>,
): { ok: true; answer: JoinAnswer; credentials: JoinCredentials } | { ok: false; why: string } {
  const parsed = joinAnswerSchema.safeParse(body);
  if (!parsed.success) return { ok: false, why: "malformed" };
  const answer = parsed.data;
  const signerKey = trusted.get(answer.signedBy)?.identityKey;
  if (!signerKey)
    return {
      ok: false,
      why: `signed by ${answer.signedBy}, whom neither the token nor a member it names vouched for`,
    };
  const { signature, ...unsigned } = answer;
  if (
    answer.nodeId !== claim.nodeId ||
    !verifyNodeSignature(
      signerKey,
      answerStatement(claim, unsigned),
      Buffer.from(signature, "base64url"),
    )
  )
    return { ok: false, why: "bad signature" };
  const opened = openWithWireGuardKey(box, credentialsContext(claim), answer.credentials);
  if (!opened.ok) return { ok: false, why: opened.error.code };
  let json: unknown;
  try {
    json = JSON.parse(opened.value);
  } catch {
    return { ok: false, why: "credentials are not JSON" };
  }
  const credentials = joinCredentialsSchema.safeParse(json);
  if (!credentials.success) return { ok: false, why: "credentials malformed" };
  return { ok: true, answer, credentials: credentials.data };
}
