import { readFileSync } from "node:fs";
import { parse } from "dotenv";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { loadConfig } from "../../shared/config.ts";
import { envNames, envVariables } from "../../shared/env-variables.ts";

const envExampleText = readFileSync(new URL("../../.env.example", import.meta.url), "utf8");

/** Each `NAME=value` line of .env.example with the comment lines right above it. */
function documentedVariables(): { name: string; comment: string }[] {
  const found: { name: string; comment: string }[] = [];
  let comment: string[] = [];
  for (const line of envExampleText.split("\n")) {
    const assignment = /^([A-Z][A-Z0-9_]*)=/.exec(line);
    if (assignment) {
      found.push({ name: assignment[1] ?? "", comment: comment.join(" ") });
      comment = [];
    } else if (line.startsWith("#")) {
      comment.push(line.replace(/^#\s?/, ""));
    } else {
      comment = [];
    }
  }
  return found;
}

test("every variable's example passes its own validation", () => {
  for (const name of envNames) {
    const { schema, example } = envVariables[name];
    const parsed = schema.safeParse(example);
    assert.ok(parsed.success, `${name}=${example}: ${parsed.error?.message}`);
  }
});

test("the examples together form a valid configuration once the published secrets are your own", () => {
  const env: Record<string, string> = Object.fromEntries(
    envNames.map((name) => [name, envVariables[name].example]),
  );
  const published = loadConfig(env);
  assert.not.ok(published.ok, "the published secrets are refused");
  env.CLUSTER_SECRET = "a-cluster-secret-of-my-own-0123456789abcdef";
  env.ADMIN_API_TOKEN = "an-admin-token-of-my-own";
  env.DATA_KEYS = "k1:a-data-key-of-my-own-0123456789abcdef";
  const config = loadConfig(env);
  assert.ok(config.ok, config.ok ? "" : config.error.message);
});

test("WG_MTU is a whole number of bytes from 1280 to 1440, 1280 by default", () => {
  const { schema, whenUnset } = envVariables.WG_MTU;
  assert.is(whenUnset.raw, "1280");
  for (const good of ["1280", "1420", "1440"]) assert.ok(schema.safeParse(good).success, good);
  for (const bad of ["1279", "1441", "9000", "1300.5", "1e3", "mtu", "-1280"]) {
    const parsed = schema.safeParse(bad);
    assert.not.ok(parsed.success, bad);
  }
});

test("CLIENT_DNS is one to four IP addresses, comma-separated, Cloudflare's and Google's by default", () => {
  const { schema, whenUnset } = envVariables.CLIENT_DNS;
  assert.is(whenUnset.raw, "1.1.1.1,8.8.8.8");
  assert.equal(schema.parse("9.9.9.9, 2620:fe::fe"), ["9.9.9.9", "2620:fe::fe"]);
  assert.equal(schema.parse("9.9.9.9,9.9.9.9"), ["9.9.9.9"], "repeats are dropped");
  for (const bad of [
    "dns.example",
    "1.1.1.1,",
    "1.1.1.1 8.8.8.8",
    "1.1.1.1,1.0.0.1,8.8.8.8,8.8.4.4,9.9.9.9",
  ]) {
    const parsed = schema.safeParse(bad);
    assert.not.ok(parsed.success, bad);
    assert.match(parsed.error?.issues[0]?.message ?? "", /IP addresses, comma-separated/);
  }
});

test("WG_CLIENT_TO_CLIENT is off unless switched on", () => {
  const { schema, whenUnset } = envVariables.WG_CLIENT_TO_CLIENT;
  assert.is(whenUnset.raw, "false");
  assert.is(schema.parse("1"), true);
  assert.is(schema.parse("no"), false);
  assert.not.ok(schema.safeParse("maybe").success);
});

test("every default passes its variable's validation", () => {
  for (const name of envNames) {
    const whenUnset: { kind: string; raw?: string } = envVariables[name].whenUnset;
    if (whenUnset.raw === undefined) continue;
    assert.ok(envVariables[name].schema.safeParse(whenUnset.raw).success, name);
  }
});

test(".env.example documents exactly the variables the node reads, in the same order", () => {
  assert.equal(
    documentedVariables().map(({ name }) => name),
    envNames,
  );
});

test(".env.example's comment above each variable starts with the variable's doc text", () => {
  for (const { name, comment } of documentedVariables()) {
    const variable = envVariables[name as keyof typeof envVariables];
    assert.ok(comment.startsWith(variable.doc), `${name}: ${comment}`);
  }
});

test(".env.example marks required variables and states defaults", () => {
  for (const { name, comment } of documentedVariables()) {
    const whenUnset: { kind: string; raw?: string } =
      envVariables[name as keyof typeof envVariables].whenUnset;
    if (whenUnset.kind === "required") assert.match(comment, /Required\./, name);
    if (whenUnset.raw !== undefined) assert.ok(comment.includes(`Default: ${whenUnset.raw}`), name);
  }
});

test(".env.example is a valid configuration for one local node once its three secrets are your own", () => {
  const example = parse(envExampleText);
  const asPublished = loadConfig(example);
  assert.ok(
    !asPublished.ok && /CLUSTER_SECRET: is the example value/.test(asPublished.error.message),
  );
  const config = loadConfig({
    ...example,
    CLUSTER_SECRET: "a-cluster-secret-of-my-own-0123456789abcdef",
    ADMIN_API_TOKEN: "an-admin-token-of-my-own",
    DATA_KEYS: "k1:a-data-key-of-my-own-0123456789abcdef",
  });
  assert.ok(config.ok, config.ok ? "" : config.error.message);
  assert.equal([...config.value.peers.keys()], [config.value.nodeId]);
  assert.is(config.value.listen.host, "127.0.0.1");
  assert.is(config.value.serverTls, undefined);
});

test.run();
