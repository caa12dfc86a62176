/**
 * Files named by the configuration are read at start; one that cannot be
 * read stops the process with exit code 2 and a message naming the variable,
 * the path and why.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { EXIT_BAD_CONFIG, readFileOrExit } from "../../shared/read-file-or-exit.ts";

const tsxLoader = import.meta.resolve("tsx");
const modulePath = new URL("../../shared/read-file-or-exit.ts", import.meta.url).href;

test("a readable file is returned as it is", () => {
  const dir = mkdtempSync(join(tmpdir(), "nxl-read-"));
  try {
    const path = join(dir, "cert.pem");
    writeFileSync(path, "-----BEGIN CERTIFICATE-----\n");
    assert.is(readFileOrExit(path, "TLS_CERT_FILE").toString(), "-----BEGIN CERTIFICATE-----\n");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a missing file exits with code 2 naming the variable, the path and why", () => {
  const missing = join(tmpdir(), "nxl-no-such-dir", "cert.pem");
  const code = [
    `const { readFileOrExit } = await import(${JSON.stringify(modulePath)});`,
    `readFileOrExit(${JSON.stringify(missing)}, "TLS_CERT_FILE");`,
    `process.stdout.write("still running\\n");`,
  ].join("\n");
  const child = spawnSync(
    process.execPath,
    ["--import", tsxLoader, "--input-type=module", "--eval", code],
    { encoding: "utf8", timeout: 30_000 },
  );
  assert.is(child.status, EXIT_BAD_CONFIG, child.stderr);
  assert.is(child.stdout, "");
  assert.match(child.stderr, `TLS_CERT_FILE: cannot read ${missing}: ENOENT`);
});

test.run();
