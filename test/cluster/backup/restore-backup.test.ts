import { test } from "uvu";
import * as assert from "uvu/assert";
import { sealBackup } from "../../../cluster/backup/backup-file.ts";
import { restoreBackup } from "../../../cluster/backup/restore-backup.ts";
import { BACKUP_CONTENTS } from "../../../cluster/fsm/backup-content.ts";
import { ControlPlaneState } from "../../../cluster/fsm/control-plane.ts";
import { decodeNodeSnapshot } from "../../../cluster/node-snapshot.ts";
import type { PersistedRaftState, SaveBatch } from "../../../cluster/storage/raft-log-store.ts";
import { makeBackupKeyCheck } from "../../../shared/crypto/backup-passphrase-key.ts";
import { command, Fixture, T0 } from "../fsm/support/control-plane-fixture.ts";

const PASSPHRASE = "restore me if everything burns";
const FOUNDER = new Map([["n7", "ws://10.0.0.7:7001"]]);

/** A node's Raft log store in memory: what the restore reads and writes. */
class MemoryLogStore {
  saved: SaveBatch[] = [];
  constructor(private readonly persisted: PersistedRaftState = emptyLog()) {}
  async load(): Promise<PersistedRaftState> {
    return this.persisted;
  }
  async save(batch: SaveBatch): Promise<void> {
    this.saved.push(batch);
  }
}

function emptyLog(): PersistedRaftState {
  return { hardState: { term: 0, vote: "", commit: 0 }, snapshot: null, entries: [] };
}

async function backupOf(fixture: Fixture): Promise<Buffer> {
  const check = await makeBackupKeyCheck(PASSPHRASE, { n: 2 ** 10, r: 8, p: 1 });
  if (!check.ok) throw new Error(check.error.message);
  fixture.ok({ type: "setBackupPassphrase", ...check.value, actor: { kind: "api" }, at: T0 });
  const { content, counts } = fixture.state.backupContent();
  return sealBackup(
    {
      cluster: { members: ["n1"], madeBy: "n1" },
      createdAt: new Date(T0).toISOString(),
      contents: BACKUP_CONTENTS,
      counts,
    },
    content,
    check.value,
  );
}

function source(): Fixture {
  const fixture = new Fixture();
  fixture.ok(command.registerServer("n1"));
  fixture.ok(command.upsertUser("301"));
  fixture.ok(command.issueConfig("c1", "301"));
  return fixture;
}

test("the restored state becomes the founder's first Raft state: a snapshot at index 1, the founder its only voter", async () => {
  const fixture = source();
  const file = await backupOf(fixture);
  const store = new MemoryLogStore();
  const restored = await restoreBackup(
    file,
    PASSPHRASE,
    { nodeId: "n7", peers: FOUNDER, store },
    { restoredAt: T0 + 1 },
  );
  if (!restored.ok) return assert.unreachable(restored.error.message);
  assert.is(restored.value.written, true);
  assert.is(restored.value.counts.users, 1);
  assert.is(restored.value.restoredPartsHash, fixture.state.restoredPartsHash());
  assert.is(store.saved.length, 1);
  const [batch] = store.saved;
  assert.equal(batch!.hardState, { term: 1, vote: "", commit: 1 });
  assert.equal(batch!.snapshot!.metadata, {
    index: 1,
    term: 1,
    confState: { voters: ["n7"], learners: [] },
  });
  const snapshot = decodeNodeSnapshot(batch!.snapshot!.data);
  assert.equal(snapshot.members, { n7: "ws://10.0.0.7:7001" });
  const state = new ControlPlaneState();
  state.restore(snapshot.state);
  assert.is(state.restoredPartsHash(), fixture.state.restoredPartsHash());
  assert.is(state.server("n1")!.status, "down");
  assert.is(state.config("c1")!.keysErasedReason, "restored");
});

test("a dry run checks everything and writes nothing", async () => {
  const store = new MemoryLogStore();
  const restored = await restoreBackup(
    await backupOf(source()),
    PASSPHRASE,
    { nodeId: "n7", peers: FOUNDER, store },
    { restoredAt: T0, dryRun: true },
  );
  assert.ok(restored.ok && !restored.value.written);
  assert.is(store.saved.length, 0);
});

test("refused, writing nothing: a wrong passphrase, a damaged file, several founders, a log that is not empty", async () => {
  const file = await backupOf(source());
  const attempts: Array<[string, Buffer, string, ReadonlyMap<string, string>, PersistedRaftState]> =
    [
      ["BACKUP_WRONG_PASSPHRASE", file, "a different passphrase", FOUNDER, emptyLog()],
      ["BACKUP_TRUNCATED", file.subarray(0, file.length - 100), PASSPHRASE, FOUNDER, emptyLog()],
      ["BACKUP_NOT_A_BACKUP", Buffer.from("hello"), PASSPHRASE, FOUNDER, emptyLog()],
      [
        "RESTORE_NEEDS_ONE_FOUNDER",
        file,
        PASSPHRASE,
        new Map([...FOUNDER, ["n8", "ws://10.0.0.8:7001"]]),
        emptyLog(),
      ],
      [
        "RESTORE_NEEDS_ONE_FOUNDER",
        file,
        PASSPHRASE,
        new Map([["n8", "ws://10.0.0.8:7001"]]),
        emptyLog(),
      ],
      [
        "RESTORE_TARGET_NOT_EMPTY",
        file,
        PASSPHRASE,
        FOUNDER,
        { ...emptyLog(), hardState: { term: 3, vote: "n7", commit: 9 } },
      ],
    ];
  for (const [code, bytes, passphrase, peers, persisted] of attempts) {
    const store = new MemoryLogStore(persisted);
    const restored = await restoreBackup(
      bytes,
      passphrase,
      { nodeId: "n7", peers, store },
      { restoredAt: T0 },
    );
    assert.is(restored.ok ? "ok" : restored.error.code, code);
    assert.is(store.saved.length, 0, `${code} writes nothing`);
  }
});

test.run();
