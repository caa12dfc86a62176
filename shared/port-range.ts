import { err, ok, type Result } from "./result.ts";

/** An inclusive range of ports, e.g. SS_PORTS. */
export interface PortRange {
  firstPort: number;
  lastPort: number;
}

/** `first-last` (e.g. `20000-29999`) or one port; ports 1-65535, first not above last. */
export function parsePortRange(text: string): Result<PortRange> {
  const match = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(text.trim());
  const firstPort = Number(match?.[1]);
  const lastPort = match?.[2] === undefined ? firstPort : Number(match[2]);
  if (!match || firstPort < 1 || lastPort > 65_535 || firstPort > lastPort)
    return err(
      "INVALID_PORT_RANGE",
      "must be a port range first-last within 1-65535, first not above last, e.g. 20000-29999",
    );
  return ok({ firstPort, lastPort });
}

/** Whether `port` lies in `range`. */
export function inPortRange(range: PortRange, port: number): boolean {
  return port >= range.firstPort && port <= range.lastPort;
}
