/**
 * A process's one HTTP port: plain HTTP or HTTPS with a certificate; a
 * request too malformed to parse gets 400 and the server goes on serving;
 * a port that cannot be opened is a rejection saying why.
 */
import type { Server } from "node:http";
import { request as httpsRequest } from "node:https";
import { type AddressInfo, connect } from "node:net";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { createHttpOrHttpsServer, listen, type ServerTls } from "../../shared/http-server.ts";
import { selfSignedCertificate } from "../support/self-signed-certificate.ts";

/** A server that answers every request with "ok". */
function answerOk(tls: ServerTls | undefined): Server {
  return createHttpOrHttpsServer((_request, response) => response.end("ok"), tls);
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

/** Sends `raw` over TCP and collects what comes back until the server closes the connection. */
function exchange(port: number, raw: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: "127.0.0.1", port });
    let received = "";
    socket.setEncoding("utf8");
    socket.setTimeout(10_000, () => socket.destroy(new Error("no answer within 10 s")));
    socket.on("data", (chunk: string) => {
      received += chunk;
    });
    socket.on("error", reject);
    socket.on("close", () => resolve(received));
    socket.end(raw);
  });
}

test("without a certificate it serves HTTP on the port it was given", async () => {
  const server = answerOk(undefined);
  await listen(server, "127.0.0.1", 0);
  try {
    const { port } = server.address() as AddressInfo;
    const response = await fetch(`http://127.0.0.1:${port}/`);
    assert.is(await response.text(), "ok");
  } finally {
    await closeServer(server);
  }
});

test("a request too malformed to parse is answered 400 and the next one is served", async () => {
  const server = answerOk(undefined);
  await listen(server, "127.0.0.1", 0);
  try {
    const { port } = server.address() as AddressInfo;
    const answer = await exchange(port, "NOT A REQUEST\r\n\r\n");
    assert.ok(answer.startsWith("HTTP/1.1 400 Bad Request\r\n"), answer);
    const response = await fetch(`http://127.0.0.1:${port}/`);
    assert.is(await response.text(), "ok");
  } finally {
    await closeServer(server);
  }
});

test("a client that never finishes its headers is cut off; connections beyond the cap are dropped", async () => {
  const server = createHttpOrHttpsServer((_request, response) => response.end("ok"), undefined, {
    headersTimeoutMs: 300,
    requestTimeoutMs: 600,
    keepAliveTimeoutMs: 300,
    maxConnections: 2,
  });
  await listen(server, "127.0.0.1", 0);
  try {
    const { port } = server.address() as AddressInfo;
    const startedAt = Date.now();
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect({ host: "127.0.0.1", port });
      let received = "";
      socket.setEncoding("utf8");
      socket.setTimeout(10_000, () => socket.destroy(new Error("not cut off within 10 s")));
      socket.on("data", (chunk: string) => {
        received += chunk;
      });
      socket.on("error", reject);
      socket.on("close", () => resolve(received));
      // Headers begun, never finished: a slow-loris.
      socket.write("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ");
    });
    assert.ok(Date.now() - startedAt < 5_000, "cut off within the headers timeout (and a check)");
    assert.match(answer, /^HTTP\/1\.1 408/);
    const holders = await Promise.all(
      [0, 1].map(
        () =>
          new Promise<ReturnType<typeof connect>>((resolve) => {
            const socket = connect({ host: "127.0.0.1", port }, () => resolve(socket));
          }),
      ),
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    const third = await exchange(port, "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").catch(
      (error: Error) => error.message,
    );
    assert.not.match(third, /ok$/, "the third connection is not served");
    for (const holder of holders) holder.destroy();
  } finally {
    await closeServer(server);
  }
});

test("with a certificate and key it serves HTTPS", async () => {
  const certificate = selfSignedCertificate();
  assert.ok(certificate, "openssl must be installed to make the test certificate");
  const server = answerOk(certificate);
  await listen(server, "127.0.0.1", 0);
  try {
    const { port } = server.address() as AddressInfo;
    const body = await new Promise<string>((resolve, reject) => {
      const request = httpsRequest(
        { host: "127.0.0.1", port, ca: certificate.cert, timeout: 10_000 },
        (response) => {
          let text = "";
          response.setEncoding("utf8");
          response.on("data", (chunk: string) => {
            text += chunk;
          });
          response.on("end", () => resolve(text));
        },
      );
      request.on("error", reject);
      request.on("timeout", () => request.destroy(new Error("no answer over HTTPS")));
      request.end();
    });
    assert.is(body, "ok");
  } finally {
    await closeServer(server);
  }
});

test("listening on a port that is taken rejects with EADDRINUSE", async () => {
  const first = answerOk(undefined);
  await listen(first, "127.0.0.1", 0);
  const second = answerOk(undefined);
  try {
    const { port } = first.address() as AddressInfo;
    const error = await listen(second, "127.0.0.1", port).then(
      () => undefined,
      (reason: NodeJS.ErrnoException) => reason,
    );
    assert.is(error?.code, "EADDRINUSE");
    assert.not.ok(second.listening);
  } finally {
    await closeServer(first);
  }
});

test.run();
