/**
 * The Shadowsocks client and probe against a real `ss-server` (Debian's
 * shadowsocks-libev) on a loopback port, relaying to HTTP servers on
 * loopback; and against loopback servers that answer garbage. Without
 * ss-server it is skipped, except under CI.
 */
import { randomBytes } from "node:crypto";
import { createServer as createHttpServer, type Server as HttpServer } from "node:http";
import { createServer, type Socket } from "node:net";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { findOnPath } from "../../../scripts/lib/executables.ts";
import { findFreePort } from "../../../scripts/lib/free-port.ts";
import {
  type ShadowsocksServerHandle,
  startShadowsocksServer,
} from "../../../scripts/lib/shadowsocks-server.ts";
import { runProbe } from "../../../shared/probe/run-probe.ts";
import {
  fetchThroughShadowsocks,
  probeShadowsocks,
} from "../../../shared/probe/shadowsocks-probe.ts";
import { AEAD_METHODS } from "../../../shared/shadowsocks/aead-methods.ts";
import { AeadStreamSealer } from "../../../shared/shadowsocks/aead-stream.ts";
import { masterKeyOf } from "../../../shared/shadowsocks/shadowsocks-keys.ts";
import { SHADOWSOCKS_METHODS } from "../../../shared/shadowsocks-method.ts";
import { type LoopbackServer, listenOnLoopback } from "./support/loopback-server.ts";

const PASSWORD = "a probe password 🔑";
/** Larger than one chunk, so the reply comes in several; within the client's reply bound. */
const PAGE = randomBytes(30_000).toString("base64");

