import { isValidNodeId, nodeIdRule } from "./node-id.ts";
import { quote } from "./quote.ts";
import { err, ok, type Result } from "./result.ts";

/**
 * Parses the initial cluster, `id=ws://host:port,id=wss://host:port,...`, into
 * node id -> base WebSocket URL in the order given. URLs are normalised to
 * their origin: `ws://host:port` with no trailing slash, lowercase, and a
 * scheme's default port (80 for ws, 443 for wss) left out. Whitespace around entries is ignored. Every problem is reported,
 * each naming its entry, so one message is enough to fix the whole list.
 */
export function parsePeerList(
  text: string,
): Result<ReadonlyMap<string, string>, "INVALID_PEER_LIST"> {
  const peers = new Map<string, string>();
  const seenIds = new Set<string>();
  const idByUrl = new Map<string, string>();
  const problems: string[] = [];
  const entries = text.split(",").map((entry) => entry.trim());
  entries.forEach((entry, position) => {
    const label = `entry ${position + 1}`;
    const separator = entry.indexOf("=");
    if (separator < 0) {
      problems.push(`${label} ${quote(entry)} must be id=ws://host:port`);
      return;
    }
    const id = entry.slice(0, separator).trim();
    const url = parsePeerUrl(entry.slice(separator + 1).trim());
    const idProblem = !isValidNodeId(id)
      ? `id ${quote(id)} must be ${nodeIdRule}`
      : seenIds.has(id)
        ? `id ${quote(id)} appears more than once`
        : null;
    const urlProblem = !url.ok
      ? url.error.message
      : idByUrl.has(url.value)
        ? `${url.value} is already the URL of ${idByUrl.get(url.value)}`
        : null;
    if (idProblem) problems.push(`${label}: ${idProblem}`);
    if (urlProblem) problems.push(`${label}: ${urlProblem}`);
    seenIds.add(id);
    if (url.ok && !idByUrl.has(url.value)) idByUrl.set(url.value, id);
    if (!idProblem && !urlProblem && url.ok) peers.set(id, url.value);
  });
  if (problems.length > 0) return err("INVALID_PEER_LIST", problems.join("; "));
  return ok(peers);
}

/** A peer's base URL: ws or wss, a host, an optional port, and nothing else. */
function parsePeerUrl(text: string): Result<string, "INVALID_PEER_URL"> {
  const shape = "must be ws://host:port or wss://host:port";
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return err("INVALID_PEER_URL", `${quote(text)} ${shape}`);
  }
  if (url.protocol !== "ws:" && url.protocol !== "wss:") {
    return err("INVALID_PEER_URL", `${quote(text)} ${shape}`);
  }
  // The transport appends its own path (/raft); anything else here is a mistake.
  if (
    url.pathname !== "/" ||
    url.search !== "" ||
    url.hash !== "" ||
    url.username !== "" ||
    url.password !== ""
  ) {
    return err("INVALID_PEER_URL", `${quote(text)} ${shape} (no path, query or user)`);
  }
  return ok(url.origin);
}
