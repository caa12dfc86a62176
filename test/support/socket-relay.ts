/**
 * Relays every connection made to one address on to another; each address
 * is a Unix socket path (it starts with `/`) or host:port. Run inside a
 * network namespace: a Unix socket lives in the file system, not in a
 * namespace, so a process outside and a port inside meet through it without
 * touching the host's own interfaces.
 * `socket-relay.ts <listen address> <connect address>`; prints `relaying` once listening.
 */
import { connect, createServer, type ListenOptions, type NetConnectOpts } from "node:net";
import { joinSockets } from "./join-sockets.ts";

/** A Unix socket path, or host:port; undefined when it is neither. */
function parseAddress(text: string | undefined): { path: string } | ListenOptions | undefined {
  if (text === undefined) return undefined;
  if (text.startsWith("/")) return { path: text };
  const colon = text.lastIndexOf(":");
  const port = Number(text.slice(colon + 1));
  if (colon < 1 || !Number.isInteger(port) || port < 1 || port > 65_535) return undefined;
  return { host: text.slice(0, colon), port };
}

const listenAt = parseAddress(process.argv[2]);
const connectTo = parseAddress(process.argv[3]);
if (!listenAt || !connectTo) {
  process.stderr.write(
    "usage: socket-relay.ts <socket path | host:port> <socket path | host:port>\n",
  );
  process.exit(2);
}

const server = createServer((incoming) =>
  joinSockets(incoming, connect(connectTo as NetConnectOpts)),
);
server.listen(listenAt, () => process.stdout.write("relaying\n"));
