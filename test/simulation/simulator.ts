import { bootstrapStorage } from "../../cluster/raft/bootstrap.ts";
import type { RaftFaults } from "../../cluster/raft/raft.ts";
import { seededRandom } from "../../cluster/raft/random.ts";
import { MemoryStorage } from "../../cluster/raft/storage.ts";
import type { Entry, Message, NodeId, RandomSource, ReadState } from "../../cluster/raft/types.ts";
import { CALM_NETWORK, type NetworkConditions, SimNetwork } from "./network.ts";
import { type DriverFaults, SimNode } from "./sim-node.ts";

/** A deliberately broken variant of the core or driver, to prove the checks have teeth. */
export type DeliberateBug =
  | "commit-old-term-by-counting"
  | "skip-persisting-vote"
  | "answer-before-persist"
  | "grant-vote-to-stale-log";

export const DELIBERATE_BUGS: readonly DeliberateBug[] = [
  "commit-old-term-by-counting",
  "skip-persisting-vote",
  "answer-before-persist",
  "grant-vote-to-stale-log",
];

export interface SimulationOptions {
  seed: number;
  nodeCount: number;
  steps: number;
  bug?: DeliberateBug;
  /** Overrides the per-message entry budget (by default it varies with the seed). */
  maxEntriesBytesPerMessage?: number;
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
  membershipChanges: number;
  transfers: number;
  snapshotsSent: number;
}

export interface SimulationResult {
  seed: number;
  ok: boolean;
  violation?: string;
  stats: SimulationStats;
  /** The command that replays exactly this run. */
  replayCommand: string;
}

/** A broken safety or liveness property; ends the run. */
export class Violation extends Error {}

const LOSSY: NetworkConditions = { dropRate: 0.05, duplicateRate: 0.02, longDelayRate: 0.05 };
const VERY_LOSSY: NetworkConditions = { dropRate: 0.2, duplicateRate: 0.05, longDelayRate: 0.15 };
const MAX_DELIVERIES_PER_TICK = 50_000;
const SETTLE_TICKS = 400;

function faultsFor(bug: DeliberateBug | undefined): { core: RaftFaults; driver: DriverFaults } {
  switch (bug) {
    case "commit-old-term-by-counting":
      return { core: { commitOldTermByCounting: true }, driver: {} };
    case "grant-vote-to-stale-log":
      return { core: { grantVoteToStaleLog: true }, driver: {} };
    case "skip-persisting-vote":
      return { core: {}, driver: { skipPersistVote: true } };
    case "answer-before-persist":
      return { core: {}, driver: { answerBeforePersist: true } };
    case undefined:
      return { core: {}, driver: {} };
  }
}

export function replayCommandFor(options: SimulationOptions): string {
  const bug = options.bug ? ` --bug ${options.bug}` : "";
  return `npm run sim -- --seed ${options.seed} --nodes ${options.nodeCount} --steps ${options.steps}${bug}`;
}

/**
 * Runs one seeded simulation: a chaos phase of `steps` ticks (partitions,
 * crashes, lossy links, membership changes, transfers, proposals and reads),
 * then a healed phase that must elect a leader, commit new proposals and
 * converge. Safety properties are checked after every event.
 */
export function runSimulation(options: SimulationOptions): SimulationResult {
  const simulation = new Simulation(options);
  const replayCommand = replayCommandFor(options);
  try {
    simulation.run();
    return { seed: options.seed, ok: true, stats: simulation.stats, replayCommand };
  } catch (error) {
    const violation =
      error instanceof Violation
        ? error.message
        : `crash at tick ${simulation.tick}: ${(error as Error).stack ?? String(error)}`;
    return { seed: options.seed, ok: false, violation, stats: simulation.stats, replayCommand };
  }
}

/**
 * A whole cluster of SimNodes on a SimNetwork, with every safety check. run()
 * is the random campaign; the public methods below it let a scripted scenario
 * (see scenarios/) steer the same machinery step by step.
 */
