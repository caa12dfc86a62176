/**
 * Loaded before a unit suite (`npm run test:unit`): a unit test starts no
 * process and opens no socket, so this makes every way to do either throw.
 * A suite that needs them belongs to the integration tier instead.
 */
import childProcess from "node:child_process";
import { syncBuiltinESMExports } from "node:module";
import net from "node:net";

function refuse(what) {
  return () => {
    throw new Error(`a unit test may not ${what}; name the suite *.integration.test.ts`);
  };
}

for (const name of ["spawn", "spawnSync", "fork", "exec", "execSync", "execFile", "execFileSync"])
  childProcess[name] = refuse(`start a process (child_process.${name})`);
net.Server.prototype.listen = refuse("listen on a socket");
net.Socket.prototype.connect = refuse("open a network connection");
// Named imports (`import { spawn } from "node:child_process"`) see the fence too.
syncBuiltinESMExports();
