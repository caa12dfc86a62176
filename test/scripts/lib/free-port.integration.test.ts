import { readFile } from "node:fs/promises";
import { createServer, type Server } from "node:net";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { freePortBlockBelowEphemeralRange } from "../../../scripts/lib/free-port.ts";

function listen(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve(server));
  });
}

test("a block of free ports lies wholly below the ephemeral range, and every port in it can be bound", async () => {
  const range = await readFile("/proc/sys/net/ipv4/ip_local_port_range", "utf8");
  const lowestEphemeral = Number(range.trim().split(/\s+/)[0]);
  const first = await freePortBlockBelowEphemeralRange(20);
  assert.ok(first >= 10_000, `first port ${first}`);
  assert.ok(first + 20 <= lowestEphemeral, `block ${first}-${first + 19} below ${lowestEphemeral}`);
  const servers: Server[] = [];
  try {
    for (let port = first; port < first + 20; port++) servers.push(await listen(port));
  } finally {
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  }
  assert.is(servers.length, 20);
});

test("a block too wide to fit below the ephemeral range is refused with a reason", async () => {
  try {
    await freePortBlockBelowEphemeralRange(65_000);
    assert.unreachable("a block of 65 000 ports cannot fit below the ephemeral range");
  } catch (error) {
    assert.match((error as Error).message, /no room for 65000 ports below the ephemeral range/);
  }
});

test.run();
