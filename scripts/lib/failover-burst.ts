/**
 * Leader kills in the middle of a burst of config requests, and the replies
 * users then get twice. Every user sends one /config; the leader is
 * SIGKILLed as soon as the first config arrives, and again (after the
 * killed node is back) while configs are still on their way, `kills` times
 * in all. A user who gets the same config document twice saw a repeated
 * reply: a new leader answered an update its predecessor had answered but
 * not yet confirmed to Telegram. Used by `npm run bench:bot` and the
 * failover test.
 */
import type { EmulatedUser } from "../telegram-emulator/emulator.ts";
import type { Cluster } from "./cluster-harness.ts";

export interface FailoverBurstOptions {
  cluster: Cluster;
  users: readonly EmulatedUser[];
  kills: number;
  /** Bound on each wait (a reply, a restart, every config). */
  waitMs: number;
  /** Told of each kill: which node, and how many users had their config then. */
  onKill?: (kill: { number: number; nodeId: string; answered: number }) => void;
}

export interface FailoverBurstResult {
  /** Users who had their config before the first kill. */
  answeredBeforeFirstKill: number;
  /** Kills that came while configs were still on their way. */
  killsDuringBurst: number;
  /** Ids of users who got the same config document more than once. */
  repeatedUsers: number[];
}

function documents(user: EmulatedUser) {
  return user.inbox().filter((message) => message.document !== undefined);
}

/** Whether `user` got the same document (byte for byte) more than once. */
export function gotRepeatedDocument(user: EmulatedUser): boolean {
  const seen = new Set<string>();
  for (const message of documents(user)) {
    const key = message.document!.bytes.toString("base64");
    if (seen.has(key)) return true;
    seen.add(key);
  }
  return false;
}

/** Runs the burst with its kills; resolves once every user has a new config document. */
export async function measureFailoverBurst(
  options: FailoverBurstOptions,
): Promise<FailoverBurstResult> {
  const { cluster, users, waitMs } = options;
  const documentsBefore = new Map(users.map((user) => [user.id, documents(user).length]));
  const answered = () =>
    users.filter((user) => documents(user).length > documentsBefore.get(user.id)!).length;
  for (const user of users) user.send("/config");
  let answeredBeforeFirstKill = 0;
  let killsDuringBurst = 0;
  for (let kill = 1; kill <= options.kills; kill++) {
    const target = Math.min(answered() + 1, users.length);
    await cluster.waitUntil(() => answered() >= target, waitMs, "a config after the last kill");
    if (kill === 1) answeredBeforeFirstKill = answered();
    if (answered() < users.length) killsDuringBurst++;
    const leader = await cluster.leader({ timeoutMs: waitMs });
    await leader.kill("SIGKILL");
    const afterKill = answered();
    options.onKill?.({ number: kill, nodeId: leader.id, answered: afterKill });
    await cluster.waitUntil(
      () => answered() > afterKill || afterKill === users.length,
      waitMs,
      "a config from the next leader",
    );
    await leader.restart();
    await leader.waitForReady(waitMs);
  }
  await cluster.waitUntil(() => answered() === users.length, waitMs, "every user's config");
  return {
    answeredBeforeFirstKill,
    killsDuringBurst,
    repeatedUsers: users.filter(gotRepeatedDocument).map((user) => user.id),
  };
}
