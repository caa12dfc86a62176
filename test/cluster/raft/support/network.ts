import { bootstrapStorage } from "../../../../cluster/raft/bootstrap.ts";
import type { ProposeResult, Raft, RaftConfig } from "../../../../cluster/raft/raft.ts";
import { seededRandom } from "../../../../cluster/raft/random.ts";
import { RawNode } from "../../../../cluster/raft/raw-node.ts";
import { MemoryStorage } from "../../../../cluster/raft/storage.ts";
import type {
  ConfChange,
  Entry,
  HardState,
  Message,
  MessageType,
  NodeId,
  ReadState,
  Ready,
} from "../../../../cluster/raft/types.ts";
import { entriesWithTerms } from "./raft-fixture.ts";

/** Per-node settings of the core; storage and randomness come from the network. */
export type NodeConfig = Partial<Omit<RaftConfig, "id" | "storage" | "random">>;

export interface NetworkOptions {
  /** The founding voters; every node's storage starts with this membership. */
  voters: NodeId[];
  learners?: NodeId[];
  /**
   * The members that actually run (default: voters and learners). A member
   * left out is a black hole: messages to it vanish and it never answers.
   */
  running?: NodeId[];
  /**
   * Start from empty storages written by bootstrapStorage, as real founders do:
   * the membership is learned by applying the bootstrap entries.
   */
  bootstrap?: boolean;
  /** Settings for every node (defaults: 10 election ticks, 1 heartbeat tick). */
  config?: NodeConfig;
  /** Settings for single nodes, over `config`. */
  configOf?: Record<NodeId, NodeConfig>;
  /** Pre-existing logs, as the term of each entry from index 1. */
  terms?: Record<NodeId, number[]>;
  hardStates?: Record<NodeId, Partial<HardState>>;
  /** Base seed; the k-th node started draws its election timeouts from seed * 1000 + k. */
  seed?: number;
  /** Keep every Ready handled, in `readies`. */
  recordReadies?: boolean;
}

/** One member as the network drives it, with what it has applied. */
export interface TestNode {
  readonly id: NodeId;
  readonly raw: RawNode;
  readonly storage: MemoryStorage;
  /** Every committed entry applied so far (conf changes included); replaced by a snapshot install. */
  applied: Entry[];
  /** Read points delivered to this node, oldest first. */
  readonly readStates: ReadState[];
}

/** Deliveries per stabilize() beyond which the network is considered to loop forever. */
const MAX_DELIVERIES = 100_000;

function linkKey(from: NodeId, to: NodeId): string {
  return `${from}->${to}`;
}

/**
 * A synchronous in-memory cluster, after etcd's raft_test.go `network`: each
 * node's Ready is persisted into its MemoryStorage, applied and advanced at
 * once, and messages are delivered in FIFO order until nothing is left.
 * Links can be cut, nodes isolated, message types ignored; every delivered
 * message is recorded in `delivered` for tests that count round trips.
 */
export class Network {
  readonly nodes = new Map<NodeId, TestNode>();
  /** Every message that reached its recipient, in delivery order. */
  readonly delivered: Message[] = [];
  /** Every message the network threw away. */
  readonly dropped: Message[] = [];
  /** Every Ready handled, when the network was created with `recordReadies`. */
  readonly readies: Ready[] = [];
  private readonly queue: Message[] = [];
  private readonly cutLinks = new Set<string>();
  private readonly ignoredTypes = new Set<MessageType>();
  private readonly dropRules: Array<(message: Message) => boolean> = [];
  private readonly options: NetworkOptions;
  private nodeCount = 0;

  constructor(options: NetworkOptions) {
    this.options = options;
    const members = options.running ?? [...options.voters, ...(options.learners ?? [])];
    for (const id of members) {
      const storage = options.bootstrap
        ? new MemoryStorage()
        : new MemoryStorage({ voters: options.voters, learners: options.learners ?? [] });
      if (options.bootstrap) bootstrapStorage(storage, options.voters);
      const terms = options.terms?.[id];
      if (terms) {
        storage.append(entriesWithTerms(terms));
        storage.setHardState({ term: terms[terms.length - 1] ?? 0, vote: "", commit: 0 });
      }
      const hardState = options.hardStates?.[id];
      if (hardState) storage.setHardState({ ...storage.hardStateSnapshot(), ...hardState });
      this.start(id, storage);
    }
    this.stabilize();
  }

  /**
   * Starts a member over `storage` (default: empty, as a node that joins an
   * existing cluster), replacing any running instance with that id.
   */
  start(id: NodeId, storage: MemoryStorage = new MemoryStorage()): TestNode {
    const seed = (this.options.seed ?? 1) * 1000 + this.nodeCount++;
    const raw = new RawNode({
      id,
      electionTicks: 10,
      heartbeatTicks: 1,
      ...this.options.config,
      ...this.options.configOf?.[id],
      storage,
      random: seededRandom(seed),
    });
    const node: TestNode = { id, raw, storage, applied: [], readStates: [] };
    this.nodes.set(id, node);
    return node;
  }

  node(id: NodeId): TestNode {
    const node = this.nodes.get(id);
    if (!node) throw new Error(`no node ${id} in the network`);
    return node;
  }

  raft(id: NodeId): Raft {
    return this.node(id).raw.core;
  }

