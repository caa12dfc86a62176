/**
 * The admins' Persian texts (see admin-messages.ts), written like the user
 * texts: Persian digits and dates, Latin runs isolated (persian-text.ts).
 */

import type { User } from "../../cluster/fsm/records.ts";
import type { ServerView } from "../../cluster/fsm/views.ts";
import { shortCertSha256 } from "../../shared/cert-fingerprint.ts";
import {
  type AdminMessages,
  type AdminUsageView,
  adminCommandLines,
  type MemberLine,
  type RehomeCounts,
} from "./admin-messages.ts";
import { isolate, ltr, persianDate, persianDigits, persianTime } from "./persian-text.ts";
import { protocolName } from "./protocol-names.ts";
import { recordedFa, VERDICT } from "./recorded-fa.ts";
import { evidenceIn, membershipReasonIn, statusReasonIn } from "./recorded-texts.ts";
import { protocolStates } from "./server-protocols.ts";

const n = persianDigits;
const cmd = ltr;

const SERVER_STATUS: Record<string, string> = {
  active: "فعال",
  draining: "در حال تخلیه",
  banned: "مسدود",
  down: "از کار افتاده",
  removed: "حذف‌شده",
};
const TRANSITION: Record<string, string> = {
  ban: "مسدود شد",
  markDown: "از کار افتاده علامت خورد",
  recover: "دوباره فعال شد",
};
const USER_STATUS: Record<string, string> = {
  active: "فعال",
  pending: "در انتظار",
  blocked: "مسدود",
};
const ROLE: Record<string, string> = { admin: "مدیر", user: "کاربر" };
const MEMBER_ROLE: Record<string, string> = { voter: "رأی‌دهنده", learner: "یادگیرنده" };
const TOKEN_STATUS: Record<string, string> = {
  pending: "در انتظار",
  redeemed: "استفاده‌شده",
  cancelled: "لغوشده",
  expired: "منقضی",
};
const MEMBERSHIP_CHANGE: Record<string, string> = {
  joined: "به‌عنوان یادگیرنده به خوشه پیوست",
  promoted: "به رأی‌دهنده ارتقا یافت",
  demoted: "به یادگیرنده تنزل یافت",
  removed: "خوشه را ترک کرد",
  keyRevoked: "کلیدش برای همیشه باطل شد",
  handedLeadership: "رهبری را به دست گرفت",
};

const refusals: Record<string, string> = {
  UNKNOWN_SERVER: `چنین سروری وجود ندارد؛ ${cmd("/servers")} را ببینید.`,
  UNKNOWN_USER: `این کاربر هرگز ربات را شروع نکرده است؛ اول باید ${cmd("/start")} را بفرستد.`,
  UNKNOWN_CONFIG: "چنین کانفیگی وجود ندارد.",
  CONFIG_ALREADY_REVOKED: "این کانفیگ قبلاً باطل شده است.",
  UNKNOWN_PROBE: `چنین کاوشگری وجود ندارد؛ ${cmd("/probes")} را ببینید.`,
  PROBE_EXISTS: "کاوشگری با این شناسه وجود دارد؛ اول آن را حذف کنید یا شناسهٔ دیگری برگزینید.",
  INVALID_PROBE_KEY: "کلید کاوشگر معتبر نیست؛ کاوشگر را دوباره اضافه کنید.",
  INVALID_PROBE_TRANSPORT: `${cmd("sha256=")} فقط با نشانی ${cmd("https://")} و ${cmd("insecure")} فقط با نشانی ${cmd("http://")} می‌آید.`,
  INVITE_EXISTS: `این کد دعوت از قبل وجود دارد؛ دوباره ${cmd("/invite")} را بفرستید.`,
  INVALID_SETTING: "این مقدار برای این تنظیم مجاز نیست.",
  UNKNOWN_MEMBER: `این گره عضو این خوشه نیست؛ ${cmd("/servers")} را ببینید.`,
  MEMBER_REMOVED: "این سرور برای همیشه از خوشه حذف شده است.",
  NODE_ID_TAKEN: "این شناسهٔ گره قبلاً به سروری داده شده و هرگز دوباره داده نمی‌شود.",
  TOO_MANY_JOIN_TOKENS: `توکن‌های پیوستن زیادی در انتظارند؛ اول توکن‌های بی‌استفاده را لغو کنید (${cmd("/jointokens")}، ${cmd("/canceljoin")}).`,
  UNKNOWN_JOIN_TOKEN: `برای این گره توکن پیوستنی وجود ندارد؛ ${cmd("/jointokens")} را ببینید.`,
  JOIN_TOKEN_CANCELLED: "این توکن پیوستن قبلاً لغو شده است.",
  JOIN_TOKEN_USED: "از این توکن پیوستن قبلاً استفاده شده است.",
  JOIN_TOKEN_EXPIRED: "این توکن پیوستن منقضی شده است.",
  TOO_FEW_VOTERS: `حذف آن رأی‌دهندگان را بیش از حد کم می‌کند و یادگیرندهٔ سالمی برای ارتقا نیست؛ اول سروری اضافه کنید (${cmd("/addserver")}).`,
  QUORUM_AT_RISK: "بدون آن رأی‌دهندگان کافی برای اکثریت پاسخ نمی‌دهند؛ اول بقیه را برگردانید.",
  NO_MEMBER_KEYS: "کلید این رهبر هنوز ثبت نشده است؛ چند ثانیه صبر کنید و دوباره تلاش کنید.",
  LAST_ADMIN:
    "این تنها مدیر است: اول کس دیگری را مدیر کنید، وگرنه هیچ‌کس نمی‌تواند ربات را اداره کند.",
  UPDATE_TOO_OLD: "این فرمان برای اجرا بیش از حد قدیمی است؛ دوباره بفرستید.",
};

