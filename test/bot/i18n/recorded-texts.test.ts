/**
 * What the control plane recorded in English reads in a Russian or Persian
 * admin's language: each kind of ban-check finding, the reasons the control
 * plane records by itself, and why the membership changed; an admin's own
 * words stay as written.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { messagesFor } from "../../../bot/i18n/language.ts";
import { decideVerdict, type OutcomesByKind } from "../../../bot/jobs/ban-verdict.ts";
import { decideCheck } from "../../../bot/jobs/protocol-verdicts.ts";
import { statusReasonText } from "../../../cluster/fsm/status-reasons.ts";
import { membershipReasonText } from "../../../cluster/membership/membership-reasons.ts";

const ru = messagesFor("ru").admin;
const fa = messagesFor("fa").admin;

/** Persian text with its direction marks and isolates taken out, to read what it says. */
const bare = (text: string) => text.replace(/[\u200F\u2066-\u2069]/g, "");

const up = { ok: true, rttMs: 1 } as const;
const timeout = { ok: false, error: "generic_timeout_error" } as const;
const CONTROL: OutcomesByKind = { tcp: up, wireguard: up };

/** /checknow's answer for a recorded verdict, in `admin`'s language. */
function answer(
  admin: typeof ru,
  check: { verdict: "ok" | "down" | "filtered" | "inconclusive"; evidence: string },
) {
  return admin.checkAnswer({ serverId: "n1", ...check, transition: "none" });
}

test("a down server's findings: what failed at the control and what passed there", () => {
  const check = decideVerdict({ tcp: up, wireguard: timeout }, []);
  assert.is(
    answer(ru, check),
    "n1: не работает. контрольная проверка не проходит: WireGuard (generic_timeout_error); контроль проходит: tcp",
  );
  assert.is(
    answer(fa, check),
    "\u200F\u2066n1\u2069: از کار افتاده. بررسی کنترلی ناموفق است: \u2066WireGuard\u2069 (\u2066generic_timeout_error\u2069)؛ کنترل سالم است: \u2066tcp\u2069",
  );
});

test("filtering found at two ISPs, with a failure that named no reason", () => {
  const check = decideVerdict(CONTROL, [
    { id: "a1", isp: "mci", outcomes: { tcp: { ok: false }, wireguard: timeout } },
    { id: "a2", isp: "mci", outcomes: { tcp: up, wireguard: timeout } },
    { id: "b1", isp: "tci", outcomes: { tcp: up, wireguard: timeout } },
    { id: "b2", isp: "tci", outcomes: { tcp: up, wireguard: timeout } },
  ]);
  assert.is(
    answer(ru, check),
    "n1: фильтруется. у провайдера mci: сбой у 2 из 2 проб: tcp (причина не названа), WireGuard (generic_timeout_error); у провайдера tci: сбой у 2 из 2 проб: WireGuard (generic_timeout_error); контроль в порядке",
  );
  assert.is(
    bare(answer(fa, check)),
    "n1: فیلترشده. نزد ارائه‌دهندهٔ mci: ۲ از ۲ کاوشگر ناموفق: tcp (بی‌دلیل)، WireGuard (generic_timeout_error)؛ نزد ارائه‌دهندهٔ tci: ۲ از ۲ کاوشگر ناموفق: WireGuard (generic_timeout_error)؛ کنترل سالم است",
  );
});

test("too few answers, with why the silent vantages gave none, and a count in Russian plural forms", () => {
  const check = decideVerdict(CONTROL, [
    { id: "thr1", isp: "mci", outcomes: null, error: "VANTAGE_CERT_MISMATCH" },
    { id: "mhd1", isp: "mci", outcomes: null, error: "VANTAGE_TIMEOUT" },
    { id: "tbz1", isp: "mci", outcomes: CONTROL },
  ]);
  assert.is(
    answer(ru, check),
    "n1: неясно. ответов от проб: 1, нужно 2; без ответа 2 из 3 проб (VANTAGE_CERT_MISMATCH: thr1; VANTAGE_TIMEOUT: mhd1); контроль в порядке",
  );
  assert.is(
    bare(answer(fa, check)),
    "n1: نامشخص. ۱ کاوشگر پاسخ داد، ۲ لازم است؛ ۲ از ۳ کاوشگر پاسخی نداد (VANTAGE_CERT_MISMATCH: thr1؛ VANTAGE_TIMEOUT: mhd1)؛ کنترل سالم است",
  );
  const many = decideVerdict(
    CONTROL,
    Array.from({ length: 21 }, (_, n) => ({ id: `v${n}`, isp: "", outcomes: CONTROL })),
  );
  assert.is(answer(ru, many), "n1: в порядке. сбой у 0 из 21 ответившей пробы; контроль в порядке");
});

test("every protocol of a server blocked: each protocol's findings, then that all are", () => {
  const check = decideCheck({ ...CONTROL, shadowsocks: up }, [
    {
      id: "a",
      isp: "",
      outcomes: { tcp: up, wireguard: timeout, shadowsocks: { ok: false, error: "eof_error" } },
    },
    {
      id: "b",
      isp: "",
      outcomes: { tcp: up, wireguard: timeout, shadowsocks: { ok: false, error: "eof_error" } },
    },
  ]);
  assert.is(
    answer(ru, check),
    "n1: фильтруется. WireGuard: фильтруется, Shadowsocks: фильтруется; WireGuard фильтруется по всем пробам вместе: сбой у 2 из 2 проб: WireGuard (generic_timeout_error); контроль в порядке; Shadowsocks фильтруется по всем пробам вместе: сбой у 2 из 2 проб: Shadowsocks (eof_error); контроль в порядке; заблокированы все протоколы",
  );
  assert.match(bare(answer(fa, check)), /؛ همهٔ پروتکل‌ها مسدودند$/);
});

