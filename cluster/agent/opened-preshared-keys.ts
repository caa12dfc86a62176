/**
 * The preshared keys this server has opened, remembered between syncs.
 * Opening one costs an X25519 key agreement; the interface is synced after
 * every batch of applied entries, so without this a server with thousands
 * of users would open every one of their keys again each time. Keys of
 * peers no longer on the server are forgotten at the next sync.
 */
import type { Result } from "../../shared/result.ts";
import type { OpenPresharedKey } from "./desired-peers.ts";

export class OpenedPresharedKeys {
  private opened = new Map<string, Result<string, string>>();
  private usedThisRound = new Map<string, Result<string, string>>();

  constructor(private readonly open: OpenPresharedKey) {}

  /** Opens (or recalls) one key; for `desiredPeersFrom`. */
  readonly lookup: OpenPresharedKey = (sealed, peerPublicKey) => {
    const key = `${peerPublicKey}\n${sealed}`;
    const result = this.opened.get(key) ?? this.open(sealed, peerPublicKey);
    this.usedThisRound.set(key, result);
    return result;
  };

  /** Keeps only the keys looked up since the last call. */
  endRound(): void {
    this.opened = this.usedThisRound;
    this.usedThisRound = new Map();
  }
}
