/**
 * A Persian and a Russian admin read in their own language what the control
 * plane recorded and the bot used to pass on in English: a ban check's
 * findings in /checknow, /server and the alert of a server marked down; the
 * reason /drain records when none is given; the traffic line of /user; the
 * captions of the /metrics and /server charts; the answers of /backup. And
 * every admin sees which protocol is blocked on a server, in /server and
 * /servers.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { OutcomesByKind } from "../../../bot/jobs/ban-verdict.ts";
import { decideCheck } from "../../../bot/jobs/protocol-verdicts.ts";
import {
  arrivedUser,
  ask,
  type BotCluster,
  messagesMatching,
  probingWithServerDown,
  WAIT_MS,
  withBotCluster,
} from "../support/bot-cluster.ts";

const RUSSIAN = 5400;
const PERSIAN = 5401;
const ENGLISH = 5402;

/** Server n2 (198.51.100.2) refuses connections from everywhere; the others answer. */
const n2Dead = probingWithServerDown("198.51.100.2");

/** Persian text with its direction marks and isolates taken out, to read what it says. */
const bare = (text: string | undefined) => (text ?? "").replace(/[\u200F\u2066-\u2069]/g, "");

/**
 * Asks `/server <id>` and waits for the chart after its text too: drawing it
 * takes a second or more of CPU, and the chat's next command waits for it.
 */
async function askServer(
  cluster: BotCluster,
  admin: Awaited<ReturnType<typeof arrivedUser>>,
  serverId: string,
  pattern: RegExp,
) {
  const charts = () => admin.inbox().filter((message) => message.photo !== undefined).length;
  const before = charts();
  const { answer } = await ask(cluster, admin, `/server ${serverId}`, pattern);
  await cluster.cluster.waitFor(() => charts() > before, WAIT_MS * 4, "the server's chart");
  return answer;
}

async function arrivedAdmins(cluster: BotCluster) {
  return {
    russian: await arrivedUser(cluster, RUSSIAN, { first_name: "Ivan", language_code: "ru" }),
    persian: await arrivedUser(cluster, PERSIAN, { first_name: "Sara", language_code: "fa" }),
  };
}

test("a ban check's findings read in Russian and Persian: /checknow, the alert of a server marked down, /server and /servers", async () => {
  await withBotCluster(
    async (cluster) => {
      const { russian, persian } = await arrivedAdmins(cluster);
      const { answer: first } = await ask(cluster, russian, "/checknow n2", /^n2: /);
      assert.is(
        first.text,
        "n2: не работает. контрольная проверка не проходит: tcp (connection_refused)",
      );
      const { answer: second } = await ask(cluster, russian, "/checknow n2", /^n2: /);
      assert.match(second.text!, / Статус сервера изменился: отмечен как неработающий\.$/);
      const { answer: healthy } = await ask(cluster, persian, "/checknow n1", /سالم/);
      assert.is(healthy.text, "\u200F\u2066n1\u2069: سالم. کنترل سالم است؛ کاوشگری اضافه نشده است");

      const alerts = [russian, persian].map((admin) =>
        admin.waitFor((message) => /^\u200F?⚠️/.test(message.text ?? ""), WAIT_MS),
      );
      const [russianAlert, persianAlert] = await Promise.all(alerts);
      assert.is(
        russianAlert!.text,
        "⚠️ Сервер n2 отмечен как неработающий (не работает: контрольная проверка не проходит: tcp (connection_refused)); новые конфиги на нём не выдаются, пока проверка снова не пройдёт.",
      );
      assert.is(
        bare(persianAlert!.text),
        "⚠️ سرور n2 از کار افتاده علامت خورد (از کار افتاده: بررسی کنترلی ناموفق است: tcp (connection_refused))؛ تا یک بررسی دوباره بگذرد کانفیگ تازه نمی‌گیرد.",
      );

      const russianServer = await askServer(cluster, russian, "n2", /^• n2 /);
      const verdictLines = russianServer.text!.split("\n").slice(-2);
      for (const line of verdictLines)
        assert.match(
          line,
          /^ {2}\d{4}-\d\d-\d\d \d\d:\d\d UTC не работает: контрольная проверка не проходит: tcp \(connection_refused\)$/,
        );
      const { answer: persianServers } = await ask(cluster, persian, "/servers", /سرورها/);
      assert.match(
        bare(persianServers.text),
        "• n2 [default] از کار افتاده (از کار افتاده: بررسی کنترلی ناموفق است: tcp (connection_refused)): ۰/۱۰ کانفیگ",
      );
      assert.not.match(persianServers.text!, /control|fails|down:/);
    },
    { adminIds: [String(RUSSIAN), String(PERSIAN)], banChecks: { probing: n2Dead } },
  );
});

