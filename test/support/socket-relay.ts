/**
 * Relays every connection made to a Unix socket on to host:port. Run inside
 * a network namespace: a Unix socket lives in the file system, not in a
 * namespace, so a test outside reaches a port inside through it without
 * touching the host's own interfaces.
 * `socket-relay.ts <socket path> <host> <port>`; prints `relaying` once listening.
 */
import { connect, createServer } from "node:net";

const [socketPath, host, portText] = process.argv.slice(2);
const port = Number(portText);
if (!socketPath || !host || !Number.isInteger(port) || port < 1 || port > 65_535) {
  process.stderr.write("usage: socket-relay.ts <socket path> <host> <port>\n");
  process.exit(2);
}

const server = createServer((incoming) => {
  const outgoing = connect({ host, port });
  incoming.pipe(outgoing).pipe(incoming);
  incoming.on("error", () => outgoing.destroy());
  outgoing.on("error", () => incoming.destroy());
  incoming.on("close", () => outgoing.destroy());
  outgoing.on("close", () => incoming.destroy());
});
server.listen(socketPath, () => process.stdout.write("relaying\n"));
