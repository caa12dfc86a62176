/**
 * Test helpers for the Raft log store: entry and snapshot builders, a
 * reference model of what the store must hold after each write, and a seeded
 * generator of writes that a correct Raft node could make.
 */
import type { Entry, HardState, Snapshot } from "../../../cluster/raft/types.ts";
import type { PersistedRaftState } from "../../../cluster/storage/persisted-state.ts";
import { type LogWrite, lastIndexOf, termAt } from "../../../scripts/simulation/durable-log.ts";

export { applyWrite, type LogWrite } from "../../../scripts/simulation/durable-log.ts";

export function entry(index: number, term: number, data = `e${index}t${term}`): Entry {
  return { index, term, type: "normal", data };
}

/** Entries `from`..`to` inclusive, all with `term`. */
export function entryRange(from: number, to: number, term: number): Entry[] {
  const entries: Entry[] = [];
  for (let index = from; index <= to; index++) entries.push(entry(index, term));
  return entries;
}

export function snapshotAt(index: number, term: number, data = `state@${index}`): Snapshot {
  return {
    metadata: { index, term, confState: { voters: ["n1", "n2", "n3"], learners: [] } },
    data,
  };
}

export function hardState(term: number, commit: number, vote = ""): HardState {
  return { term, vote, commit };
}

/** mulberry32: a small seeded generator, so a failing run can be replayed from its seed. */
export function seededRandom(seed: number): (maxExclusive: number) => number {
  let state = seed >>> 0;
  return (maxExclusive) => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = state;
    mixed = Math.imul(mixed ^ (mixed >>> 15), mixed | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    const unit = ((mixed ^ (mixed >>> 14)) >>> 0) / 4294967296;
    return Math.floor(unit * maxExclusive);
  };
}

const DATA_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789:{}"é→ \n';

function randomData(random: (maxExclusive: number) => number): string {
  const length = random(200);
  let data = "";
  for (let i = 0; i < length; i++) data += DATA_ALPHABET[random(DATA_ALPHABET.length)];
  return data;
}

/**
 * A write a correct Raft node could make next on `state`: appends as leader
 * or follower, conflicting suffixes replaced in a new term, commit advances,
 * compactions at committed indexes, snapshots installed from a leader (with
 * and without a matching entry).
 */
export function nextWrite(
  state: PersistedRaftState,
  random: (maxExclusive: number) => number,
): LogWrite {
  const snapshotIndex = state.snapshot?.metadata.index ?? 0;
  const lastIndex = lastIndexOf(state);
  const { term, commit } = state.hardState;
  const lastTerm = termAt(state, lastIndex) ?? 0;
  const newTerm = Math.max(term, lastTerm) + 1;
  const vote = (nextTerm: number): string =>
    nextTerm === term ? state.hardState.vote : `n${nextTerm % 3}`;
  const freshEntries = (from: number, count: number, entryTerm: number): Entry[] =>
    Array.from({ length: count }, (_, offset) => ({
      index: from + offset,
      term: entryTerm,
      type: random(10) === 0 ? ("confChange" as const) : ("normal" as const),
      data: randomData(random),
    }));
  const roll = random(100);

  if (roll < 15 && lastIndex > Math.max(commit, snapshotIndex)) {
    // A follower learns of a new leader whose log differs after the commit index.
    const from =
      Math.max(commit, snapshotIndex) + 1 + random(lastIndex - Math.max(commit, snapshotIndex));
    const entries = freshEntries(from, 1 + random(10), newTerm);
    return {
      kind: "save",
      batch: { entries, hardState: hardState(newTerm, commit, vote(newTerm)) },
    };
  }
  if (roll < 25 && commit > snapshotIndex) {
    const index = snapshotIndex + 1 + random(commit - snapshotIndex);
    return {
      kind: "compact",
      snapshot: snapshotAt(index, termAt(state, index)!, randomData(random)),
    };
  }
  if (roll < 33) {
    // A snapshot from the leader, beyond this node's commit index.
    const index = commit + 1 + random(lastIndex - commit + 5);
    const matching = random(2) === 0 ? termAt(state, index) : null;
    const snapshotTerm = matching ?? newTerm;
    const nextTerm = Math.max(term, snapshotTerm);
    return {
      kind: "save",
      batch: {
        snapshot: snapshotAt(index, snapshotTerm, randomData(random)),
        hardState: hardState(nextTerm, index, vote(nextTerm)),
      },
    };
  }
  if (roll < 40) {
    return {
      kind: "save",
      batch: { hardState: hardState(term, commit + random(lastIndex - commit + 1), vote(term)) },
    };
  }
  const entryTerm = random(10) === 0 ? newTerm : Math.max(term, lastTerm, 1);
  const entries = freshEntries(lastIndex + 1, 1 + random(20), entryTerm);
  const newLastIndex = lastIndex + entries.length;
  return {
    kind: "save",
    batch: {
      entries,
      hardState: hardState(entryTerm, commit + random(newLastIndex - commit + 1), vote(entryTerm)),
    },
  };
}
