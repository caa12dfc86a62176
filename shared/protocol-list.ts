import { err, ok, type Result } from "./result.ts";

/**
 * The protocols a node can be told to offer (PROTOCOLS), in the order the
 * replicated state lists them. AmneziaWG is not among them: a server offers
 * it when it advertises AmneziaWG parameters.
 */
export const OFFERED_PROTOCOLS = ["wireguard", "shadowsocks"] as const;
export type OfferedProtocol = (typeof OFFERED_PROTOCOLS)[number];

/** PROTOCOLS: a comma list of offered protocols, each once, at least one; returned in canonical order. */
export function parseProtocolList(text: string): Result<OfferedProtocol[]> {
  const names = text.split(",").map((part) => part.trim().toLowerCase());
  const unique = new Set(names);
  const known = (name: string): name is OfferedProtocol =>
    (OFFERED_PROTOCOLS as readonly string[]).includes(name);
  if (names.length === 0 || unique.size !== names.length || !names.every(known))
    return err(
      "INVALID_PROTOCOLS",
      `must be one or more of ${OFFERED_PROTOCOLS.join(", ")}, comma-separated, each once, e.g. wireguard,shadowsocks`,
    );
  return ok(OFFERED_PROTOCOLS.filter((protocol) => unique.has(protocol)));
}
