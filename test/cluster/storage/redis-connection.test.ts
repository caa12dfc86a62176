import { test } from "uvu";
import * as assert from "uvu/assert";
import { connectionAdvice } from "../../../cluster/storage/redis-connection.ts";

function failure(code: string): Error {
  return Object.assign(new Error(`connect ${code}`), { code });
}

test("a TCP address that does not answer: check that Redis runs and is reachable", () => {
  assert.match(
    connectionAdvice("redis://127.0.0.1:6379", failure("ECONNREFUSED")),
    /running and reachable at that address/,
  );
});

test("a socket the node's user may not open: add the user to the socket's group", () => {
  assert.match(
    connectionAdvice("unix:///run/redis/redis-server.sock", failure("EACCES")),
    /may not open the socket: add it to the socket's group/,
  );
});

test("a socket that is not there, or no error seen yet: check Redis's unixsocket", () => {
  for (const error of [failure("ENOENT"), failure("ECONNREFUSED"), undefined])
    assert.match(
      connectionAdvice("unix:///run/redis/redis-server.sock", error),
      /unixsocket set to that path/,
    );
});

test.run();
