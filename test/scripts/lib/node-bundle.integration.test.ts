/**
 * The node bundle the test runner starts nodes from: built from the sources,
 * with the worker threads' entries and the Lua scripts where the node looks
 * for them, loading at start only what the node loads at start, and a node
 * started from it is the node (it refuses a bad environment exactly as
 * `node --import tsx app/main.ts` does).
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { buildNodeBundle } from "../../../scripts/lib/node-bundle.ts";
import { NODE_ENTRY } from "../../../scripts/lib/node-process.ts";

/** Runs `args` in an empty directory (no .env) with a bad environment. */
function refusalOf(args: string[], cwd: string): { status: number | null; stderr: string } {
  const run = spawnSync(process.execPath, args, {
    encoding: "utf8",
    timeout: 30_000,
    env: { PATH: process.env.PATH ?? "", NODE_ID: "n1", PEERS: "not a peer list" },
    cwd,
  });
  return { status: run.status, stderr: run.stderr };
}

/** Every module `file` in the bundle loads before it runs: its static imports, followed through the bundle's own chunks. */
function staticImportsOf(dir: string, file: string, found = new Set<string>()): Set<string> {
  const source = readFileSync(join(dir, file), "utf8");
  for (const [, specifier] of source.matchAll(/^import\s*(?:[^;"]*?\bfrom\s*)?"([^"]+)"/gm)) {
    if (found.has(specifier!)) continue;
    found.add(specifier!);
    if (specifier!.startsWith("./")) staticImportsOf(dir, specifier!.slice(2), found);
  }
  return found;
}

test("the bundle holds the node, its thread entries and its Lua scripts, and starts as the node does", async () => {
  const dir = mkdtempSync(join("node_modules", ".cache", "nxl-bundle-test-"));
  const cwd = mkdtempSync(join(tmpdir(), "nxl-bundle-cwd-"));
  try {
    const entry = await buildNodeBundle(dir);
    for (const file of [
      "main.mjs",
      "qr-code-thread.mjs",
      "chart-thread.mjs",
      "lua/save.lua",
      "lua/compact.lua",
    ])
      assert.ok(existsSync(join(dir, file)), file);
    assert.ok(readFileSync(join(dir, "lua/save.lua"), "utf8").length > 0);
    const loadedAtStart = staticImportsOf(dir, "main.mjs");
    assert.ok(loadedAtStart.has("zod"), [...loadedAtStart].join(", "));
    assert.not.ok(loadedAtStart.has("echarts"), "the drawing library is loaded only to draw");
    const bundled = refusalOf([entry], cwd);
    // The loader by its path: the empty directory has no node_modules to find "tsx" in.
    const fromSources = refusalOf(["--import", import.meta.resolve("tsx"), NODE_ENTRY], cwd);
    assert.is(bundled.status, 2, bundled.stderr);
    assert.is(bundled.status, fromSources.status, fromSources.stderr);
    assert.match(bundled.stderr, /Invalid configuration.*\n(.*\n)* {2}PEERS: /);
    assert.is(bundled.stderr, fromSources.stderr);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(cwd, { recursive: true, force: true });
  }
});

test.run();
