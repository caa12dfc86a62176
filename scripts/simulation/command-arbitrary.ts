/**
 * Random control-plane commands over small id domains, so that sequences hit
 * every command, many refusals, collisions and state transitions: the
 * property tests' input and the simulator's workload.
 */
import fc from "fast-check";
import type { CommandInputOf, ControlPlaneCommandInput } from "../../cluster/fsm/commands.ts";

/** The instant the generated commands' times start from. */
export const T0 = Date.UTC(2025, 0, 1);

/** A valid WireGuard key (32 bytes, base64) unique to `seed` and `kind`. */
export function wgKey(seed: number, kind = 0): string {
  const bytes = Buffer.alloc(32);
  bytes.writeUInt32BE(seed >>> 0, 0);
  bytes.writeUInt32BE(kind, 4);
  bytes.writeUInt32BE(Math.floor(seed / 2 ** 32), 8);
  return bytes.toString("base64");
}

const serverId = fc.constantFrom("n1", "n2", "n3");
const userId = fc.constantFrom("10", "11", "12", "13", "14");
const configId = fc.constantFrom(...Array.from({ length: 12 }, (_, i) => `c${i}`));
const at = fc.integer({ min: 0, max: 40 }).map((days) => T0 + days * 86_400_000);
const key = fc.integer({ min: 1, max: 40 }).map((seed) => wgKey(seed, 5));
const updateId = fc.option(fc.integer({ min: 1, max: 30 }), { nil: undefined });
/**
 * The admin API, or a Telegram user of the workload's domain: apply refuses
 * the command unless that user is an active admin at the time.
 */
const actor = fc.oneof(
  fc.constant({ kind: "api" as const }),
  userId.map((id) => ({ kind: "telegram" as const, userId: id })),
);
const replacementKeys = fc.array(
  fc.record({
    configId: fc.constantFrom(...Array.from({ length: 12 }, (_, i) => `r${i}`)),
    clientPublicKey: key,
    deliveryKeysSealed: fc.constant("sealed-r"),
  }),
  { maxLength: 4 },
);

/**
 * What a registration offers: WireGuard alone, or Shadowsocks too with one of
 * two small, overlapping port ranges, so ports run out and a re-registration
 * that would strand a live config's port is tried.
 */
const shadowsocksOffer = fc.constantFrom<Partial<CommandInputOf<"registerServer">>>(
  {},
  {
    protocols: ["wireguard" as const, "shadowsocks" as const],
    shadowsocks: { firstPort: 20000, lastPort: 20002, method: "chacha20-ietf-poly1305" as const },
  },
  {
    protocols: ["shadowsocks" as const],
    shadowsocks: { firstPort: 20001, lastPort: 20004, method: "aes-256-gcm" as const },
  },
);

