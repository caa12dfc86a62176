/**
 * `/stepdown` on three real node processes (each with its own redis-server)
 * and the Bot API emulator: one command moves leadership once and is
 * answered once, also when the node that received leadership is killed
 * right after the move, and the bot keeps answering other users.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  type Cluster,
  type HarnessNode,
  startCluster,
} from "../../../scripts/lib/cluster-harness.ts";
import type { EmulatedUser } from "../../../scripts/telegram-emulator/emulated-user.ts";
import {
  createTelegramEmulator,
  type TelegramEmulator,
} from "../../../scripts/telegram-emulator/emulator.ts";
import { sleep } from "../../../shared/sleep.ts";
import { TOKEN } from "../support/bot-cluster.ts";

const ADMIN = 9001;
const WAIT_MS = 30_000;
/** How long leadership is watched after the move for a second one. */
const WATCH_MS = 4000;
const HANDING_OVER = /^Handing leadership/;

interface Leadership {
  leaderId: string;
  term: number;
}

/** Leader and term as every running node reports them, once they agree. */
async function leadership(cluster: Cluster): Promise<Leadership> {
  const leader = await cluster.leader({ timeoutMs: WAIT_MS });
  const status = await leader.status();
  return { leaderId: status.id, term: status.term };
}

/** Every distinct term any running node reports during `durationMs` (sampled every 50 ms). */
async function termsSeenFor(cluster: Cluster, durationMs: number): Promise<Set<number>> {
  const terms = new Set<number>();
  const until = Date.now() + durationMs;
  while (Date.now() < until) {
    const running = cluster.nodes.filter((node) => node.running);
    const statuses = await Promise.all(running.map((node) => node.probe.status()));
    for (const status of statuses) if (status.ok) terms.add(status.value.term);
    await sleep(50);
  }
  return terms;
}

function handOverReplies(admin: EmulatedUser): number {
  return admin.inbox().filter((message) => HANDING_OVER.test(message.text ?? "")).length;
}

/** A user who has never talked to the bot sends /start and gets the welcome. */
async function newUserIsAnswered(emulator: TelegramEmulator, id: number): Promise<void> {
  const user = emulator.user(id, { first_name: `U${id}`, language_code: "en" });
  user.send("/start");
  await user.waitFor((message) => /^Hi U/.test(message.text ?? ""), WAIT_MS);
}

async function withBotProcesses(
  body: (cluster: Cluster, emulator: TelegramEmulator, admin: EmulatedUser) => Promise<void>,
): Promise<void> {
  const emulator = await createTelegramEmulator({ tokens: [TOKEN] });
  let cluster: Cluster | undefined;
  try {
    cluster = await startCluster({
      size: 3,
      env: { BOT_TOKEN: TOKEN, TELEGRAM_API_ROOT: emulator.apiRoot, ADMIN_IDS: String(ADMIN) },
    });
    await cluster.leader({ timeoutMs: WAIT_MS });
    await emulator.waitForPolling(WAIT_MS);
    const admin = emulator.user(ADMIN, { first_name: "Root", language_code: "en" });
    admin.send("/start");
    await admin.waitFor((message) => /^Hi Root/.test(message.text ?? ""), WAIT_MS);
    await body(cluster, emulator, admin);
    assert.equal(emulator.overlappingPolls(), [], "never two polls open at once");
  } catch (error) {
    if (cluster) process.stderr.write(cluster.logTails(40));
    throw error;
  } finally {
    await cluster?.stop();
    await emulator.stop();
  }
}

test("one /stepdown moves leadership exactly once, is answered once, and the bot keeps answering", async () => {
  await withBotProcesses(async (cluster, emulator, admin) => {
    const before = await leadership(cluster);
    admin.send("/stepdown");
    await admin.waitFor((message) => HANDING_OVER.test(message.text ?? ""), WAIT_MS);
    const terms = await termsSeenFor(cluster, WATCH_MS);
    const after = await leadership(cluster);
    assert.is.not(after.leaderId, before.leaderId, "leadership moved");
    assert.is(after.term, before.term + 1, "exactly one move: one term more");
    assert.is(Math.max(...terms), before.term + 1, `terms seen: ${[...terms].join(", ")}`);
    await newUserIsAnswered(emulator, 9101);
    assert.is(handOverReplies(admin), 1, "one reply");
    assert.is((await leadership(cluster)).term, before.term + 1, "still no further move");
  });
});

test("one /stepdown with the new leader killed right after the move: no second move, one reply", async () => {
  await withBotProcesses(async (cluster, emulator, admin) => {
    const before = await leadership(cluster);
    admin.send("/stepdown");
    let moved: HarnessNode | undefined;
    const deadline = Date.now() + WAIT_MS;
    while (!moved && Date.now() < deadline) {
      const now = await leadership(cluster).catch(() => before);
      if (now.leaderId !== before.leaderId) moved = cluster.node(now.leaderId);
      else await sleep(20);
    }
    assert.ok(moved, "leadership moved");
    await moved.kill("SIGKILL");
    const elected = await leadership(cluster);
    assert.is.not(elected.leaderId, moved.id);
    const terms = await termsSeenFor(cluster, WATCH_MS);
    const settled = await leadership(cluster);
    assert.is(settled.leaderId, elected.leaderId, "the leader after the kill keeps leading");
    assert.is(settled.term, elected.term, `no move after the election; terms seen: ${[...terms]}`);
    await newUserIsAnswered(emulator, 9102);
    assert.is(handOverReplies(admin), 1, "one reply");
  });
});

test.run();
