/**
 * Admin commands: refused for everyone else without a hint that they exist,
 * malformed arguments answered with the right form, and each action carried
 * out through one proposal.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { ADMIN_COMMAND_NAMES } from "../../../bot/i18n/admin-messages.ts";
import { en } from "../../../bot/i18n/en.ts";
import { fa } from "../../../bot/i18n/fa.ts";
import { telegramActor } from "../../../cluster/fsm/actors.ts";
import type { ControlPlaneCommandInput } from "../../../cluster/fsm/commands.ts";
import { sleep } from "../../../shared/sleep.ts";
import {
  arrivedUser,
  ask,
  type BotCluster,
  commandUpdate,
  messagesMatching,
  WAIT_MS,
  withBotCluster,
} from "../support/bot-cluster.ts";

const ADMIN = 5000;

async function admin(cluster: BotCluster) {
  return arrivedUser(cluster, ADMIN, { first_name: "Root" });
}

test("every admin command is refused for a non-admin exactly like an unknown command, and changes nothing", async () => {
  await withBotCluster(
    async (cluster) => {
      const leader = await cluster.polling();
      const user = await arrivedUser(cluster, 5001, { first_name: "Mallory" });
      const hashBefore = leader.state.stateHash();
      const attempts = ADMIN_COMMAND_NAMES.map((command) => `/${command} n1 5001 open hello`);
      for (const [position, text] of attempts.entries()) {
        user.send(text);
        await cluster.cluster.waitFor(
          () => messagesMatching(user, /don't know that command/).length === position + 1,
          WAIT_MS,
          `the refusal of ${text}`,
        );
      }
      user.send("/nosuchcommand");
      await cluster.cluster.waitFor(
        () => messagesMatching(user, /don't know that command/).length === attempts.length + 1,
        WAIT_MS,
        "the unknown command's answer",
      );
      const answers = messagesMatching(user, /don't know that command/);
      assert.ok(answers.every((message) => message.text === en.unknownCommand));
      assert.ok(answers.every((message) => message.inlineKeyboard.length === 0));
      assert.equal(
        leader.state.servers().map((server) => server.status),
        ["active", "active", "active"],
      );
      assert.is(leader.state.user("5001")?.role, "user");
      assert.is(leader.state.counts().pendingOutbox, 0, "no broadcast");
      assert.is(leader.state.invites().length, 0);
      assert.is.not(
        leader.state.stateHash(),
        hashBefore,
        "only the acknowledgements moved the offset",
      );
      assert.is(leader.state.getSetting("accessMode"), "open");
    },
    { adminIds: [String(ADMIN)] },
  );
});

test("malformed arguments get the right form and change nothing", async () => {
  await withBotCluster(
    async (cluster) => {
      const leader = await cluster.polling();
      const root = await admin(cluster);
      for (const [text, form] of [
        ["/ban", "/ban <server> [reason]"],
        ["/drain bad/id", "/drain <server> [reason]"],
        ["/invite many", "/invite [uses]"],
        ["/user bob", "/user <telegram id>"],
        ["/promote", "/promote <telegram id>"],
        ["/accessmode closed", "/accessmode open|invite|approval"],
        ["/broadcast", "/broadcast <text"],
      ] as const) {
        const { answer } = await ask(cluster, root, text, /^Usage: /);
        assert.ok(answer.text!.startsWith(`Usage: ${form}`), `${text}: ${answer.text}`);
      }
      assert.equal(
        leader.state.servers().map((server) => server.status),
        ["active", "active", "active"],
      );
      assert.is(leader.state.invites().length, 0);
    },
    { adminIds: [String(ADMIN)] },
  );
});

test("/servers, /ban, /drain and /unban: a banned server's users move to healthy servers", async () => {
  await withBotCluster(
    async (cluster) => {
      const leader = await cluster.polling();
      const root = await admin(cluster);
      const user = await arrivedUser(cluster, 5002, { first_name: "Ann" });
      user.send("/config");
      await user.waitFor((message) => message.document !== undefined, WAIT_MS);
      const serverId = leader.state.configsOfUser("5002")[0]!.serverId;
      const { answer: list } = await ask(cluster, root, "/servers", /^Servers \(3\)/);
      assert.match(list.text!, /n1 \[default\] active: \d+\/10 configs, 198\.51\.100\.1:51820/);
      const { answer: banned } = await ask(
        cluster,
        root,
        `/ban ${serverId} filtered in AS1234`,
        /is now banned/,
      );
      assert.match(banned.text!, /1 config moved/);
      const server = leader.state.server(serverId)!;
      assert.is(server.status, "banned");
      assert.is(server.statusReason, "filtered in AS1234");
      const live = leader.state.configsOfUser("5002").filter((config) => config.revokedAt === null);
      assert.is(live.length, 1);
      assert.is.not(live[0]!.serverId, serverId);
      await ask(cluster, root, `/unban ${serverId}`, /is now active/);
      await ask(cluster, root, "/drain n1 maintenance", /n1 is now draining/);
      assert.is(leader.state.server("n1")?.status, "draining");
    },
    { adminIds: [String(ADMIN)] },
  );
});

test("/invite makes a link that lets a user in; /accessmode changes the mode", async () => {
  await withBotCluster(
    async (cluster) => {
      const leader = await cluster.polling();
      const root = await admin(cluster);
      await ask(cluster, root, "/accessmode invite", /Access mode is now invite/);
      assert.is(leader.state.getSetting("accessMode"), "invite");
      const { answer: invite } = await ask(cluster, root, "/invite 2", /Invite for 2 user/);
      const code = /start=([A-Za-z0-9_-]+)/.exec(invite.text!)![1]!;
      assert.is(leader.state.invite(code)?.usesLeft, 2);
      const guest = cluster.emulator.user(5003, { first_name: "Guest", language_code: "en" });
      guest.send(`/start ${code}`);
      await guest.waitFor((message) => /Hi Guest/.test(message.text ?? ""), WAIT_MS);
      assert.is(leader.state.user("5003")?.status, "active");
      assert.is(leader.state.invite(code)?.usesLeft, 1);
    },
    { adminIds: [String(ADMIN)] },
  );
});

test("/approve lists pending users; Approve lets one in, Reject blocks another", async () => {
  await withBotCluster(
    async (cluster) => {
      const leader = await cluster.polling();
      const root = await admin(cluster);
      for (const [id, name] of [
        [5004, "Pat"],
        [5005, "Quinn"],
      ] as const) {
        const user = cluster.emulator.user(id, { first_name: name, language_code: "en" });
        user.send("/start");
        await user.waitFor((message) => /asked to approve/.test(message.text ?? ""), WAIT_MS);
      }
      const { answer: list } = await ask(cluster, root, "/approve", /Waiting for approval \(2\)/);
      root.press(list.messageId, "adm:approve:5004");
      await root.waitFor((message) => /5004 is approved/.test(message.text ?? ""), WAIT_MS);
      root.press(list.messageId, "adm:reject:5005");
      await root.waitFor((message) => /5005 is rejected/.test(message.text ?? ""), WAIT_MS);
      assert.is(leader.state.user("5004")?.status, "active");
      assert.is(leader.state.user("5005")?.status, "blocked");
    },
    { adminIds: [String(ADMIN)], accessMode: "approval" },
  );
});

test("/user shows a user with block and revoke buttons; blocking revokes their configs", async () => {
  await withBotCluster(
    async (cluster) => {
      const leader = await cluster.polling();
      const root = await admin(cluster);
      const user = await arrivedUser(cluster, 5006, { first_name: "Rex" });
      user.send("/config");
      await user.waitFor((message) => message.document !== undefined, WAIT_MS);
      const { answer: users } = await ask(cluster, root, "/users", /^Users \(2\)/);
      assert.match(users.text!, /5006 Rex: user, active/);
      const { answer: card } = await ask(cluster, root, "/user 5006", /5006 Rex/);
      root.press(card.messageId, "adm:block:5006");
      await root.waitFor(
        (message) => /5006 is now blocked\. 1 config revoked/.test(message.text ?? ""),
        WAIT_MS,
      );
      assert.is(leader.state.user("5006")?.status, "blocked");
      assert.ok(leader.state.configsOfUser("5006").every((config) => config.revokedAt !== null));
      user.send("/config");
      await user.waitFor((message) => /blocked by an admin/.test(message.text ?? ""), WAIT_MS);
    },
    { adminIds: [String(ADMIN)] },
  );
});

test("/promote makes an admin who can then use admin commands; /demote takes it back", async () => {
  await withBotCluster(
    async (cluster) => {
      const leader = await cluster.polling();
      const root = await admin(cluster);
      const helper = await arrivedUser(cluster, 5007, { first_name: "Sam" });
      await ask(cluster, root, "/promote 5007", /5007 is now an admin/);
      assert.is(leader.state.user("5007")?.role, "admin");
      await ask(cluster, helper, "/leader", /leads in term/);
      await ask(cluster, root, "/demote 5007", /5007 is now a plain user/);
      await ask(cluster, helper, "/leader", /don't know that command/);
    },
    { adminIds: [String(ADMIN)] },
  );
});

test("a bootstrap admin (ADMIN_IDS) demoted by another admin stays demoted after /start", async () => {
  const SECOND = 5009;
  await withBotCluster(
    async (cluster) => {
      const leader = await cluster.polling();
      const root = await admin(cluster);
      const second = await arrivedUser(cluster, SECOND, { first_name: "Una" });
      assert.is(leader.state.user(String(SECOND))?.role, "admin");
      await ask(cluster, root, `/demote ${SECOND}`, new RegExp(`${SECOND} is now a plain user`));
      await ask(cluster, second, "/start", /Una/);
      await ask(cluster, second, "/leader", /don't know that command/);
      assert.is(leader.state.user(String(SECOND))?.role, "user");
    },
    { adminIds: [String(ADMIN), String(SECOND)] },
  );
});

test("an admin demoted after the bot checked the role but before the command committed is refused, told so in their language, and nothing changes", async () => {
  const BOB = 5010;
  await withBotCluster(
    async (cluster) => {
      const leader = await cluster.polling();
      const root = await admin(cluster);
      const bob = await arrivedUser(cluster, BOB, { first_name: "Bob", language_code: "fa" });
      await ask(cluster, root, `/promote ${BOB}`, new RegExp(`${BOB} is now an admin`));
      // The race, made certain: Root's demotion of Bob commits after the bot
      // let Bob's /ban through its role check, and before Bob's command.
      const service = leader.service;
      const run = service.run.bind(service);
      let demoted = false;
      service.run = (async (command: ControlPlaneCommandInput) => {
        if (command.type === "setServerStatus" && !demoted) {
          demoted = true;
          await run({
            type: "setUserRole",
            userId: String(BOB),
            role: "user",
            actor: telegramActor(String(ADMIN)),
            at: service.now(),
          });
        }
        return run(command);
      }) as typeof service.run;
      bob.send("/ban n1 filtered");
      await bob.waitFor((message) => message.text === fa.notAnAdmin, WAIT_MS);
      assert.ok(demoted);
      assert.is(leader.state.server("n1")?.status, "active");
      assert.is(leader.state.user(String(BOB))?.role, "user");
      assert.is(messagesMatching(bob, /n1/).length, 0, "no answer says the server changed");
    },
    { adminIds: [String(ADMIN)] },
  );
});

test("/broadcast asks for confirmation and queues the text for every active user", async () => {
  await withBotCluster(
    async (cluster) => {
      const leader = await cluster.polling();
      const root = await admin(cluster);
      await arrivedUser(cluster, 5008, { first_name: "Tia" });
      const { answer: confirm } = await ask(
        cluster,
        root,
        "/broadcast Maintenance tonight at 23:00",
        /^Maintenance tonight/,
      );
      assert.match(JSON.stringify(confirm.inlineKeyboard), /Send to 2 user/);
      assert.is(leader.state.counts().pendingOutbox, 0, "nothing before the confirmation");
      assert.is(messagesMatching(cluster.emulator.user(5008), /Maintenance/).length, 0);
      root.press(confirm.messageId, "adm:broadcast:send");
      await root.waitFor(
        (message) => /Broadcast queued for 2 user/.test(message.text ?? ""),
        WAIT_MS,
      );
      const tia = cluster.emulator.user(5008);
      for (const user of [root, tia])
        await user.waitFor((message) => message.text === "Maintenance tonight at 23:00", WAIT_MS);
    },
    { adminIds: [String(ADMIN)] },
  );
});

test("/metrics and /leader describe the cluster; /stepdown hands the bot to another node", async () => {
  await withBotCluster(
    async (cluster) => {
      const leader = await cluster.polling();
      const root = await admin(cluster);
      const { answer: metrics } = await ask(cluster, root, "/metrics", /^Leader: /);
      assert.match(metrics.text!, new RegExp(`Leader: ${leader.id}, term \\d+`));
      assert.match(metrics.text!, /Commit index: \d+/);
      assert.match(metrics.text!, /n1 \((leader|voter)\): lag \d+ entr(y|ies)/, metrics.text!);
      assert.match(metrics.text!, /Users: 1/);
      assert.match(metrics.text!, /Outbox: \d+ pending, \d+ in this node's delivery queue/);
      // This suite's nodes do not run scheduled checks: their queue is unknown.
      assert.match(metrics.text!, /Ban checks: \? jobs in this node's queue/);
      // The chart follows the text; the chat's next command is handled after it.
      // The first chart starts the drawing thread: it may take a few seconds.
      await root.waitFor(
        (message) => /^Fleet, last 24 hours/.test(message.caption ?? ""),
        WAIT_MS * 4,
      );
      const { sent } = await ask(cluster, root, "/stepdown", /Handing leadership/);
      await cluster.cluster.waitFor(() => !leader.bot.active, WAIT_MS, "the old leader to stop");
      const next = await cluster.polling();
      assert.is.not(next.id, leader.id);
      const { answer } = await ask(cluster, root, "/leader", /leads in term/);
      assert.ok(answer.text!.includes(`Node ${next.id} leads`), answer.text);
      // Every member with its role, lag and, for the others, when the leader last heard from it.
      assert.match(
        answer.text!,
        new RegExp(`${next.id} \\(leader\\): lag \\d+ entr(y|ies)`),
        answer.text!,
      );
      assert.match(answer.text!, /\((voter|learner)\): lag \d+ entr(y|ies), heard \d+\.\d s ago/);
      // The new leader gets the same update again (say Telegram had not confirmed it): nothing happens.
      const term = next.node.status().term;
      await next.bot.currentSession!.handleUpdate(
        commandUpdate(sent, { id: ADMIN, first_name: "Root" }, "/stepdown"),
      );
      await sleep(500);
      assert.ok(next.node.isLeader(), "leadership stays");
      assert.is(next.node.status().term, term);
      assert.is(messagesMatching(root, /Handing leadership/).length, 1, "one reply");
      assert.equal(cluster.emulator.overlappingPolls(), []);
    },
    { adminIds: [String(ADMIN)] },
  );
});

test.run();
