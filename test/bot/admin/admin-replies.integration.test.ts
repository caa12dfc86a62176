/**
 * Admin replies read as sentences in the admin's language: /help lists the
 * admin commands, a refusal is a sentence rather than a code, the last
 * admin is never demoted and demoting oneself asks first, and /unban or
 * /drain say what they replaced.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { arrivedUser, ask, WAIT_MS, withBotCluster } from "../support/bot-cluster.ts";

const ROOT = 5300;
const SECOND = 5301;
const PERSIAN_ADMIN = 5302;

test("/help shows admins their commands; a user sees only theirs", async () => {
  await withBotCluster(
    async (cluster) => {
      await cluster.polling();
      const root = await arrivedUser(cluster, ROOT, { first_name: "Root" });
      const user = await arrivedUser(cluster, 5303, { first_name: "Uma" });
      const { answer: adminHelp } = await ask(cluster, root, "/help", /\/config: get a new/);
      assert.match(adminHelp.text!, /\nAdmin commands:\n\/servers: Servers: status/);
      assert.match(adminHelp.text!, /\n\/ban <server> \[reason\]: take a server out/);
      assert.match(adminHelp.text!, /\n\/stepdown: Hand leadership to another node\n/);
      assert.match(
        adminHelp.text!,
        /\n\/voters \[<node ids>\|any\]: the members that may vote and lead$/,
      );
      const { answer: userHelp } = await ask(cluster, user, "/help", /\/config: get a new/);
      assert.not.match(userHelp.text!, /Admin commands|\/ban/);
    },
    { adminIds: [String(ROOT)] },
  );
});

test("the only admin is not demoted; demoting oneself asks first, and No changes nothing", async () => {
  await withBotCluster(
    async (cluster) => {
      const leader = await cluster.polling();
      const root = await arrivedUser(cluster, ROOT, { first_name: "Root" });
      const { answer: refused } = await ask(cluster, root, `/demote ${ROOT}`, /only admin/);
      assert.is(
        refused.text,
        `${ROOT} is the only admin, so they stay one: promote someone else first (/promote <id>).`,
      );
      assert.is(leader.state.user(String(ROOT))?.role, "admin");

      await arrivedUser(cluster, SECOND, { first_name: "Sam" });
      await ask(cluster, root, `/promote ${SECOND}`, /is now an admin/);
      const { answer: question } = await ask(cluster, root, `/demote ${ROOT}`, /Demote yourself\?/);
      assert.equal(
        question.inlineKeyboard.flat().map((button) => button.text),
        ["Yes, demote me", "No, stay admin"],
      );
      assert.is(leader.state.user(String(ROOT))?.role, "admin", "nothing before the answer");
      root.press(question.messageId, "adm:demote:no");
      await root.waitFor((message) => /You stay an admin/.test(message.text ?? ""), WAIT_MS);
      assert.is(leader.state.user(String(ROOT))?.role, "admin");

      const { answer: again } = await ask(cluster, root, `/demote ${ROOT}`, /Demote yourself\?/);
      root.press(again.messageId, `adm:demote:yes:${ROOT}`);
      await root.waitFor((message) => /is now a plain user/.test(message.text ?? ""), WAIT_MS);
      assert.is(leader.state.user(String(ROOT))?.role, "user");
      assert.equal(leader.state.activeAdminIds(), [String(SECOND)]);
    },
    { adminIds: [String(ROOT)] },
  );
});

test("/ban of an unknown server is a sentence; /drain twice and /unban of a draining server say what they replaced", async () => {
  await withBotCluster(
    async (cluster) => {
      const leader = await cluster.polling();
      const root = await arrivedUser(cluster, ROOT, { first_name: "Root" });
      for (const command of ["/ban", "/unban", "/drain"]) {
        const { answer } = await ask(cluster, root, `${command} nosuch`, /nosuch/);
        assert.is(answer.text, "There is no server nosuch; see /servers.", command);
      }
      await ask(cluster, root, "/drain n1 maintenance", /^Server n1 is now draining\.$/);
      const { answer: redrained } = await ask(cluster, root, "/drain n1 disk swap", /already/);
      assert.is(
        redrained.text,
        'Server n1 was draining already; its reason "maintenance" is now "disk swap".',
      );
      assert.is(leader.state.server("n1")?.statusReason, "disk swap");
      const { answer: undrained } = await ask(cluster, root, "/unban n1", /now active/);
      assert.is(
        undrained.text,
        "Server n1 is now active. It was draining (disk swap), not banned: it takes new configs again.",
      );
      const { answer: nothing } = await ask(cluster, root, "/unban n1", /active already/);
      assert.is(nothing.text, "Server n1 is active already; nothing was changed.");
      assert.is(leader.state.server("n1")?.status, "active");
    },
    { adminIds: [String(ROOT)] },
  );
});

test("a Persian admin is answered in Persian, with Persian digits and isolated ids", async () => {
  await withBotCluster(
    async (cluster) => {
      await cluster.polling();
      const admin = await arrivedUser(cluster, PERSIAN_ADMIN, {
        first_name: "Sara",
        language_code: "fa",
      });
      const { answer: servers } = await ask(cluster, admin, "/servers", /سرورها/);
      assert.ok(
        servers.text!.startsWith(
          "\u200Fسرورها (۳):\n\u200F• \u2066n1\u2069 [\u2068default\u2069] فعال: ۰/۱۰ کانفیگ",
        ),
        servers.text,
      );
      const { answer: unknown } = await ask(cluster, admin, "/ban nosuch", /nosuch/);
      assert.is(
        unknown.text,
        "\u200Fسروری به نام \u2066nosuch\u2069 نیست؛ \u2066/servers\u2069 را ببینید.",
      );
      const { answer: usage } = await ask(cluster, admin, "/invite 0", /شکل درست/);
      assert.is(
        usage.text,
        "\u200Fشکل درست: \u2066/invite [uses]\u2069\n\u200Fتعداد استفاده از ۱ تا ۱۰۰۰۰۰ (پیش‌فرض ۱)",
      );
    },
    { adminIds: [String(PERSIAN_ADMIN)] },
  );
});

test.run();