const moved = (rehome: RehomeCounts) =>
  ` ${n(rehome.rehomed)} کانفیگ به سرورهای دیگر منتقل شد، ${n(rehome.withoutCapacity)} بدون جا ماند${rehome.pending === undefined ? "" : `، ${n(rehome.pending)} پس از آماده شدن کلیدها منتقل می‌شود`}.`;

function memberLine(member: MemberLine): string {
  const role = member.isLeader ? "رهبر" : (MEMBER_ROLE[member.role] ?? member.role);
  const lag = member.lag === null ? "عقب‌ماندگی نامعلوم" : `${n(member.lag)} مدخل عقب`;
  const heard =
    member.silentForMs === null
      ? ""
      : `، آخرین خبر ${n((member.silentForMs / 1000).toFixed(1))} ثانیه پیش`;
  return `• ${ltr(member.id)} (${role}): ${lag}${heard}`;
}

function transportOf(probe: { url: string; certSha256: string | null; insecure: boolean }) {
  if (probe.certSha256 !== null)
    return `گواهی سنجاق‌شده ${ltr(`SHA-256 ${shortCertSha256(probe.certSha256)}`)}`;
  if (probe.insecure) return `⚠️ ناامن: ${ltr("http")} ساده، توکن رمزنشده از شبکه می‌گذرد`;
  if (probe.url.startsWith("http:"))
    return `⚠️ هرگز پرسیده نمی‌شود: ${ltr("http://")} بدون ${ltr("insecure")}؛ آن را حذف و با ${ltr("https://")} (یا ${ltr("insecure")}) دوباره اضافه کنید`;
  return "گواهی با مراجع صدور سیستم بررسی می‌شود";
}

const ispOf = (isp: string) => (isp === "" ? "ارائه‌دهندهٔ نامعلوم" : `ارائه‌دهندهٔ ${isolate(isp)}`);
const tokenNote = (deleted: boolean) =>
  deleted
    ? "پیام شما که توکن داشت از این گفتگو پاک شد."
    : "نتوانستم پیام شما را که توکن داشت پاک کنم: لطفاً خودتان پاکش کنید.";

const text = (value: string | number | boolean | null | undefined) =>
  value === null || value === undefined ? "" : String(value);
const statusReason = (recorded: string) => statusReasonIn(recorded, recordedFa);
const protocol = (name: string) => ltr(protocolName(name));
const passphraseNote = (deleted: boolean) =>
  deleted
    ? "پیام شما که گذرواژه داشت از این گفتگو پاک شد."
    : "نتوانستم پیام شما را که گذرواژه داشت پاک کنم: لطفاً خودتان پاکش کنید.";

/** `ترافیک: ۱.۲ گیگابایت از ۵ گیگابایت (۲۴٪)؛ ارسال …، دریافت …؛ شروع دوباره …`. */
function trafficLine(usage: AdminUsageView): string {
  const quota =
    usage.quota === null ? "بدون محدودیت" : `از ${n(usage.quota)} (${n(usage.percent ?? 0)}٪)`;
  const state = usage.suspended
    ? "؛ متوقف (سهمیه تمام شده)"
    : usage.lifted
      ? "؛ توقف برداشته شد"
      : "";
  return `ترافیک: ${n(usage.used)} ${quota}${usage.quotaIsDefault ? "، سهمیهٔ پیش‌فرض" : ""}؛ ارسال ${n(usage.upload)}، دریافت ${n(usage.download)}؛ شروع دوباره ${n(usage.resetsAt)}${state}`;
}

