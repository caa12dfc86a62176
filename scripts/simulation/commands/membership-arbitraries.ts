/**
 * Random commands about members: identity keys pinned on first contact,
 * replaced and revoked by an admin, join tokens made, redeemed and
 * cancelled, members removed, and the membership changes the leader records.
 */
import fc from "fast-check";
import { MEMBERSHIP_CHANGES } from "../../../cluster/fsm/records.ts";
import { joinTokenVerifier, signJoinClaim } from "../../../cluster/membership/join-token.ts";
import {
  actor,
  at,
  DAY_MS,
  IDENTITIES,
  nodeId,
  replacementKeys,
  serverId,
  updateId,
  type WeightedCommand,
  wgKey,
} from "./domains.ts";

/** The members' identity keys, as pinned. */
const identityKey = fc.constantFrom(...IDENTITIES.map((identity) => identity.publicKey));
/** The ids a new server joins under: two new ones, and a VPN server's, which is taken once it registered. */
const JOINING_NODE_IDS = ["n4", "n5", "n1"];
/** Each joining id's token is made from one of two secrets. */
const TOKEN_SECRETS = [0x40, 0x41].map((fill) => Buffer.alloc(32, fill).toString("base64url"));
const reason = fc.constantFrom("seized", "retired");

/** The verifier an admin's token for each joining id keeps, for each secret. */
const tokens = fc.constantFrom(
  ...JOINING_NODE_IDS.flatMap((nodeId) =>
    TOKEN_SECRETS.map((secret) => ({ nodeId, verifier: joinTokenVerifier(nodeId, secret) })),
  ),
);

/**
 * A new node's join request, for each id, identity and secret: signed with
 * the secret of the token the cluster keeps, or with the other one (forged,
 * as far as apply can tell).
 */
const joinRequests = fc.constantFrom(
  ...JOINING_NODE_IDS.flatMap((nodeId) =>
    IDENTITIES.flatMap(({ publicKey }) =>
      TOKEN_SECRETS.map((secret) => {
        const claim = {
          nodeId,
          identityKey: publicKey,
          peerUrl: `ws://${nodeId}.sim:7000`,
          boxKey: wgKey(1, 9),
        };
        return { ...claim, tokenSignature: signJoinClaim(secret, claim) };
      }),
    ),
  ),
);

const createJoinToken = fc
  .record(
    {
      token: tokens,
      region: fc.constantFrom("eu", "us"),
      capacity: fc.integer({ min: 1, max: 6 }),
      // Not after it is made, an hour, ten days, sixty days.
      lifetimeMs: fc.constantFrom(0, 3_600_000, 10 * DAY_MS, 60 * DAY_MS),
      actor,
      at,
      updateId,
    },
    { requiredKeys: ["token", "lifetimeMs", "actor", "at"] },
  )
  .map(({ token, lifetimeMs, ...command }) => ({
    type: "createJoinToken" as const,
    ...token,
    ...command,
    expiresAt: command.at + lifetimeMs,
  }));

const redeemJoinToken = fc
  .record({ request: joinRequests, at })
  .map(({ request, at }) => ({ type: "redeemJoinToken" as const, ...request, at }));

/** A removal: mostly of a member that never served, seldom of a VPN server (for good). */
const removedNodeId = fc.oneof(
  { arbitrary: fc.constantFrom("n4", "n5"), weight: 9 },
  { arbitrary: serverId, weight: 1 },
);

/** Membership changes are rare: a few a day in a busy fleet. */
export const membershipCommands: WeightedCommand[] = [
  {
    arbitrary: fc.record({
      type: fc.constant("pinNodeKey" as const),
      nodeId,
      publicKey: identityKey,
      actor: fc.constant("n1"),
      at,
    }),
    weight: 1,
  },
  {
    arbitrary: fc.record({
      type: fc.constant("replaceNodeKey" as const),
      nodeId,
      publicKey: identityKey,
      actor: fc.constant("api"),
      reason,
      at,
    }),
    weight: 1,
  },
  {
    arbitrary: fc.record({
      type: fc.constant("revokeNodeKey" as const),
      nodeId,
      actor: fc.constant("api"),
      reason,
      at,
    }),
    weight: 1,
  },
  { arbitrary: createJoinToken, weight: 1 },
  { arbitrary: redeemJoinToken, weight: 1 },
  {
    arbitrary: fc.record({
      type: fc.constant("cancelJoinToken" as const),
      nodeId: fc.constantFrom(...JOINING_NODE_IDS),
      actor,
      at,
      updateId,
    }),
    weight: 1,
  },
  {
    arbitrary: fc.record({
      type: fc.constant("removeMember" as const),
      nodeId: removedNodeId,
      reason,
      actor,
      at,
      replacementKeys,
      updateId,
    }),
    weight: 1,
  },
  {
    arbitrary: fc.record({
      type: fc.constant("recordMembershipChange" as const),
      nodeId,
      change: fc.constantFrom(...MEMBERSHIP_CHANGES),
      reason,
      at,
    }),
    weight: 1,
  },
];