test("/drain without a reason, /user's traffic and quota, the charts' captions and /backup, in Russian and Persian", async () => {
  await withBotCluster(
    async (cluster) => {
      const { russian, persian } = await arrivedAdmins(cluster);
      await ask(cluster, russian, "/drain n1", /^Сервер n1 теперь выводится\.$/);
      const { answer: again } = await ask(cluster, russian, "/drain n1", /уже был/);
      assert.is(
        again.text,
        "Сервер n1 уже был выводится; причина «вывод по решению администратора» заменена на «вывод по решению администратора».",
      );
      const { answer: persianServers } = await ask(cluster, persian, "/servers", /سرورها/);
      assert.match(bare(persianServers.text), "• n1 [default] در حال تخلیه (تخلیه به دست مدیر):");

      const { answer: russianUser } = await ask(cluster, russian, `/user ${PERSIAN}`, /Трафик/);
      assert.match(
        russianUser.text!,
        /\nТрафик: 0 Б без ограничений, квота по умолчанию; отправлено 0 Б, получено 0 Б; сброс \d{4}-\d\d-\d\d$/,
      );
      const { answer: quota } = await ask(cluster, persian, `/user ${RUSSIAN} quota 1.5`, /ترافیک/);
      assert.match(
        bare(quota.text),
        /^کاربر 5400: ترافیک: ۰ بایت از ۱\.۵ گیگابایت \(۰٪\)؛ ارسال ۰ بایت، دریافت ۰ بایت؛ شروع دوباره [۰-۹]{4}-[۰-۹]{2}-[۰-۹]{2}$/,
      );

      await ask(cluster, russian, "/metrics", /^Лидер: /);
      await russian.waitFor(
        (message) =>
          message.caption ===
          "Все серверы, последние 24 часа: выданные конфиги, активные пиры, трафик и проверки блокировок по часам (UTC).",
        WAIT_MS * 4,
      );
      await askServer(cluster, persian, "n2", /n2/);
      const chart = persian.inbox().find((message) => message.photo !== undefined)!;
      assert.is(
        bare(chart.caption),
        "سرور n2، ۲۴ ساعت گذشته: کانفیگ‌های صادرشده، همتایان فعال، ترافیک و بررسی‌های مسدودی در هر ساعت (UTC).",
      );

      const { answer: noBackup } = await ask(cluster, russian, "/backup", /Резервной копии нет/);
      assert.match(noBackup.text!, /^Резервной копии нет: пароль резервных копий не задан\./);
      const { answer: short } = await ask(cluster, persian, "/backup passphrase کوتاه", /گذرواژه/);
      assert.is(
        bare(short.text),
        "شکل درست: /backup | /backup passphrase <text>\nگذرواژهٔ پشتیبان دست‌کم ۱۲ و حداکثر ۱۰۲۴ نویسه است؛ چند واژهٔ تصادفی بهترین است.\nپیام شما که گذرواژه داشت از این گفتگو پاک شد.",
      );
    },
    { adminIds: [String(RUSSIAN), String(PERSIAN)] },
  );
});

const up = { ok: true, rttMs: 20 } as const;
const CONTROL_OK: OutcomesByKind = { tcp: up, wireguard: up, shadowsocks: up };
const WIREGUARD_DROPPED: OutcomesByKind = {
  tcp: up,
  wireguard: { ok: false, error: "generic_timeout_error" },
  shadowsocks: up,
};

