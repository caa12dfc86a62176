import { chmod, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { loadOrCreateServerKey } from "../../../cluster/agent/server-key-file.ts";
import { generateKeyPair, publicKeyFromPrivate } from "../../../shared/crypto/wireguard-keys.ts";

async function withTempDir(body: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "nxl-key-test-"));
  try {
    await body(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test("the first load creates a 0600 key file in a 0700 directory, as wg genkey would write it", () =>
  withTempDir(async (dir) => {
    const path = join(dir, "wireguard", "server.key");
    const loaded = await loadOrCreateServerKey(path);
    assert.ok(loaded.ok);
    assert.is((await stat(path)).mode & 0o777, 0o600);
    assert.is((await stat(join(dir, "wireguard"))).mode & 0o777, 0o700);
    assert.is(await readFile(path, "utf8"), `${loaded.value.privateKey}\n`);
    assert.equal(publicKeyFromPrivate(loaded.value.privateKey), {
      ok: true,
      value: loaded.value.publicKey,
    });
    assert.equal(await readdir(join(dir, "wireguard")), ["server.key"], "no temporary file left");
  }));

test("later loads return the same key", () =>
  withTempDir(async (dir) => {
    const path = join(dir, "server.key");
    const first = await loadOrCreateServerKey(path);
    const second = await loadOrCreateServerKey(path);
    assert.ok(first.ok && second.ok);
    assert.equal(second.value, first.value);
  }));

test("an existing key from wg genkey is used as is", () =>
  withTempDir(async (dir) => {
    const path = join(dir, "server.key");
    const pair = generateKeyPair();
    await writeFile(path, `${pair.privateKey}\n`, { mode: 0o600 });
    assert.equal(await loadOrCreateServerKey(path), { ok: true, value: pair });
  }));

test("loads racing on first start all end with one and the same key", () =>
  withTempDir(async (dir) => {
    const path = join(dir, "server.key");
    const results = await Promise.all(Array.from({ length: 8 }, () => loadOrCreateServerKey(path)));
    const keys = new Set(results.map((result) => (result.ok ? result.value.privateKey : "failed")));
    assert.is(keys.size, 1);
    assert.not.ok(keys.has("failed"));
    assert.equal(await readdir(dir), ["server.key"]);
  }));

test("a key file others can read is refused with the chmod to run", () =>
  withTempDir(async (dir) => {
    const path = join(dir, "server.key");
    await writeFile(path, `${generateKeyPair().privateKey}\n`, { mode: 0o600 });
    await chmod(path, 0o644);
    const loaded = await loadOrCreateServerKey(path);
    assert.ok(!loaded.ok);
    assert.is(loaded.error.code, "SERVER_KEY_INSECURE");
    assert.match(loaded.error.message, /mode 644/);
    assert.match(loaded.error.message, new RegExp(`chmod 600 ${path}`));
  }));

test("a file that does not hold a key is refused, and left alone", () =>
  withTempDir(async (dir) => {
    const path = join(dir, "server.key");
    await writeFile(path, "not a key\n", { mode: 0o600 });
    const loaded = await loadOrCreateServerKey(path);
    assert.ok(!loaded.ok);
    assert.is(loaded.error.code, "SERVER_KEY_UNUSABLE");
    assert.is(await readFile(path, "utf8"), "not a key\n");
  }));

test("a path whose parent is a file gives an error value", () =>
  withTempDir(async (dir) => {
    await writeFile(join(dir, "plain-file"), "");
    const loaded = await loadOrCreateServerKey(join(dir, "plain-file", "server.key"));
    assert.ok(!loaded.ok);
    assert.is(loaded.error.code, "SERVER_KEY_UNUSABLE");
  }));

test.run();
