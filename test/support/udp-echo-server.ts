/**
 * A UDP echo server for tests, run as a script (usually inside a test
 * network's namespace): `udp-echo-server.ts <host:port>...` answers every
 * datagram on each address with `echo <address> <datagram>`, and prints
 * `listening` once it is bound on all of them.
 */
import { createSocket } from "node:dgram";

const addresses = process.argv.slice(2);
await Promise.all(
  addresses.map(
    (address) =>
      new Promise<void>((resolve, reject) => {
        const [host = "", portText = ""] = address.split(/:(?=\d+$)/);
        const socket = createSocket(host.includes(":") ? "udp6" : "udp4");
        socket.on("message", (message, sender) =>
          socket.send(`echo ${address} ${message.toString("utf8")}`, sender.port, sender.address),
        );
        socket.once("error", reject);
        socket.bind(Number(portText), host, () => resolve());
      }),
  ),
);
process.stdout.write("listening\n");
