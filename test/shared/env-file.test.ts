import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { loadEnvFile } from "../../shared/env-file.ts";

const dir = mkdtempSync(join(tmpdir(), "nexaloak-env-file-"));
test.after(() => rmSync(dir, { recursive: true, force: true }));

test("variables from the file are added to the environment", () => {
  const path = join(dir, "added.env");
  writeFileSync(path, '# a comment\nNODE_ID=n7\nPEERS="n7=ws://127.0.0.1:7007"\n');
  const env: NodeJS.ProcessEnv = {};
  assert.equal(loadEnvFile(path, env), { ok: true, value: undefined });
  assert.equal(env, { NODE_ID: "n7", PEERS: "n7=ws://127.0.0.1:7007" });
});

test("a variable already in the environment wins over the file, even when empty", () => {
  const path = join(dir, "override.env");
  writeFileSync(path, "NODE_ID=from-file\nLOG_LEVEL=debug\nLISTEN=127.0.0.1:7001\n");
  const env: NodeJS.ProcessEnv = { NODE_ID: "from-env", LOG_LEVEL: "" };
  loadEnvFile(path, env);
  assert.equal(env, { NODE_ID: "from-env", LOG_LEVEL: "", LISTEN: "127.0.0.1:7001" });
});

test("a missing file is not an error and changes nothing", () => {
  const env: NodeJS.ProcessEnv = { NODE_ID: "n1" };
  assert.equal(loadEnvFile(join(dir, "absent.env"), env), { ok: true, value: undefined });
  assert.equal(env, { NODE_ID: "n1" });
});

test("a file that exists but cannot be read is an INVALID_CONFIG error naming it", () => {
  // A directory cannot be read as a file, whoever runs the test (root ignores permissions).
  const result = loadEnvFile(dir, {});
  assert.ok(!result.ok);
  assert.is(result.error.code, "INVALID_CONFIG");
  assert.ok(result.error.message.includes(dir), result.error.message);
  assert.match(result.error.message, /EISDIR/);
});

test.run();
