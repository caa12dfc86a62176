/**
 * ss-manager's control protocol (shadowsocks-libev, `man ss-manager`), as
 * pure functions: one datagram per command, one answer per datagram.
 *
 *   add: {"server_port": 20000, "password": "...", "method": "..."}  ->  ok | err | port is not available
 *   remove: {"server_port": 20000}                                    ->  ok
 *   list                                                              ->  [{"server_port":"20000","password":"...","method":"..."}, ...]
 *   ping                                                              ->  stat: {"20000": 11370, ...}
 *
 * `stat` counts every byte a port relayed (both directions) since it was
 * added, as its ss-server last reported (every few seconds). Answers come
 * from another process, so every parser accepts any text and says what it
 * could not read rather than throwing.
 */
import { err, ok, type Result } from "../../shared/result.ts";

/** One port as ss-manager serves it. */
export interface ManagedPort {
  port: number;
  password: string;
  method: string;
}

/** Bytes one port has relayed since it was added. */
export interface PortTraffic {
  port: number;
  bytes: number;
}

/** Why an answer means failure or cannot be read. */
export type SsManagerAnswerCode = "SS_MANAGER_REFUSED" | "SS_MANAGER_ANSWER_UNREADABLE";

export function addCommand(port: ManagedPort): string {
  return `add: ${JSON.stringify({ server_port: port.port, password: port.password, method: port.method })}`;
}

export function removeCommand(port: number): string {
  return `remove: ${JSON.stringify({ server_port: port })}`;
}

export const LIST_COMMAND = "list";
export const PING_COMMAND = "ping";

const MAX_SHOWN = 120;

function unreadable(
  what: string,
  answer: string,
): { ok: false; error: { code: SsManagerAnswerCode; message: string } } {
  const shown = answer.length > MAX_SHOWN ? `${answer.slice(0, MAX_SHOWN)}...` : answer;
  return err(
    "SS_MANAGER_ANSWER_UNREADABLE",
    `ss-manager answered ${what} with ${JSON.stringify(shown)}`,
  );
}

function isPort(value: number): boolean {
  return Number.isInteger(value) && value >= 1 && value <= 65_535;
}

/** The answer to `add` or `remove`: `ok`, or a refusal carrying ss-manager's words. */
export function parseCommandAnswer(answer: string): Result<void, SsManagerAnswerCode> {
  const text = answer.trim();
  if (text === "ok") return ok(undefined);
  if (text === "err" || text === "port is not available")
    return err("SS_MANAGER_REFUSED", `ss-manager refused: ${text}`);
  return unreadable("a command", answer);
}

/** The answer to `ping`: every port's relayed bytes, by port. */
export function parseStatAnswer(answer: string): Result<PortTraffic[], SsManagerAnswerCode> {
  const match = /^stat:\s*(\{[\s\S]*\})\s*$/.exec(answer);
  if (!match) return unreadable("ping", answer);
  let parsed: unknown;
  try {
    parsed = JSON.parse(match[1]!);
  } catch {
    return unreadable("ping", answer);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
    return unreadable("ping", answer);
  const traffic: PortTraffic[] = [];
  for (const [key, value] of Object.entries(parsed)) {
    const port = Number(key);
    if (!/^\d+$/.test(key) || !isPort(port) || typeof value !== "number" || !(value >= 0))
      return unreadable("ping", answer);
    traffic.push({ port, bytes: value });
  }
  return ok(traffic.sort((a, b) => a.port - b.port));
}

/** The answer to `list`: the ports ss-manager serves, by port. */
export function parseListAnswer(answer: string): Result<ManagedPort[], SsManagerAnswerCode> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(answer);
  } catch {
    return unreadable("list", answer);
  }
  if (!Array.isArray(parsed)) return unreadable("list", answer);
  const ports: ManagedPort[] = [];
  for (const item of parsed as unknown[]) {
    const entry = item as { server_port?: unknown; password?: unknown; method?: unknown } | null;
    const port = Number(entry?.server_port);
    if (
      typeof entry !== "object" ||
      entry === null ||
      !isPort(port) ||
      typeof entry.password !== "string" ||
      typeof entry.method !== "string"
    )
      return unreadable("list", answer);
    ports.push({ port, password: entry.password, method: entry.method });
  }
  return ok(ports.sort((a, b) => a.port - b.port));
}
