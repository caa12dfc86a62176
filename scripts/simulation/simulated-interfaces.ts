/**
 * The byte counters of the servers' interfaces (WireGuard peers, and
 * ss-manager's ports as `ss:<port>`), kept as the kernel and ss-manager keep
 * them: cumulative since the peer was added, outliving the node's crashes,
 * gone when the peer leaves the interface (its user suspended, its config
 * re-keyed or revoked) and from zero when it comes back. Every read adds a
 * seeded amount of traffic to each peer.
 */
import type { PeerTrafficCounter } from "../../cluster/agent/traffic-source.ts";
import type { RandomSource } from "../../cluster/raft/types.ts";

/**
 * The most bytes a peer moves each way between two reads, hours apart on the
 * wall clock: a heavy user's, so one or two reads use up a quota of a GB or two.
 */
const MAX_BYTES_PER_READ = 1_000_000_000;

export class SimulatedInterfaces {
  private readonly counters = new Map<string, Map<string, PeerTrafficCounter>>();

  constructor(private readonly random: RandomSource) {}

  /** The counters of `peers`, the peers now on `serverId`'s interfaces, after some traffic. */
  read(serverId: string, peers: readonly string[]): PeerTrafficCounter[] {
    const before = this.counters.get(serverId);
    const after = new Map<string, PeerTrafficCounter>();
    for (const peer of peers) {
      const last = before?.get(peer);
      after.set(peer, {
        peer,
        rxBytes: (last?.rxBytes ?? 0) + this.traffic(),
        txBytes: (last?.txBytes ?? 0) + this.traffic(),
      });
    }
    this.counters.set(serverId, after);
    return [...after.values()];
  }

  /** A third of the peers are idle between two reads; the others move up to the maximum. */
  private traffic(): number {
    return this.random.nextInt(3) === 0 ? 0 : this.random.nextInt(MAX_BYTES_PER_READ + 1);
  }
}
