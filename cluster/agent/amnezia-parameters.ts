/**
 * AmneziaWG obfuscation parameters. A server that advertises them runs
 * AmneziaWG, and its clients' configs must carry exactly the same values or
 * the handshake never completes.
 */
import { err, ok, type Result } from "../../shared/result.ts";
import type { AmneziaParams } from "../fsm/records.ts";

/** The parameters a server's interface runs with: the same set the replicated server record holds. */
export type AmneziaWgParameters = AmneziaParams;

const maxJunkCount = 128;
/** Junk packets must fit an unfragmented datagram on a 1280-byte IPv6 path. */
const maxPacketBytes = 1280;
const initiationBytes = 148;
const responseBytes = 92;
const maxMessageType = 0xffff_ffff;

function inRange(value: number, min: number, max: number): boolean {
  return Number.isInteger(value) && value >= min && value <= max;
}

/**
 * Checks the rules AmneziaWG enforces, so a bad set is refused when a server
 * registers rather than producing configs that never connect.
 */
export function checkAmneziaParameters(
  parameters: AmneziaWgParameters,
): Result<AmneziaWgParameters, "INVALID_AMNEZIA_PARAMETERS"> {
  const { jc, jmin, jmax, s1, s2, h1, h2, h3, h4 } = parameters;
  const problems: string[] = [];
  if (!inRange(jc, 0, maxJunkCount)) problems.push(`jc must be an integer 0-${maxJunkCount}`);
  if (!inRange(jmin, 0, maxPacketBytes) || !inRange(jmax, 0, maxPacketBytes) || jmin > jmax) {
    problems.push(`jmin and jmax must be integers with 0 <= jmin <= jmax <= ${maxPacketBytes}`);
  }
  if (!inRange(s1, 0, maxPacketBytes - initiationBytes)) {
    problems.push(`s1 must be an integer 0-${maxPacketBytes - initiationBytes}`);
  }
  if (!inRange(s2, 0, maxPacketBytes - responseBytes)) {
    problems.push(`s2 must be an integer 0-${maxPacketBytes - responseBytes}`);
  }
  // Equal padded sizes would make an initiation and a response indistinguishable to the receiver.
  if (s1 + initiationBytes === s2 + responseBytes) {
    problems.push(`s1 + ${initiationBytes - responseBytes} must differ from s2`);
  }
  const headers = [h1, h2, h3, h4];
  if (!headers.every((header) => inRange(header, 1, maxMessageType))) {
    problems.push(`h1-h4 must be integers 1-${maxMessageType}`);
  } else if (new Set(headers).size !== headers.length) {
    problems.push("h1-h4 must all differ");
  }
  if (problems.length > 0) {
    return err("INVALID_AMNEZIA_PARAMETERS", problems.join("; "));
  }
  return ok(parameters);
}