export class Simulation {
  tick = 0;
  readonly stats: SimulationStats = {
    ticks: 0,
    messagesSent: 0,
    messagesDropped: 0,
    leadersElected: 0,
    proposalsAcknowledged: 0,
    readsServed: 0,
    crashes: 0,
    membershipChanges: 0,
    transfers: 0,
    snapshotsSent: 0,
  };
  private readonly random: RandomSource;
  private readonly network: SimNetwork;
  private readonly nodes = new Map<NodeId, SimNode>();
  private readonly founders: NodeId[];
  private readonly spares: NodeId[];
  private readonly everAdded = new Set<NodeId>();

  private readonly leaderOfTerm = new Map<number, NodeId>();
  private readonly committedLog = new Map<number, { term: number; data: string }>();
  private readonly lastCommit = new Map<NodeId, { incarnation: number; commit: number }>();
  private readonly lastVote = new Map<NodeId, string>();
  private readonly commitRecord = new Map<number, { entryTerm: number; commitTerm: number }>();
  private readonly acknowledged = new Map<string, number>();
  private maxAcknowledgedIndex = 0;
  private readonly pendingReads = new Map<string, { minIndex: number }>();
  private proposalCounter = 0;
  private readCounter = 0;
  private lastRefusal = "";
  /** True during the random chaos phase; false once faults are healed and in scripted runs. */
  chaos = true;
  /** Scripted crash points: crash the node as soon as its commit index reaches the value. */
  private readonly crashAtCommit = new Map<NodeId, number>();

  constructor(private readonly options: SimulationOptions) {
    this.random = seededRandom(options.seed);
    this.network = new SimNetwork(seededRandom(options.seed ^ 0x5bd1e995));
    this.founders = Array.from({ length: options.nodeCount }, (_, position) => `n${position + 1}`);
    this.spares = [`n${options.nodeCount + 1}`, `n${options.nodeCount + 2}`];
    const faults = faultsFor(options.bug);
    const nodeOptions = {
      electionTicks: 10,
      heartbeatTicks: 2,
      // Small budgets split a new leader's no-op from older entries in flight.
      maxEntriesBytesPerMessage:
        options.maxEntriesBytesPerMessage ?? [16, 64, 1024][options.seed % 3]!,
      snapshotEveryEntries: 40,
      entriesKeptAfterSnapshot: 8,
      coreFaults: faults.core,
      driverFaults: faults.driver,
    };
    for (const id of [...this.founders, ...this.spares]) {
      const storage = new MemoryStorage();
      if (this.founders.includes(id)) bootstrapStorage(storage, this.founders);
      const node = new SimNode(
        id,
        storage,
        nodeOptions,
        seededRandom(options.seed * 31 + id.length * 7 + Number(id.slice(1))),
        {
          send: (message) => this.send(message),
          applied: (owner, entry, newId) => this.onApplied(owner, entry, newId),
          readState: (owner, readState) => this.onReadServed(owner, readState),
          softState: () => {},
          persisted: () => {},
        },
      );
      node.start();
      this.nodes.set(id, node);
    }
    for (const id of this.founders) this.everAdded.add(id);
  }

  run(): void {
    for (let step = 0; step < this.options.steps; step++) {
      this.injectChaos();
      this.injectClientRequests();
      this.advanceOneTick();
      if (step % 25 === 0) this.checkLogMatching();
    }
    this.healEverything();
    this.settle();
  }

  // ---- time ---------------------------------------------------------------

  private advanceOneTick(): void {
    this.tick++;
    this.stats.ticks = this.tick;
    for (const node of this.nodes.values()) {
      if (!node.node) continue;
      node.node.tick();
      this.afterEvent(node);
    }
    for (let delivered = 0; ; delivered++) {
      if (delivered > MAX_DELIVERIES_PER_TICK)
        throw new Violation(`message storm at tick ${this.tick}`);
      const message = this.network.takeDue(this.tick);
      if (!message) break;
      const target = this.nodes.get(message.to);
      if (!target?.node) continue;
      target.node.step(message);
      this.afterEvent(target);
      if (this.chaos && this.chance(2)) this.crashMidTick(target);
    }
    for (const node of this.nodes.values()) this.afterEvent(node);
    this.stats.messagesSent = this.network.sentCount;
    this.stats.messagesDropped = this.network.droppedCount;
  }

