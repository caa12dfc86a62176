/**
 * A production install (`npm ci --omit=dev`) runs the node, the probe
 * agent and the env file check: everything their code imports, and the
 * runner their npm scripts start them with, is a real dependency, not a
 * development one.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";

const RUNTIME_FOLDERS = ["app", "cluster", "bot", "shared", "probe-agent"];
/** Scripts a production install runs too: the env file check (scripts/install.sh) and a restore from a backup. */
const RUNTIME_SCRIPTS = ["scripts/check-env.ts", "scripts/restore.ts"];
const packageJson = JSON.parse(readFileSync("package.json", "utf8")) as {
  scripts: Record<string, string>;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.(ts|mjs)$/.test(name) ? [path] : [];
  });
}

/** `grammy/types` -> grammy, `@noble/hashes/hmac.js` -> @noble/hashes. */
function packageOf(specifier: string): string {
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0]!;
}

test("every package the runtime code imports is a dependency", () => {
  const imported = new Set<string>();
  for (const file of [...RUNTIME_FOLDERS.flatMap(sourceFiles), ...RUNTIME_SCRIPTS]) {
    const text = readFileSync(file, "utf8");
    const statements = /(?:^|\n)\s*(?:import|export)\s(?:[^;"]*?\sfrom\s)?"([^"]+)"/g;
    const dynamic = /\bimport\(\s*"([^"]+)"\s*\)/g;
    for (const match of [...text.matchAll(statements), ...text.matchAll(dynamic)]) {
      const specifier = match[1]!;
      if (!specifier.startsWith(".") && !specifier.startsWith("node:"))
        imported.add(packageOf(specifier));
    }
  }
  assert.ok(imported.size > 5, `found ${[...imported].join(", ")}`);
  const missing = [...imported].filter((name) => !(name in packageJson.dependencies));
  assert.equal(missing, [], "imported by runtime code but not a dependency");
});

test("npm start and npm run probe-agent need nothing but dependencies", () => {
  for (const script of ["start", "probe-agent"]) {
    const runner = packageJson.scripts[script]!.split(" ")[0]!;
    assert.ok(runner in packageJson.dependencies, `${script} runs ${runner}`);
    assert.not.ok(runner in packageJson.devDependencies, `${runner} is a development dependency`);
  }
});

test.run();
