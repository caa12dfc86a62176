/**
 * Random commands about servers: what their nodes report (registration,
 * endpoint, load, probe peer and Shadowsocks probe port), what admins do
 * (ban, drain, mark down, activate) and the ban checks' verdicts, per server
 * and per protocol.
 */
import fc from "fast-check";
import type { CommandInputOf } from "../../../cluster/fsm/commands.ts";
import { OFFERED_PROTOCOLS, PROTOCOL_VERDICTS } from "../../../cluster/fsm/records.ts";
import { serverKeyStatement } from "../../../cluster/fsm/server-key-signature.ts";
import {
  actor,
  at,
  IDENTITIES,
  key,
  replacementKeys,
  serverId,
  updateId,
  type WeightedCommand,
} from "./domains.ts";

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

/**
 * A registration: a new WireGuard key is signed by one of the identities,
 * which is the node's pinned one now and then, or by none.
 */
const registerServer = fc
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
    signer: fc.option(fc.constantFrom(...IDENTITIES), { nil: undefined }),
    offer: shadowsocksOffer,
  })
  .map(({ signer, offer, ...registration }) => ({
    ...registration,
    ...offer,
    ...(signer && {
      identitySignature: signer.sign(
        serverKeyStatement(registration.serverId, registration.publicKey),
      ),
    }),
  }));

/**
 * Each protocol's verdict for a server that offers two, as the ban checks
 * send them: filtered runs close a protocol there, ok runs reopen it.
 */
const protocolVerdicts = fc.uniqueArray(
  fc.record({
    protocol: fc.constantFrom(...OFFERED_PROTOCOLS),
    verdict: fc.constantFrom(...PROTOCOL_VERDICTS),
    filteredIsps: fc.subarray(["MCI", "Irancell"]),
  }),
  { selector: (verdict) => verdict.protocol, maxLength: 2 },
);

const recordVerdict = fc.record(
  {
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
    ispVerdicts: fc.array(
      fc.record({
        isp: fc.constantFrom("MCI", "Ростелеком"),
        verdict: fc.constantFrom("ok" as const, "filtered" as const, "inconclusive" as const),
      }),
      { maxLength: 2 },
    ),
    protocolVerdicts,
    at,
    banAfter: fc.constantFrom(1, 2),
    downAfter: fc.constantFrom(1, 2),
    replacementKeys,
    actor,
  },
  {
    requiredKeys: [
      "type",
      "serverId",
      "round",
      "verdict",
      "evidence",
      "at",
      "banAfter",
      "downAfter",
      "replacementKeys",
    ],
  },
);

/**
 * Nodes register at every start and report every few seconds; ban-check
 * rounds come every few minutes per server; admins change a status now and then.
 */
export const serverCommands: WeightedCommand[] = [
  { arbitrary: registerServer, weight: 4 },
  {
    arbitrary: fc.record({
      type: fc.constant("setServerEndpoint" as const),
      serverId,
      endpointHost: fc.constantFrom("a.example", "c.example"),
      at,
    }),
    weight: 1,
  },
  {
    arbitrary: fc.record({
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
    weight: 3,
  },
  {
    arbitrary: fc.record({
      type: fc.constant("setProbePeer" as const),
      serverId,
      publicKey: key,
      privateKeyEncrypted: fc.constant("enc"),
      at,
    }),
    weight: 1,
  },
  {
    arbitrary: fc.record({
      type: fc.constant("setShadowsocksProbe" as const),
      serverId,
      passwordSealed: fc.constantFrom("enc", "k2:sealed"),
      passwordSealedToServer: fc.constant("sealed-to-server"),
      at,
    }),
    weight: 1,
  },
  {
    arbitrary: fc.record({
      type: fc.constant("reportServerLoad" as const),
      serverId,
      activePeers: fc.nat(10),
      rxBytes: fc.nat(),
      txBytes: fc.nat(),
      at,
    }),
    weight: 1,
  },
  { arbitrary: recordVerdict, weight: 4 },
];
