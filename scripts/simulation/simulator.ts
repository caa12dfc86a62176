/**
 * The deterministic simulator: whole clusters of the real node
 * (`ClusterNode`, with the real control-plane state machine) on a virtual
 * clock, a seeded network and simulated Redis log stores, under every fault
 * the real world has. After every event it checks the Raft properties and
 * the control plane's invariants; any failure replays from its seed.
 */

import type { TrafficReporter } from "../../cluster/agent/traffic-reporter.ts";
import type { ApplyResult } from "../../cluster/fsm/apply-result.ts";
import { ControlPlaneState } from "../../cluster/fsm/control-plane.ts";
import { planAutopilotStep } from "../../cluster/membership/autopilot-plan.ts";
import { NodeMetrics } from "../../cluster/metrics.ts";
import { ClusterNode, type NodeFaults } from "../../cluster/node.ts";
import { decodeEnvelope } from "../../cluster/proposal-envelope.ts";
import type { RaftFaults } from "../../cluster/raft/raft.ts";
import { seededRandom } from "../../cluster/raft/random.ts";
import type { ConfChange, Message, NodeId, RandomSource } from "../../cluster/raft/types.ts";
import type { StateMachine } from "../../cluster/state-machine.ts";
import { silentLogger } from "../../shared/silent-logger.ts";
import { banCheckRound } from "./ban-check-round.ts";
import { botProposals } from "./bot-actions.ts";
import { applyViolation, stateViolation } from "./control-plane-invariants.ts";
import {
  type ControlPlaneWorkload,
  controlPlaneWorkload,
  ownServerReport,
} from "./control-plane-workload.ts";
import { leaderTaskCommands } from "./leader-tasks.ts";
import { CALM_NETWORK, type NetworkConditions, SimNetwork } from "./network.ts";
import { SimulatedInterfaces } from "./simulated-interfaces.ts";
import { SimulatedLogStore } from "./simulated-log-store.ts";
import { simulatedTrafficReporter } from "./simulated-traffic-agent.ts";
import { VirtualClock } from "./virtual-clock.ts";
import { wallClockAt } from "./wall-clock.ts";

/** A deliberately broken variant of the core or the node, to prove the checks have teeth. */
export type DeliberateBug =
  | "commit-old-term-by-counting"
  | "skip-persisting-vote"
  | "answer-before-persist"
  | "grant-vote-to-stale-log"
  | "count-own-entries-before-durable"
  | "apply-before-commit";

export const DELIBERATE_BUGS: readonly DeliberateBug[] = [
  "commit-old-term-by-counting",
  "skip-persisting-vote",
  "answer-before-persist",
  "grant-vote-to-stale-log",
  "count-own-entries-before-durable",
  "apply-before-commit",
];

export interface SimulationOptions {
  seed: number;
  nodeCount: number;
  steps: number;
  bug?: DeliberateBug;
  /** Overrides the per-message entry budget (by default it varies with the seed). */
  maxEntriesBytesPerMessage?: number;
  /** Every write is acknowledged at once (scripted scenarios); by default a third take a tick or two. */
  fastDisk?: boolean;
}

/** Thrown by a scripted scenario whose setup did not unfold as written (not a Raft violation). */
export class ScenarioSetupError extends Error {}

export interface SimulationStats {
  ticks: number;
  messagesSent: number;
  messagesDropped: number;
  leadersElected: number;
  proposalsAcknowledged: number;
  readsServed: number;
  crashes: number;
  /** Writes in flight that a crash lost (never acknowledged, never carried out). */
  writesLostInCrashes: number;
  storeOutages: number;
  /** Every membership change proposed, by hand or by the autopilot (the five below by kind). */
  membershipChanges: number;
  /** Spares added as learners. */
  joins: number;
  /** Learners made voters. */
  promotions: number;
  /** Voters made learners. */
  demotions: number;
  /** Members removed from the cluster. */
  removals: number;
  /** Membership changes the autopilot's plan chose (counted by kind above too). */
  autopilotSteps: number;
  transfers: number;
  snapshotsSent: number;
  /** Commands the control plane accepted (not refused). */
  commandsApplied: number;
  /** Configs moved to another server by a ban or a member's removal. */
  configsRehomed: number;
  /** Users suspended for using up their traffic quota. */
  suspensions: number;
  /** Protocols the ban checks closed on a server. */
  protocolsClosed: number;
}

export interface SimulationResult {
  seed: number;
  ok: boolean;
  violation?: string;
  stats: SimulationStats;
  /** The command that replays exactly this run. */
  replayCommand: string;
}

/** Statistics of a run before anything happened; campaigns add runs' up from it. */
export function emptyStats(): SimulationStats {
  return {
    ticks: 0,
    messagesSent: 0,
    messagesDropped: 0,
    leadersElected: 0,
    proposalsAcknowledged: 0,
    readsServed: 0,
    crashes: 0,
    writesLostInCrashes: 0,
    storeOutages: 0,
    membershipChanges: 0,
    joins: 0,
    promotions: 0,
    demotions: 0,
    removals: 0,
    autopilotSteps: 0,
    transfers: 0,
    snapshotsSent: 0,
    commandsApplied: 0,
    configsRehomed: 0,
    suspensions: 0,
    protocolsClosed: 0,
  };
}

/** A broken safety or liveness property; ends the run. */
export class Violation extends Error {}

const LOSSY: NetworkConditions = { dropRate: 0.05, duplicateRate: 0.02, longDelayRate: 0.05 };
const VERY_LOSSY: NetworkConditions = { dropRate: 0.2, duplicateRate: 0.05, longDelayRate: 0.15 };
const MAX_DELIVERIES_PER_TICK = 50_000;
const SETTLE_TICKS = 400;
/** Node timing: 10 ms ticks, heartbeats every 2 ticks, elections after 10 to 20 ticks. */
const TICK_MS = 10;
const HEARTBEAT_MS = 20;
const ELECTION_TIMEOUT_MS = 100;
/** The regions the autopilot spreads voters over (each member is in one, chosen per seed). */
const REGIONS = ["eu-west", "us-east", "ap-south"];
/** Node states are compared by hash at every index divisible by this. */
const STATE_HASH_EVERY = 4;

