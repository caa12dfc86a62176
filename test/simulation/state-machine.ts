/**
 * The simulator's replicated state machine: it remembers which proposal ids it
 * has applied (so a proposal duplicated by the network takes effect once, as
 * the real control plane's dedupe does) and a rolling hash of everything
 * applied, so two nodes can be compared in one number.
 */
export class SimStateMachine {
  appliedIndex = 0;
  hash = 0;
  private readonly appliedIds = new Set<string>();

  /** Applies a normal entry; returns the proposal id if it took effect for the first time. */
  apply(index: number, data: string): string | undefined {
    this.appliedIndex = index;
    this.hash = mixHash(this.hash, index, data);
    if (!data.startsWith("p:")) return undefined;
    const id = data.slice(2);
    if (this.appliedIds.has(id)) return undefined;
    this.appliedIds.add(id);
    return id;
  }

  /** Marks an index applied that carries no user data (no-ops, conf changes). */
  skip(index: number, data: string): void {
    this.appliedIndex = index;
    this.hash = mixHash(this.hash, index, data);
  }

  has(id: string): boolean {
    return this.appliedIds.has(id);
  }

  serialize(): string {
    return JSON.stringify({
      appliedIndex: this.appliedIndex,
      hash: this.hash,
      ids: [...this.appliedIds],
    });
  }

  static restore(data: string): SimStateMachine {
    const machine = new SimStateMachine();
    if (data === "") return machine;
    const parsed = JSON.parse(data) as { appliedIndex: number; hash: number; ids: string[] };
    machine.appliedIndex = parsed.appliedIndex;
    machine.hash = parsed.hash;
    for (const id of parsed.ids) machine.appliedIds.add(id);
    return machine;
  }
}

function mixHash(hash: number, index: number, data: string): number {
  let mixed = (hash ^ index) >>> 0;
  for (let position = 0; position < data.length; position++) {
    mixed = Math.imul(mixed ^ data.charCodeAt(position), 16777619) >>> 0;
  }
  return Math.imul(mixed ^ (mixed >>> 13), 0x5bd1e995) >>> 0;
}
