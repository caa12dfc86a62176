import { test } from "uvu";
import * as assert from "uvu/assert";
import { checkEnvText } from "../../scripts/check-env.ts";

const founding = [
  "NODE_ID=n1",
  "LISTEN=0.0.0.0:7001",
  "PEERS=n1=ws://203.0.113.7:7001",
  `CLUSTER_SECRET=${"a".repeat(64)}`,
  `DATA_KEYS=k1:${"b".repeat(64)}`,
  `ADMIN_API_TOKEN=sha256:${"c".repeat(64)}`,
].join("\n");

test("a founding server's file is accepted as the node would accept it", () => {
  assert.ok(checkEnvText(founding).ok);
});

test("a bad file is refused with the node's own message, secrets not repeated", () => {
  const checked = checkEnvText(`${founding.replace("PEERS=n1=", "PEERS=n2=")}\nWG_MTU=9000`);
  assert.not.ok(checked.ok);
  if (checked.ok) return;
  assert.is(checked.error.code, "INVALID_CONFIG");
  assert.match(checked.error.message, "PEERS: must include this node");
  assert.match(checked.error.message, "WG_MTU");
  assert.not.match(checked.error.message, "a".repeat(64));
});

test("only the file counts: a variable of the caller's environment does not fill a gap", () => {
  const previous = process.env.NODE_ID;
  process.env.NODE_ID = "n1";
  try {
    const checked = checkEnvText(founding.replace("NODE_ID=n1\n", ""));
    assert.not.ok(checked.ok);
    if (!checked.ok) assert.match(checked.error.message, "NODE_ID: is required");
  } finally {
    if (previous === undefined) delete process.env.NODE_ID;
    else process.env.NODE_ID = previous;
  }
});

test.run();
