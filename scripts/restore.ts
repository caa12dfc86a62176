/**
 * `npm run restore -- <backup file> [--dry-run]`: founds a new cluster from a
 * backup when every server is lost (see cluster/backup/restore-backup.ts).
 * Run it on the new founding server, with the node's environment (`.env`
 * or the environment, as `npm start` reads it: NODE_ID, PEERS with this node
 * alone, REDIS_URL, ...), before the node's first start.
 *
 * The passphrase comes from BACKUP_PASSPHRASE, or else from the first line
 * of standard input (typed without echo on a terminal); never from the
 * command line, where other users and the shell's history would see it.
 * `--dry-run` opens and checks the file and the target and writes nothing.
 *
 * Exits 0 once restored, 2 when the file, the passphrase or the target is
 * refused (nothing was written), 1 when Redis fails.
 */
import { readFileSync } from "node:fs";
import { restoreBackup } from "../cluster/backup/restore-backup.ts";
import { RaftLogStore } from "../cluster/storage/raft-log-store.ts";
import { connectRedis } from "../cluster/storage/redis-connection.ts";
import { loadConfigFromProcess } from "../shared/config.ts";

const USAGE =
  "usage: npm run restore -- <backup file> [--dry-run]   (passphrase: BACKUP_PASSPHRASE or stdin)";

function fail(message: string, code = 2): never {
  process.stderr.write(`${message}\n`);
  process.exit(code);
}

/** The first line of stdin; on a terminal, read without echoing it. */
function readPassphrase(): Promise<string> {
  const input = process.stdin;
  if (input.isTTY) process.stderr.write("Backup passphrase: ");
  return new Promise((resolve) => {
    let text = "";
    if (input.isTTY) input.setRawMode(true);
    input.setEncoding("utf8");
    const finish = () => {
      input.off("data", onData);
      input.off("end", finish);
      if (input.isTTY) {
        input.setRawMode(false);
        process.stderr.write("\n");
      }
      input.pause();
      resolve(text);
    };
    const onData = (chunk: string) => {
      for (const character of chunk) {
        if (character === "\n" || character === "\r") return finish();
        if (character === "\u0003") fail("cancelled");
        text += character;
      }
    };
    input.on("data", onData);
    input.on("end", finish);
  });
}

async function main(): Promise<void> {
  const args = process.argv.slice(2).filter((arg) => arg !== "--");
  const dryRun = args.includes("--dry-run");
  const paths = args.filter((arg) => arg !== "--dry-run");
  if (paths.length !== 1 || paths[0]!.startsWith("-")) fail(USAGE);
  let file: Buffer;
  try {
    file = readFileSync(paths[0]!);
  } catch (cause) {
    fail(`Cannot read ${paths[0]}: ${(cause as Error).message}`);
  }
  const config = loadConfigFromProcess();
  const passphrase = process.env.BACKUP_PASSPHRASE ?? (await readPassphrase());
  if (passphrase === "") fail("No passphrase: set BACKUP_PASSPHRASE or type it on standard input");
  const redis = await connectRedis(config.redisUrl, { connectionName: "nexaloak-restore" });
  try {
    const restored = await restoreBackup(
      file,
      passphrase,
      {
        nodeId: config.nodeId,
        peers: config.peers,
        store: new RaftLogStore(redis, config.redisPrefix),
      },
      { restoredAt: Date.now(), dryRun },
    );
    if (!restored.ok)
      fail(`${restored.error.code}: ${restored.error.message}. Nothing was written.`);
    const { header, counts, restoredPartsHash, written } = restored.value;
    process.stdout.write(
      `${JSON.stringify({
        restored: written,
        into: config.nodeId,
        backup: { cluster: header.cluster, createdAt: header.createdAt },
        counts,
        restoredPartsHash,
      })}\n`,
    );
    if (written)
      process.stderr.write(
        `Restored into ${config.nodeId}. Start it (npm start or the service); its servers wait for their nodes: give each new server a join token (/addserver), and ban servers that will not come back so their users move.\n`,
      );
  } finally {
    redis.disconnect();
  }
}

main().catch((error: unknown) => fail(`restore failed: ${(error as Error).message}`, 1));
