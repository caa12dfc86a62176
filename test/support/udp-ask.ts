/**
 * Asks a UDP service once, for tests, run as a script (usually inside a test
 * network's namespace): `udp-ask.ts <host:port> <text> <timeoutMs>` sends
 * `text` and prints `answer: <what came back>`, or `no answer` when nothing
 * came within the timeout.
 */
import { createSocket } from "node:dgram";

const [address = "", text = "", timeoutText = "2000"] = process.argv.slice(2);
const [host = "", portText = ""] = address.split(/:(?=\d+$)/);
const socket = createSocket(host.includes(":") ? "udp6" : "udp4");
const timer = setTimeout(() => {
  process.stdout.write("no answer\n");
  socket.close();
}, Number(timeoutText));
socket.once("message", (message) => {
  clearTimeout(timer);
  process.stdout.write(`answer: ${message.toString("utf8")}\n`);
  socket.close();
});
socket.send(text, Number(portText), host);
