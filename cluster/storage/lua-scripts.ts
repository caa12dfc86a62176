import { readFileSync } from "node:fs";
import type { Redis } from "ioredis";
import type { Snapshot } from "../raft/types.ts";
import { encodeEntry } from "./entry-codec.ts";
import type { RaftLogKeys } from "./keys.ts";
import type { SaveBatch } from "./save-batch.ts";

/**
 * The store's Lua scripts (lua/*.lua), registered on a client with
 * `defineCommand`: ioredis then sends EVALSHA and falls back to EVAL when
 * Redis lost its script cache (after a restart), so each call is one round
 * trip. This module owns the scripts' calling conventions (KEYS and ARGV).
 */
export interface RaftLogScripts {
  /** Runs lua/save.lua. Rejects with a reply error starting with STORAGE_REJECTED or STORAGE_CORRUPT. */
  save(keys: RaftLogKeys, batch: SaveBatch): Promise<void>;
  /** Runs lua/compact.lua; resolves false when the snapshot was not newer than the stored one. */
  compact(keys: RaftLogKeys, snapshot: Snapshot): Promise<boolean>;
}

const SAVE_COMMAND = "nexaloakRaftLogSave";
const COMPACT_COMMAND = "nexaloakRaftLogCompact";
const KEY_COUNT = 3;

const saveLua = readFileSync(new URL("./lua/save.lua", import.meta.url), "utf8");
const compactLua = readFileSync(new URL("./lua/compact.lua", import.meta.url), "utf8");

/** Registers the scripts on `redis` (again, harmlessly, if another store already did). */
export function registerRaftLogScripts(redis: Redis): RaftLogScripts {
  redis.defineCommand(SAVE_COMMAND, { numberOfKeys: KEY_COUNT, lua: saveLua });
  redis.defineCommand(COMPACT_COMMAND, { numberOfKeys: KEY_COUNT, lua: compactLua });
  const runSave = definedCommand(redis, SAVE_COMMAND);
  const runCompact = definedCommand(redis, COMPACT_COMMAND);
  return {
    async save(keys, batch) {
      const entries = batch.entries ?? [];
      const hardState = batch.hardState;
      await runSave([
        ...keyArguments(keys),
        ...(batch.snapshot ? snapshotArguments(batch.snapshot) : ["", "", "", ""]),
        ...(hardState
          ? [String(hardState.term), hardState.vote, String(hardState.commit)]
          : ["", "", ""]),
        entries[0] ? String(entries[0].index) : "",
        ...entries.map(encodeEntry),
      ]);
    },
    async compact(keys, snapshot) {
      const stored = await runCompact([...keyArguments(keys), ...snapshotArguments(snapshot)]);
      return stored === 1;
    },
  };
}

function keyArguments(keys: RaftLogKeys): string[] {
  return [keys.log, keys.hardState, keys.snapshot];
}

function snapshotArguments(snapshot: Snapshot): string[] {
  const { index, term, confState } = snapshot.metadata;
  return [String(index), String(term), JSON.stringify(confState), snapshot.data];
}

type ScriptCommand = (keysAndArguments: string[]) => Promise<unknown>;

/**
 * The method `defineCommand` added to the client, which ioredis's types do
 * not know about. It gets one array (ioredis flattens it) rather than one
 * argument per entry: a batch of 100 000 entries would overflow the stack as
 * separate arguments.
 */
function definedCommand(redis: Redis, name: string): ScriptCommand {
  const method: unknown = Reflect.get(redis, name);
  if (typeof method !== "function") throw new Error(`ioredis did not define the command ${name}`);
  return (keysAndArguments) => Reflect.apply(method, redis, [keysAndArguments]);
}
