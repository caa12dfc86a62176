/** JSON answers: the status, the body as JSON with its length, extra headers; nothing to a client that left. */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { type JsonResponse, writeJson } from "../../shared/json-response.ts";

async function serving(answer: JsonResponse, body: (url: string) => Promise<void>): Promise<void> {
  const server: Server = createServer((_request, response) => writeJson(response, answer));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  try {
    await body(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

test("the status, the body as JSON with its byte length, and the extra headers are sent", async () => {
  const answer = { status: 429, body: { note: "ünïcode" }, headers: { "Retry-After": "1" } };
  await serving(answer, async (url) => {
    const response = await fetch(url);
    assert.is(response.status, 429);
    assert.is(response.headers.get("content-type"), "application/json; charset=utf-8");
    assert.is(response.headers.get("retry-after"), "1");
    const text = await response.text();
    assert.is(response.headers.get("content-length"), String(Buffer.byteLength(text)));
    assert.equal(JSON.parse(text), { note: "ünïcode" });
  });
});

test("to a client that has gone nothing is written", async () => {
  const server = createServer();
  const written = new Promise<boolean>((resolve) => {
    server.on("request", (_request, response) => {
      response.destroy();
      writeJson(response, { status: 200, body: { ok: true } });
      resolve(response.headersSent);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  try {
    const { port } = server.address() as AddressInfo;
    await fetch(`http://127.0.0.1:${port}/`).catch(() => undefined);
    assert.is(await written, false);
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

test.run();