/** One random command; roughly a third of them are refused in a typical state. */
export const commandArbitrary: fc.Arbitrary<ControlPlaneCommandInput> = fc.oneof(
  fc
    .record({
      type: fc.constant("registerServer" as const),
      serverId,
      publicKey: key,
      listenPort: fc.constantFrom(51820, 443),
      apiPort: fc.constant(8443),
      endpointHost: fc.constantFrom(null, "a.example", "b.example"),
      capacity: fc.integer({ min: 1, max: 6 }),
      region: fc.constantFrom("eu", "us"),
      at,
    })
    .chain((registration) => shadowsocksOffer.map((offer) => ({ ...registration, ...offer }))),
  fc.record({
    type: fc.constant("setServerEndpoint" as const),
    serverId,
    endpointHost: fc.constantFrom("a.example", "c.example"),
    at,
  }),
  fc.record({
    type: fc.constant("setServerStatus" as const),
    serverId,
    status: fc.constantFrom(
      "active" as const,
      "draining" as const,
      "banned" as const,
      "down" as const,
    ),
    reason: fc.constant("because"),
    actor,
    at,
    replacementKeys,
    updateId,
  }),
  fc.record({
    type: fc.constant("setProbePeer" as const),
    serverId,
    publicKey: key,
    privateKeyEncrypted: fc.constant("enc"),
    at,
  }),
  fc.record({
    type: fc.constant("reportServerLoad" as const),
    serverId,
    activePeers: fc.nat(10),
    rxBytes: fc.nat(),
    txBytes: fc.nat(),
    at,
  }),
  fc.record({
    type: fc.constant("recordVerdict" as const),
    serverId,
    round: fc.nat(20),
    verdict: fc.constantFrom(
      "ok" as const,
      "filtered" as const,
      "down" as const,
      "inconclusive" as const,
    ),
    evidence: fc.constant("probes"),
    ispVerdicts: fc.option(
      fc.array(
        fc.record({
          isp: fc.constantFrom("MCI", "Ростелеком"),
          verdict: fc.constantFrom("ok" as const, "filtered" as const, "inconclusive" as const),
        }),
        { maxLength: 2 },
      ),
      { nil: undefined },
    ),
    at,
    banAfter: fc.constantFrom(1, 2),
    downAfter: fc.constantFrom(1, 2),
    replacementKeys,
    actor: fc.option(actor, { nil: undefined }),
  }),
  fc.record(
    {
      type: fc.constant("upsertUser" as const),
      userId,
      name: fc.constantFrom("A", "B"),
      language: fc.constantFrom("en" as const, "fa" as const, "ru" as const),
      role: fc.constantFrom("user" as const, "admin" as const),
      inviteCode: fc.constantFrom("INV1", "INV2"),
      at,
      updateId,
    },
    { requiredKeys: ["type", "userId", "name", "language", "at"] },
  ),
  fc.record({
    type: fc.constant("setUserStatus" as const),
    userId,
    status: fc.constantFrom("active" as const, "pending" as const, "blocked" as const),
    actor,
    at,
    updateId,
  }),
  fc.record({
    type: fc.constant("setUserRole" as const),
    userId,
    role: fc.constantFrom("user" as const, "admin" as const),
    actor,
    at,
  }),
  fc.record({
    type: fc.constant("createInvite" as const),
    code: fc.constantFrom("INV1", "INV2"),
    uses: fc.integer({ min: 1, max: 2 }),
    actor,
    at,
  }),
  fc.record({
    type: fc.constant("redeemInvite" as const),
    code: fc.constantFrom("INV1", "INV2"),
    userId,
    at,
    updateId,
  }),
  fc.record(
    {
      type: fc.constant("issueConfig" as const),
      configId,
      userId,
      region: fc.constantFrom("eu", "us"),
      protocol: fc.constantFrom("wireguard" as const, "shadowsocks" as const),
      clientPublicKey: key,
      deliveryKeysSealed: fc.constant("sealed"),
      at,
      updateId,
      idempotencyKey: fc.constantFrom("k1", "k2", "k3"),
    },
    {
      requiredKeys: [
        "type",
        "configId",
        "userId",
        "protocol",
        "clientPublicKey",
        "deliveryKeysSealed",
        "at",
      ],
    },
  ),
  fc.record(
    {
      type: fc.constant("revokeConfig" as const),
      configId,
      userId,
      actor,
      reason: fc.constant("r"),
      at,
      updateId,
    },
    { requiredKeys: ["type", "configId", "actor", "reason", "at"] },
  ),
  fc.record({ type: fc.constant("expireConfigs" as const), at }),
  fc.record({
    type: fc.constant("setSetting" as const),
    key: fc.constantFrom("accessMode", "configsPerUser", "configLifetimeDays", "greeting"),
    value: fc.constantFrom("open", "invite", "approval", "1", "2", "0", "hello"),
    actor,
  }),
  fc.record({
    type: fc.constant("broadcast" as const),
    text: fc.constant("hello"),
    actor,
    at,
  }),
  fc.record({
    type: fc.constant("markOutboxDelivered" as const),
    id: fc.tuple(fc.integer({ min: 1, max: 60 }), fc.nat(3)).map(([index, n]) => `o${index}-${n}`),
    at,
  }),
  fc.record({
    type: fc.constant("markOutboxFailed" as const),
    id: fc.tuple(fc.integer({ min: 1, max: 60 }), fc.nat(3)).map(([index, n]) => `o${index}-${n}`),
    error: fc.constant("403"),
    permanent: fc.boolean(),
    at,
  }),
  fc.record(
    {
      type: fc.constant("addVantageProbe" as const),
      id: fc.constantFrom("p1", "p2"),
      // Pinned, CA-checked, insecure, and the combinations apply refuses.
      url: fc.constantFrom("https://probe.example", "http://probe.example"),
      tokenEncrypted: fc.constant("enc"),
      region: fc.constant("ir"),
      isp: fc.constant("MCI"),
      actor,
      at,
      certSha256: fc.constant(Array(32).fill("5A").join(":")),
      insecure: fc.boolean(),
    },
    { requiredKeys: ["type", "id", "url", "tokenEncrypted", "region", "isp", "actor", "at"] },
  ),
  fc.record({
    type: fc.constant("removeVantageProbe" as const),
    id: fc.constantFrom("p1", "p2"),
    actor,
    at,
  }),
);
