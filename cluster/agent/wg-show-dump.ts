/**
 * Parsing `wg show <interface> dump`: one tab-separated line for the
 * interface, then one per peer. The machine-readable form `wg` promises to
 * keep stable, unlike the human one.
 */
import { err, ok, type Result } from "../../shared/result.ts";
import type { PeerStatus } from "./vpn-driver.ts";

/** The interface line of a dump; its private key is deliberately not kept. */
export interface WgInterfaceStatus {
  /** null when the interface has no private key yet. */
  publicKey: string | null;
  listenPort: number;
  /** null when no firewall mark is set (`off`). */
  fwmark: number | null;
}

/** One interface's dump: its own line and one entry per peer. */
export interface WgShowDump {
  interface: WgInterfaceStatus;
  peers: PeerStatus[];
}

const none = "(none)";
const decimal = /^\d+$/;
const firewallMark = /^(?:0x[0-9a-f]+|\d+)$/i;

function optional(field: string): string | null {
  return field === none ? null : field;
}

function unreadable(lineNumber: number, why: string): Result<never, "VPN_OUTPUT_UNREADABLE"> {
  return err("VPN_OUTPUT_UNREADABLE", `wg show dump, line ${lineNumber}: ${why}`);
}

function parseInterfaceLine(fields: string[]): Result<WgInterfaceStatus, "VPN_OUTPUT_UNREADABLE"> {
  if (fields.length !== 4) return unreadable(1, `expected 4 fields, got ${fields.length}`);
  const [, publicKey, listenPort, fwmark] = fields as [string, string, string, string];
  if (!decimal.test(listenPort)) return unreadable(1, "listen port is not a number");
  // wg prints the mark in hex (0x...) or `off`.
  if (fwmark !== "off" && !firewallMark.test(fwmark))
    return unreadable(1, "fwmark is not a number");
  return ok({
    publicKey: optional(publicKey),
    listenPort: Number(listenPort),
    fwmark: fwmark === "off" ? null : Number(fwmark),
  });
}

function parsePeerLine(
  fields: string[],
  lineNumber: number,
): Result<PeerStatus, "VPN_OUTPUT_UNREADABLE"> {
  if (fields.length !== 8) {
    return unreadable(lineNumber, `expected 8 fields, got ${fields.length}`);
  }
  const [publicKey, presharedKey, endpoint, allowedIps, handshake, received, sent, keepalive] =
    fields as [string, string, string, string, string, string, string, string];
  if (![handshake, received, sent].every((field) => decimal.test(field))) {
    return unreadable(lineNumber, "handshake time and transfer counters must be numbers");
  }
  if (keepalive !== "off" && !decimal.test(keepalive)) {
    return unreadable(lineNumber, "persistent keepalive must be a number or off");
  }
  const handshakeSeconds = Number(handshake);
  return ok({
    publicKey,
    presharedKey: optional(presharedKey),
    endpoint: optional(endpoint),
    allowedIps: allowedIps === none ? [] : allowedIps.split(","),
    // wg prints 0 for a peer that never completed a handshake.
    latestHandshakeAtMs: handshakeSeconds === 0 ? null : handshakeSeconds * 1000,
    receivedBytes: Number(received),
    sentBytes: Number(sent),
    persistentKeepaliveSeconds: keepalive === "off" ? null : Number(keepalive),
  });
}

/**
 * Parses the dump of one interface (`wg show <interface> dump`, not `all`).
 * Refuses the whole text if any line is malformed, so a peer is never
 * silently missing from the load report.
 */
export function parseWgShowDump(text: string): Result<WgShowDump, "VPN_OUTPUT_UNREADABLE"> {
  const lines = text.split("\n").filter((line) => line !== "");
  const [interfaceLine, ...peerLines] = lines;
  if (interfaceLine === undefined) return unreadable(1, "the output is empty");
  const parsedInterface = parseInterfaceLine(interfaceLine.split("\t"));
  if (!parsedInterface.ok) return parsedInterface;
  const peers: PeerStatus[] = [];
  for (const [index, line] of peerLines.entries()) {
    const peer = parsePeerLine(line.split("\t"), index + 2);
    if (!peer.ok) return peer;
    peers.push(peer.value);
  }
  return ok({ interface: parsedInterface.value, peers });
}
