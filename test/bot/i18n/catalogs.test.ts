/**
 * The three catalogs say the same things: every text (user and admin) exists
 * in every language, counts take each language's plural forms, and Persian
 * texts use Persian digits with their Latin runs isolated.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { LANGUAGES, messagesFor } from "../../../bot/i18n/language.ts";
import { pluralForm } from "../../../bot/i18n/plural.ts";

/** Every key path of a catalog, with the kind of value there. */
function shape(catalog: object, prefix = ""): string[] {
  return Object.entries(catalog).flatMap(([key, value]) =>
    value !== null && typeof value === "object"
      ? shape(value, `${prefix}${key}.`)
      : [`${prefix}${key}:${typeof value}`],
  );
}

test("every text key exists in every language, with the same kind of value, and no text is empty", () => {
  const english = shape(messagesFor("en")).sort();
  assert.ok(english.length > 150, `${english.length} texts`);
  for (const language of LANGUAGES) {
    const catalog = messagesFor(language);
    assert.equal(shape(catalog).sort(), english, language);
    for (const [key, value] of Object.entries(catalog.admin))
      if (typeof value === "string") assert.ok(value.trim() !== "", `${language} admin.${key}`);
  }
});

test("counts take each language's plural forms", () => {
  const forms = { one: "конфиг", few: "конфига", many: "конфигов", other: "конфига" };
  assert.equal(
    [1, 2, 5, 11, 21, 22].map((count) => `${count} ${pluralForm("ru", count, forms)}`),
    ["1 конфиг", "2 конфига", "5 конфигов", "11 конфигов", "21 конфиг", "22 конфига"],
  );
  assert.match(messagesFor("en").configLimit(1), /You already have 1 config,/);
  assert.match(messagesFor("en").configLimit(3), /You already have 3 configs,/);
  assert.match(messagesFor("ru").configLimit(2), /У вас уже 2 конфига,/);
  assert.match(messagesFor("ru").configLimit(5), /У вас уже 5 конфигов,/);
  assert.match(messagesFor("en").admin.broadcastQueued(1), /for 1 user\./);
  assert.match(messagesFor("ru").admin.broadcastQueued(21), /21 пользователь\./);
  const lacking = (language: "en" | "ru" | "fa", ids: string[]) =>
    messagesFor(language).admin.votersWithoutLeaderCredentials(ids);
  assert.match(
    lacking("en", ["n4"]),
    /^n4 lacks the bot token or the data keys, so it is not made a voter:/,
  );
  assert.match(
    lacking("en", ["n4", "n5"]),
    /^n4, n5 lack the bot token or the data keys, so they are not made voters:/,
  );
  assert.match(lacking("ru", ["n4"]), /голосующим он не станет/);
  assert.match(lacking("ru", ["n4", "n5"]), /голосующими они не станут/);
  assert.match(lacking("fa", ["n4"]), /ندارد، پس رأی‌دهنده نمی‌شود/);
  assert.match(lacking("fa", ["n4", "n5"]), /ندارند، پس رأی‌دهنده نمی‌شوند/);
  const holding = (language: "en" | "ru" | "fa", ids: string[]) =>
    messagesFor(language).admin.votersOthersHoldCredentials(ids);
  assert.match(holding("en", ["n4"]), /^n4 is no candidate but may still hold/);
  assert.match(holding("en", ["n4", "n5"]), /^n4, n5 are no candidates but may still hold/);
  assert.match(holding("ru", ["n4"]), /ещё может хранить/);
  assert.match(holding("ru", ["n4", "n5"]), /ещё могут хранить/);
  assert.match(holding("fa", ["n4"]), /نامزد نیست اما/);
  assert.match(holding("fa", ["n4", "n5"]), /نامزد نیستند اما/);
});

test("Persian: commands isolated left to right inside sentences, lines opened right to left, Persian digits", () => {
  const fa = messagesFor("fa");
  assert.is(
    fa.help.split("\n").find((line) => line.includes("/help")),
    "\u200F\u2066/help\u2069: همین پیام",
    "the command keeps its slash in front",
  );
  assert.is(
    fa.configLimit(3),
    "\u200Fشما ۳ کانفیگ دارید که بیشترین تعداد مجاز است. برای گرفتن کانفیگ تازه یکی را در \u2066/myconfigs\u2069 باطل کنید.",
  );
  assert.is(
    fa.configLine({
      name: "nexaloak-n1-2",
      serverId: "n1",
      region: "de",
      createdAt: Date.UTC(2026, 11, 6),
      expiresAt: null,
    }),
    "\u200F• \u2066nexaloak-n1-2\u2069: سرور \u2066n1\u2069 (\u2068de\u2069)، ساخته‌شده ۱۴۰۵/۰۹/۱۵، بدون انقضا",
  );
  assert.is(fa.admin.waitingHeading(12), "\u200Fدر انتظار تأیید (۱۲):");
  // Outside isolated Latin runs (ids, commands), a Persian text has no ASCII digit.
  const withoutIsolates = (text: string) => text.replace(/\u2066[^\u2069]*\u2069/g, "");
  for (const text of [
    fa.configLimit(10),
    fa.myConfigsHeader(25),
    fa.expiryWarning("n1-1", Date.UTC(2027, 0, 31)),
    fa.admin.broadcastQueued(1234),
    fa.admin.userStatusSet("5001", "blocked", 3),
    fa.admin.inviteCreated(7, "https://t.me/bot?start=abc123", "abc123"),
    fa.admin.traffic({
      used: "1.2 GB",
      upload: "200 MB",
      download: "1 GB",
      quota: "5 GB",
      percent: 24,
      resetsAt: "2027-01-01",
      suspended: false,
      quotaIsDefault: true,
      lifted: false,
    }),
    fa.admin.backupCaption(
      {
        createdAt: "2026-12-06T03:00:00.000Z",
        cluster: { members: ["n1"], madeBy: "n1" },
        counts: { users: 12, liveConfigs: 30, configs: 41, servers: 3, settings: 9, invites: 2 },
      },
      true,
    ),
    fa.admin.noBackup(false, 12),
    fa.admin.passphraseRefused(12, 1024, true),
    fa.admin.chart.subtitle(12, 15),
  ])
    assert.not.match(withoutIsolates(text), /[0-9]/, text);
});

test("English and Russian texts carry no direction marks", () => {
  for (const language of ["en", "ru"] as const) {
    const catalog = messagesFor(language);
    for (const text of [catalog.help, catalog.admin.help, catalog.configLimit(2)])
      assert.not.match(text, /[\u200E\u200F\u2066-\u2069]/, `${language}: ${text}`);
  }
});

test.run();