async function httpServer(handler: Parameters<typeof createHttpServer>[1]): Promise<{
  port: number;
  server: HttpServer;
}> {
  const server = createHttpServer(handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  return { port: typeof address === "object" && address ? address.port : 0, server };
}

const withServer = suite<{
  servers: Map<string, ShadowsocksServerHandle>;
  page?: { port: number; server: HttpServer };
  failing?: { port: number; server: HttpServer };
}>("through a real ss-server", { servers: new Map() });

const missing = findOnPath("ss-server") === null;
if (missing && !process.env.CI) {
  withServer.skip("fetches (needs ss-server from shadowsocks-libev)", () => {});
} else {
  withServer.before(async (context) => {
    context.page = await httpServer((request, response) => {
      if (request.url === "/healthz") {
        response.writeHead(200, { "content-type": "application/json" });
        response.end('{"status":"ok"}');
        return;
      }
      response.writeHead(200, { "content-type": "text/plain", "content-length": PAGE.length });
      response.end(PAGE);
    });
    context.failing = await httpServer((_request, response) => {
      response.writeHead(503);
      response.end("not ready");
    });
    for (const method of SHADOWSOCKS_METHODS) {
      context.servers.set(method, await startShadowsocksServer({ method, password: PASSWORD }));
    }
  });

  withServer.after(async (context) => {
    for (const server of context.servers.values()) await server.stop();
    context.page?.server.close();
    context.failing?.server.close();
  });

  withServer(
    "a page is fetched through the server with every method, byte for byte",
    async (context) => {
      for (const method of SHADOWSOCKS_METHODS) {
        const server = context.servers.get(method)!;
        const reply = await fetchThroughShadowsocks(
          { host: "127.0.0.1", port: server.port, method, password: PASSWORD },
          { host: "127.0.0.1", port: context.page!.port, path: "/page" },
          { timeoutMs: 10_000 },
        );
        assert.ok(reply.ok, `${method}: ${JSON.stringify(reply)}`);
        if (!reply.ok) continue;
        assert.is(reply.status, 200);
        assert.is(reply.body.length, PAGE.length, method);
        assert.ok(reply.body.toString("latin1") === PAGE, `${method}: the page arrives unchanged`);
      }
    },
  );

  withServer(
    "the probe is ok when the relayed /healthz answers 200, through runProbe as the agent runs it",
    async (context) => {
      const server = context.servers.get("chacha20-ietf-poly1305")!;
      const outcome = await runProbe(
        {
          host: "127.0.0.1",
          port: server.port,
          protocol: "shadowsocks",
          shadowsocks: {
            method: "chacha20-ietf-poly1305",
            password: PASSWORD,
            relayTo: { host: "127.0.0.1", port: context.page!.port },
          },
        },
        { timeoutMs: 10_000 },
      );
      assert.ok(outcome.ok, JSON.stringify(outcome));
      assert.ok((outcome.rttMs ?? -1) >= 0);
    },
  );

  withServer(
    "another answer than 200 is shadowsocks_bad_response; a target that refuses is eof_error",
    async (context) => {
      const server = context.servers.get("aes-256-gcm")!;
      const credentials = {
        host: "127.0.0.1",
        port: server.port,
        method: "aes-256-gcm" as const,
        password: PASSWORD,
      };
      const failing = await probeShadowsocks(
        credentials,
        { host: "127.0.0.1", port: context.failing!.port },
        { timeoutMs: 10_000 },
      );
      assert.equal(failing, { ok: false, error: "shadowsocks_bad_response" });
      const closedPort = await findFreePort();
      const refused = await probeShadowsocks(
        credentials,
        { host: "127.0.0.1", port: closedPort },
        { timeoutMs: 10_000 },
      );
      assert.equal(refused, { ok: false, error: "eof_error" });
    },
  );

  withServer(
    "a wrong password fails cleanly by the timeout (ss-server answers nothing), and the server still serves",
    async (context) => {
      const server = context.servers.get("aes-128-gcm")!;
      const startedAt = Date.now();
      const wrong = await probeShadowsocks(
        {
          host: "127.0.0.1",
          port: server.port,
          method: "aes-128-gcm",
          password: "not the password",
        },
        { host: "127.0.0.1", port: context.page!.port },
        { timeoutMs: 1_500 },
      );
      assert.equal(wrong, { ok: false, error: "generic_timeout_error" });
      assert.ok(Date.now() - startedAt < 5_000);
      const right = await probeShadowsocks(
        { host: "127.0.0.1", port: server.port, method: "aes-128-gcm", password: PASSWORD },
        { host: "127.0.0.1", port: context.page!.port },
        { timeoutMs: 10_000 },
      );
      assert.ok(right.ok, JSON.stringify(right));
    },
  );

  withServer("another method with the right password fails too", async (context) => {
    const server = context.servers.get("aes-192-gcm")!;
    const outcome = await probeShadowsocks(
      { host: "127.0.0.1", port: server.port, method: "aes-128-gcm", password: PASSWORD },
      { host: "127.0.0.1", port: context.page!.port },
      { timeoutMs: 1_500 },
    );
    assert.is(outcome.ok, false);
  });
}

withServer.run();

/** Servers that answer what no Shadowsocks server would. */
const garbage = suite<{ servers: LoopbackServer[] }>("against servers that answer garbage", {
  servers: [],
});

garbage.after(async (context) => {
  for (const server of context.servers) await server.close();
});

async function answering(
  context: { servers: LoopbackServer[] },
  onConnection: (socket: Socket) => void,
): Promise<number> {
  const server = await listenOnLoopback(createServer(onConnection));
  context.servers.push(server);
  return server.port;
}

function probeAt(port: number, timeoutMs = 2_000) {
  return probeShadowsocks(
    { host: "127.0.0.1", port, method: "chacha20-ietf-poly1305", password: PASSWORD },
    { host: "127.0.0.1", port: 9 },
    { timeoutMs },
  );
}

const master = masterKeyOf(PASSWORD, AEAD_METHODS["chacha20-ietf-poly1305"].keyBytes);

garbage(
  "random bytes, a salt with a forged chunk, a close and a flood all end in a failure",
  async (context) => {
    const random = await answering(context, (socket) =>
      socket.once("data", () => socket.end(randomBytes(4096))),
    );
    const forged = await answering(context, (socket) =>
      socket.once("data", () => socket.end(Buffer.concat([randomBytes(32), randomBytes(18)]))),
    );
    const closes = await answering(context, (socket) => socket.end());
    const flood = await answering(context, (socket) => {
      const timer = setInterval(() => socket.write(randomBytes(16_384)), 5);
      socket.on("close", () => clearInterval(timer));
      socket.on("error", () => clearInterval(timer));
    });
    assert.equal(await probeAt(random), { ok: false, error: "shadowsocks_bad_response" });
    assert.equal(await probeAt(forged), { ok: false, error: "shadowsocks_bad_response" });
    assert.equal(await probeAt(closes), { ok: false, error: "eof_error" });
    assert.equal(await probeAt(flood), { ok: false, error: "shadowsocks_bad_response" });
  },
);

garbage(
  "a reply that authenticates but is not HTTP, or never ends its status line, is shadowsocks_bad_response",
  async (context) => {
    const notHttp = await answering(context, (socket) =>
      socket.once("data", () =>
        socket.write(
          new AeadStreamSealer("chacha20-ietf-poly1305", master).seal(
            Buffer.from("SSH-2.0-OpenSSH\r\n"),
          ),
        ),
      ),
    );
    const endless = await answering(context, (socket) => {
      const sealer = new AeadStreamSealer("chacha20-ietf-poly1305", master);
      socket.once("data", () => socket.write(sealer.seal(Buffer.alloc(5_000, 0x41))));
    });
    const healthy = await answering(context, (socket) =>
      socket.once("data", () =>
        socket.end(
          new AeadStreamSealer("chacha20-ietf-poly1305", master).seal(
            Buffer.from("HTTP/1.1 200 OK\r\n\r\n"),
          ),
        ),
      ),
    );
    assert.equal(await probeAt(notHttp), { ok: false, error: "shadowsocks_bad_response" });
    assert.equal(await probeAt(endless), { ok: false, error: "shadowsocks_bad_response" });
    assert.ok((await probeAt(healthy)).ok, "our own sealer's 200 reads as an answer");
  },
);

garbage(
  "a shadowsocks target without its credentials is invalid_request, measured nowhere",
  async () => {
    const outcome = await runProbe(
      { host: "127.0.0.1", port: 9, protocol: "shadowsocks" },
      { timeoutMs: 1_000 },
    );
    assert.equal(outcome, { ok: false, error: "invalid_request" });
  },
);

garbage.run();
