import { test } from "uvu";
import * as assert from "uvu/assert";
import { startAcceptingListeners } from "../../../scripts/lib/accepting-listeners.ts";
import { probeTcp } from "../../../shared/probe/tcp-probe.ts";

test("every listener answers a TCP connect probe on its own port", async () => {
  const listeners = await startAcceptingListeners(3);
  try {
    assert.is(new Set(listeners.ports).size, 3);
    for (const port of listeners.ports) {
      const outcome = await probeTcp({ host: "127.0.0.1", port }, { timeoutMs: 2000 });
      assert.ok(outcome.ok, `port ${port}: ${outcome.error}`);
    }
  } finally {
    await listeners.close();
  }
});

test("once closed, the ports refuse connections", async () => {
  const listeners = await startAcceptingListeners(1);
  await listeners.close();
  const outcome = await probeTcp(
    { host: "127.0.0.1", port: listeners.ports[0]! },
    { timeoutMs: 2000 },
  );
  assert.equal(outcome, { ok: false, error: "connection_refused" });
});

test.run();
