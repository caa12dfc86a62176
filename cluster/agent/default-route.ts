/**
 * Which interface the default route leaves through, from
 * `ip -j route show default` (iproute2's JSON output): where the clients'
 * traffic is masqueraded out to the internet.
 */
import { err, ok, type Result } from "../../shared/result.ts";
import { isInterfaceName } from "./interface-name.ts";

interface RouteEntry {
  dev?: unknown;
  metric?: unknown;
}

/**
 * The interface of the default route the kernel prefers (the lowest metric)
 * from the JSON that `ip -j route show default` prints.
 */
export function parseDefaultRouteInterface(
  json: string,
): Result<string, "VPN_OUTPUT_UNREADABLE" | "VPN_NO_DEFAULT_ROUTE"> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return err("VPN_OUTPUT_UNREADABLE", "ip -j route show default: the output is not JSON");
  }
  if (!Array.isArray(parsed))
    return err("VPN_OUTPUT_UNREADABLE", "ip -j route show default: expected a list of routes");
  if (parsed.length === 0)
    return err(
      "VPN_NO_DEFAULT_ROUTE",
      "this server has no default route, so its clients cannot reach the internet; add one (ip route add default via <gateway>)",
    );
  let best = { dev: "", metric: Number.POSITIVE_INFINITY };
  for (const entry of parsed as RouteEntry[]) {
    const metric = entry?.metric ?? 0;
    if (typeof entry?.dev !== "string" || !isInterfaceName(entry.dev) || typeof metric !== "number")
      return err(
        "VPN_OUTPUT_UNREADABLE",
        "ip -j route show default: a default route names no single interface (a multipath route is not supported)",
      );
    if (metric < best.metric) best = { dev: entry.dev, metric };
  }
  return ok(best.dev);
}