  /** The running leaders, by id. */
  leaders(): NodeId[] {
    return [...this.nodes.values()].filter((n) => n.raw.core.role === "leader").map((n) => n.id);
  }

  /** Handles every pending Ready, then delivers messages until none is left. */
  stabilize(): void {
    for (const node of this.nodes.values()) this.processReady(node);
    let deliveries = 0;
    for (let message = this.queue.shift(); message; message = this.queue.shift()) {
      if (++deliveries > MAX_DELIVERIES) throw new Error("the network did not settle");
      const node = this.nodes.get(message.to);
      if (!node || !this.passes(message)) {
        this.dropped.push(message);
        continue;
      }
      this.delivered.push(message);
      node.raw.step(message);
      this.processReady(node);
    }
  }

  /** Delivers messages as if sent by their `from`, then settles. */
  send(...messages: Message[]): void {
    this.queue.push(...messages);
    this.stabilize();
  }

  campaign(id: NodeId): void {
    this.node(id).raw.campaign();
    this.stabilize();
  }

  propose(id: NodeId, data: string): ProposeResult {
    const result = this.node(id).raw.propose(data);
    this.stabilize();
    return result;
  }

  proposeConfChange(id: NodeId, change: ConfChange): ProposeResult {
    const result = this.node(id).raw.proposeConfChange(change);
    this.stabilize();
    return result;
  }

  /** Ticks one node `times` times, settling after each tick. */
  tick(id: NodeId, times = 1): void {
    for (let count = 0; count < times; count++) {
      this.node(id).raw.tick();
      this.stabilize();
    }
  }

  /** Ticks every node once per round, settling after each round. */
  tickAll(rounds = 1): void {
    for (let round = 0; round < rounds; round++) {
      for (const node of this.nodes.values()) node.raw.tick();
      this.stabilize();
    }
  }

  /**
   * Ticks every node until `done()` holds, at most `maxRounds` rounds; returns
   * the rounds it took. Throws when the condition never came true.
   */
  tickUntil(done: () => boolean, maxRounds: number): number {
    for (let round = 0; round < maxRounds; round++) {
      if (done()) return round;
      this.tickAll();
    }
    if (done()) return maxRounds;
    throw new Error(`condition not reached within ${maxRounds} rounds`);
  }

  /** Cuts the link between two nodes in both directions. */
  cut(a: NodeId, b: NodeId): void {
    this.cutLinks.add(linkKey(a, b));
    this.cutLinks.add(linkKey(b, a));
  }

  /** Cuts one direction only. */
  drop(from: NodeId, to: NodeId): void {
    this.cutLinks.add(linkKey(from, to));
  }

  /** Cuts every link of `id`, including to members not yet started. */
  isolate(id: NodeId): void {
    const others = new Set([
      ...this.nodes.keys(),
      ...this.options.voters,
      ...(this.options.learners ?? []),
    ]);
    for (const other of others) if (other !== id) this.cut(id, other);
  }

  /** Drops every message of `type`. */
  ignore(type: MessageType): void {
    this.ignoredTypes.add(type);
  }

  /** Drops every message for which `rule` holds (a scalpel for scripted scenarios). */
  dropWhere(rule: (message: Message) => boolean): void {
    this.dropRules.push(rule);
  }

  /** Heals every cut link, stops ignoring message types and forgets drop rules. */
  recover(): void {
    this.cutLinks.clear();
    this.ignoredTypes.clear();
    this.dropRules.length = 0;
  }

  /**
   * Takes a snapshot of `id`'s applied state at `index` and compacts its
   * storage up to it, as the node does when its log grows long.
   */
  compact(id: NodeId, index: number): void {
    const node = this.node(id);
    const upTo = node.applied.filter((applied) => applied.index <= index);
    node.storage.createSnapshot(index, node.raw.core.tracker.confState(), JSON.stringify(upTo));
    node.storage.compact(index);
  }

  private passes(message: Message): boolean {
    return (
      !this.cutLinks.has(linkKey(message.from, message.to)) &&
      !this.ignoredTypes.has(message.type) &&
      !this.dropRules.some((rule) => rule(message))
    );
  }

  /** Persist, send, apply, advance: the driver's loop, until the node has nothing more. */
  private processReady(node: TestNode): void {
    for (let rounds = 0; node.raw.hasReady(); rounds++) {
      if (rounds > 1000) throw new Error(`${node.id} keeps producing Ready batches`);
      const ready = node.raw.ready();
      if (this.options.recordReadies) this.readies.push(ready);
      if (ready.snapshot) node.storage.applySnapshot(ready.snapshot);
      node.storage.append(ready.entries);
      if (ready.hardState) node.storage.setHardState(ready.hardState);
      for (const message of ready.messages) this.queue.push(message);
      if (ready.snapshot) node.applied = JSON.parse(ready.snapshot.data || "[]") as Entry[];
      for (const committed of ready.committedEntries) {
        if (committed.type === "confChange") {
          node.raw.applyConfChange(JSON.parse(committed.data) as ConfChange);
        }
        node.applied.push(committed);
      }
      node.readStates.push(...ready.readStates);
      node.raw.advance(ready);
    }
  }
}

/** The data of the normal, non-empty entries a node applied, in order. */
export function appliedData(node: TestNode): string[] {
  return node.applied
    .filter((applied) => applied.type === "normal" && applied.data !== "")
    .map((applied) => applied.data);
}
