import { readFile } from "node:fs/promises";
import { createServer, type Server } from "node:net";
import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  findFreePort,
  findFreePorts,
  freePortBlockBelowEphemeralRange,
} from "../../../scripts/lib/free-port.ts";

function listen(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve(server));
  });
}

async function lowestEphemeralPort(): Promise<number> {
  const range = await readFile("/proc/sys/net/ipv4/ip_local_port_range", "utf8");
  return Number(range.trim().split(/\s+/)[0]);
}

test("a free port lies below the ephemeral range, where no outgoing connection takes it, and can be bound", async () => {
  const lowestEphemeral = await lowestEphemeralPort();
  const port = await findFreePort();
  assert.ok(port >= 10_000 && port < lowestEphemeral, `port ${port} below ${lowestEphemeral}`);
  const server = await listen(port);
  await new Promise((resolve) => server.close(resolve));
});

test("free ports asked for together are distinct and below the ephemeral range", async () => {
  const lowestEphemeral = await lowestEphemeralPort();
  const ports = await findFreePorts(8);
  assert.is(new Set(ports).size, 8);
  for (const port of ports)
    assert.ok(port < lowestEphemeral, `port ${port} below ${lowestEphemeral}`);
});

test("a block of free ports lies wholly below the ephemeral range, and every port in it can be bound", async () => {
  const lowestEphemeral = await lowestEphemeralPort();
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