  private send(message: Message): void {
    if (message.type === "snap") this.stats.snapshotsSent++;
    const sender = this.nodes.get(message.from);
    if (!sender?.node) return;
    this.network.send(message, this.tick);
  }

  /** Runs the node's Ready loop and checks the per-node invariants. */
  private afterEvent(node: SimNode): void {
    node.process(this.tick);
    const core = node.node?.core;
    if (!core) return;
    const commit = core.log.committed;
    const previous = this.lastCommit.get(node.id);
    if (core.role === "leader") {
      this.recordLeaderCommits(node, previous?.commit ?? 0);
      this.checkSingleLeader(node);
    }
    if (previous && previous.incarnation === node.incarnation && commit < previous.commit) {
      throw new Violation(
        `commit index decreased on ${node.id} at tick ${this.tick}: ${previous.commit} -> ${commit}`,
      );
    }
    this.lastCommit.set(node.id, { incarnation: node.incarnation, commit });
    const crashAt = this.crashAtCommit.get(node.id);
    if (crashAt !== undefined && commit >= crashAt) {
      this.crashAtCommit.delete(node.id);
      node.crash();
      this.network.dropUndeliveredFrom(node.id);
      return;
    }
    if (this.chaos && node.node) this.maybeCrashAtCriticalPoint(node, previous?.commit ?? 0);
  }

  /**
   * Targeted crash points: right after a leader's commit index moves and right
   * after a vote is granted. Random crashes rarely land there, yet that is where
   * commit-rule and persistence bugs lose data.
   */
  private maybeCrashAtCriticalPoint(node: SimNode, previousCommit: number): void {
    const core = node.node!.core;
    const voteKey = `${core.term}/${core.vote}`;
    const votedNow =
      core.vote !== "" && core.vote !== node.id && this.lastVote.get(node.id) !== voteKey;
    this.lastVote.set(node.id, voteKey);
    const committedNow = core.role === "leader" && core.log.committed > previousCommit;
    // Commits that carry entries of earlier terms (a new leader's first) are where
    // the current-term rule matters most.
    const carriesOldTerms =
      committedNow && (core.log.term(previousCommit + 1) ?? core.term) < core.term;
    const crashPerMille = carriesOldTerms ? 300 : committedNow ? 30 : votedNow ? 100 : 0;
    if (crashPerMille > 0 && this.chance(crashPerMille)) this.crashMidTick(node);
  }

  // ---- safety checks ------------------------------------------------------

  private checkSingleLeader(node: SimNode): void {
    const core = node.node!.core;
    const existing = this.leaderOfTerm.get(core.term);
    if (existing === undefined) {
      this.leaderOfTerm.set(core.term, node.id);
      this.stats.leadersElected++;
      this.checkLeaderCompleteness(node);
      // A leader that dies at once leaves its no-op (and term) on no one else.
      if (this.chaos && this.chance(50)) this.crashMidTick(node);
    } else if (existing !== node.id) {
      throw new Violation(
        `two leaders in term ${core.term}: ${existing} and ${node.id} (tick ${this.tick})`,
      );
    }
  }

  /**
   * Leader completeness (§5.4): a leader of term T holds every entry committed
   * in a term before T. "Committed in" is the term of the leader whose commit
   * index first covered the entry, not the entry's own term.
   */
  private checkLeaderCompleteness(node: SimNode): void {
    const core = node.node!.core;
    const from = core.log.firstIndex();
    for (const [index, committed] of this.commitRecord) {
      if (index < from || committed.commitTerm >= core.term) continue;
      const term = core.log.term(index);
      if (term !== committed.entryTerm) {
        throw new Violation(
          `leader completeness: ${node.id} became leader in term ${core.term} without entry ${index} (term ${committed.entryTerm}) committed in term ${committed.commitTerm}; it has term ${term ?? "none"} there (tick ${this.tick})`,
        );
      }
    }
  }

