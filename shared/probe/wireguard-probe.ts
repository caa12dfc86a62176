/**
 * The WireGuard probe: sends a real handshake initiation as the server's
 * dedicated probe peer and waits for a handshake response that decrypts.
 * Unlike a port check it sees protocol-level blocking, where the UDP port is
 * reachable but WireGuard's handshake is recognised and dropped. A server
 * stays silent to peers it does not know, so a wrong key looks like a block:
 * only a timeout against a server that answers elsewhere means filtered.
 *
 * A server also ignores an initiation whose timestamp is not newer than the
 * last one it accepted from the same peer. Probes that share a probe key
 * across hosts therefore depend on those hosts' clocks agreeing: one running
 * minutes ahead makes the others' probes go unanswered for those minutes.
 */
import { randomBytes } from "node:crypto";
import { createSocket, type Socket } from "node:dgram";
import { lookup } from "node:dns/promises";
import { isWireGuardKey } from "../crypto/wireguard-keys.ts";
import { type ProbeOptions, probeWithin } from "./probe-deadline.ts";
import { failedOutcome, failureOfError } from "./probe-failure.ts";
import type { ProbeOutcome } from "./probe-request.ts";
import type { ProbeEndpoint } from "./tcp-probe.ts";
import {
  checkAnswer,
  createInitiation,
  type HandshakeInitiation,
  type PendingHandshake,
  tai64n,
} from "./wireguard-handshake.ts";

/** A WireGuard server to probe, and the keys of the probe peer it knows (base64, as `wg` prints them). */
export interface WireGuardProbeTarget extends ProbeEndpoint {
  serverPublicKey: string;
  /** The probe peer's private key; the server has its public key as a peer. */
  probeKey: string;
}

/**
 * UDP may drop a packet, so the probe sends up to this many initiations,
 * evenly spread over the timeout, each one fresh (new ephemeral key, index
 * and timestamp) as WireGuard's own retries are. Spreading them also keeps
 * them apart by more than the 20 ms under which a server ignores a peer's
 * repeated initiations, for any sensible timeout.
 */
const initiationsPerProbe = 3;

let lastTimestampNs = 0n;

/**
 * Now as TAI64N, strictly later than any this process sent before: a server
 * drops an initiation whose timestamp is not newer than the last one it
 * accepted from the same peer, and probes can follow each other within a
 * clock tick.
 */
function nextTimestamp(): Uint8Array {
  const nowNs = BigInt(Date.now()) * 1_000_000n;
  lastTimestampNs = nowNs > lastTimestampNs ? nowNs : lastTimestampNs + 1n;
  return tai64n(lastTimestampNs);
}

function freshInitiation(
  probeKey: Uint8Array,
  serverPublicKey: Uint8Array,
): HandshakeInitiation | null {
  const built = createInitiation({
    initiatorPrivateKey: probeKey,
    responderPublicKey: serverPublicKey,
    ephemeralPrivateKey: randomBytes(32),
    senderIndex: randomBytes(4).readUInt32LE(0),
    timestamp: nextTimestamp(),
  });
  return built.ok ? built.value : null;
}

interface SentInitiation {
  pending: PendingHandshake;
  sentAtMs: number;
}

/**
 * Probes a WireGuard server over UDP: `ok` with `rttMs` (from sending the
 * initiation that was answered to its answer); `wireguard_bad_response` when
 * only packets that are not a valid answer came back; `generic_timeout_error`
 * when nothing did; the socket's failure (e.g. `connection_refused` when an
 * ICMP port-unreachable came back); `invalid_request` for unusable keys.
 * A cookie reply counts as ok: the server is under load and asks us to prove
 * our address before it spends a handshake on us, but it only sends one in
 * answer to an initiation whose mac1 proves we know its public key, so our
 * packet reached a live WireGuard server and its answer reached us.
 */
export async function probeWireGuard(
  target: WireGuardProbeTarget,
  options: ProbeOptions,
): Promise<ProbeOutcome> {
  if (!isWireGuardKey(target.probeKey) || !isWireGuardKey(target.serverPublicKey)) {
    return failedOutcome("invalid_request");
  }
  const probeKey = Buffer.from(target.probeKey, "base64");
  const serverPublicKey = Buffer.from(target.serverPublicKey, "base64");
  const first = freshInitiation(probeKey, serverPublicKey);
  if (!first) return failedOutcome("invalid_request");

  const sent: SentInitiation[] = [];
  let sawInvalidAnswer = false;
  const timeoutOutcome = () =>
    failedOutcome(sawInvalidAnswer ? "wireguard_bad_response" : "generic_timeout_error");

  return probeWithin(
    options,
    ({ finish, elapsedMs }) => {
      let socket: Socket | undefined;
      let released = false;
      const retransmitTimers: NodeJS.Timeout[] = [];
      const fail = (error: unknown) => finish(failedOutcome(failureOfError(error)));

      const send = (initiation: HandshakeInitiation | null) => {
        if (!initiation || !socket || released) return;
        sent.push({ pending: initiation.pending, sentAtMs: elapsedMs() });
        socket.send(initiation.message, (error) => {
          if (error) fail(error);
        });
      };
      const onPacket = (packet: Buffer) => {
        for (const { pending, sentAtMs } of sent) {
          if (checkAnswer(pending, packet).ok) {
            finish({ ok: true, rttMs: elapsedMs(sentAtMs) });
            return;
          }
        }
        // Keep listening: a valid answer may still follow whatever else arrived.
        sawInvalidAnswer = true;
      };

      lookup(target.host).then((address) => {
        if (released) return;
        const udp = createSocket(address.family === 6 ? "udp6" : "udp4");
        socket = udp;
        udp.on("error", fail);
        udp.on("message", onPacket);
        // A connected socket takes packets from the server's address only, and
        // reports an ICMP port-unreachable as ECONNREFUSED. Node passes the
        // callback a connect error, which its typings leave out.
        udp.connect(target.port, address.address, (error?: Error) => {
          if (error) {
            fail(error);
            return;
          }
          send(first);
          const intervalMs = options.timeoutMs / initiationsPerProbe;
          for (let retry = 1; retry < initiationsPerProbe; retry++) {
            const timer = setTimeout(
              () => send(freshInitiation(probeKey, serverPublicKey)),
              intervalMs * retry,
            );
            retransmitTimers.push(timer);
          }
        });
      }, fail);

      return () => {
        released = true;
        for (const timer of retransmitTimers) clearTimeout(timer);
        socket?.close();
      };
    },
    timeoutOutcome,
  );
}
