import { readFile } from "node:fs/promises";
import { createServer, type Server } from "node:net";
import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  findFreePort,
  findFreePorts,
  freePortBlockBelowEphemeralRange,
  PORT_SLOT_VARIABLE,
  portRangeOfSlot,
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

test("suites running side by side pick from shares of the range that do not overlap", () => {
  const first = portRangeOfSlot(32_768, "0/2");
  const second = portRangeOfSlot(32_768, "1/2");
  assert.is(first.low, 10_000);
  assert.is(first.high, second.low);
  assert.ok(second.high <= 32_768, `second share ends at ${second.high}`);
  assert.equal(portRangeOfSlot(32_768, undefined), { low: 10_000, high: 32_768 });
});

test("a malformed port slot is refused with the form it must take", () => {
  for (const spec of ["2/2", "1", "a/b", "-1/2", "0/0", "1/2/3"]) {
    assert.throws(
      () => portRangeOfSlot(32_768, spec),
      (error: Error) => error.message.includes(`${PORT_SLOT_VARIABLE} must be <slot>/<slots>`),
      spec,
    );
  }
});

test("a process never gets the same port twice, even after the first holder let it go", async () => {
  const before = process.env[PORT_SLOT_VARIABLE];
  // A share 22 ports wide: twelve random picks from it would almost surely repeat one.
  process.env[PORT_SLOT_VARIABLE] = "0/999";
  try {
    const { low, high } = portRangeOfSlot(await lowestEphemeralPort(), "0/999");
    const ports: number[] = [];
    for (let i = 0; i < 12; i++) {
      const port = await findFreePort();
      assert.ok(port >= low && port < high, `port ${port} in ${low}-${high - 1}`);
      ports.push(port);
    }
    assert.is(new Set(ports).size, ports.length, `ports ${ports.join(", ")}`);
  } finally {
    if (before === undefined) delete process.env[PORT_SLOT_VARIABLE];
    else process.env[PORT_SLOT_VARIABLE] = before;
  }
});

test.run();