test("evidence the bot cannot read (an older node's) is shown as written, isolated in Persian", () => {
  const older = { verdict: "ok" as const, evidence: "ok: recorded by an older node" };
  assert.is(answer(ru, older), "n1: в порядке. recorded by an older node");
  assert.is(answer(fa, older), "\u200F\u2066n1\u2069: سالم. \u2068recorded by an older node\u2069");
});

test("the reasons the control plane records by itself, and an admin's own words", () => {
  const change = (previousReason: string, reason: string) =>
    ({
      serverId: "n1",
      from: "banned",
      to: "banned",
      previousReason,
      reason,
      rehome: null,
    }) as const;
  const byBot = statusReasonText({ kind: "setByAdmin", action: "ban", through: "bot" });
  const byApi = statusReasonText({ kind: "setByAdmin", action: "ban", through: "api" });
  assert.is(
    ru.statusChanged(change(byApi, byBot)),
    "Сервер n1 уже был заблокирован; причина «блокировка через API администратора» заменена на «блокировка по решению администратора».",
  );
  assert.is(
    bare(fa.statusChanged(change("انتقال به ارائه‌دهندهٔ دیگر", byBot))),
    "سرور n1 از قبل مسدود بود؛ دلیل آن از «انتقال به ارائه‌دهندهٔ دیگر» به «مسدودسازی به دست مدیر» تغییر کرد.",
  );
  const banned = {
    event: "serverBanned",
    serverId: "n2",
    reason: statusReasonText({ kind: "filteredInARow", checks: 3 }),
    actor: "ban-check",
    rehomed: 4,
    withoutCapacity: 0,
    pending: 0,
  };
  assert.match(
    ru.alert(banned),
    /^⚠️ Сервер n2 заблокирован \(фильтруется в 3 проверках подряд\), кто: ban-check\./,
  );
  assert.match(
    bare(fa.alert(banned)),
    /^⚠️ سرور n2 مسدود شد \(فیلترشده در ۳ بررسی پیاپی\) به دست ban-check\./,
  );
  const restored = {
    event: "serverDown",
    serverId: "n3",
    reason: statusReasonText({ kind: "restoredFromBackup" }),
  };
  assert.match(
    ru.alert(restored),
    "(восстановлен из резервной копии: его узел должен зарегистрироваться заново)",
  );
});

test("why the cluster changed its membership", () => {
  const changed = (change: string, reason: string) => ({
    event: "membershipChanged",
    nodeId: "n4",
    change,
    reason,
  });
  const silent = membershipReasonText({ kind: "silentFor", seconds: 30 });
  assert.is(ru.alert(changed("demoted", silent)), "ℹ️ Узел n4 стал учеником (молчит дольше 30 с).");
  assert.is(
    bare(fa.alert(changed("demoted", silent))),
    "ℹ️ گره n4 به یادگیرنده تنزل یافت (بیش از ۳۰ ثانیه خاموش).",
  );
  const keeps = membershipReasonText({ kind: "keepsVoters", voters: 5 });
  assert.is(
    ru.alert(changed("promoted", keeps)),
    "ℹ️ Узел n4 стал голосующим (кластер держит 5 голосующих).",
  );
  const joined = membershipReasonText({ kind: "joined", peerUrl: "wss://203.0.113.7:7000" });
  assert.is(
    fa.alert(changed("joined", joined)),
    "\u200Fℹ️ گره \u2066n4\u2069 به‌عنوان یادگیرنده به خوشه پیوست (به‌عنوان یادگیرنده از \u2066wss://203.0.113.7:7000\u2069 پیوست).",
  );
  const barred = membershipReasonText({ kind: "notVoterCandidate" });
  assert.is(
    ru.alert(changed("demoted", barred)),
    "ℹ️ Узел n4 стал учеником (не входит в список кандидатов в голосующие).",
  );
  const replaces = membershipReasonText({ kind: "replacesNonCandidate", nodeId: "n2" });
  assert.is(
    bare(fa.alert(changed("promoted", replaces))),
    "ℹ️ گره n4 به رأی‌دهنده ارتقا یافت (جای n2 را می‌گیرد که در فهرست نامزدهای رأی‌دهنده نیست).",
  );
  const takesOver = membershipReasonText({ kind: "takesOverFromNonCandidate", nodeId: "n1" });
  assert.is(
    ru.alert(changed("handedLeadership", takesOver)),
    "ℹ️ Узел n4 получил лидерство (принимает лидерство от n1, который не входит в список кандидатов в голосующие).",
  );
  assert.is(
    bare(fa.alert(changed("handedLeadership", takesOver))),
    "ℹ️ گره n4 رهبری را به دست گرفت (رهبری را از n1 می‌گیرد که در فهرست نامزدهای رأی‌دهنده نیست).",
  );
});

test.run();