function serverLine(server: ServerView): string {
  const load = `${n(server.liveConfigs)}/${n(server.capacity)} کانفیگ`;
  const endpoint = server.endpointHost
    ? ltr(`${server.endpointHost}:${server.listenPort}`)
    : "هنوز نشانی ندارد";
  const lastCheck = server.checks.recent.at(-1);
  const check = lastCheck
    ? `${VERDICT[lastCheck.verdict]} در ${persianTime(lastCheck.at)}`
    : "هنوز بررسی نشده";
  const reason =
    server.status !== "active" && server.statusReason
      ? ` (${statusReason(server.statusReason)})`
      : "";
  const blocked = server.blockedProtocols.map((entry) => protocol(entry.protocol));
  const mark = blocked.length > 0 ? `، 🚫 ${blocked.join("، ")} مسدود` : "";
  return `• ${ltr(server.id)} [${isolate(server.region)}] ${SERVER_STATUS[server.status]}${reason}${mark}: ${load}، ${endpoint}، آخرین بررسی ${check}`;
}

function userLine(user: User): string {
  return `• ${ltr(user.id)} ${isolate(user.name || "(بی‌نام)")}: ${ROLE[user.role]}، ${USER_STATUS[user.status]}، از ${persianDate(user.createdAt)}`;
}

const commandDescriptions: AdminMessages["commandDescriptions"] = {
  servers: "سرورها: وضعیت، بار، نشانی، آخرین بررسی",
  server: `${cmd("/server <id>")}: یک سرور و نتیجه‌های اخیر بررسی آن`,
  checknow: `${cmd("/checknow <server>")}: همین حالا بررسی مسدودی یک سرور`,
  metrics: "رهبر، دوره، نمایهٔ ثبت، اعضا، جمع‌ها",
  ban: `${cmd("/ban <server> [reason]")}: کنار گذاشتن سرور و انتقال کاربرانش`,
  unban: `${cmd("/unban <server>")}: بازگرداندن سرور به خدمت`,
  drain: `${cmd("/drain <server> [reason]")}: بدون کانفیگ تازه روی سرور`,
  addserver: `${cmd("/addserver [region] [capacity]")}: توکن پیوستن برای سرور تازه`,
  jointokens: "توکن‌های پیوستن: در انتظار، منقضی، استفاده‌شده، لغوشده",
  canceljoin: `${cmd("/canceljoin <node id>")}: لغو یک توکن پیوستن`,
  removeserver: `${cmd("/removeserver <id>")}: انتقال کاربران سرور و حذف همیشگی آن`,
  probes: `${cmd("/probes [list|add|remove]")}: کاوشگرهایی که فیلترینگ را می‌سنجند`,
  users: "کاربران و وضعیتشان",
  user: `${cmd("/user <id> [quota <GB>]")}: مصرف و سهمیه، مسدود کردن، رفع مسدودی، باطل کردن کانفیگ‌ها`,
  invite: `${cmd("/invite [uses]")}: ساختن لینک دعوت`,
  approve: "کاربران در انتظار تأیید",
  broadcast: `${cmd("/broadcast <text>")}: پیام به همهٔ کاربران`,
  accessmode: cmd("/accessmode open|invite|approval"),
  promote: `${cmd("/promote <id>")}: مدیر کردن یک کاربر`,
  demote: `${cmd("/demote <id>")}: کاربر کردن یک مدیر`,
  backup: `فایل پشتیبان رمزگذاری‌شده؛ ${cmd("/backup passphrase <text>")} گذرواژهٔ آن را تعیین می‌کند`,
  leader: "کدام گره اکنون ربات را اجرا می‌کند",
  stepdown: "واگذاری رهبری به گرهی دیگر",
  voters: "اعضایی که می‌توانند رأی دهند و رهبر شوند",
};

