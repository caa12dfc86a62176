/**
 * Founding a new cluster from a backup, when every server is lost: the
 * restored state becomes the founding node's first Raft state, a snapshot
 * at index 1 whose membership is that node alone, written to its empty
 * Redis before its first start. The node then starts as a cluster of one
 * that already holds the users, configs, servers, settings and invites;
 * every other server joins it with a join token, as when a fleet grows,
 * and catches up from that snapshot.
 *
 * Only a cluster of one can start this way: founders that bootstrapped an
 * empty log could elect a leader among themselves and overwrite what the
 * restored node holds. Nothing is written unless the file opens, its content
 * is valid and the node's log is empty.
 */
import { err, ok, type Result } from "../../shared/result.ts";
import { type BackupCounts, countsOf, restoredDataOf } from "../fsm/backup-content.ts";
import { ControlPlaneState } from "../fsm/control-plane.ts";
import { encodeSnapshot } from "../fsm/snapshot-codec.ts";
import { STATE_VERSION } from "../fsm/state-version.ts";
import { encodeNodeSnapshot } from "../node-snapshot.ts";
import type { HardState, Snapshot } from "../raft/types.ts";
import type { PersistedRaftState, SaveBatch } from "../storage/raft-log-store.ts";
import { type BackupFileErrorCode, type BackupHeader, openBackup } from "./backup-file.ts";

export type RestoreErrorCode =
  | BackupFileErrorCode
  | "RESTORE_NEEDS_ONE_FOUNDER"
  | "RESTORE_TARGET_NOT_EMPTY";

/** The founding node a backup is restored into. */
export interface RestoreTarget {
  nodeId: string;
  /** PEERS of the founding node: it must list that node alone. */
  peers: ReadonlyMap<string, string>;
  store: { load(): Promise<PersistedRaftState>; save(batch: SaveBatch): Promise<void> };
}

/** A restore that succeeded (or would, with `dryRun`). */
export interface Restored {
  header: BackupHeader;
  counts: BackupCounts;
  /** backup-content.ts's restoredPartsHash of the restored state. */
  restoredPartsHash: string;
  written: boolean;
}

/** The Raft state the founding node starts from: the restored state at index 1, term 1. */
export function restoredRaftState(
  founder: { nodeId: string; url: string },
  state: string,
): { snapshot: Snapshot; hardState: HardState } {
  return {
    snapshot: {
      metadata: { index: 1, term: 1, confState: { voters: [founder.nodeId], learners: [] } },
      // Read by this release's parser: the state is of its version, whatever wrote the file.
      data: encodeNodeSnapshot({
        members: { [founder.nodeId]: founder.url },
        state,
        stateVersion: STATE_VERSION,
      }),
    },
    hardState: { term: 1, vote: "", commit: 1 },
  };
}

/**
 * Opens `file` with `passphrase`, builds the restored state as of
 * `restoredAt`, and (unless `dryRun`) writes it as the founder's first Raft
 * state. Every check comes before the write; a refusal changes nothing.
 */
export async function restoreBackup(
  file: Buffer,
  passphrase: string,
  target: RestoreTarget,
  options: { restoredAt: number; dryRun?: boolean },
): Promise<Result<Restored, RestoreErrorCode>> {
  const founderUrl = target.peers.get(target.nodeId);
  if (target.peers.size !== 1 || founderUrl === undefined)
    return err(
      "RESTORE_NEEDS_ONE_FOUNDER",
      `a backup is restored into a cluster of one: set PEERS to this node alone (${target.nodeId}=ws://<its address>:<port>), and let the other servers join it with join tokens`,
    );
  const opened = await openBackup(file, passphrase);
  if (!opened.ok) return opened;
  let stateText: string;
  let restoredPartsHash: string;
  let counts: BackupCounts;
  try {
    const data = restoredDataOf(opened.value.content, options.restoredAt);
    stateText = encodeSnapshot(data);
    counts = countsOf(data);
    // What the node will load: read back exactly as it will read it.
    const loaded = new ControlPlaneState();
    loaded.restore(stateText);
    restoredPartsHash = loaded.restoredPartsHash();
  } catch (error) {
    return err(
      "BACKUP_DAMAGED",
      `the backup opens but its content is not a valid state: ${(error as Error).message}`,
    );
  }
  const persisted = await target.store.load();
  if (persisted.snapshot || persisted.entries.length > 0 || persisted.hardState.term > 0)
    return err(
      "RESTORE_TARGET_NOT_EMPTY",
      `${target.nodeId}'s Redis already holds a Raft log: a backup is restored only into a node that never started. Stop the node and remove its keys (REDIS_PREFIX) first, or use a fresh Redis`,
    );
  const result = { header: opened.value.header, counts, restoredPartsHash };
  if (options.dryRun) return ok({ ...result, written: false });
  const { snapshot, hardState } = restoredRaftState(
    { nodeId: target.nodeId, url: founderUrl },
    stateText,
  );
  await target.store.save({ snapshot, hardState });
  return ok({ ...result, written: true });
}