/** Records a round in which two vantages at ISP mci lose WireGuard on n1 and Shadowsocks passes. */
async function wireguardDroppedRound(cluster: BotCluster, round: number): Promise<void> {
  const check = decideCheck(CONTROL_OK, [
    { id: "mci1", isp: "mci", outcomes: WIREGUARD_DROPPED },
    { id: "mci2", isp: "mci", outcomes: WIREGUARD_DROPPED },
  ]);
  const leader = await cluster.leader();
  await leader.service.run({
    type: "recordVerdict",
    serverId: "n1",
    round,
    verdict: check.verdict,
    evidence: check.evidence,
    at: Date.now(),
    banAfter: 2,
    downAfter: 2,
    protocolVerdicts: check.protocols,
    replacementKeys: [],
  });
}

test("a server whose WireGuard is blocked: /server says since when and at which ISP, and /servers marks it, in every language", async () => {
  await withBotCluster(
    async (cluster) => {
      const { russian, persian } = await arrivedAdmins(cluster);
      const english = await arrivedUser(cluster, ENGLISH, { first_name: "Eve" });
      const before = await askServer(cluster, english, "n1", /^• n1 /);
      assert.match(before.text!, "\nProtocols: WireGuard: working; Shadowsocks: working.\n");
      await wireguardDroppedRound(cluster, 1);
      await wireguardDroppedRound(cluster, 2);
      const leader = await cluster.leader();
      assert.equal(
        leader.state.server("n1")!.blockedProtocols.map(({ protocol, isps }) => [protocol, isps]),
        [["wireguard", ["mci"]]],
      );

      const { answer: servers } = await ask(cluster, english, "/servers", /^Servers/);
      assert.match(servers.text!, "\n• n1 [default] active, 🚫 WireGuard blocked: 0/10 configs");
      assert.match(servers.text!, /\n• n2 \[default\] active: /);
      const server = await askServer(cluster, english, "n1", /^• n1 /);
      assert.match(
        server.text!,
        /\nProtocols: WireGuard: blocked since \d{4}-\d\d-\d\d \d\d:\d\d UTC at ISP mci; Shadowsocks: working\.\n/,
      );

      const russianServer = await askServer(cluster, russian, "n1", /^• n1 /);
      assert.match(russianServer.text!, /^• n1 \[default\] активен, 🚫 заблокирован WireGuard: /);
      assert.match(
        russianServer.text!,
        /\nПротоколы: WireGuard: заблокирован с \d{4}-\d\d-\d\d \d\d:\d\d UTC у провайдера mci; Shadowsocks: работает\.\n/,
      );
      assert.match(
        russianServer.text!,
        "UTC в порядке: WireGuard: фильтруется, Shadowsocks: в порядке; WireGuard фильтруется у провайдера mci: сбой у 2 из 2 проб: WireGuard (generic_timeout_error); контроль в порядке; сервер: в порядке, сбой у 0 из 2 ответивших проб; контроль в порядке",
      );

      const persianServer = await askServer(cluster, persian, "n1", /n1/);
      const persianText = bare(persianServer.text);
      assert.match(persianText, /^• n1 \[default\] فعال، 🚫 WireGuard مسدود: /);
      assert.match(
        persianText,
        /\nپروتکل‌ها: WireGuard: مسدود از [۰-۹]{4}\/[۰-۹]{2}\/[۰-۹]{2} [۰-۹]{2}:[۰-۹]{2} UTC نزد ارائه‌دهندهٔ mci؛ Shadowsocks: کار می‌کند\.\n/,
      );
      assert.match(
        persianText,
        "UTC سالم: WireGuard: فیلترشده، Shadowsocks: سالم؛ WireGuard فیلترشده نزد ارائه‌دهندهٔ mci: ۲ از ۲ کاوشگر ناموفق: WireGuard (generic_timeout_error)؛ کنترل سالم است؛ سرور: سالم، ۰ از ۲ کاوشگر پاسخ‌دهنده ناموفق؛ کنترل سالم است",
      );
      assert.is(messagesMatching(persian, /control ok|filtered/).length, 0);
    },
    {
      adminIds: [String(RUSSIAN), String(PERSIAN), String(ENGLISH)],
      shadowsocksOn: ["n1"],
    },
  );
});

test.run();
