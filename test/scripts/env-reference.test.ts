import { readFileSync } from "node:fs";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { probeAgentEnvVariables } from "../../probe-agent/agent-config.ts";
import {
  envReferenceTable,
  probeAgentEnvReferenceTable,
  readmeEnvReference,
  readmeProbeAgentEnvReference,
} from "../../scripts/env-reference.ts";
import { envNames } from "../../shared/env-variables.ts";

test("the README's configuration reference lists every variable exactly as the validator describes it", () => {
  const inReadme = readmeEnvReference(readFileSync("README.md", "utf8"));
  assert.ok(inReadme, "README.md has the env-reference markers");
  assert.is(inReadme, envReferenceTable(), "run: npx tsx scripts/env-reference.ts --update-readme");
  for (const name of envNames) assert.match(inReadme!, `\`${name}\``);
});

test("the README's probe agent reference lists every variable the agent reads, exactly as its validator describes it", () => {
  const inReadme = readmeProbeAgentEnvReference(readFileSync("README.md", "utf8"));
  assert.ok(inReadme, "README.md has the probe-agent-env-reference markers");
  assert.is(
    inReadme,
    probeAgentEnvReferenceTable(),
    "run: npx tsx scripts/env-reference.ts --update-readme",
  );
  for (const name of Object.keys(probeAgentEnvVariables)) assert.match(inReadme!, `\`${name}\``);
});

test.run();