  /** Records which term first committed each index, as leaders move their commit index. */
  private recordLeaderCommits(node: SimNode, previousCommit: number): void {
    const core = node.node!.core;
    for (let index = previousCommit + 1; index <= core.log.committed; index++) {
      if (this.commitRecord.has(index)) continue;
      const entryTerm = core.log.term(index);
      if (entryTerm !== undefined)
        this.commitRecord.set(index, { entryTerm, commitTerm: core.term });
    }
  }

  private onApplied(node: SimNode, entry: Entry, newProposalId: string | undefined): void {
    const known = this.committedLog.get(entry.index);
    if (known && (known.term !== entry.term || known.data !== entry.data)) {
      throw new Violation(
        `state machine safety: ${node.id} applied (${entry.term}, ${entry.data}) at ${entry.index} where (${known.term}, ${known.data}) was applied before (tick ${this.tick})`,
      );
    }
    if (!known) this.committedLog.set(entry.index, { term: entry.term, data: entry.data });
    if (newProposalId !== undefined && node.ownProposals.has(newProposalId)) {
      const earlier = this.acknowledged.get(newProposalId);
      if (earlier !== undefined && earlier !== entry.index) {
        throw new Violation(
          `proposal ${newProposalId} acknowledged at ${earlier} and again at ${entry.index}`,
        );
      }
      this.acknowledged.set(newProposalId, entry.index);
      this.maxAcknowledgedIndex = Math.max(this.maxAcknowledgedIndex, entry.index);
      this.stats.proposalsAcknowledged = this.acknowledged.size;
    }
  }

  private onReadServed(node: SimNode, readState: ReadState): void {
    const read = this.pendingReads.get(readState.context);
    if (!read) return;
    this.pendingReads.delete(readState.context);
    if (readState.index < read.minIndex) {
      throw new Violation(
        `stale read on ${node.id}: read ${readState.context} got read index ${readState.index} but a write at ${read.minIndex} was acknowledged before it started (tick ${this.tick})`,
      );
    }
    this.stats.readsServed++;
  }

  /** Any two logs that agree on (index, term) agree on every entry up to there. */
  private checkLogMatching(): void {
    const alive = [...this.nodes.values()].filter((node) => node.node);
    for (let a = 0; a < alive.length; a++) {
      for (let b = a + 1; b < alive.length; b++) this.checkPairMatches(alive[a]!, alive[b]!);
    }
  }

