/**
 * The client `.conf` a user imports into the WireGuard (or AmneziaWG) app or
 * passes to `wg-quick`.
 */
import { isIP } from "node:net";
import { isWireGuardKey } from "../../shared/crypto/wireguard-keys.ts";
import { type HostPort, parseHostPort } from "../../shared/host-port.ts";
import { err, ok, type Result } from "../../shared/result.ts";
import {
  isWireGuardMtu,
  MAX_WIREGUARD_MTU,
  MIN_WIREGUARD_MTU,
} from "../../shared/wireguard-mtu.ts";
import { type AmneziaWgParameters, checkAmneziaParameters } from "../agent/amnezia-parameters.ts";
import { isCidr } from "../agent/cidr.ts";

/** Everything goes through the tunnel unless told otherwise. */
export const defaultClientAllowedIps: readonly string[] = ["0.0.0.0/0", "::/0"];
/** Keeps NAT mappings on the user's side open; what the official apps suggest. */
export const defaultPersistentKeepaliveSeconds = 25;

/** Everything that goes into one client config. Keys are base64, as `wg` prints them. */
export interface ClientConfigInput {
  /** The client's private key, already decrypted. */
  clientPrivateKey: string;
  /** The client's tunnel address without a prefix, e.g. `10.64.0.2`; rendered as a /32 (/128 for IPv6). */
  clientAddress: string;
  serverPublicKey: string;
  presharedKey?: string;
  /** Where the server listens; an IPv6 host is written in brackets. */
  endpoint: HostPort;
  /** Resolvers the client uses inside the tunnel (the server's CLIENT_DNS). */
  dns: readonly string[];
  /** The tunnel MTU (the server's WG_MTU); without it the app picks its own. */
  mtu?: number;
  /** Default {@link defaultClientAllowedIps}. */
  allowedIps?: readonly string[];
  /** Default {@link defaultPersistentKeepaliveSeconds}; 0 leaves keepalives off. */
  persistentKeepaliveSeconds?: number;
  /** Present when the server runs AmneziaWG; the client needs the same values. */
  amnezia?: AmneziaWgParameters;
}

function formatEndpoint(endpoint: HostPort): string {
  return isIP(endpoint.host) === 6
    ? `[${endpoint.host}]:${endpoint.port}`
    : `${endpoint.host}:${endpoint.port}`;
}

/** Every problem with the input, so a caller fixes them all at once. */
function inputProblems(input: ClientConfigInput): string[] {
  const problems: string[] = [];
  if (!isWireGuardKey(input.clientPrivateKey)) problems.push("clientPrivateKey is not a key");
  if (!isWireGuardKey(input.serverPublicKey)) problems.push("serverPublicKey is not a key");
  if (input.presharedKey !== undefined && !isWireGuardKey(input.presharedKey)) {
    problems.push("presharedKey is not a key");
  }
  if (isIP(input.clientAddress) === 0) problems.push("clientAddress is not an IP address");
  // Re-parsing the rendered endpoint applies the same host and port rules as operator input.
  if (!parseHostPort(formatEndpoint(input.endpoint)).ok) {
    problems.push("endpoint must be an IP address or DNS name and a port 1-65535");
  }
  if (input.dns.length === 0 || input.dns.some((server) => isIP(server) === 0)) {
    problems.push("dns must list at least one IP address");
  }
  if (input.mtu !== undefined && !isWireGuardMtu(input.mtu)) {
    problems.push(`mtu must be an integer ${MIN_WIREGUARD_MTU}-${MAX_WIREGUARD_MTU}`);
  }
  const allowedIps = input.allowedIps ?? defaultClientAllowedIps;
  if (allowedIps.length === 0 || !allowedIps.every(isCidr)) {
    problems.push("allowedIps must list at least one address/prefix");
  }
  const keepalive = input.persistentKeepaliveSeconds ?? defaultPersistentKeepaliveSeconds;
  if (!Number.isInteger(keepalive) || keepalive < 0 || keepalive > 65535) {
    problems.push("persistentKeepaliveSeconds must be an integer 0-65535");
  }
  if (input.amnezia) {
    const checked = checkAmneziaParameters(input.amnezia);
    if (!checked.ok) problems.push(checked.error.message);
  }
  return problems;
}

function amneziaLines(parameters: AmneziaWgParameters): string[] {
  const { jc, jmin, jmax, s1, s2, h1, h2, h3, h4 } = parameters;
  return [
    `Jc = ${jc}`,
    `Jmin = ${jmin}`,
    `Jmax = ${jmax}`,
    `S1 = ${s1}`,
    `S2 = ${s2}`,
    `H1 = ${h1}`,
    `H2 = ${h2}`,
    `H3 = ${h3}`,
    `H4 = ${h4}`,
  ];
}

/**
 * Renders a client config. Every value is checked first, because a stray
 * newline in any of them would let it write lines of its own into the file.
 */
export function renderClientConfig(
  input: ClientConfigInput,
): Result<string, "INVALID_CLIENT_CONFIG"> {
  const problems = inputProblems(input);
  if (problems.length > 0) {
    return err("INVALID_CLIENT_CONFIG", `cannot render the config: ${problems.join("; ")}`);
  }
  const prefixLength = isIP(input.clientAddress) === 6 ? 128 : 32;
  const keepalive = input.persistentKeepaliveSeconds ?? defaultPersistentKeepaliveSeconds;
  const lines = [
    "[Interface]",
    `PrivateKey = ${input.clientPrivateKey}`,
    `Address = ${input.clientAddress}/${prefixLength}`,
    `DNS = ${input.dns.join(", ")}`,
    ...(input.mtu === undefined ? [] : [`MTU = ${input.mtu}`]),
    ...(input.amnezia ? amneziaLines(input.amnezia) : []),
    "",
    "[Peer]",
    `PublicKey = ${input.serverPublicKey}`,
    ...(input.presharedKey === undefined ? [] : [`PresharedKey = ${input.presharedKey}`]),
    `Endpoint = ${formatEndpoint(input.endpoint)}`,
    `AllowedIPs = ${(input.allowedIps ?? defaultClientAllowedIps).join(", ")}`,
    ...(keepalive > 0 ? [`PersistentKeepalive = ${keepalive}`] : []),
  ];
  return ok(`${lines.join("\n")}\n`);
}
