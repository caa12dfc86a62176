import { test } from "uvu";
import * as assert from "uvu/assert";
import { DeliveryConfirmations } from "../../cluster/delivery-confirmations.ts";
import type { ControlPlaneCommandInput } from "../../cluster/fsm/commands.ts";

function recorder() {
  const proposed: ControlPlaneCommandInput[] = [];
  const confirmations = new DeliveryConfirmations(
    async (command) => {
      proposed.push(command);
    },
    () => 1234,
    5,
  );
  return { proposed, confirmations };
}

test("deliveries confirmed together are erased by one command", async () => {
  const { proposed, confirmations } = recorder();
  await Promise.all([
    confirmations.confirm(["a"]),
    confirmations.confirm(["b", "c"]),
    confirmations.confirm(["a"]),
  ]);
  assert.equal(proposed, [
    { type: "eraseConfigKeys", configIds: ["a", "b", "c"], reason: "delivered", at: 1234 },
  ]);
});

test("a confirmation after a batch left goes in the next one", async () => {
  const { proposed, confirmations } = recorder();
  await confirmations.confirm(["a"]);
  await confirmations.confirm(["b"]);
  assert.equal(
    proposed.map((command) => (command as { configIds: string[] }).configIds),
    [["a"], ["b"]],
  );
});

test("a burst larger than one command allows is split, in order", async () => {
  const { proposed, confirmations } = recorder();
  const ids = Array.from({ length: 2500 }, (_, index) => `c${index}`);
  await confirmations.confirm(ids);
  assert.equal(
    proposed.map((command) => (command as { configIds: string[] }).configIds.length),
    [1000, 1000, 500],
  );
});

test("a refused batch rejects the confirmations that waited for it", async () => {
  const confirmations = new DeliveryConfirmations(
    async () => {
      throw new Error("no leader");
    },
    () => 0,
    1,
  );
  const outcome = await confirmations.confirm(["a"]).then(
    () => "resolved",
    (error: Error) => error.message,
  );
  assert.is(outcome, "no leader");
});

test.run();
