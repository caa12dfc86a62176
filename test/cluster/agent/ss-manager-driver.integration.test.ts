import { mkdtempSync, rmSync, statSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { createServer as createNetServer, type Server as NetServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { CommandResult, CommandRunner } from "../../../cluster/agent/run-command.ts";
import { renderShadowsocksUdpGuardRemoval } from "../../../cluster/agent/shadowsocks-udp-guard.ts";
import { SsManagerDriver } from "../../../cluster/agent/ss-manager-driver.ts";
import { findFreePorts } from "../../../scripts/lib/free-port.ts";
import {
  BLOCKED_BESIDE_LOOPBACK_PAGE,
  exchangeThroughSocks,
  fetchThroughSocks,
  LOOPBACK_PAGE_HOST,
  startShadowsocksClient,
} from "../../../scripts/lib/shadowsocks-client.ts";
import { acceptsTcp } from "../../../scripts/lib/tcp-accepts.ts";
import { silentLogger } from "../../../shared/silent-logger.ts";
import { sleep } from "../../../shared/sleep.ts";
import { isAlive, readPidFile, waitUntilGone } from "../../support/process-liveness.ts";

const workDirs: string[] = [];
let page: Server;
let pagePort = 0;

function driverIn(
  workDir: string,
  blockedDestinations: readonly string[] = BLOCKED_BESIDE_LOOPBACK_PAGE,
): SsManagerDriver {
  return new SsManagerDriver({
    workDir,
    listenHost: "127.0.0.1",
    defaultMethod: "chacha20-ietf-poly1305",
    blockedDestinations,
    logger: silentLogger,
  });
}

function freshDriver(blockedDestinations?: readonly string[]): {
  driver: SsManagerDriver;
  workDir: string;
} {
  const workDir = join(mkdtempSync(join(tmpdir(), "nxl-ss-")), "shadowsocks");
  workDirs.push(workDir);
  return { driver: driverIn(workDir, blockedDestinations), workDir };
}

/**
 * Fetches the page through the port. ss-manager answers an add once it has
 * started the port's ss-server, which may not listen yet: wait until it does
 * (at most 5 s), as a user connecting seconds later would find it.
 */
async function fetchVia(port: number, password: string, method = "chacha20-ietf-poly1305") {
  await untilListening(port);
  return fetchViaNow(port, password, method);
}

/** Waits (at most 5 s) until the port's ss-server accepts connections. */
async function untilListening(port: number): Promise<void> {
  for (let attempt = 0; attempt < 50 && !(await acceptsTcp("127.0.0.1", port)); attempt++)
    await sleep(100);
}

/** Fetches the page through the port at once, whether anything listens there or not. */
async function fetchViaNow(port: number, password: string, method = "chacha20-ietf-poly1305") {
  const client = await startShadowsocksClient({ host: "127.0.0.1", port, password, method });
  try {
    return await fetchThroughSocks(
      client.socksPort,
      { host: LOOPBACK_PAGE_HOST, port: pagePort, path: "/" },
      3_000,
    );
  } finally {
    await client.stop();
  }
}

/** A private service of the server (as its Redis is): answers +PONG to whoever connects. */
async function startPrivateService(host: string, port: number): Promise<NetServer> {
  const service = createNetServer((socket) => socket.end("+PONG\r\n"));
  await new Promise<void>((resolve) => service.listen(port, host, resolve));
  return service;
}

test.before(async () => {
  page = createServer((_request, response) => response.end("through the proxy"));
  await new Promise<void>((resolve) => page.listen(0, LOOPBACK_PAGE_HOST, resolve));
  pagePort = (page.address() as { port: number }).port;
});

test.after(() => {
  page.close();
  for (const dir of workDirs) rmSync(join(dir, ".."), { recursive: true, force: true });
});

test("ports are added and removed one at a time, each served with its own password and cipher", async () => {
  const { driver, workDir } = freshDriver();
  const [first, second] = await findFreePorts(2);
  assert.equal(await driver.start(), { ok: true, value: undefined });
  assert.is(statSync(workDir).mode & 0o777, 0o700, "passwords are written there: owner only");
  try {
    assert.ok(
      (await driver.addPort({ port: first!, password: "pw-one", method: "chacha20-ietf-poly1305" }))
        .ok,
    );
    assert.ok(
      (await driver.addPort({ port: second!, password: "pw-two", method: "aes-256-gcm" })).ok,
    );
    assert.equal(await driver.listPorts(), {
      ok: true,
      value: [
        { port: first!, password: "pw-one", method: "chacha20-ietf-poly1305" },
        { port: second!, password: "pw-two", method: "aes-256-gcm" },
      ].sort((a, b) => a.port - b.port),
    });
    assert.match(await fetchVia(first!, "pw-one"), /through the proxy/);
    assert.match(await fetchVia(second!, "pw-two", "aes-256-gcm"), /through the proxy/);
    await fetchVia(first!, "a-wrong-password").then(
      () => assert.unreachable("a wrong password gets nothing"),
      () => undefined,
    );

    assert.ok((await driver.removePort(first!)).ok);
    await fetchViaNow(first!, "pw-one").then(
      () => assert.unreachable("a removed port serves nothing"),
      () => undefined,
    );
    assert.match(
      await fetchVia(second!, "pw-two", "aes-256-gcm"),
      /through the proxy/,
      "the other port stays",
    );
  } finally {
    await driver.stop();
  }
});

test("no client reaches a blocked network: the server's own address, by name, as IPv6 or as 0.0.0.0", async () => {
  const [servicePort, configPort, openConfigPort] = await findFreePorts(3);
  const onServer = await startPrivateService("127.0.0.1", servicePort!);
  const onPageHost = await startPrivateService(LOOPBACK_PAGE_HOST, servicePort!);
  const { driver } = freshDriver();
  const { driver: unblocked } = freshDriver([]);
  const key = { password: "pw-acl", method: "chacha20-ietf-poly1305" as const };
  try {
    assert.ok((await driver.start()).ok);
    assert.ok((await driver.addPort({ port: configPort!, ...key })).ok);
    // A refusal must come from the list, not from a port that does not listen yet.
    await untilListening(configPort!);
    const client = await startShadowsocksClient({ host: "127.0.0.1", port: configPort!, ...key });
    const ask = (host: string) =>
      exchangeThroughSocks(client.socksPort, { host, port: servicePort! }, "PING\r\n", 3_000);
    try {
      for (const host of ["127.0.0.1", "localhost", "::ffff:7f00:1", "0.0.0.0", "::1"]) {
        await ask(host).then(
          (answer) => assert.unreachable(`${host} is blocked, yet it answered ${answer}`),
          // Refused at once, or (on a loaded machine) silent until the deadline: either way, no answer.
          (error: Error) => assert.match(error.message, /without an answer|no answer/, host),
        );
      }
      assert.is(await ask(LOOPBACK_PAGE_HOST), "+PONG\r\n", "an address not in the list is served");
    } finally {
      await client.stop();
    }

    // The same request through a server with nothing blocked gets through: the list is what refuses.
    assert.ok((await unblocked.start()).ok);
    assert.ok((await unblocked.addPort({ port: openConfigPort!, ...key })).ok);
    await untilListening(openConfigPort!);
    const open = await startShadowsocksClient({ host: "127.0.0.1", port: openConfigPort!, ...key });
    try {
      assert.is(
        await exchangeThroughSocks(
          open.socksPort,
          { host: "127.0.0.1", port: servicePort! },
          "PING\r\n",
          3_000,
        ),
        "+PONG\r\n",
      );
    } finally {
      await open.stop();
    }
  } finally {
    await driver.stop();
    await unblocked.stop();
    onServer.close();
    onPageHost.close();
  }
});

test("per-port traffic comes from ss-manager's stat answer, once ss-server reports it", async () => {
  const { driver } = freshDriver();
  const [port] = await findFreePorts(1);
  assert.ok((await driver.start()).ok);
  try {
    assert.ok(
      (await driver.addPort({ port: port!, password: "pw", method: "chacha20-ietf-poly1305" })).ok,
    );
    assert.equal(await driver.readTraffic(), { ok: true, value: [{ port: port!, bytes: 0 }] });
    await fetchVia(port!, "pw");
    let bytes = 0;
    // ss-server reports its counters to ss-manager every few seconds.
    for (let attempt = 0; attempt < 30 && bytes === 0; attempt++) {
      await sleep(500);
      const traffic = await driver.readTraffic();
      assert.ok(traffic.ok);
      bytes = traffic.ok ? (traffic.value[0]?.bytes ?? 0) : 0;
    }
    assert.ok(bytes > 0, "the fetch was counted");
  } finally {
    await driver.stop();
  }
});

test("a port taken by another program is refused, and ss-manager keeps serving the rest", async () => {
  const { driver } = freshDriver();
  const [taken, free] = await findFreePorts(2);
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(taken, "127.0.0.1", resolve));
  assert.ok((await driver.start()).ok);
  try {
    const refused = await driver.addPort({ port: taken!, password: "pw", method: "aes-128-gcm" });
    assert.is(refused.ok ? "" : refused.error.code, "SS_MANAGER_REFUSED");
    assert.ok((await driver.addPort({ port: free!, password: "pw", method: "aes-128-gcm" })).ok);
    assert.match(await fetchVia(free!, "pw", "aes-128-gcm"), /through the proxy/);
  } finally {
    blocker.close();
    await driver.stop();
  }
});

test("after ss-manager is killed outright, a new start ends the ss-servers it left and serves afresh", async () => {
  const { driver, workDir } = freshDriver();
  const [port] = await findFreePorts(1);
  assert.ok((await driver.start()).ok);
  assert.ok(
    (await driver.addPort({ port: port!, password: "pw", method: "chacha20-ietf-poly1305" })).ok,
  );
  const managerPid = readPidFile(join(workDir, "ss-manager.pid"));
  const serverPid = readPidFile(join(workDir, "servers", `.shadowsocks_${port}.pid`));
  process.kill(managerPid, "SIGKILL");
  assert.ok(await waitUntilGone(managerPid, 3_000));
  assert.ok(isAlive(serverPid), "its ss-server outlives it, still holding the port");

  const restarted = driverIn(workDir);
  try {
    assert.equal(await restarted.start(), { ok: true, value: undefined });
    assert.ok(await waitUntilGone(serverPid, 3_000), "the leftover ss-server is ended");
    assert.equal(
      await restarted.listPorts(),
      { ok: true, value: [] },
      "a fresh start serves nothing",
    );
    assert.ok(
      (await restarted.addPort({ port: port!, password: "pw2", method: "chacha20-ietf-poly1305" }))
        .ok,
    );
    assert.match(await fetchVia(port!, "pw2"), /through the proxy/);
  } finally {
    await restarted.stop();
    await driver.stop();
  }
});

test("stop ends ss-manager and every ss-server; commands then fail as values", async () => {
  const { driver, workDir } = freshDriver();
  const [port] = await findFreePorts(1);
  assert.ok((await driver.start()).ok);
  assert.ok(
    (await driver.addPort({ port: port!, password: "pw", method: "chacha20-ietf-poly1305" })).ok,
  );
  const serverPid = readPidFile(join(workDir, "servers", `.shadowsocks_${port}.pid`));
  await driver.stop();
  assert.ok(await waitUntilGone(serverPid, 3_000));
  const after = await driver.readTraffic();
  assert.is(after.ok ? "" : after.error.code, "SS_MANAGER_UNREACHABLE");
});

test("a missing ss-manager is SS_TOOL_MISSING, not a crash", async () => {
  const workDir = join(mkdtempSync(join(tmpdir(), "nxl-ss-")), "shadowsocks");
  workDirs.push(workDir);
  const driver = new SsManagerDriver({
    workDir,
    listenHost: "127.0.0.1",
    defaultMethod: "chacha20-ietf-poly1305",
    ssManagerPath: "/nonexistent/ss-manager",
    blockedDestinations: [],
    logger: silentLogger,
  });
  const started = await driver.start();
  assert.is(started.ok ? "" : started.error.code, "SS_TOOL_MISSING");
});

/** A runner that records every command (and what it was given on stdin) and answers each with `answer`. */
function recordingRunner(answer: CommandResult = { ok: true, value: { stdout: "", stderr: "" } }) {
  const calls: { file: string; args: readonly string[]; stdin: string }[] = [];
  const run: CommandRunner = async (file, args, options = {}) => {
    calls.push({ file, args, stdin: options.stdin ?? "" });
    return answer;
  };
  return { calls, run };
}

function guardedDriver(
  ownerUid: number,
  run: CommandRunner,
  logger = silentLogger,
  systemResolvers: () => Promise<readonly string[] | undefined> = async () => ["127.0.0.53"],
) {
  const workDir = join(mkdtempSync(join(tmpdir(), "nxl-ss-")), "shadowsocks");
  workDirs.push(workDir);
  return new SsManagerDriver({
    workDir,
    listenHost: "127.0.0.1",
    defaultMethod: "chacha20-ietf-poly1305",
    blockedDestinations: ["127.0.0.0/8", "::/96"],
    ownerUid,
    runCommand: run,
    systemResolvers,
    logger,
  });
}

test("a node that is not root loads the UDP guard for its own user before ss-manager starts, and removes it once every ss-server ended", async () => {
  const { calls, run } = recordingRunner();
  const driver = guardedDriver(4242, run);
  try {
    assert.ok((await driver.start()).ok);
    assert.is(calls.length, 1);
    assert.equal([calls[0]!.file, ...calls[0]!.args], ["nft", "-f", "-"]);
    assert.match(
      calls[0]!.stdin,
      /meta skuid 4242 ct state new ip daddr 127\.0\.0\.0\/8 meta l4proto udp drop/,
    );
    assert.match(
      calls[0]!.stdin,
      /meta skuid 4242 ct state new ip6 daddr ::\/96 meta l4proto udp drop/,
    );
    assert.match(calls[0]!.stdin, /meta skuid 4242 ip daddr 127\.0\.0\.53 udp dport 53 accept/);
    assert.ok((await driver.listPorts()).ok, "ss-manager runs once the guard is in");
  } finally {
    await driver.stop();
  }
  assert.is(calls.length, 2);
  assert.is(calls[1]!.stdin, renderShadowsocksUdpGuardRemoval());
});

test("with this host's resolvers unknown, the guard leaves port 53 open on blocked networks and the log says so", async () => {
  const { calls, run } = recordingRunner();
  const lines: string[] = [];
  const logger = pino({ level: "info" }, { write: (line: string) => lines.push(line) });
  const driver = guardedDriver(4242, run, logger, async () => undefined);
  try {
    assert.ok((await driver.start()).ok);
  } finally {
    await driver.stop();
  }
  assert.match(calls[0]!.stdin, /ct state new ip daddr 127\.0\.0\.0\/8 udp dport != 53 drop/);
  assert.ok(
    lines.some((line) => line.includes("resolvers are unknown")),
    lines.join(""),
  );
});

test("a UDP guard that cannot be loaded keeps ss-manager from starting: SS_UDP_GUARD_FAILED, with what to do", async () => {
  const { run } = recordingRunner({
    ok: false,
    error: {
      code: "COMMAND_FAILED",
      message: "nft -f - failed (exit 1): Operation not permitted",
      command: "nft -f -",
      exitCode: 1,
      stderr: "Operation not permitted",
    },
  });
  const driver = guardedDriver(4242, run);
  try {
    const started = await driver.start();
    assert.is(started.ok ? "" : started.error.code, "SS_UDP_GUARD_FAILED");
    assert.match(started.ok ? "" : started.error.message, /Operation not permitted.*CAP_NET_ADMIN/);
    const listed = await driver.listPorts();
    assert.is(listed.ok ? "" : listed.error.code, "SS_MANAGER_UNREACHABLE");
  } finally {
    await driver.stop();
  }
});

test("as root no guard is loaded (it would hold every root process of the host), and the log says so", async () => {
  const { calls, run } = recordingRunner();
  const lines: string[] = [];
  const logger = pino({ level: "info" }, { write: (line: string) => lines.push(line) });
  const driver = guardedDriver(0, run, logger);
  try {
    assert.ok((await driver.start()).ok);
  } finally {
    await driver.stop();
  }
  assert.equal(calls, []);
  assert.ok(
    lines.some((line) => line.includes("the node runs as root") && line.includes("UDP relay")),
    lines.join(""),
  );
});

test.run();
