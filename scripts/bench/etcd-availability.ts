import { spawnSync } from "node:child_process";
import { etcdInstalled } from "./etcd-system.ts";

/**
 * Whether the etcd comparison can run. With `install`, a missing etcd is
 * installed from Debian's packages (etcd-server, etcd-client) first; without
 * it, the benchmark says how to get the comparison and runs without it.
 */
export function etcdAvailable(install: boolean): boolean {
  if (etcdInstalled()) return true;
  if (!install) {
    process.stdout.write(
      "etcd is not installed, so there is no comparison; rerun with --install-etcd (runs apt-get install etcd-server etcd-client) to add it.\n",
    );
    return false;
  }
  process.stdout.write("Installing etcd-server and etcd-client with apt-get...\n");
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  for (const args of [
    ["update", "-qq"],
    ["install", "-y", "-qq", "--no-install-recommends", "etcd-server", "etcd-client"],
  ]) {
    const result = spawnSync("apt-get", args, { stdio: "inherit", env });
    if (result.status !== 0) {
      process.stdout.write(
        `apt-get ${args[0]} failed (exit ${result.status}); continuing without etcd.\n`,
      );
      return false;
    }
  }
  return etcdInstalled();
}
