/**
 * Peer addresses as configured (`ws://10.0.0.2:7000`, `wss://vpn-3.example:443`)
 * and the WebSocket URL actually dialed, which always ends in {@link RAFT_PATH}.
 */
import { err, ok, type Result } from "../../shared/result.ts";

/** The path on the node's one HTTP port where peers connect. */
export const RAFT_PATH = "/raft";

/** The URL to dial for a configured peer address; `/raft` is implied when absent. */
export function raftUrl(peerUrl: string): Result<string, "BAD_PEER_URL"> {
  if (!URL.canParse(peerUrl)) {
    return err("BAD_PEER_URL", `peer URL ${JSON.stringify(peerUrl)} is not a URL`);
  }
  const url = new URL(peerUrl);
  if (url.protocol !== "ws:" && url.protocol !== "wss:") {
    return err(
      "BAD_PEER_URL",
      `peer URL ${JSON.stringify(peerUrl)} must start with ws:// or wss://`,
    );
  }
  if (!url.pathname.endsWith(RAFT_PATH)) {
    url.pathname = url.pathname.replace(/\/$/, "") + RAFT_PATH;
  }
  return ok(url.toString());
}

/**
 * The base URL of the admin API a member serves beside its peer endpoint
 * (the node has one port): the same host and port, http:// for ws:// and
 * https:// for wss://, under the same path prefix as `/raft` (a reverse
 * proxy's). Undefined for a URL that is not a peer URL.
 */
export function adminApiBaseUrl(peerUrl: string): string | undefined {
  const dialed = raftUrl(peerUrl);
  if (!dialed.ok) return undefined;
  const url = new URL(dialed.value);
  const scheme = url.protocol === "wss:" ? "https:" : "http:";
  return `${scheme}//${url.host}${url.pathname.slice(0, -RAFT_PATH.length)}`;
}

/** The path of an HTTP request target (`/raft?x=1` -> `/raft`), without parsing it as a URL. */
export function requestPath(requestTarget: string | undefined): string {
  const target = requestTarget ?? "";
  const queryStart = target.indexOf("?");
  return queryStart === -1 ? target : target.slice(0, queryStart);
}
