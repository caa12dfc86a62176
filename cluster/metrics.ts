import { Counter, Gauge, Histogram, Registry } from "prom-client";
import { FRAME_ERROR_CODES } from "./transport/frame.ts";
import { HANDSHAKE_ERROR_CODES } from "./transport/handshake.ts";

/** Every Prometheus metric a node exports, on its own registry (served at /metrics). */
export class NodeMetrics {
  readonly registry = new Registry();
  readonly term = new Gauge({
    name: "nexaloak_raft_term",
    help: "Current Raft term",
    registers: [this.registry],
  });
  readonly commitIndex = new Gauge({
    name: "nexaloak_raft_commit_index",
    help: "Highest log index known to be committed",
    registers: [this.registry],
  });
  readonly appliedIndex = new Gauge({
    name: "nexaloak_raft_applied_index",
    help: "Highest log index applied to the state machine",
    registers: [this.registry],
  });
  readonly role = new Gauge({
    name: "nexaloak_raft_role",
    help: "1 for the role this node has now, 0 for the others",
    labelNames: ["role"],
    registers: [this.registry],
  });
  readonly isLeader = new Gauge({
    name: "nexaloak_raft_is_leader",
    help: "1 while this node is the leader",
    registers: [this.registry],
  });
  readonly leaderChanges = new Counter({
    name: "nexaloak_raft_leader_changes_total",
    help: "Times this node saw the leader change",
    registers: [this.registry],
  });
  readonly proposals = new Counter({
    name: "nexaloak_proposals_total",
    help: "Proposals by outcome",
    labelNames: ["outcome"],
    registers: [this.registry],
  });
  readonly commitLatency = new Histogram({
    name: "nexaloak_commit_latency_seconds",
    help: "From proposal to applied on this node",
    buckets: [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5],
    registers: [this.registry],
  });
  readonly peerConnected = new Gauge({
    name: "nexaloak_peer_connected",
    help: "1 while the WebSocket to the peer is authenticated and open",
    labelNames: ["peer"],
    registers: [this.registry],
  });
  readonly peerLag = new Gauge({
    name: "nexaloak_peer_lag_entries",
    help: "On the leader: entries the peer is behind the leader's last index",
    labelNames: ["peer"],
    registers: [this.registry],
  });
  readonly redisWriteLatency = new Histogram({
    name: "nexaloak_redis_write_seconds",
    help: "Durable Raft log writes to Redis",
    buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.5, 1],
    registers: [this.registry],
  });
  readonly storageAvailable = new Gauge({
    name: "nexaloak_storage_available",
    help: "1 while the node's Redis accepts writes",
    registers: [this.registry],
  });
  readonly snapshotsTaken = new Counter({
    name: "nexaloak_snapshots_taken_total",
    help: "Snapshots of the state machine written and the log compacted",
    registers: [this.registry],
  });
  readonly snapshotsInstalled = new Counter({
    name: "nexaloak_snapshots_installed_total",
    help: "Snapshots received from the leader and installed",
    registers: [this.registry],
  });
  readonly rejectedFrames = new Counter({
    name: "nexaloak_transport_rejected_frames_total",
    help: "Peer frames rejected as malformed (the connection was closed)",
    labelNames: ["reason"],
    registers: [this.registry],
  });
  readonly rejectedHandshakes = new Counter({
    name: "nexaloak_transport_rejected_handshakes_total",
    help: "Peer handshakes rejected (forged, replayed, unknown peer, timeout)",
    labelNames: ["reason"],
    registers: [this.registry],
  });
  constructor() {
    // Every rejection reason has a series from the start, so a rate or an
    // alert on it works before the first attack.
    for (const reason of FRAME_ERROR_CODES) this.rejectedFrames.inc({ reason }, 0);
    for (const reason of HANDSHAKE_ERROR_CODES) this.rejectedHandshakes.inc({ reason }, 0);
  }

  readonly banCheckVerdicts = new Counter({
    name: "nexaloak_ban_check_verdicts_total",
    help: "Ban-check verdicts this node committed while it led, by verdict and what they did to the server",
    labelNames: ["verdict", "transition"],
    registers: [this.registry],
  });

  readonly redisErrors = new Counter({
    name: "nexaloak_redis_errors_total",
    help: "Raft log reads and writes that Redis failed (the node retries them until Redis is back)",
    registers: [this.registry],
  });

  /** Reads the replicated state's undelivered outbox entries; set by the node's assembly. */
  private readOutboxPending: () => number = () => 0;

  readonly outboxPending = new Gauge({
    name: "nexaloak_outbox_pending",
    help: "Notifications (outbox entries) committed and not yet delivered, as this node's replicated state has them",
    registers: [this.registry],
    collect: () => {
      this.outboxPending.set(this.readOutboxPending());
    },
  });

  /** Makes `nexaloak_outbox_pending` read `count` at each scrape. */
  countOutboxPendingWith(count: () => number): void {
    this.readOutboxPending = count;
  }

  readonly droppedMessages = new Counter({
    name: "nexaloak_transport_dropped_messages_total",
    help: "Raft messages dropped because a peer was unreachable or slow (Raft retransmits)",
    labelNames: ["peer"],
    registers: [this.registry],
  });
}
