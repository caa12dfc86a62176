import { test } from "uvu";
import * as assert from "uvu/assert";
import { ControlPlaneState } from "../../../cluster/fsm/control-plane.ts";
import { backupKeyCheck, command, Fixture, T0 } from "./support/control-plane-fixture.ts";

const CHECK = backupKeyCheck(9500);
const setPassphrase = (fields: object = {}) => ({
  type: "setBackupPassphrase",
  ...CHECK,
  actor: { kind: "api" },
  at: T0,
  ...fields,
});

test("setBackupPassphrase keeps the key check and who set it; nothing else", () => {
  const fixture = new Fixture();
  fixture.ok(command.upsertUser("700", { role: "admin" }));
  const value = fixture.ok(setPassphrase({ actor: { kind: "telegram", userId: "700" } }) as never);
  assert.equal(value, { publicKey: CHECK.publicKey, setAt: T0 });
  assert.equal(fixture.state.backupPassphrase(), { ...CHECK, setBy: "700", setAt: T0 });
});

test("a key check out of bounds is INVALID_BACKUP_KEY (or INVALID_COMMAND) and changes nothing", () => {
  const fixture = new Fixture();
  fixture.refused(setPassphrase({ n: 2 ** 30 }), "INVALID_BACKUP_KEY");
  fixture.refused(setPassphrase({ n: 3000 }), "INVALID_BACKUP_KEY");
  fixture.refused(setPassphrase({ salt: "AAAA" }), "INVALID_BACKUP_KEY");
  fixture.refused(setPassphrase({ publicKey: "not a key" }), "INVALID_COMMAND");
  fixture.refused(setPassphrase({ passphrase: "never travels" }), "INVALID_COMMAND");
  assert.is(fixture.state.backupPassphrase(), null);
});

test("a Telegram user who is not an active admin cannot set the passphrase (NOT_AN_ADMIN)", () => {
  const fixture = new Fixture();
  fixture.ok(command.upsertUser("701"));
  fixture.refused(setPassphrase({ actor: { kind: "telegram", userId: "701" } }), "NOT_AN_ADMIN");
});

test("a backup slot is claimed once: the same or an earlier slot is BACKUP_SLOT_TAKEN", () => {
  const fixture = new Fixture();
  fixture.ok({ type: "claimBackupSlot", slot: T0 + 1000, at: T0 });
  fixture.refused({ type: "claimBackupSlot", slot: T0 + 1000, at: T0 }, "BACKUP_SLOT_TAKEN");
  fixture.refused({ type: "claimBackupSlot", slot: T0, at: T0 }, "BACKUP_SLOT_TAKEN");
  fixture.ok({ type: "claimBackupSlot", slot: T0 + 2000, at: T0 });
  assert.is(fixture.state.lastBackupSlot(), T0 + 2000);
});

test("the passphrase check and the last slot survive a snapshot; a snapshot from before backups loads without them", () => {
  const fixture = new Fixture();
  fixture.ok(setPassphrase() as never);
  fixture.ok({ type: "claimBackupSlot", slot: T0, at: T0 });
  const copy = new ControlPlaneState();
  copy.restore(fixture.state.snapshot());
  assert.equal(copy.backupPassphrase(), fixture.state.backupPassphrase());
  assert.is(copy.lastBackupSlot(), T0);
  assert.is(copy.stateHash(), fixture.state.stateHash());
  const older = JSON.parse(fixture.state.snapshot()) as Record<string, unknown>;
  delete older.backup;
  const loaded = new ControlPlaneState();
  loaded.restore(JSON.stringify(older));
  assert.is(loaded.backupPassphrase(), null);
  assert.is(loaded.lastBackupSlot(), null);
});

test("a snapshot whose passphrase check is out of bounds is refused whole", () => {
  const fixture = new Fixture();
  fixture.ok(setPassphrase() as never);
  const snapshot = JSON.parse(fixture.state.snapshot()) as { backup: [unknown[], unknown] };
  snapshot.backup[0][1] = 2 ** 30;
  assert.throws(
    () => new ControlPlaneState().restore(JSON.stringify(snapshot)),
    /backup key check/,
  );
});

test.run();
