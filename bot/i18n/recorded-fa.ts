/**
 * How a Persian admin reads what the control plane recorded (see
 * recorded-texts.ts): Persian digits, technical words isolated left to right.
 */
import type { Verdict } from "../../cluster/fsm/records.ts";
import { isolate, ltr, persianDigits } from "./persian-text.ts";
import { protocolName } from "./protocol-names.ts";
import type { RecordedTextPhrases } from "./recorded-texts.ts";

const n = persianDigits;

export const VERDICT: Record<Verdict, string> = {
  ok: "سالم",
  filtered: "فیلترشده",
  down: "از کار افتاده",
  inconclusive: "نامشخص",
};

const ACTION = {
  ban: "مسدودسازی",
  unban: "رفع مسدودی",
  drain: "تخلیه",
  activate: "فعال‌سازی",
} as const;

export const recordedFa: RecordedTextPhrases = {
  status: {
    setByAdmin: ({ action, through }) =>
      `${ACTION[action]} ${through === "bot" ? "به دست مدیر" : `از راه ${ltr("API")} مدیر`}`,
    removedByAdmin: () => "حذف به دست مدیر",
    restoredFromBackup: () => "از نسخهٔ پشتیبان بازگردانده شد: گره آن باید دوباره ثبت‌نام کند",
    notAnswering: () => "پاسخ نمی‌دهد",
    filteredInARow: ({ checks }) => `فیلترشده در ${n(checks)} بررسی پیاپی`,
  },
  membership: {
    joined: ({ peerUrl }) => `به‌عنوان یادگیرنده از ${ltr(peerUrl)} پیوست`,
    replacesRemoved: ({ nodeId }) => `جای ${ltr(nodeId)} را می‌گیرد که در حال حذف است`,
    replacesSilent: ({ nodeId }) => `جای ${ltr(nodeId)} را می‌گیرد که بیش از حد خاموش مانده است`,
    adminRemovedIt: () => "مدیر آن را حذف کرد",
    neverConnectsAgain: () => "حذف شد: دیگر هرگز وصل نمی‌شود",
    silentFor: ({ seconds }) => `بیش از ${n(seconds)} ثانیه خاموش`,
    keepsVoters: ({ voters }) => `خوشه ${n(voters)} رأی‌دهنده نگه می‌دارد`,
    notVoterCandidate: () => "در فهرست نامزدهای رأی‌دهنده نیست",
    replacesNonCandidate: ({ nodeId }) =>
      `جای ${ltr(nodeId)} را می‌گیرد که در فهرست نامزدهای رأی‌دهنده نیست`,
    takesOverFromNonCandidate: ({ nodeId }) =>
      `رهبری را از ${ltr(nodeId)} می‌گیرد که در فهرست نامزدهای رأی‌دهنده نیست`,
  },
  findings: {
    verdict: VERDICT,
    list: "، ",
    clauses: "؛ ",
    token: ltr,
    protocol: (protocol) => ltr(protocolName(protocol)),
    unnamedFailure: "بی‌دلیل",
    controlFails: (failures, working) =>
      `بررسی کنترلی ناموفق است: ${failures}${working ? `؛ کنترل سالم است: ${working}` : ""}`,
    controlSilent: "کاوش‌های کنترلی پاسخی ندادند",
    controlOk: "کنترل سالم است",
    filteredAt: (isp, group) => `نزد ارائه‌دهندهٔ ${isp}: ${group}`,
    filteredOverall: (group) => `همهٔ کاوشگرها با هم: ${group}`,
    groupFails: (failing, answers, failures) =>
      `${n(failing)} از ${n(answers)} کاوشگر ناموفق: ${failures}`,
    noVantages: "کاوشگری اضافه نشده است",
    tooFewAnswers: (answered, needed) => `${n(answered)} کاوشگر پاسخ داد، ${n(needed)} لازم است`,
    answeringFail: (failing, answers) => `${n(failing)} از ${n(answers)} کاوشگر پاسخ‌دهنده ناموفق`,
    silence: (silent, of) => `${n(silent)} از ${n(of)} کاوشگر پاسخی نداد`,
    protocolVerdict: (protocol, verdict) => `${protocol}: ${verdict}`,
    everyProtocolBlocked: "همهٔ پروتکل‌ها مسدودند",
    protocolBlocked: (protocol, findings) => `${protocol} فیلترشده ${findings}`,
    serverVerdict: (verdict, findings) => `سرور: ${verdict}، ${findings}`,
  },
  asWritten: isolate,
};
