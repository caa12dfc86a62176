/**
 * The node bundled into one ES module, with its worker threads' entries and
 * the Lua scripts it reads from beside itself, for test runs. A node started
 * from the bundle skips the TypeScript loader, which costs about a
 * CPU-second per start over some 300 modules, and a full test run starts
 * hundreds of nodes. The bundle is built from the same sources at the start
 * of each run (scripts/run-tests.ts); `npm start` and `npm run dev` run them
 * through tsx.
 *
 * What the node loads by a path relative to its own module (new URL(...,
 * import.meta.url)) must be laid out here the same way, or nodes started
 * from the bundle fail at start.
 */
import { cp, mkdir } from "node:fs/promises";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

/** Set by the test runner to the bundle's entry; spawnNode runs it instead of app/main.ts under tsx. */
export const NODE_BUNDLE_VARIABLE = "NEXALOAK_TEST_NODE_BUNDLE";

const root = (path: string) => fileURLToPath(new URL(`../../${path}`, import.meta.url));

/** Builds the bundle into `outDir` (inside the repository, so packages resolve); resolves with its entry, absolute. */
export async function buildNodeBundle(outDir: string): Promise<string> {
  await build({
    entryPoints: {
      main: root("app/main.ts"),
      // The worker threads' entries, where bot/qr-code-worker.ts and bot/charts/chart-renderer.ts look for them.
      "qr-code-thread": root("bot/qr-code-thread.ts"),
      "chart-thread": root("bot/charts/chart-thread.ts"),
    },
    outdir: outDir,
    outExtension: { ".js": ".mjs" },
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    packages: "external",
    // A dynamic import stays one: without splitting, esbuild inlines its target
    // and hoists the target's imports into main.mjs, so every node would load
    // ECharts at start (half a CPU-second) where the node itself loads it only
    // to draw a chart off its chart thread (bot/charts/chart-renderer.ts).
    splitting: true,
    logLevel: "warning",
  });
  // cluster/storage/lua-scripts.ts reads ./lua/*.lua beside itself.
  await mkdir(join(outDir, "lua"), { recursive: true });
  await cp(root("cluster/storage/lua"), join(outDir, "lua"), { recursive: true });
  return resolve(outDir, "main.mjs");
}
