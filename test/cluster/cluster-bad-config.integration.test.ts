/**
 * The node checks its whole environment at start: any bad or missing
 * variable makes it exit with code 2 and one message naming every problem,
 * without repeating secrets.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { startSingleNode } from "../../scripts/lib/single-node.ts";

const EXIT_BAD_CONFIG = 2;
const EXIT_TIMEOUT_MS = 60_000;

async function exitOf(options: Parameters<typeof startSingleNode>[0]) {
  const node = await startSingleNode(options);
  try {
    const exit = await node.process.waitForExit(EXIT_TIMEOUT_MS);
    return { exit, output: node.process.output, listened: node.process.logLines.length > 0 };
  } finally {
    await node.cleanup();
  }
}

test("several bad variables: exit code 2 and one message listing each of them, secrets not repeated", async () => {
  const shortSecret = "short-secret-value";
  const { exit, output, listened } = await exitOf({
    env: {
      LISTEN: "localhost",
      PEERS: undefined,
      CLUSTER_SECRET: shortSecret,
      ADMIN_API_TOKEN: undefined,
      HEARTBEAT_MS: "0",
      ELECTION_TIMEOUT_MS: "fast",
    },
  });
  assert.equal(exit, { code: EXIT_BAD_CONFIG, signal: null });
  assert.not.ok(listened, "the node logged as if it started");
  assert.match(output, /Invalid configuration, 6 problems/);
  for (const variable of [
    "LISTEN",
    "PEERS",
    "CLUSTER_SECRET",
    "ADMIN_API_TOKEN",
    "HEARTBEAT_MS",
    "ELECTION_TIMEOUT_MS",
  ]) {
    assert.match(output, new RegExp(`^  ${variable}: `, "m"), `${variable} is not listed`);
  }
  assert.not.match(output, /NODE_ID:/, "a good variable was reported");
  assert.not.ok(output.includes(shortSecret), "the secret's value was printed");
});

test("an empty environment lists every required variable", async () => {
  const { exit, output } = await exitOf({
    env: {
      NODE_ID: undefined,
      LISTEN: undefined,
      PEERS: undefined,
      REDIS_URL: undefined,
      CLUSTER_SECRET: undefined,
      DATA_KEYS: undefined,
      ADMIN_API_TOKEN: undefined,
      HEARTBEAT_MS: undefined,
      ELECTION_TIMEOUT_MS: undefined,
    },
  });
  assert.is(exit.code, EXIT_BAD_CONFIG);
  for (const variable of [
    "NODE_ID",
    "LISTEN",
    "PEERS",
    "CLUSTER_SECRET",
    "DATA_KEYS",
    "ADMIN_API_TOKEN",
  ]) {
    assert.match(output, new RegExp(`^  ${variable}: is required`, "m"), variable);
  }
});

test("variables come from .env in the working directory, and the real environment wins over it", async () => {
  const { exit, output } = await exitOf({
    env: {
      NODE_ID: undefined,
      LISTEN: undefined,
      PEERS: undefined,
      CLUSTER_SECRET: undefined,
      ADMIN_API_TOKEN: undefined,
      ELECTION_TIMEOUT_MS: "soon",
    },
    dotenv: [
      "NODE_ID=n1",
      "LISTEN=127.0.0.1:1",
      "PEERS=n1=ws://127.0.0.1:1",
      "CLUSTER_SECRET=dotenv-cluster-secret-0123456789abcdef",
      "ADMIN_API_TOKEN=dotenv-admin-token-0123",
      "ELECTION_TIMEOUT_MS=1000",
      "",
    ].join("\n"),
  });
  assert.is(exit.code, EXIT_BAD_CONFIG);
  assert.match(output, /Invalid configuration, 1 problem\b/);
  assert.match(output, /^ {2}ELECTION_TIMEOUT_MS: .*"soon"/m);
});

test.run();
