/**
 * Accepts TCP connections on host:port and closes each at once: a stand-in
 * for a VPN server's API port, which ban checks only connect to.
 * `accept-connections.ts <host> <port>`; prints `listening` once it does.
 */
import { createServer } from "node:net";

const [host, portText] = process.argv.slice(2);
const port = Number(portText);
if (!host || !Number.isInteger(port) || port < 1 || port > 65_535) {
  process.stderr.write("usage: accept-connections.ts <host> <port>\n");
  process.exit(2);
}

const server = createServer((socket) => {
  socket.on("error", () => socket.destroy());
  socket.end();
});
server.listen(port, host, () => process.stdout.write("listening\n"));
