/**
 * A small reader of WireGuard `.conf` files, the way wg-quick reads them:
 * `[Section]` headers, `Key = Value` lines, `#` comments. Tests use it to
 * check rendered configs independently of the renderer.
 */
export interface ParsedConf {
  interface: Record<string, string>;
  peers: Record<string, string>[];
}

export function parseConf(text: string): ParsedConf {
  const parsed: ParsedConf = { interface: {}, peers: [] };
  let section: Record<string, string> | null = null;
  for (const [index, rawLine] of text.split("\n").entries()) {
    const line = rawLine.replace(/#.*$/, "").trim();
    if (line === "") continue;
    if (line === "[Interface]") {
      section = parsed.interface;
    } else if (line === "[Peer]") {
      section = {};
      parsed.peers.push(section);
    } else {
      const match = /^([A-Za-z0-9]+)\s*=\s*(.*)$/.exec(line);
      if (!match || !section) throw new Error(`line ${index + 1} is not key = value: ${rawLine}`);
      const key = match[1]!;
      if (key in section) throw new Error(`line ${index + 1} repeats ${key}`);
      section[key] = match[2]!;
    }
  }
  return parsed;
}