function faultsFor(bug: DeliberateBug | undefined): { core: RaftFaults; node: NodeFaults } {
  switch (bug) {
    case "commit-old-term-by-counting":
      return { core: { commitOldTermByCounting: true }, node: {} };
    case "grant-vote-to-stale-log":
      return { core: { grantVoteToStaleLog: true }, node: {} };
    case "skip-persisting-vote":
      return { core: {}, node: { skipPersistingVote: true } };
    case "answer-before-persist":
      return { core: {}, node: { answerBeforePersist: true } };
    case "count-own-entries-before-durable":
      return { core: {}, node: { countOwnEntriesBeforeDurable: true } };
    case "apply-before-commit":
      return { core: {}, node: { applyBeforeCommit: true } };
    case undefined:
      return { core: {}, node: {} };
  }
}

export function replayCommandFor(options: SimulationOptions): string {
  const bug = options.bug ? ` --bug ${options.bug}` : "";
  return `npm run sim -- --seed ${options.seed} --nodes ${options.nodeCount} --steps ${options.steps}${bug}`;
}

/**
 * Runs one seeded simulation: a chaos phase of `steps` ticks (partitions,
 * crashes, store outages, lossy links, membership changes, transfers,
 * commands and reads, the servers' traffic reports and the leader's tasks),
 * then a healed phase that must elect a leader, commit new commands and
 * converge. Safety properties are checked after every event.
 */
export async function runSimulation(options: SimulationOptions): Promise<SimulationResult> {
  const simulation = new Simulation(options);
  const replayCommand = replayCommandFor(options);
  try {
    await simulation.run();
    return { seed: options.seed, ok: true, stats: simulation.stats, replayCommand };
  } catch (error) {
    const violation =
      error instanceof Violation
        ? error.message
        : `crash at tick ${simulation.tick}: ${(error as Error).stack ?? String(error)}`;
    return { seed: options.seed, ok: false, violation, stats: simulation.stats, replayCommand };
  } finally {
    simulation.dispose();
  }
}

