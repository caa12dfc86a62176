/**
 * A connection to `/raft` upgraded to WebSocket with no WebSocket client on
 * it, so whatever a test writes reaches the server's frame parser as raw bytes.
 */
import { randomBytes } from "node:crypto";
import { request as httpRequest } from "node:http";
import type { Duplex } from "node:stream";

/** Sends the upgrade request to 127.0.0.1:`port`/raft and resolves with the upgraded socket. */
export function openUpgradedSocket(port: number): Promise<Duplex> {
  const upgrade = httpRequest({
    host: "127.0.0.1",
    port,
    path: "/raft",
    headers: {
      Connection: "Upgrade",
      Upgrade: "websocket",
      "Sec-WebSocket-Key": randomBytes(16).toString("base64"),
      "Sec-WebSocket-Version": "13",
    },
  });
  upgrade.end();
  return new Promise<Duplex>((resolve, reject) => {
    upgrade.on("upgrade", (_response, upgraded: Duplex) => resolve(upgraded));
    upgrade.on("error", reject);
  });
}