  private checkPairMatches(first: SimNode, second: SimNode): void {
    const logA = first.node!.core.log;
    const logB = second.node!.core.log;
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

  node(id: NodeId): SimNode {
    const node = this.nodes.get(id);
    if (!node) throw new ScenarioSetupError(`no node ${id}`);
    return node;
  }

  advance(ticks: number): void {
    for (let count = 0; count < ticks; count++) this.advanceOneTick();
  }

  /** Splits the network into groups that cannot reach each other; an unlisted node is cut off from all. */
  partitionInto(groups: readonly (readonly NodeId[])[]): void {
    this.network.healAll();
    const groupOf = (id: NodeId): string => {
      const position = groups.findIndex((group) => group.includes(id));
      return position >= 0 ? `group ${position}` : `alone ${id}`;
    };
    for (const from of this.nodes.keys()) {
      for (const to of this.nodes.keys()) {
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
    this.node(id).crash();
  }

  restart(id: NodeId): void {
    const node = this.node(id);
    if (!node.node) node.start();
    this.afterEvent(node);
  }

  /** Crashes `id` the moment its commit index reaches `index`, losing what it had not yet delivered. */
  crashWhenCommitReaches(id: NodeId, index: number): void {
    this.crashAtCommit.set(id, index);
  }

  campaign(id: NodeId): void {
    const node = this.node(id);
    node.node?.campaign();
    this.afterEvent(node);
  }

  /** Proposes at `id`; returns the proposal id, or undefined when refused. */
  proposeAt(id: NodeId): string | undefined {
    return this.propose(this.node(id));
  }

  /** Ends a scripted run the way a random run ends: heal, settle, check convergence. */
  finish(): void {
    this.healEverything();
    this.settle();
  }

  // ---- the chaos ---------------------------------------------------------

  private chance(perMille: number): boolean {
    return this.random.nextInt(1000) < perMille;
  }

  private pick<T>(items: readonly T[]): T | undefined {
    return items.length === 0 ? undefined : items[this.random.nextInt(items.length)];
  }

  private aliveNodes(): SimNode[] {
    return [...this.nodes.values()].filter((node) => node.node);
  }

  private currentLeader(): SimNode | undefined {
    let best: SimNode | undefined;
    for (const node of this.nodes.values()) {
      const core = node.node?.core;
      if (core?.role === "leader" && (!best || core.term > best.node!.core.term)) best = node;
    }
    return best;
  }

  private injectChaos(): void {
    if (!this.network.partitioned && this.chance(20)) this.partition();
    else if (this.network.partitioned && this.chance(50)) this.network.healAll();
    if (this.chance(10)) {
      this.network.conditions = this.pick([CALM_NETWORK, CALM_NETWORK, LOSSY, VERY_LOSSY])!;
    }
    if (this.chance(5)) {
      const leader = this.currentLeader();
      const victim = leader && this.chance(500) ? leader : this.pick(this.aliveNodes());
      if (victim) this.crashNode(victim);
    }
    for (const node of this.nodes.values()) {
      if (!node.node && this.chance(40)) node.start();
    }
    if (this.chance(5)) this.changeMembership();
    if (this.chance(4)) this.transferLeadership();
  }

  /**
   * A crash right after handling a message: between a vote and its reply, a
   * commit and its spread. Half the time the process is back at once, as a
   * supervisor would restart it, so it can be asked again in the same term.
   */
  private crashMidTick(node: SimNode): void {
    this.crashNode(node);
    if (this.random.nextInt(2) === 0) node.start();
  }

  /** A crash closes the node's sockets: its followers usually notice at once and stop waiting for it. */
  private crashNode(node: SimNode): void {
    node.crash();
    this.stats.crashes++;
    for (const other of this.nodes.values()) {
      if (other.node?.core.leaderId === node.id && this.random.nextInt(4) !== 0) {
        other.node.forgetLeader();
        other.process(this.tick);
      }
    }
  }

  private partition(): void {
    const ids = [...this.nodes.keys()];
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

  private changeMembership(): void {
    const leader = this.currentLeader();
    if (!leader?.node) return;
    const confState = leader.node.status().confState;
    const spare = this.spares.find((id) => !this.everAdded.has(id));
    const learner = confState.learners[0];
    const action = this.random.nextInt(3);
    let result: ReturnType<typeof leader.node.proposeConfChange> | undefined;
    if (action === 0 && spare) {
      result = leader.node.proposeConfChange({ type: "addLearner", nodeId: spare });
      if (result.ok) this.everAdded.add(spare);
    } else if (action === 1 && learner) {
      result = leader.node.proposeConfChange({ type: "addVoter", nodeId: learner });
    } else if (action === 2 && confState.voters.length > 3) {
      result = leader.node.proposeConfChange({
        type: "removeNode",
        nodeId: this.pick(confState.voters)!,
      });
    }
    if (result?.ok) this.stats.membershipChanges++;
  }

  private transferLeadership(): void {
    const leader = this.currentLeader();
    if (!leader?.node) return;
    const others = leader.node.status().confState.voters.filter((id) => id !== leader.id);
    const target = this.pick(others);
    if (target && leader.node.transferLeadership(target).ok) this.stats.transfers++;
  }

  private injectClientRequests(): void {
    if (this.chance(300)) this.propose(this.pick(this.aliveNodes()));
    if (this.chance(100)) this.read(this.pick(this.aliveNodes()));
  }

  private propose(node: SimNode | undefined): string | undefined {
    if (!node?.node) return undefined;
    const id = `${this.options.seed}-${++this.proposalCounter}`;
    const result = node.node.propose(`p:${id}`);
    if (!result.ok) {
      this.lastRefusal = `${result.error.code}: ${result.error.message}`;
      return undefined;
    }
    node.ownProposals.add(id);
    node.process(this.tick);
    return id;
  }

  private read(node: SimNode | undefined): void {
    if (!node?.node) return;
    const context = `r${++this.readCounter}`;
    // Every write acknowledged before the read starts must be visible to it.
    const minIndex = this.maxAcknowledgedIndex;
    if (!node.node.readIndex(context).ok) return;
    node.ownReads.add(context);
    this.pendingReads.set(context, { minIndex });
    node.process(this.tick);
  }

  // ---- after the chaos: liveness ------------------------------------------

  private healEverything(): void {
    this.chaos = false;
    this.network.healAll();
    this.network.conditions = CALM_NETWORK;
    for (const node of this.nodes.values()) if (!node.node) node.start();
  }

  private settle(): void {
    // Like a client: propose at the leader; if that leader is deposed before
    // committing (its uncommitted entries are then rightly discarded), retry.
    let committed = false;
    for (let attempt = 0; attempt < 4 && !committed; attempt++) {
      const leader = this.runUntil(() => this.settledLeader());
      if (!leader) {
        throw new Violation(
          `no leader within ${SETTLE_TICKS} ticks after the faults healed; ${this.describeNodes()}`,
        );
      }
      const proposals: string[] = [];
      for (let count = 0; count < 5; count++) {
        const id = this.propose(leader);
        if (id) proposals.push(id);
      }
      if (proposals.length < 5) {
        throw new Violation(
          `leader ${leader.id} refused proposals after healing (${this.lastRefusal})`,
        );
      }
      committed =
        this.runUntil(() => proposals.every((id) => this.acknowledged.has(id)) || undefined) ===
        true;
    }
    if (!committed) {
      throw new Violation(
        `proposals after healing not committed within 4 attempts; ${this.describeNodes()}`,
      );
    }
    const converged = this.runUntil(() => this.membersConverged() || undefined);
    if (!converged) {
      throw new Violation(
        `members did not converge within ${SETTLE_TICKS} ticks; ${this.describeNodes()}`,
      );
    }
    this.checkLogMatching();
    this.checkAcknowledgedEverywhere();
  }

  /** The leader of the highest term, once it has committed in its term and is not handing over. */
  private settledLeader(): SimNode | undefined {
    const candidate = this.currentLeader();
    const core = candidate?.node?.core;
    const settled =
      core && core.log.term(core.log.committed) === core.term && core.leadTransfereeId() === "";
    return settled ? candidate : undefined;
  }

  private runUntil<T>(condition: () => T | undefined): T | undefined {
    for (let tick = 0; tick < SETTLE_TICKS; tick++) {
      const result = condition();
      if (result) return result;
      this.advanceOneTick();
    }
    return condition();
  }

  private members(): SimNode[] {
    const leader = this.currentLeader();
    if (!leader?.node) return [];
    const { voters, learners } = leader.node.status().confState;
    return [...voters, ...learners].map((id) => this.nodes.get(id)!);
  }

  private membersConverged(): boolean {
    const leader = this.currentLeader();
    if (!leader?.node) return false;
    const target = leader.node.core.log.committed;
    const members = this.members();
    const first = members[0];
    if (!first) return false;
    return members.every(
      (node) =>
        node.node !== undefined &&
        node.machine.appliedIndex === target &&
        node.machine.hash === first.machine.hash,
    );
  }

  /** One line per node, for failure reports. */
  describeNodes(): string {
    return [...this.nodes.values()]
      .map((node) => {
        if (!node.node) return `${node.id}: down`;
        const status = node.node.status();
        const members = `voters [${status.confState.voters.join(",")}] learners [${status.confState.learners.join(",")}]`;
        const progress = status.progress
          .map((p) => `${p.id}:${p.state}/${p.match}/${p.next}`)
          .join(" ");
        return `${node.id}: ${status.role} term ${status.term} leader ${status.leaderId || "-"} commit ${status.commitIndex} applied ${status.appliedIndex} last ${status.lastIndex} ${members} ${progress}`;
      })
      .join("; ");
  }

  /** No acknowledged write is lost: every member holds every one of them. */
  private checkAcknowledgedEverywhere(): void {
    for (const node of this.members()) {
      for (const [id, index] of this.acknowledged) {
        if (!node.machine.has(id)) {
          throw new Violation(
            `acknowledged proposal ${id} (index ${index}) is missing on ${node.id}`,
          );
        }
      }
    }
  }
}