/** Lets every promise chain of the nodes run to where it waits for time, the disk or a message. */
function drain(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** One simulated server: its Redis and its interfaces' counters outlive its process. */
class SimMember {
  node: ClusterNode<ApplyResult> | undefined;
  state: ControlPlaneState | undefined;
  /** The running incarnation's identity: timers and sends of an older one are void. */
  owner: object = {};
  incarnation = 0;
  /** What its node's agent reports of its interfaces' traffic. */
  readonly trafficReporter: TrafficReporter;
  /** The state version of the release it runs (upgrade()); default the control plane's own. */
  stateVersion: number | undefined;

  constructor(
    readonly id: NodeId,
    readonly store: SimulatedLogStore,
    trafficReporterOf: (member: SimMember) => TrafficReporter,
  ) {
    this.trafficReporter = trafficReporterOf(this);
  }

  get raft() {
    return this.node?.raft?.core;
  }
}

/**
 * A whole cluster of real nodes on simulated time, network and disks, with
 * every safety check. run() is the random campaign; the public methods below
 * it let a scripted scenario (see test/simulation/scenarios) steer the same
 * machinery step by step.
 */
export class Simulation {
  tick = 0;
  readonly stats: SimulationStats = emptyStats();

  private readonly random: RandomSource;
  /** What the leader's tasks draw: the ban checks' probes' answers, its bot users' choices. */
  private readonly leaderChoices: RandomSource;
  private readonly network: SimNetwork;
  private readonly clock = new VirtualClock();
  private readonly metrics = new NodeMetrics();
  private readonly workload: ControlPlaneWorkload;
  private readonly members = new Map<NodeId, SimMember>();
  private readonly founders: NodeId[];
  private readonly spares: NodeId[];
  private readonly everAdded = new Set<NodeId>();
  private readonly faults: { core: RaftFaults; node: NodeFaults };
  private readonly maxEntriesBytesPerMessage: number;
  /**
   * The autopilot's settings for this seed (its `voters` setting, when a
   * voter counts as dead, regions, and in every third seed the members an
   * admin lets vote).
   */
  private readonly autopilot: {
    targetVoters: number;
    deadAfterMs: number;
    regionOf: ReadonlyMap<NodeId, string>;
    voterCandidates: ReadonlySet<NodeId> | undefined;
  };
  private fatal: string | undefined;

  private readonly leaderOfTerm = new Map<number, NodeId>();
  /** What was applied at each index first: the entry, the result and the state hash after it. */
  private readonly appliedAt = new Map<
    number,
    { term: number; data: string; resultJson: string; stateHash: string }
  >();
  /** The index each proposal (by request id) was first applied at. */
  private readonly firstIndexOfRequest = new Map<string, number>();
  private readonly lastCommit = new Map<NodeId, { incarnation: number; commit: number }>();
  private readonly lastVote = new Map<NodeId, string>();
  private readonly commitRecord = new Map<number, { entryTerm: number; commitTerm: number }>();
  /** Acknowledged proposals: request id -> index. */
  private readonly acknowledged = new Map<string, number>();
  private maxAcknowledgedIndex = 0;
  private lastRefusal = "";
  /** True during the random chaos phase; false once faults are healed and in scripted runs. */
  chaos = true;
  /** Scripted crash points: crash the node as soon as its commit index reaches the value. */
  private readonly crashAtCommit = new Map<NodeId, number>();
  /** Redis outages in progress: member id -> the tick Redis is back. */
  private readonly outageUntil = new Map<NodeId, number>();

  constructor(private readonly options: SimulationOptions) {
    this.random = seededRandom(options.seed);
    this.leaderChoices = seededRandom(options.seed ^ 0x27d4eb2f);
    this.network = new SimNetwork(seededRandom(options.seed ^ 0x5bd1e995));
    this.workload = controlPlaneWorkload(options.seed);
    this.founders = Array.from({ length: options.nodeCount }, (_, position) => `n${position + 1}`);
    this.spares = [`n${options.nodeCount + 1}`, `n${options.nodeCount + 2}`];
    this.faults = faultsFor(options.bug);
    // Small budgets split a new leader's no-op from older entries in flight.
    this.maxEntriesBytesPerMessage =
      options.maxEntriesBytesPerMessage ?? [64, 512, 4096][options.seed % 3]!;
    const diskRandom = seededRandom(options.seed ^ 0x2545f491);
    const interfaces = new SimulatedInterfaces(seededRandom(options.seed ^ 0x1b873593));
    const trafficReporterOf = (member: SimMember) =>
      simulatedTrafficReporter({
        serverId: member.id,
        interfaces,
        state: () => member.state,
        now: () => wallClockAt(this.tick),
        propose: async (command) => {
          await this.propose(member, () => command);
        },
      });
    for (const id of [...this.founders, ...this.spares]) {
      // The disk is slow on purpose: a third of the writes take a tick or more.
      const store = new SimulatedLogStore(
        () => (options.fastDisk || diskRandom.nextInt(10) >= 3 ? 0 : 1 + diskRandom.nextInt(2)),
        () => this.tick,
      );
      this.members.set(id, new SimMember(id, store, trafficReporterOf));
    }
    for (const id of this.founders) this.everAdded.add(id);
    const settingsRandom = seededRandom(options.seed ^ 0x68e31da4);
    const targetVoters = settingsRandom.nextInt(2) === 0 ? 3 : 5;
    const deadAfterMs = ELECTION_TIMEOUT_MS * (3 + settingsRandom.nextInt(8));
    const ids = [...this.members.keys()];
    const regionOf = new Map(
      ids.map((id) => [id, REGIONS[settingsRandom.nextInt(REGIONS.length)]!]),
    );
    let voterCandidates: Set<NodeId> | undefined;
    // Every third seed: the seeds before that change ran without the list and still run alike.
    if (options.seed % 3 === 0) {
      const size = Math.min(ids.length, 3 + settingsRandom.nextInt(Math.max(1, ids.length - 3)));
      voterCandidates = new Set<NodeId>();
      while (voterCandidates.size < size)
        voterCandidates.add(ids[settingsRandom.nextInt(ids.length)]!);
    }
    this.autopilot = { targetVoters, deadAfterMs, regionOf, voterCandidates };
  }

  /** Starts every member; scripted scenarios call it before their first step. */
  async boot(): Promise<void> {
    for (const member of this.members.values()) this.start(member);
    await drain();
  }

  async run(): Promise<void> {
    await this.boot();
    for (let step = 0; step < this.options.steps; step++) {
      await this.injectChaos();
      await this.injectClientRequests();
      await this.injectTasks();
      await this.advanceOneTick();
      if (step % 25 === 0) this.checkLogMatching();
    }
    await this.healEverything();
    await this.settle();
  }

  /** Cancels every timer, so nothing of this run outlives it. */
  dispose(): void {
    for (const member of this.members.values()) this.clock.cancelAll(member.owner);
  }

  // ---- members ------------------------------------------------------------

  private start(member: SimMember): void {
    if (member.node) return;
    member.incarnation++;
    const owner = {};
    member.owner = owner;
    const state = new ControlPlaneState();
    const machine: StateMachine<ApplyResult> = {
      // A later release that applies the same commands alike: what an upgrade must be.
      version: member.stateVersion ?? state.version,
      apply: (command, index, forwardedBy) => {
        const result = state.apply(command, index, forwardedBy);
        if (member.owner === owner) this.onApplied(member, state, index, command, result);
        return result;
      },
      snapshot: () => state.snapshot(),
      restore: (data) => state.restore(data),
    };
    const node = new ClusterNode<ApplyResult>({
      id: member.id,
      initialMembers: new Map(this.founders.map((id) => [id, `sim://${id}`])),
      heartbeatMs: HEARTBEAT_MS,
      electionTimeoutMs: ELECTION_TIMEOUT_MS,
      snapshotEveryEntries: 40,
      entriesKeptAfterSnapshot: 8,
      store: member.store.connect(),
      stateMachine: machine,
      send: (messages) => {
        if (member.owner !== owner) return;
        for (const message of messages) this.send(member, message);
      },
      logger: silentLogger,
      metrics: this.metrics,
      mayLead: (id) => this.autopilot.voterCandidates?.has(id) ?? true,
      runtime: this.clock.runtimeFor(
        owner,
        seededRandom(
          this.options.seed * 31 + Number(member.id.slice(1)) * 7 + member.incarnation * 1009,
        ),
      ),
      raft: {
        maxEntriesBytesPerMessage: this.maxEntriesBytesPerMessage,
        maxInflightMessages: 4,
        maxUncommittedBytes: 4096,
        faults: this.faults.core,
      },
      faults: this.faults.node,
      onFatal: (error) => {
        this.fatal ??=
          error instanceof Violation
            ? error.message
            : `${member.id}'s Raft loop failed: ${(error as Error).stack ?? String(error)}`;
      },
    });
    member.node = node;
    member.state = state;
    node.start().catch((error: unknown) => {
      if (member.owner === owner) this.fatal ??= `${member.id} failed to start: ${String(error)}`;
    });
  }

  /** Stops dead: whatever Redis had not carried out is gone; its sockets close. */
  private crashMember(member: SimMember): void {
    if (!member.node) return;
    this.clock.cancelAll(member.owner);
    member.owner = {};
    member.node = undefined;
    member.state = undefined;
    const inFlight = member.store.writesInFlight;
    member.store.crash(inFlight === 0 ? 0 : this.random.nextInt(inFlight + 1));
    this.stats.writesLostInCrashes = [...this.members.values()].reduce(
      (sum, each) => sum + each.store.writesLostInCrashes,
      0,
    );
  }

  private send(member: SimMember, message: Message): void {
    this.checkDurableBeforeSent(member, message);
    if (message.type === "snap") this.stats.snapshotsSent++;
    this.network.send(message, this.tick);
  }

  // ---- time ---------------------------------------------------------------

  private async advanceOneTick(): Promise<void> {
    this.tick++;
    this.stats.ticks = this.tick;
    this.endOutages();
    await this.clock.advanceTo(this.tick * TICK_MS, async () => {
      await drain();
      this.afterEveryEvent();
    });
    for (const member of this.members.values()) {
      if (!member.store.completeDue()) continue;
      await drain();
      this.afterEvent(member);
    }
    for (let delivered = 0; ; delivered++) {
      if (delivered > MAX_DELIVERIES_PER_TICK)
        throw new Violation(`message storm at tick ${this.tick}`);
      const message = this.network.takeDue(this.tick);
      if (!message) break;
      const target = this.members.get(message.to);
      if (!target?.node) continue;
      target.node.receive([message]);
      await drain();
      this.afterEvent(target);
      if (this.chaos && this.chance(2)) this.crashMidTick(target);
    }
    this.afterEveryEvent();
    this.stats.messagesSent = this.network.sentCount;
    this.stats.messagesDropped = this.network.droppedCount;
  }

  private afterEveryEvent(): void {
    for (const member of this.members.values()) this.afterEvent(member);
  }

  /** Checks the per-node invariants after an event. */
  private afterEvent(member: SimMember): void {
    if (this.fatal) throw new Violation(this.fatal);
    const core = member.raft;
    if (!core) return;
    const commit = core.log.committed;
    const previous = this.lastCommit.get(member.id);
    const incarnation = member.incarnation;
    if (core.role === "leader") {
      this.recordLeaderCommits(member, previous?.commit ?? 0);
      this.checkSingleLeader(member);
      // The leader check may crash and restart the member at once: this
      // core's commit index belongs to the incarnation that just ended.
      if (member.incarnation !== incarnation) return;
    }
    if (previous && previous.incarnation === member.incarnation && commit < previous.commit) {
      throw new Violation(
        `commit index decreased on ${member.id} at tick ${this.tick}: ${previous.commit} -> ${commit}`,
      );
    }
    this.lastCommit.set(member.id, { incarnation: member.incarnation, commit });
    const crashAt = this.crashAtCommit.get(member.id);
    if (crashAt !== undefined && commit >= crashAt) {
      this.crashAtCommit.delete(member.id);
      this.crashMember(member);
      this.network.dropUndeliveredFrom(member.id);
      return;
    }
    if (this.chaos && member.raft === core)
      this.maybeCrashAtCriticalPoint(member, previous?.commit ?? 0);
  }

  /**
   * Targeted crash points: right after a leader's commit index moves and right
   * after a vote is granted. Random crashes rarely land there, yet that is where
   * commit-rule and persistence bugs lose data.
   */
  private maybeCrashAtCriticalPoint(member: SimMember, previousCommit: number): void {
    const core = member.raft!;
    const voteKey = `${core.term}/${core.vote}`;
    const votedNow =
      core.vote !== "" && core.vote !== member.id && this.lastVote.get(member.id) !== voteKey;
    this.lastVote.set(member.id, voteKey);
    const committedNow = core.role === "leader" && core.log.committed > previousCommit;
    // Commits that carry entries of earlier terms (a new leader's first) are where
    // the current-term rule matters most.
    const carriesOldTerms =
      committedNow && (core.log.term(previousCommit + 1) ?? core.term) < core.term;
    const crashPerMille = carriesOldTerms ? 300 : committedNow ? 30 : votedNow ? 100 : 0;
    if (crashPerMille > 0 && this.chance(crashPerMille)) this.crashMidTick(member);
  }

  // ---- safety checks ------------------------------------------------------

  /**
   * A vote granted or an append acknowledged promises that it is on disk:
   * Redis must hold the vote (or a later term), or the entries, already.
   * Checked as the message leaves, so a node whose Redis is down grants and
   * acknowledges nothing.
   */
  private checkDurableBeforeSent(member: SimMember, message: Message): void {
    if (message.reject) return;
    const durable = member.store.durable.hardState;
    if (message.type === "voteResp") {
      const stored =
        durable.term > message.term ||
        (durable.term === message.term && durable.vote === message.to);
      if (!stored)
        throw new Violation(
          `${member.id} granted its vote to ${message.to} in term ${message.term} before Redis held it (Redis has term ${durable.term}, vote "${durable.vote}"; tick ${this.tick})`,
        );
    }
    // An acknowledgement made in an older term than Redis now holds is like a
    // delayed message: a newer leader may have replaced those entries since
    // (the answer waited for this Ready's write, which carried the new term).
    if (
      message.type === "appResp" &&
      message.index !== undefined &&
      message.term >= durable.term &&
      member.store.durableLastIndex() < message.index
    )
      throw new Violation(
        `${member.id} acknowledged entries up to ${message.index} before Redis held them (Redis holds up to ${member.store.durableLastIndex()}; tick ${this.tick})`,
      );
  }

  private checkSingleLeader(member: SimMember): void {
    const core = member.raft!;
    const existing = this.leaderOfTerm.get(core.term);
    if (existing === undefined) {
      this.leaderOfTerm.set(core.term, member.id);
      this.stats.leadersElected++;
      this.checkLeaderCompleteness(member);
      // A leader that dies at once leaves its no-op (and term) on no one else.
      if (this.chaos && this.chance(50)) this.crashMidTick(member);
    } else if (existing !== member.id) {
      throw new Violation(
        `two leaders in term ${core.term}: ${existing} and ${member.id} (tick ${this.tick})`,
      );
    }
  }

  /**
   * Leader completeness (§5.4): a leader of term T holds every entry committed
   * in a term before T. "Committed in" is the term of the leader whose commit
   * index first covered the entry, not the entry's own term.
   */
  private checkLeaderCompleteness(member: SimMember): void {
    const core = member.raft!;
    const from = core.log.firstIndex();
    for (const [index, committed] of this.commitRecord) {
      if (index < from || committed.commitTerm >= core.term) continue;
      const term = core.log.term(index);
      if (term !== committed.entryTerm) {
        throw new Violation(
          `leader completeness: ${member.id} became leader in term ${core.term} without entry ${index} (term ${committed.entryTerm}) committed in term ${committed.commitTerm}; it has term ${term ?? "none"} there (tick ${this.tick})`,
        );
      }
    }
  }

  /** Records which term first committed each index, as leaders move their commit index. */
  private recordLeaderCommits(member: SimMember, previousCommit: number): void {
    const core = member.raft!;
    for (let index = previousCommit + 1; index <= core.log.committed; index++) {
      if (this.commitRecord.has(index)) continue;
      const entryTerm = core.log.term(index);
      if (entryTerm !== undefined)
        this.commitRecord.set(index, { entryTerm, commitTerm: core.term });
    }
  }

  /**
   * Every node applies the same entry at an index, gets the same result and
   * reaches the same state; the state keeps its invariants; a proposal is
   * first applied at one index only.
   */
  private onApplied(
    member: SimMember,
    state: ControlPlaneState,
    index: number,
    command: string,
    result: ApplyResult,
  ): void {
    const entry = member.raft?.log.slice(index, index + 1, Number.MAX_SAFE_INTEGER)?.[0];
    if (!entry) throw new Violation(`${member.id} applied ${index}, which its log does not hold`);
    const resultJson = JSON.stringify(result);
    // A diverged state stays diverged, so comparing every few indexes finds it too, for less.
    const stateHash = index % STATE_HASH_EVERY === 0 ? state.stateHash() : "";
    const known = this.appliedAt.get(index);
    if (!known) {
      this.appliedAt.set(index, { term: entry.term, data: entry.data, resultJson, stateHash });
      if (result.ok) this.stats.commandsApplied++;
      this.countEvents(result);
    } else if (known.term !== entry.term || known.data !== entry.data) {
      throw new Violation(
        `state machine safety: ${member.id} applied (${entry.term}, ${command}) at ${index} where (${known.term}, ${known.data}) was applied before (tick ${this.tick})`,
      );
    } else if (known.resultJson !== resultJson) {
      throw new Violation(
        `${member.id} got ${resultJson} applying ${index}, another node got ${known.resultJson} (tick ${this.tick})`,
      );
    } else if (known.stateHash !== stateHash) {
      throw new Violation(
        `${member.id}'s state after ${index} differs from another node's at the same index (tick ${this.tick})`,
      );
    }
    const requestId = decodeEnvelope(entry.data)?.requestId;
    if (requestId !== undefined && !this.firstIndexOfRequest.has(requestId))
      this.firstIndexOfRequest.set(requestId, index);
    const broken = stateViolation(state) ?? applyViolation(state, command, result);
    if (broken) throw new Violation(`${member.id} after ${index}: ${broken} (tick ${this.tick})`);
  }

  /** Counts the configs a command re-homed, the users it suspended and the protocols it closed. */
  private countEvents(result: ApplyResult): void {
    if (!result.ok || typeof result.value !== "object" || result.value === null) return;
    const { rehome, suspended, protocolChanges } = result.value as {
      rehome?: { rehomed?: unknown[] } | null;
      suspended?: unknown;
      protocolChanges?: Array<{ change: string }>;
    };
    if (rehome?.rehomed) this.stats.configsRehomed += rehome.rehomed.length;
    if (Array.isArray(suspended)) this.stats.suspensions += suspended.length;
    for (const change of protocolChanges ?? [])
      if (change.change === "closed") this.stats.protocolsClosed++;
  }

  /** Runs a check from a promise callback: a violation there ends the run at the next event. */
  private guarded(check: () => void): void {
    try {
      check();
    } catch (error) {
      this.fatal ??= (error as Error).message;
    }
  }

  /** A proposal's answer: applied once, at the index first applied, with the result every node got. */
  private onAcknowledged(index: number, result: ApplyResult): void {
    const applied = this.appliedAt.get(index);
    if (!applied) throw new Violation(`a proposal was acknowledged at ${index}, never applied`);
    const requestId = decodeEnvelope(applied.data)?.requestId ?? `index-${index}`;
    const first = this.firstIndexOfRequest.get(requestId);
    if (first !== undefined && first !== index)
      throw new Violation(
        `proposal ${requestId} acknowledged at ${index} but first applied at ${first} (tick ${this.tick})`,
      );
    if (JSON.stringify(result) !== applied.resultJson)
      throw new Violation(`proposal ${requestId} was answered with a result apply did not return`);
    if (this.acknowledged.has(requestId))
      throw new Violation(`proposal ${requestId} acknowledged twice`);
    this.acknowledged.set(requestId, index);
    this.maxAcknowledgedIndex = Math.max(this.maxAcknowledgedIndex, index);
    this.stats.proposalsAcknowledged = this.acknowledged.size;
  }

  /** Any two logs that agree on (index, term) agree on every entry up to there. */
  private checkLogMatching(): void {
    const alive = this.aliveMembers();
    for (let a = 0; a < alive.length; a++) {
      for (let b = a + 1; b < alive.length; b++) this.checkPairMatches(alive[a]!, alive[b]!);
    }
  }

  private checkPairMatches(first: SimMember, second: SimMember): void {
    const logA = first.raft?.log;
    const logB = second.raft?.log;
    if (!logA || !logB) return;
    const low = Math.max(logA.firstIndex(), logB.firstIndex());
    let high = Math.min(logA.lastIndex(), logB.lastIndex());
    while (high >= low && logA.term(high) !== logB.term(high)) high--;
    if (high < low) return;
    const entriesA = logA.slice(low, high + 1, Number.MAX_SAFE_INTEGER) ?? [];
    const entriesB = logB.slice(low, high + 1, Number.MAX_SAFE_INTEGER) ?? [];
    for (let position = 0; position < entriesA.length; position++) {
      const x = entriesA[position]!;
      const y = entriesB[position]!;
      if (x.term !== y.term || x.data !== y.data) {
        throw new Violation(
          `log matching: ${first.id} and ${second.id} agree at (${high}, ${logA.term(high)}) but differ at ${x.index}: (${x.term}, ${x.data}) vs (${y.term}, ${y.data}) (tick ${this.tick})`,
        );
      }
    }
  }

  // ---- scripted control ---------------------------------------------------

  /** The Raft core of `id`'s running node, or undefined while it is down or starting. */
  raftOf(id: NodeId) {
    return this.member(id).raft;
  }

  private member(id: NodeId): SimMember {
    const member = this.members.get(id);
    if (!member) throw new ScenarioSetupError(`no node ${id}`);
    return member;
  }

  async advance(ticks: number): Promise<void> {
    for (let count = 0; count < ticks; count++) await this.advanceOneTick();
  }

  /** Splits the network into groups that cannot reach each other; an unlisted node is cut off from all. */
  partitionInto(groups: readonly (readonly NodeId[])[]): void {
    this.network.healAll();
    const groupOf = (id: NodeId): string => {
      const position = groups.findIndex((group) => group.includes(id));
      return position >= 0 ? `group ${position}` : `alone ${id}`;
    };
    for (const from of this.members.keys()) {
      for (const to of this.members.keys()) {
        if (from !== to && groupOf(from) !== groupOf(to)) this.network.block(from, to);
      }
    }
  }

  healNetwork(): void {
    this.network.healAll();
  }

  mute(from: NodeId, types: readonly Message["type"][]): void {
    this.network.mute(from, types);
  }

  dropWhere(predicate: (message: Message) => boolean): void {
    this.network.dropWhere(predicate);
  }

  /** Crashes `id` now (disarming any crash point set for it). */
  crash(id: NodeId): void {
    this.crashAtCommit.delete(id);
    this.crashMember(this.member(id));
  }

  async restart(id: NodeId): Promise<void> {
    const member = this.member(id);
    this.start(member);
    await drain();
    this.afterEvent(member);
  }

  /** Stops `id` and starts it again on a release of state version `version`. */
  async upgrade(id: NodeId, version: number): Promise<void> {
    this.crash(id);
    this.member(id).stateVersion = version;
    await this.restart(id);
  }

  /** The leader of the latest term, if any. */
  leaderId(): NodeId | undefined {
    return this.currentLeader()?.id;
  }

  /** Crashes `id` the moment its commit index reaches `index`, losing what it had not yet delivered. */
  crashWhenCommitReaches(id: NodeId, index: number): void {
    this.crashAtCommit.set(id, index);
  }

  async campaign(id: NodeId): Promise<void> {
    const member = this.member(id);
    member.node?.campaign();
    await drain();
    this.afterEvent(member);
  }

  /**
   * Proposes `count` commands at `id` in one turn, as that many clients at
   * once would (a leader hands them to its core as one batch); false when any
   * was refused at once.
   */
  async proposeAt(id: NodeId, count = 1): Promise<boolean> {
    const member = this.member(id);
    for (let made = 0; made < count; made++)
      if (!this.submit(member, this.workload.next())) return false;
    await drain();
    this.afterEvent(member);
    return true;
  }

  /** Ends a scripted run the way a random run ends: heal, settle, check convergence. */
  async finish(): Promise<void> {
    await this.healEverything();
    await this.settle();
  }

  // ---- the chaos ---------------------------------------------------------

  private chance(perMille: number): boolean {
    return this.random.nextInt(1000) < perMille;
  }

  private pick<T>(items: readonly T[]): T | undefined {
    return items.length === 0 ? undefined : items[this.random.nextInt(items.length)];
  }

  private aliveMembers(): SimMember[] {
    return [...this.members.values()].filter((member) => member.node);
  }

  private currentLeader(): SimMember | undefined {
    let best: SimMember | undefined;
    for (const member of this.members.values()) {
      const core = member.raft;
      if (core?.role === "leader" && (!best || core.term > best.raft!.term)) best = member;
    }
    return best;
  }

  private async injectChaos(): Promise<void> {
    if (!this.network.partitioned && this.chance(20)) this.partition();
    else if (this.network.partitioned && this.chance(50)) this.network.healAll();
    if (this.chance(10)) {
      this.network.conditions = this.pick([CALM_NETWORK, CALM_NETWORK, LOSSY, VERY_LOSSY])!;
    }
    if (this.chance(5)) {
      const leader = this.currentLeader();
      const victim = leader && this.chance(500) ? leader : this.pick(this.aliveMembers());
      if (victim) this.crashNode(victim);
    }
    if (this.chance(3)) this.startOutage();
    for (const member of this.members.values()) {
      if (!member.node && this.chance(40)) this.start(member);
    }
    if (this.chance(5)) this.changeMembership();
    if (this.chance(5)) this.autopilotStep();
    if (this.chance(4)) this.transferLeadership();
    await drain();
    this.afterEveryEvent();
  }

  /** Redis of one member goes down for a while: its node must grant and acknowledge nothing. */
  private startOutage(): void {
    const member = this.pick([...this.members.values()].filter((each) => !each.store.down));
    if (!member) return;
    member.store.down = true;
    this.outageUntil.set(member.id, this.tick + 5 + this.random.nextInt(40));
    this.stats.storeOutages++;
  }

  private endOutages(): void {
    for (const [id, until] of this.outageUntil) {
      if (until > this.tick) continue;
      this.outageUntil.delete(id);
      this.member(id).store.down = false;
    }
  }

  /**
   * A crash right after handling a message: between a vote and its reply, a
   * commit and its spread. Half the time the process is back at once, as a
   * supervisor would restart it, so it can be asked again in the same term.
   */
  private crashMidTick(member: SimMember): void {
    this.crashNode(member);
    if (this.random.nextInt(2) === 0) this.start(member);
  }

  /** A crash closes the node's sockets: its followers usually notice at once and stop waiting for it. */
  private crashNode(member: SimMember): void {
    this.crashMember(member);
    this.stats.crashes++;
    for (const other of this.members.values()) {
      if (other.raft?.leaderId === member.id && this.random.nextInt(4) !== 0)
        other.node!.peerDisconnected(member.id);
    }
  }

  private partition(): void {
    const ids = [...this.members.keys()];
    const kind = this.random.nextInt(3);
    if (kind === 0) {
      // Isolating the leader most often: that is what leaves divergent, uncommitted tails.
      const leader = this.currentLeader();
      const isolated = leader && this.chance(600) ? leader.id : this.pick(ids)!;
      for (const other of ids) {
        if (other === isolated) continue;
        this.network.block(isolated, other);
        this.network.block(other, isolated);
      }
    } else if (kind === 1) {
      const side = new Set(ids.filter(() => this.random.nextInt(2) === 0));
      for (const from of ids) {
        for (const to of ids) if (side.has(from) !== side.has(to)) this.network.block(from, to);
      }
    } else {
      // Asymmetric: one node can send to some peers but not hear from them, or the reverse.
      const node = this.pick(ids)!;
      for (const other of ids) {
        if (other === node || this.random.nextInt(2) === 0) continue;
        if (this.random.nextInt(2) === 0) this.network.block(node, other);
        else this.network.block(other, node);
      }
    }
  }

  /** A membership change by hand: a spare joins, a learner is promoted, a voter demoted or removed. */
  private changeMembership(): void {
    const leader = this.currentLeader();
    const node = leader?.node;
    if (!leader || !node?.raft) return;
    const confState = node.confState();
    const spare = this.spares.find((id) => !this.everAdded.has(id));
    const learner = confState.learners[0];
    const others = confState.voters.filter((id) => id !== leader.id);
    const action = this.random.nextInt(4);
    let change: ConfChange | undefined;
    if (action === 0 && spare) change = { type: "addLearner", nodeId: spare };
    else if (action === 1 && learner) change = { type: "addVoter", nodeId: learner };
    else if (action === 2 && confState.voters.length > 3)
      change = { type: "removeNode", nodeId: this.pick(confState.voters)! };
    else if (action === 3 && confState.voters.length > 3)
      change = { type: "addLearner", nodeId: this.pick(others)! };
    if (change) this.proposeMembership(leader, change);
  }

  /**
   * One step of the real autopilot, planned from the leader's own view (its
   * membership and its members' health, on its clock) with this seed's
   * settings; now and then an admin has asked to remove a member.
   */
  private autopilotStep(): void {
    const leader = this.currentLeader();
    const node = leader?.node;
    if (!leader || !node?.raft) return;
    const confState = node.confState();
    const members = [...confState.voters, ...confState.learners];
    const removals = this.chance(100) ? [this.pick(members)!] : [];
    const step = planAutopilotStep({
      leaderId: leader.id,
      voters: confState.voters,
      learners: confState.learners,
      health: node.memberHealth(),
      targetVoters: this.autopilot.targetVoters,
      minVoters: 3,
      deadAfterMs: this.autopilot.deadAfterMs,
      removals,
      unrevokedRemovals: [],
      regionOf: (id) => this.autopilot.regionOf.get(id),
      voterCandidates: this.autopilot.voterCandidates,
      // Simulated nodes run no bot and seal nothing.
      lacksLeaderCredentials: () => false,
    });
    // The simulated state machine holds no identity keys: revoking one changes nothing here.
    if (!step || step.kind === "revokeKey") return;
    if (step.kind === "handOver") {
      try {
        node.transferLeadership(step.nodeId);
        this.stats.transfers++;
        this.stats.autopilotSteps++;
      } catch {
        // Refused (a transfer in progress, or not the leader any more): nothing happened.
      }
      return;
    }
    const change: ConfChange =
      step.kind === "promote"
        ? { type: "addVoter", nodeId: step.nodeId }
        : step.kind === "demote"
          ? { type: "addLearner", nodeId: step.nodeId }
          : { type: "removeNode", nodeId: step.nodeId };
    if (this.proposeMembership(leader, change)) this.stats.autopilotSteps++;
  }

  /** Proposes `change` at the leader; false when the core refuses it at once. */
  private proposeMembership(leader: SimMember, change: ConfChange): boolean {
    const node = leader.node!;
    const wasVoter = node.confState().voters.includes(change.nodeId);
    // A change the core refuses throws at once; one accepted may still time out later.
    try {
      node.changeMembership(change).catch(() => undefined);
    } catch {
      return false;
    }
    this.stats.membershipChanges++;
    if (change.type === "removeNode") this.stats.removals++;
    else if (change.type === "addVoter") this.stats.promotions++;
    else if (wasVoter) this.stats.demotions++;
    else if (!this.everAdded.has(change.nodeId)) {
      this.everAdded.add(change.nodeId);
      this.stats.joins++;
    }
    return true;
  }

  private transferLeadership(): void {
    const leader = this.currentLeader();
    if (!leader?.node || !leader.raft) return;
    const others = leader.node.raft!.status().confState.voters.filter((id) => id !== leader.id);
    const target = this.pick(others);
    if (!target) return;
    try {
      leader.node.transferLeadership(target);
      this.stats.transfers++;
    } catch {
      // Refused (a transfer in progress, or not the leader any more): nothing happened.
    }
  }

  private async injectClientRequests(): Promise<void> {
    if (this.chance(300)) await this.write(this.pick(this.aliveMembers()));
    if (this.chance(100)) await this.read(this.pick(this.aliveMembers()));
  }

  /**
   * What nodes propose of their own accord, from their state: a server's
   * traffic report, the leader's tasks (key custody, traffic periods), a
   * ban-check round, what the leader's bot does as people use it.
   */
  private async injectTasks(): Promise<void> {
    if (this.chance(60)) await this.pick(this.aliveMembers())?.trafficReporter.reportIfDue();
    if (this.chance(40)) await this.proposeAtLeader(leaderTaskCommands);
    if (this.chance(15))
      await this.proposeAtLeader((state, now) => banCheckRound(state, now, this.leaderChoices));
    if (this.chance(40))
      await this.proposeAtLeader((state, now) => botProposals(state, now, this.leaderChoices));
  }

  /** Proposes at the leader what its own tasks make of its state at the wall-clock time. */
  private async proposeAtLeader(
    commandsOf: (state: ControlPlaneState, now: number) => string[],
  ): Promise<void> {
    const leader = this.currentLeader();
    if (!leader?.state) return;
    for (const command of commandsOf(leader.state, wallClockAt(this.tick)))
      await this.propose(leader, () => command);
  }

  /**
   * A write sent to `member`, as the admin API handles it: a follower that
   * knows a live leader names it and the client proposes there (admin
   * commands come from the leader's own process only); the follower itself
   * forwards a report about its own server, as its agent does. A follower
   * whose leader is gone proposes the command itself, and apply refuses it
   * as it would a seized member's.
   */
  private async write(member: SimMember | undefined): Promise<void> {
    const leaderId = member?.node?.leaderId();
    const leader =
      leaderId !== undefined && leaderId !== member?.id ? this.members.get(leaderId) : undefined;
    if (!member || !leader?.node) {
      await this.propose(member);
      return;
    }
    await this.propose(leader);
    await this.propose(member, () => ownServerReport(member.id, this.tick));
  }

  private async propose(
    member: SimMember | undefined,
    nextCommand: () => string = () => this.workload.next(),
  ): Promise<boolean> {
    if (!member || !this.submit(member, nextCommand())) return false;
    await drain();
    this.afterEvent(member);
    return true;
  }

  /** Hands `command` to `member`'s node and watches its outcome; false when the node refused it at once. */
  private submit(member: SimMember, command: string): boolean {
    const node = member.node;
    if (!node) return false;
    let pending: Promise<{ index: number; result: ApplyResult }>;
    try {
      pending = node.propose(command);
    } catch (error) {
      this.lastRefusal = (error as Error).message;
      return false;
    }
    const owner = member.owner;
    pending.then(
      ({ index, result }) => {
        if (member.owner === owner) this.guarded(() => this.onAcknowledged(index, result));
      },
      (error: Error) => {
        this.lastRefusal = error.message;
      },
    );
    return true;
  }

  private async read(member: SimMember | undefined): Promise<void> {
    const node = member?.node;
    if (!member || !node) return;
    // Every write acknowledged before the read starts must be visible to it.
    const minIndex = this.maxAcknowledgedIndex;
    const owner = member.owner;
    let reading: Promise<void>;
    try {
      reading = node.linearizableRead();
    } catch {
      return;
    }
    reading.then(
      () => {
        if (member.owner !== owner) return;
        if (node.lastAppliedIndex < minIndex)
          this.fatal ??= `stale read on ${member.id}: applied through ${node.lastAppliedIndex} but a write at ${minIndex} was acknowledged before the read started (tick ${this.tick})`;
        this.stats.readsServed++;
      },
      () => undefined,
    );
    await drain();
    this.afterEvent(member);
  }

  // ---- after the chaos: liveness ------------------------------------------

  private async healEverything(): Promise<void> {
    this.chaos = false;
    this.network.healAll();
    this.network.conditions = CALM_NETWORK;
    for (const id of this.outageUntil.keys()) this.member(id).store.down = false;
    this.outageUntil.clear();
    for (const member of this.members.values()) this.start(member);
    await drain();
  }

  private async settle(): Promise<void> {
    // Like a client: propose at the leader; if that leader is deposed before
    // committing (its uncommitted entries are then rightly discarded), retry.
    let committed = false;
    for (let attempt = 0; attempt < 4 && !committed; attempt++) {
      const leader = await this.runUntil(() => this.settledLeader());
      if (!leader) {
        throw new Violation(
          `no leader within ${SETTLE_TICKS} ticks after the faults healed; ${this.describeNodes()}`,
        );
      }
      const acknowledgedBefore = this.acknowledged.size;
      let proposed = 0;
      for (let count = 0; count < 5; count++) if (await this.propose(leader)) proposed++;
      if (proposed < 5) {
        throw new Violation(
          `leader ${leader.id} refused proposals after healing (${this.lastRefusal})`,
        );
      }
      committed =
        (await this.runUntil(
          () => this.acknowledged.size >= acknowledgedBefore + proposed || undefined,
        )) === true;
    }
    if (!committed) {
      throw new Violation(
        `proposals after healing not committed within 4 attempts; ${this.describeNodes()}`,
      );
    }
    const converged = await this.runUntil(() => this.membersConverged() || undefined);
    if (!converged) {
      throw new Violation(
        `members did not converge within ${SETTLE_TICKS} ticks; ${this.describeNodes()}`,
      );
    }
    this.checkLogMatching();
  }

  /** The leader of the highest term, once it has committed in its term and is not handing over. */
  private settledLeader(): SimMember | undefined {
    const candidate = this.currentLeader();
    const core = candidate?.raft;
    const settled =
      core &&
      core.log.term(core.log.committed) === core.term &&
      core.leadTransfereeId() === "" &&
      candidate?.node?.readiness().ready === true;
    return settled ? candidate : undefined;
  }

  private async runUntil<T>(condition: () => T | undefined): Promise<T | undefined> {
    for (let tick = 0; tick < SETTLE_TICKS; tick++) {
      const result = condition();
      if (result) return result;
      await this.advanceOneTick();
    }
    return condition();
  }

  private clusterMembers(): SimMember[] {
    const leader = this.currentLeader();
    const status = leader?.node?.raft?.status();
    if (!status) return [];
    return [...status.confState.voters, ...status.confState.learners].map(
      (id) => this.members.get(id)!,
    );
  }

  /** Every member applied what the leader committed, to the same state. */
  private membersConverged(): boolean {
    const leader = this.currentLeader();
    const target = leader?.raft?.log.committed;
    if (target === undefined) return false;
    const members = this.clusterMembers();
    const hashes = new Set(members.map((member) => member.state?.stateHash()));
    return (
      members.length > 0 &&
      members.every((member) => member.node?.lastAppliedIndex === target) &&
      hashes.size === 1
    );
  }

  /** One line per node, for failure reports. */
  describeNodes(): string {
    return [...this.members.values()]
      .map((member) => {
        const status = member.node?.raft?.status();
        if (!status) return `${member.id}: down`;
        const members = `voters [${status.confState.voters.join(",")}] learners [${status.confState.learners.join(",")}]`;
        const progress = status.progress
          .map((p) => `${p.id}:${p.state}/${p.match}/${p.next}`)
          .join(" ");
        const redis = member.store.down ? " redis down" : "";
        return `${member.id}: ${status.role} term ${status.term} leader ${status.leaderId || "-"} commit ${status.commitIndex} applied ${status.appliedIndex} last ${status.lastIndex}${redis} ${members} ${progress}`;
      })
      .join("; ");
  }
}
