import { pino } from "pino";
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { CommandRunner } from "../../../cluster/agent/run-command.ts";
import { renderShadowsocksUdpGuardRemoval } from "../../../cluster/agent/shadowsocks-udp-guard.ts";
import { ShadowsocksUdpGuardTable } from "../../../cluster/agent/shadowsocks-udp-guard-table.ts";
import { waitUntil } from "../../../scripts/lib/cluster-harness.ts";
import { sleep } from "../../../shared/sleep.ts";

/** A table over a recording `nft` and resolvers the test changes, checked every 10 ms. */
function tableWith(resolvers: { now: readonly string[] | undefined }, nftFails = false) {
  const loads: string[] = [];
  const lines: string[] = [];
  const run: CommandRunner = async (_file, _args, options = {}) => {
    loads.push(options.stdin ?? "");
    return nftFails && loads.length > 1
      ? {
          ok: false,
          error: {
            code: "COMMAND_FAILED",
            message: "nft failed",
            command: "nft -f -",
            exitCode: 1,
            stderr: "",
          },
        }
      : { ok: true, value: { stdout: "", stderr: "" } };
  };
  const table = new ShadowsocksUdpGuardTable({
    ownerUid: 4242,
    blockedDestinations: ["10.0.0.0/8"],
    systemResolvers: async () => resolvers.now,
    run,
    logger: pino({ level: "info" }, { write: (line: string) => lines.push(line) }),
    resolverCheckMs: 10,
  });
  return { table, loads, lines };
}

const WAIT_MS = 2_000;

test("when the host's resolvers change, the loaded table follows them, once", async () => {
  const resolvers: { now: readonly string[] | undefined } = { now: ["10.255.255.53"] };
  const { table, loads, lines } = tableWith(resolvers);
  assert.ok((await table.load()).ok);
  assert.match(loads[0]!, "ip daddr 10.255.255.53 udp dport 53 accept");
  await sleep(50);
  assert.is(loads.length, 1, "resolvers unchanged: nothing loaded again");

  resolvers.now = ["10.0.0.2"];
  await waitUntil(() => loads.length >= 2, WAIT_MS, "a second load");
  assert.is(loads.length, 2);
  assert.match(loads[1]!, "ip daddr 10.0.0.2 udp dport 53 accept");
  assert.not.match(loads[1]!, "10.255.255.53");
  assert.ok(lines.some((line) => line.includes("resolvers changed")));

  await table.remove();
  assert.is(loads.at(-1), renderShadowsocksUdpGuardRemoval());
  const afterRemoval = loads.length;
  resolvers.now = ["10.0.0.3"];
  await sleep(50);
  assert.is(loads.length, afterRemoval, "a removed table follows nothing");
});

test("resolvers that become unknown open port 53 everywhere; a reload that fails keeps the table in the kernel and says so", async () => {
  const resolvers: { now: readonly string[] | undefined } = { now: ["10.255.255.53"] };
  const unknown = tableWith(resolvers);
  assert.ok((await unknown.table.load()).ok);
  resolvers.now = undefined;
  await waitUntil(() => unknown.loads.length >= 2, WAIT_MS, "a second load");
  assert.match(unknown.loads[1]!, "ip daddr 10.0.0.0/8 udp dport != 53 drop");
  await unknown.table.remove();

  const changing: { now: readonly string[] | undefined } = { now: ["10.255.255.53"] };
  const failing = tableWith(changing, true);
  assert.ok((await failing.table.load()).ok);
  changing.now = ["10.0.0.2"];
  await waitUntil(
    () => failing.lines.some((line) => line.includes("could not follow them")),
    WAIT_MS,
    "the failed reload logged",
  );
  assert.ok(
    failing.lines.some((line) => line.includes("could not follow them")),
    failing.lines.join(""),
  );
  await failing.table.remove();
});

test("a resolver check that throws is logged, and the checks go on", async () => {
  const lines: string[] = [];
  const loads: string[] = [];
  let calls = 0;
  const table = new ShadowsocksUdpGuardTable({
    ownerUid: 4242,
    blockedDestinations: ["10.0.0.0/8"],
    systemResolvers: async () => {
      calls++;
      if (calls === 2) throw new Error("resolv.conf vanished mid-read");
      return calls === 1 ? ["10.255.255.53"] : ["10.0.0.2"];
    },
    run: async (_file, _args, options = {}) => {
      loads.push(options.stdin ?? "");
      return { ok: true, value: { stdout: "", stderr: "" } };
    },
    logger: pino({ level: "info" }, { write: (line: string) => lines.push(line) }),
    resolverCheckMs: 10,
  });
  assert.ok((await table.load()).ok);
  await waitUntil(() => loads.length >= 2, WAIT_MS, "a second load");
  assert.match(loads[1]!, "ip daddr 10.0.0.2 udp dport 53 accept");
  assert.ok(lines.some((line) => line.includes("resolver check of the UDP guard failed")));
  await table.remove();
});

test.run();