export const adminFa: AdminMessages = {
  commandDescriptions,
  help: ["فرمان‌های مدیر:", ...adminCommandLines(commandDescriptions, cmd)].join("\n"),
  usage: (form, explanation) => `شکل درست: ${ltr(form)}${explanation ? `\n${explanation}` : ""}`,
  refusal: (code, detail) => refusals[code] ?? `کاری انجام نشد: ${ltr(detail)}.`,
  cancelButton: "لغو",

  inviteUsage: (maxUses) => `تعداد استفاده از ${n(1)} تا ${n(maxUses)} (پیش‌فرض ${n(1)})`,
  inviteCreated: (uses, link, code) =>
    `دعوت برای ${n(uses)} کاربر:\n${ltr(link)}\nیا به ربات بفرستید: ${ltr(`/start ${code}`)}`,
  accessModeUsage: (_modes, current) => `حالت کنونی: ${ltr(current)}`,
  accessModeSet: (mode) => `حالت دسترسی اکنون ${ltr(mode)} است.`,
  votersShown: (candidates) =>
    candidates
      ? `فقط این اعضا می‌توانند رأی دهند و رهبر شوند: ${candidates.map(ltr).join("، ")}. بقیه به‌عنوان یادگیرنده کار می‌کنند.\n${ltr("/voters any")} به همهٔ اعضا اجازهٔ رأی می‌دهد.`
      : `هر عضوی می‌تواند رأی دهد و رهبر شود.\n${ltr("/voters <node ids>")} رأی را به اعضایی که نام می‌برید محدود می‌کند (دست‌کم ۳)، مثلاً سرورهایی که احتمال توقیفشان کمتر است.`,
  votersUsage: (candidates) =>
    `۳ تا ۶۴ شناسهٔ گره (نگاه کنید به ${ltr("/leader")})، یا ${ltr("any")}؛ اکنون: ${candidates ? candidates.map(ltr).join("، ") : ltr("any")}`,
  votersSet: (candidates) =>
    candidates
      ? `از این پس فقط ${candidates.map(ltr).join("، ")} می‌توانند رأی دهند و رهبر شوند: رهبر یا رأی‌دهنده‌ای بیرون از فهرست کنار می‌رود و یادگیرنده می‌شود، هرگز کمتر از ۳ رأی‌دهنده.`
      : "اکنون دوباره هر عضوی می‌تواند رأی دهد و رهبر شود.",
  votersWithoutLeaderCredentials: (ids) =>
    ids.length === 1
      ? `${ltr(ids[0]!)} توکن ربات یا کلیدهای داده را ندارد، پس رأی‌دهنده نمی‌شود: ${ltr("BOT_TOKEN")} و ${ltr("DATA_KEYS")} را آنجا تنظیم و دوباره راه‌اندازی کنید.`
      : `${ids.map(ltr).join("، ")} توکن ربات یا کلیدهای داده را ندارند، پس رأی‌دهنده نمی‌شوند: ${ltr("BOT_TOKEN")} و ${ltr("DATA_KEYS")} را آنجا تنظیم و دوباره راه‌اندازی کنید.`,
  votersOthersHoldCredentials: (ids) =>
    `${ids.map(ltr).join("، ")} ${ids.length === 1 ? "نامزد نیست اما شاید هنوز کلیدهای داده و توکن ربات را از پیش داشته باشد" : "نامزد نیستند اما شاید هنوز کلیدهای داده و توکن ربات را از پیش داشته باشند"}: هر دو را عوض کنید (کلید دادهٔ تازه، توکن تازه از ${ltr("@BotFather")}) و فقط به نامزدها بدهید.`,
  nobodyWaiting: "کسی در انتظار تأیید نیست.",
  waitingHeading: (count) => `در انتظار تأیید (${n(count)}):`,
  waitingLine: (user) => `• ${ltr(user.id)} ${isolate(user.name || "(بی‌نام)")}`,
  rejectButton: "❌ رد",
  approvedToast: "تأیید شد",
  rejectedToast: "رد شد",
  userApproved: (userId) => `کاربر ${ltr(userId)} تأیید شد و به او خبر داده شد.`,
  userRejected: (userId) => `کاربر ${ltr(userId)} رد (مسدود) شد و به او خبر داده شد.`,

  broadcastUsage: (maxLength) => `متن بین ${n(1)} تا ${n(maxLength)} نویسه است`,
  broadcastSendButton: (users) => `📣 فرستادن به ${n(users)} کاربر`,
  broadcastQueued: (users) => `پیام همگانی برای ${n(users)} کاربر در صف قرار گرفت.`,
  broadcastCancelled: "پیام همگانی لغو شد؛ چیزی فرستاده نشد.",

  metrics: (view) =>
    [
      `رهبر: ${view.leaderId === null ? "هیچ" : ltr(view.leaderId)}، دورهٔ ${n(view.term)}`,
      `نمایهٔ ثبت: ${n(view.commitIndex)}، اعمال‌شده: ${n(view.appliedIndex)}`,
      "اعضا:",
      ...view.members.map(memberLine),
      `سرورها: ${n(view.servers)} (${n(view.bannedServers)} مسدود)`,
      `کاربران: ${n(view.users)}`,
      `کانفیگ‌های زنده: ${n(view.liveConfigs)}`,
      `صندوق خروجی: ${n(view.pendingOutbox)} در انتظار، ${view.queuedDeliveries === undefined ? "؟" : n(view.queuedDeliveries)} در صف تحویل این گره`,
      `بررسی‌های مسدودی: ${view.queuedChecks === undefined ? "؟" : n(view.queuedChecks)} کار در صف این گره`,
    ].join("\n"),
  chart: {
    fleetTitle: "همهٔ سرورها، ۲۴ ساعت گذشته",
    serverTitle: (serverId) => `سرور ${ltr(serverId)}، ۲۴ ساعت گذشته`,
    subtitle: (charted, total) =>
      charted < total
        ? `${n(charted)} از ${n(total)} سرور، پرکانفیگ‌ترها اول؛ ساعت‌ها به وقت ${ltr("UTC")}`
        : `ساعت‌ها به وقت ${ltr("UTC")}`,
    configsIssued: "کانفیگ‌های صادرشده در هر ساعت",
    activePeers: "همتایان فعال (بیشینهٔ ساعت)",
    traffic: "ترافیک هر ساعت، مگابایت (دریافت + ارسال)",
    banChecks: "بررسی‌های مسدودی: بدترین نتیجهٔ ساعت",
    verdicts: VERDICT,
    digits: n,
    caption: (title) =>
      `${title}: کانفیگ‌های صادرشده، همتایان فعال، ترافیک و بررسی‌های مسدودی در هر ساعت (${ltr("UTC")}).`,
    notDrawn: (code, message) => `نمودار کشیده نشد (${ltr(code)}): ${ltr(message)}`,
  },
  leaderRunsBot: (nodeId, term, members) =>
    [
      `گره ${ltr(nodeId)} در دورهٔ ${n(term)} رهبر است و ربات را اجرا می‌کند.`,
      "اعضا:",
      ...members.map(memberLine),
    ].join("\n"),
  noOtherVoter: "رهبری همین‌جا می‌ماند: رأی‌دهندهٔ دیگری برای واگذاری نیست.",
  handingOver: "رهبری به به‌روزترین گره واگذار می‌شود؛ ربات تا لحظه‌ای دیگر آنجا ادامه می‌دهد.",

  addServerUsage: (maxCapacity) =>
    `منطقه ${n(1)} تا ${n(32)} نویسه از ${ltr("A-Z a-z 0-9 _ . -")}، ظرفیت عددی صحیح از ${n(1)} تا ${n(maxCapacity)}`,
  addServerHandledBefore: `این ${cmd("/addserver")} قبلاً انجام شده است؛ ${cmd("/jointokens")} را ببینید یا دوباره بفرستید.`,
  noJoinToken: (reason) => `توکن پیوستنی ساخته نشد. ${reason}`,
  joinTokenIntro: (nodeId, expiresAt) =>
    `توکن پیوستن برای ${ltr(nodeId)}، معتبر تا ${persianTime(expiresAt)}:\n`,
  joinTokenHowTo: "\n\nروی VPS تازه، در نسخه‌ای از مخزن، اجرا کنید:\n",
  joinTokenOutro: `\nیا ${ltr("JOIN_TOKEN=<the token above>")} را در محیط آن بگذارید. توکن پس از یک بار استفاده از کار می‌افتد.`,
  joinTokenPlaceholder: "<the token above>",
  joinTokensEmpty: `هنوز توکن پیوستنی نیست؛ با ${cmd("/addserver")} یکی بسازید.`,
  joinTokens: (tokens) =>
    [
      `توکن‌های پیوستن (${n(tokens.length)}):`,
      ...tokens.map((token) => {
        const place = [
          token.region === null ? null : isolate(token.region),
          token.capacity === null ? null : `ظرفیت ${n(token.capacity)}`,
        ]
          .filter((part) => part !== null)
          .join("، ");
        return `• ${ltr(token.nodeId)}${place ? ` (${place})` : ""}: ${TOKEN_STATUS[token.status] ?? token.status}، ساختهٔ ${ltr(token.createdBy)} در ${persianTime(token.createdAt)}، انقضا ${persianTime(token.expiresAt)}`;
      }),
    ].join("\n"),
  joinCancelled: (nodeId) => `توکن پیوستن ${ltr(nodeId)} لغو شد؛ دیگر هیچ سروری را راه نمی‌دهد.`,
  notAMember: (nodeId) => `${ltr(nodeId)} عضو این خوشه نیست؛ ${cmd("/servers")} را ببینید.`,
  removeConfirm: (nodeId, liveConfigs) =>
    `${ltr(nodeId)} تخلیه می‌شود: ${n(liveConfigs)} کانفیگ زندهٔ آن با کلید تازه به سرورهای دیگر می‌رود و به کاربرانش خبر داده می‌شود؛ خوشه را ترک می‌کند، کلیدش برای همیشه باطل می‌شود و می‌ایستد. حذف شود؟`,
  removeButton: (nodeId) => `تأیید: حذف ${ltr(nodeId)}`,
  notRemoved: (nodeId, reason) => `${ltr(nodeId)} حذف نشد. ${reason}`,
  beingRemoved: (nodeId, rehome) =>
    `${ltr(nodeId)} در حال حذف است.${rehome ? moved(rehome) : ""} به‌زودی خوشه را ترک می‌کند و کلیدش باطل می‌شود.`,
  removalCancelled: (nodeId) => `${ltr(nodeId)} می‌ماند؛ چیزی تغییر نکرد.`,
  removedAlready: (nodeId, actor, at) =>
    `${ltr(nodeId)} قبلاً حذف شده است (به دست ${ltr(actor)} در ${persianTime(at)}).`,

  probeAddHelp: `نشانی ${ltr("https://")} است؛ ${ltr("sha256=")} گواهی خودامضای عامل را سنجاق می‌کند (اثر انگشتی که هنگام شروع در گزارش می‌نویسد). نشانی ساده با ${ltr("http://")} واژهٔ ${ltr("insecure")} را لازم دارد: آن‌گاه توکن رمزنشده از شبکه می‌گذرد.`,
  probesEmpty: (addForm) =>
    `هنوز کاوشگری نیست؛ بررسی‌های مسدودی فقط از بیرون انجام می‌شوند. افزودن: ${ltr(addForm)}`,
  probes: (probes) =>
    [
      `کاوشگرها (${n(probes.length)}):`,
      ...probes.map(
        (probe) =>
          `• ${ltr(probe.id)} [${isolate(probe.region)}، ${ispOf(probe.isp)}] ${ltr(probe.url)} (${transportOf(probe)})، افزودهٔ ${ltr(probe.addedBy)} در ${persianDate(probe.addedAt)}`,
      ),
    ].join("\n"),
  probeAdded: (probe, deleted) =>
    `کاوشگر ${ltr(probe.id)} اضافه شد (${isolate(probe.region)}، ${ispOf(probe.isp)}): ${ltr(probe.url)} (${transportOf(probe)})\n${tokenNote(deleted)}`,
  probeInputRefused: (problem, deleted) => `${ltr(problem)}\n${tokenNote(deleted)}`,
  probeWords: {
    MISSING_PROBE_WORDS: "شناسه، نشانی و توکن لازم است",
    PIN_GIVEN_TWICE: `${ltr("sha256=")} یک بار داده می‌شود`,
    TOO_MANY_PROBE_WORDS: "واژه‌ها زیادند: منطقه و ارائه‌دهنده هر کدام یک واژه‌اند",
  },
  probeRemoved: (probeId) => `کاوشگر ${ltr(probeId)} حذف شد؛ بررسی‌های مسدودی دیگر از آن نمی‌پرسند.`,

  servers: (servers) => [`سرورها (${n(servers.length)}):`, ...servers.map(serverLine)].join("\n"),
  serversEmpty: "هنوز سروری ثبت نشده است.",
  serverInFull: (server) => {
    const verdicts = [...server.checks.recent]
      .reverse()
      .map(
        (result) =>
          `  ${persianTime(result.at)} ${VERDICT[result.verdict]}: ${evidenceIn(result.verdict, result.evidence, recordedFa)}`,
      );
    const probePeer = server.probePeer
      ? `دست‌دهی ${ltr("WireGuard")} سنجیده می‌شود`
      : `فقط ${ltr("TCP")} سنجیده می‌شود (همتای کاوش ندارد)`;
    const protocols = protocolStates(server).map(({ protocol: name, blocked }) => {
      const where = blocked?.isps.length
        ? ` نزد ارائه‌دهندهٔ ${blocked.isps.map(ltr).join("، ")}`
        : "";
      const state = blocked ? `مسدود از ${persianTime(blocked.since)}${where}` : "کار می‌کند";
      return `${protocol(name)}: ${state}`;
    });
    return [
      serverLine(server),
      `وضعیت را ${server.statusActor ? ltr(server.statusActor) : "ثبت‌نام"} در ${persianTime(server.statusAt)} گذاشت.`,
      `بررسی‌ها: ${probePeer}؛ پیاپی فیلترشده ${n(server.checks.consecutiveFiltered)}، از کار افتاده ${n(server.checks.consecutiveDown)}.`,
      ...(protocols.length > 0 ? [`پروتکل‌ها: ${protocols.join("؛ ")}.`] : []),
      verdicts.length === 0 ? "هنوز نتیجهٔ بررسی‌ای نیست." : "نتیجه‌های اخیر (تازه‌ترین اول):",
      ...verdicts,
    ].join("\n");
  },
  noSuchServer: (serverId) => `سروری به نام ${ltr(serverId)} نیست؛ ${cmd("/servers")} را ببینید.`,
  checking: (serverId) => `بررسی ${ltr(serverId)} از اینجا و از همهٔ کاوشگرها...`,
  notChecked: (serverId, status, hasEndpoint) =>
    `${ltr(serverId)} بررسی نمی‌شود: ${SERVER_STATUS[status]} است${hasEndpoint ? "" : " و هنوز نشانی ندارد"}.`,
  checkAnswer: ({ serverId, verdict, evidence, transition }) =>
    `${ltr(serverId)}: ${VERDICT[verdict]}. ${evidenceIn(verdict, evidence, recordedFa)}${transition === "none" ? "" : ` وضعیت سرور تغییر کرد: ${TRANSITION[transition]}.`}`,
  statusChanged: ({ serverId, from, to, previousReason, reason, rehome }) => {
    const now = `سرور ${ltr(serverId)} اکنون ${SERVER_STATUS[to]} است.${rehome ? moved(rehome) : ""}`;
    if (from === to)
      return `سرور ${ltr(serverId)} از قبل ${SERVER_STATUS[to]} بود؛ دلیل آن از «${statusReason(previousReason)}» به «${statusReason(reason)}» تغییر کرد.`;
    if (to === "active" && from === "draining")
      return `${now} در حال تخلیه بود (${statusReason(previousReason)})، نه مسدود: دوباره کانفیگ تازه می‌پذیرد.`;
    return from === "active"
      ? now
      : `${now} پیش از این ${SERVER_STATUS[from]} بود (${statusReason(previousReason)}).`;
  },
  alreadyActive: (serverId) => `سرور ${ltr(serverId)} از قبل فعال است؛ چیزی تغییر نکرد.`,

  users: (users, total) => {
    const more = total > users.length ? `\n… و ${n(total - users.length)} نفر دیگر` : "";
    return `کاربران (${n(total)}):\n${users.map(userLine).join("\n")}${more}\nجزئیات: ${cmd("/user <id>")}`;
  },
  usersEmpty: "هنوز کاربری نیست.",
  userInFull: (user, names) =>
    `${userLine(user)}\nکانفیگ‌های زنده: ${names.map(ltr).join("، ") || "هیچ"}`,
  traffic: trafficLine,
  quotaSet: (userId, usage) => `کاربر ${ltr(userId)}: ${trafficLine(usage)}`,
  noSuchUser: (userId) => `کاربر ${ltr(userId)} ربات را شروع نکرده است.`,
  blockButton: "مسدود کردن",
  unblockButton: "رفع مسدودی",
  revokeConfigsButton: "باطل کردن کانفیگ‌ها…",
  userStatusSet: (userId, status, revoked) =>
    `کاربر ${ltr(userId)} اکنون ${USER_STATUS[status]} است.${revoked > 0 ? ` ${n(revoked)} کانفیگ باطل شد.` : ""}`,
  noLiveConfigs: (userId) => `کاربر ${ltr(userId)} کانفیگ زنده‌ای ندارد.`,
  liveConfigsOf: (userId) => `کانفیگ‌های زندهٔ ${ltr(userId)}:`,
  revokeConfigButton: (name, createdAt) => `باطل کردن ${ltr(name)} (${persianDate(createdAt)})`,
  configRevoked: (name, userId) => `کانفیگ ${ltr(name)} کاربر ${ltr(userId)} باطل شد.`,
  roleSet: (userId, role) =>
    `کاربر ${ltr(userId)} اکنون ${role === "admin" ? "مدیر" : "کاربر عادی"} است.`,
  lastAdmin: (userId) =>
    `${ltr(userId)} تنها مدیر است، پس مدیر می‌ماند: اول کس دیگری را مدیر کنید (${cmd("/promote <id>")}).`,
  demoteSelfConfirm:
    "خودتان را از مدیری کنار می‌گذارید؟ فرمان‌های مدیر را بی‌درنگ از دست می‌دهید و فقط مدیری دیگر می‌تواند آن‌ها را برگرداند.",
  demoteSelfButton: "بله، کنارم بگذار",
  keepAdminButton: "نه، مدیر بمانم",
  demoteCancelled: "مدیر می‌مانید؛ چیزی تغییر نکرد.",

  backupUsage: (minLength) => `گذرواژه دست‌کم ${n(minLength)} نویسه است؛ چند واژهٔ تصادفی بهترین است`,
  backupCaption: ({ createdAt, cluster, counts }, scheduled) =>
    [
      `${scheduled ? "پشتیبان زمان‌بندی‌شده. " : ""}پشتیبان رمزگذاری‌شدهٔ ${ltr(createdAt)} (ساختهٔ ${ltr(cluster.madeBy)}): ${n(counts.users)} کاربر، ${n(counts.liveConfigs)} کانفیگ زنده از ${n(counts.configs)}، ${n(counts.servers)} سرور، ${n(counts.settings)} تنظیم، ${n(counts.invites)} دعوت.`,
      `هیچ کلید کاربری در آن نیست. فقط با گذرواژهٔ پشتیبان باز می‌شود: ${ltr("npm run restore -- <file>")} روی سرور تازه.`,
    ].join("\n"),
  noBackup: (scheduled, minLength) =>
    `${scheduled ? "پشتیبان زمان‌بندی‌شده‌ای نیست" : "پشتیبانی نیست"}: گذرواژهٔ پشتیبان تعیین نشده است. مدیری آن را با ${cmd("/backup passphrase <text>")} تعیین می‌کند (دست‌کم ${n(minLength)} نویسه)؛ آن را جای امنی نگه دارید، تنها راه باز کردن پشتیبان‌هاست.`,
  passphraseRefused: (minLength, maxLength, deleted) =>
    `گذرواژهٔ پشتیبان دست‌کم ${n(minLength)} و حداکثر ${n(maxLength)} نویسه است؛ چند واژهٔ تصادفی بهترین است.\n${passphraseNote(deleted)}`,
  passphraseSet: (deleted) =>
    [
      "گذرواژهٔ پشتیبان تعیین شد: از این پس همهٔ پشتیبان‌ها برای آن رمزگذاری می‌شوند و هیچ سروری آن را نگه نمی‌دارد (فقط وارسی آن را).",
      "آن را جای امنی دور از سرورها نگه دارید: بدون آن هیچ پشتیبانی باز نمی‌شود و کسی نمی‌تواند آن را بازیابد.",
      passphraseNote(deleted),
    ].join("\n"),

  approvalRequest: (pending, shown) => {
    const names = pending
      .slice(0, shown)
      .map((user) => `${isolate(user.name || "(بی‌نام)")} (${ltr(user.id)})`)
      .join("، ");
    const more = pending.length > shown ? ` و ${n(pending.length - shown)} نفر دیگر` : "";
    return `🕓 ${n(pending.length)} کاربر در انتظار تأیید: ${names}${more}.\nبا ${cmd("/approve")} بررسی کنید.`;
  },
  alert: (payload) => {
    if (payload.event === "serverBanned" || payload.event === "serverRemoved")
      return [
        `⚠️ سرور ${ltr(text(payload.serverId))} ${payload.event === "serverBanned" ? "مسدود" : "حذف"} شد (${statusReason(text(payload.reason))}) به دست ${ltr(text(payload.actor))}.`,
        `منتقل‌شده به سرورهای دیگر: ${n(text(payload.rehomed))}؛ بدون جا: ${n(text(payload.withoutCapacity))}؛ برای پرسش دوباره: ${n(text(payload.pending))}.`,
      ].join("\n");
    if (payload.event === "serverDown")
      return `⚠️ سرور ${ltr(text(payload.serverId))} از کار افتاده علامت خورد (${statusReason(text(payload.reason))})؛ تا یک بررسی دوباره بگذرد کانفیگ تازه نمی‌گیرد.`;
    if (payload.event === "protocolBlocked")
      return [
        `⚠️ ${protocol(text(payload.protocol))} روی سرور ${ltr(text(payload.serverId))}${payload.isps ? ` نزد ارائه‌دهندهٔ ${ltr(text(payload.isps))}` : " (همهٔ نقاط بررسی با هم)"} مسدود است؛ آنجا برای کانفیگ‌های تازه بسته شد.`,
        `منتقل‌شده به همین پروتکل در جای دیگر: ${n(text(payload.moved))}؛ با پروتکل دیگر: ${n(text(payload.switched))}؛ بدون جا: ${n(text(payload.withoutCapacity))}؛ برای پرسش دوباره: ${n(text(payload.pending))}.`,
      ].join("\n");
    if (payload.event === "protocolReopened")
      return `ℹ️ ${protocol(text(payload.protocol))} دوباره از بررسی‌ها روی سرور ${ltr(text(payload.serverId))} می‌گذرد؛ آنجا دوباره برای کانفیگ‌های تازه باز است.`;
    if (payload.event === "membershipChanged") {
      const change = text(payload.change);
      const reason = text(payload.reason);
      return `ℹ️ گره ${ltr(text(payload.nodeId))} ${MEMBERSHIP_CHANGE[change] ?? change}${reason ? ` (${membershipReasonIn(reason, recordedFa)})` : ""}.`;
    }
    return `⚠️ ${ltr(`${text(payload.event)}: ${JSON.stringify(payload)}`)}`;
  },
};
