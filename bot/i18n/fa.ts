/**
 * The bot's Persian texts: Persian digits and the Solar Hijri calendar,
 * Latin runs (commands, server ids) isolated, every line right to left (see
 * persian-text.ts).
 */
import { adminFa } from "./admin-fa.ts";
import type { Messages } from "./messages.ts";
import { isolate, ltr, persianDate, persianDigits, rightToLeftCatalog } from "./persian-text.ts";

const help = ltr("/help");
const config = ltr("/config");
const myconfigs = ltr("/myconfigs");
const start = ltr("/start");

const persian: Messages = {
  languageName: "فارسی",
  commandDescriptions: {
    start: "شروع: خوش‌آمد و منو",
    config: "دریافت کانفیگ VPN",
    myconfigs: "کانفیگ‌های من: دانلود یا باطل کردن",
    subscription: "اشتراک: لینکی که برنامهٔ VPN شما خودش به‌روز نگه می‌دارد",
    usage: "ترافیک مصرفی و سهمیه",
    language: "تغییر زبان",
    help: "راهنمای ربات",
  },
  welcome: (name) =>
    `سلام ${isolate(name)}! این ربات یک کانفیگ VPN شخصی (WireGuard) به شما می‌دهد. برای شروع «دریافت کانفیگ» را بزنید.`,
  menuGetConfig: "🔑 دریافت کانفیگ",
  menuMyConfigs: "📂 کانفیگ‌های من",
  menuLanguage: "🌐 زبان",
  menuHelp: "❓ راهنما",
  help: [
    `${config}: دریافت کانفیگ جدید (فایل و کد QR)`,
    `${myconfigs}: کانفیگ‌های شما: دانلود دوباره یا باطل کردن`,
    `${ltr("/subscription")}: لینکی که برنامهٔ VPN شما خودش به‌روز نگه می‌دارد`,
    `${ltr("/usage")}: ترافیک مصرفی و سهمیه شما`,
    `${ltr("/language")}: تغییر زبان`,
    `${help}: همین پیام`,
    "",
    "کانفیگ خود را به کسی ندهید: هر کس فایل را داشته باشد از دسترسی شما استفاده می‌کند.",
  ].join("\n"),
  textHint: `من فقط فرمان‌ها و دکمه‌ها را می‌فهمم. یکی از دکمه‌های زیر را بزنید یا ${help} را ببینید.`,
  needInvite: `این ربات فقط با دعوت‌نامه کار می‌کند. لینک دعوتی که گرفته‌اید را باز کنید یا بفرستید: ${start} <کد دعوت>`,
  awaitingApproval:
    "ممنون! از مدیران خواسته شد شما را تأیید کنند. پس از تأیید همین‌جا پیام می‌گیرید.",
  blocked: "دسترسی شما توسط مدیر مسدود شده است.",
  inviteInvalid: "این کد دعوت شناخته نشد. آن را بررسی کنید یا از دعوت‌کننده کد تازه بخواهید.",
  inviteUsedUp: "ظرفیت این کد دعوت تمام شده است. از دعوت‌کننده کد تازه بخواهید.",
  chooseRegion: "منطقهٔ سرور خود را انتخاب کنید:",
  chooseProtocol: `یک پروتکل انتخاب کنید. ${ltr("WireGuard")} سریع‌ترین است؛ جایی که ${ltr("WireGuard")} مسدود است ${ltr("Shadowsocks")} را بگیرید.`,
  shadowsocksKeyCaption: (serverId, region) =>
    `کلید دسترسی ${ltr("Shadowsocks")} شما برای سرور ${ltr(serverId)} (${isolate(region)}). پیام بعدی را کپی کنید:`,
  shadowsocksQrCaption: `یا این کد ${ltr("QR")} را در ${ltr("Outline")} یا ${ltr("v2rayNG")} اسکن کنید.`,
  shadowsocksInstructions: [
    `${ltr("Outline")}: روی + (افزودن سرور) بزنید، کلید را جای‌گذاری کنید و ${ltr("Connect")} را بزنید.`,
    `${ltr("v2rayNG")}: کلید را کپی کنید، + ← ${ltr("Import config from clipboard")} را بزنید و سپس ▶.`,
  ].join("\n"),
  configCaption: (name, serverId, region) =>
    `کانفیگ ${ltr(name)} شما برای سرور ${ltr(serverId)} (${isolate(region)}).`,
  qrCaption: "یا این کد QR را در برنامهٔ WireGuard اسکن کنید.",
  subscription: (url) =>
    `لینک اشتراک شما. آن را به برنامهٔ VPN خود (v2rayNG، Hiddify، sing-box، Clash Meta، Streisand، Outline) اضافه کنید: برنامه سرورهای شما را خودش به‌روز نگه می‌دارد، حتی وقتی سروری عوض شود.\n\n${url}\n\nآن را به کسی ندهید: هر کس آن را داشته باشد می‌تواند از کانفیگ‌های شما استفاده کند. ‏/subscription reset لینک تازه‌ای می‌سازد و این یکی را از کار می‌اندازد.`,
  subscriptionReset: (url) =>
    `این لینک اشتراک تازهٔ شماست؛ لینک قبلی دیگر کار نمی‌کند. آن را در برنامهٔ VPN خود جایگزین کنید.\n\n${url}`,
  subscriptionQrCaption: "یا این کد QR را در برنامهٔ VPN خود اسکن کنید.",
  instructions: [
    "روش اتصال:",
    "۱. برنامهٔ WireGuard را نصب کنید (اندروید، iOS، ویندوز، مک یا لینوکس).",
    "۲. «+» را بزنید و فایل بالا را وارد کنید یا کد QR را اسکن کنید.",
    "۳. تونل را روشن کنید.",
  ].join("\n"),
  configLimit: (limit) =>
    `شما ${persianDigits(limit)} کانفیگ دارید که بیشترین تعداد مجاز است. برای گرفتن کانفیگ تازه یکی را در ${myconfigs} باطل کنید.`,
  noCapacity: "همهٔ سرورها اکنون پر هستند. به مدیران خبر داده شد؛ لطفاً بعداً دوباره تلاش کنید.",
  noCapacityInRegion: (region) =>
    `سرورهای ${isolate(region)} اکنون پر هستند. منطقهٔ دیگری را انتخاب کنید یا بعداً تلاش کنید.`,
  myConfigsEmpty: `هنوز کانفیگی ندارید. با ${config} یکی بگیرید.`,
  myConfigsHeader: (count) => `کانفیگ‌های شما (${persianDigits(count)}):`,
  configLine: ({ name, serverId, region, createdAt, expiresAt }) =>
    `• ${ltr(name)}: سرور ${ltr(serverId)} (${isolate(region)})، ساخته‌شده ${persianDate(createdAt)}، ${expiresAt === null ? "بدون انقضا" : `انقضا ${persianDate(expiresAt)}`}`,
  downloadButton: (name) => `⬇️ ${ltr(name)}`,
  revokeButton: (name) => `🗑 باطل کردن ${ltr(name)}`,
  revokeConfirm: (name) =>
    `کانفیگ ${ltr(name)} باطل شود؟ بلافاصله از کار می‌افتد و قابل بازگشت نیست.`,
  revokeYes: "بله، باطل شود",
  revokeNo: "نه، بماند",
  revoked: (name) => `کانفیگ ${ltr(name)} شما باطل شد.`,
  revokeCancelled: "چیزی تغییر نکرد.",
  configGone: `این کانفیگ دیگر در دسترس نیست. ${myconfigs} را ببینید.`,
  keysErased: `این کانفیگ قبلاً برای شما فرستاده شده و کلید خصوصی آن پس از آن از سرورهای ما پاک شده است، پس دوباره فرستاده نمی‌شود. ${myconfigs} را باز کنید و روی کانفیگ خود بزنید تا آن را با کلید تازه بگیرید.`,
  rekeyed: (name) =>
    `این کانفیگ ${ltr(name)} شما با کلید تازه است. فایل قبلی دیگر کار نمی‌کند؛ به‌جای آن این را وارد کنید.`,
  getNewConfigButton: "⬇️ گرفتن کانفیگ تازه",
  chooseLanguage: "زبان خود را انتخاب کنید:",
  languageSet: "انجام شد: از این پس فارسی صحبت می‌کنم.",
  unknownCommand: `متأسفم، این فرمان را نمی‌شناسم. ${help} را ببینید.`,
  tryAgain: "مشکلی در سمت ما پیش آمد و چیزی تغییر نکرد. لطفاً یک دقیقهٔ دیگر دوباره تلاش کنید.",
  slowDown: "خیلی سریع است؛ لطفاً چند ثانیه صبر کنید.",
  notAnAdmin: "کاری انجام نشد: شما دیگر مدیر نیستید. نقش شما پیش از اجرای فرمان‌تان تغییر کرد.",
  tooManyNewcomers: `هم‌اکنون افراد زیادی در حال پیوستن هستند؛ لطفاً چند دقیقه دیگر دوباره ${start} را بفرستید.`,
  approved: `شما تأیید شدید! برای گرفتن کانفیگ ${config} را بزنید.`,
  rejected: "مدیر درخواست شما را تأیید نکرد، پس این ربات نمی‌تواند به شما کانفیگ بدهد.",
  expiryWarning: (name, expiresAt) =>
    `کانفیگ ${ltr(name)} شما در ${persianDate(expiresAt)} منقضی می‌شود. پس از آن با ${config} کانفیگ تازه بگیرید.`,
  serverChanged: (serverId) =>
    `سرور قبلی شما از کار افتاد و به ${ltr(serverId)} منتقل شدید. این کانفیگ تازه را وارد کنید؛ کانفیگ قبلی دیگر کار نمی‌کند.`,
  protocolChanged: (previousProtocol, protocol, serverId) =>
    `${ltr(previousProtocol)} در شبکهٔ شما مسدود است، پس این یک کانفیگ ${ltr(protocol)} روی ${ltr(serverId)} با کلید تازه است. آن را وارد کنید؛ کانفیگ قبلی دیگر کار نمی‌کند.`,
  endpointChanged: (serverId) =>
    `نشانی سرور ${ltr(serverId)} تغییر کرد. برای گرفتن کانفیگ به‌روز (با کلید تازه) دکمه را بزنید؛ کانفیگ قبلی دیگر وصل نمی‌شود.`,
  serverChangedTapForConfig: (serverId) =>
    `سرور قبلی شما از کار افتاد و به ${ltr(serverId)} منتقل شدید. برای گرفتن کانفیگ تازه دکمه را بزنید؛ کانفیگ قبلی دیگر کار نمی‌کند.`,
  configRevokedNotice: (serverId) =>
    `کانفیگ شما برای ${ltr(serverId)} باطل شد چون سرور از کار افتاد. با ${config} کانفیگ تازه بگیرید.`,
  noCapacityNotice: (serverId) =>
    `سرور ${ltr(serverId)} شما از کار افتاد و اکنون سرور دیگری جا ندارد. بعداً با ${config} دوباره تلاش کنید.`,
  admin: adminFa,
  byteUnits: ["بایت", "کیلوبایت", "مگابایت", "گیگابایت", "ترابایت"],
  usage: ({ used, upload, download, quota, percent, resetsAt, suspended }) =>
    [
      quota === null
        ? `ترافیک این دوره: ${persianDigits(used)} (بدون محدودیت).`
        : `ترافیک این دوره: ${persianDigits(used)} از ${persianDigits(quota)} (${persianDigits(percent ?? 0)}٪).`,
      `ارسال ${persianDigits(upload)}، دریافت ${persianDigits(download)}.`,
      `شمارش در ${persianDigits(resetsAt)} از نو شروع می‌شود.`,
      ...(suspended
        ? ["سهمیه شما تمام شده است: کانفیگ‌ها پس از شروع دوره بعد دوباره کار می‌کنند."]
        : []),
    ].join("\n"),
  trafficWarning: (used, quota, resetsAt) =>
    `شما ${persianDigits(used)} از ${persianDigits(quota)} ترافیک این دوره را مصرف کرده‌اید. با رسیدن به ${persianDigits(quota)} کانفیگ‌های شما تا ${persianDigits(resetsAt)} متوقف می‌شوند. ${ltr("/usage")} را ببینید.`,
  trafficSuspended: (quota, resetsAt) =>
    `همه ${persianDigits(quota)} ترافیک این دوره را مصرف کرده‌اید، پس کانفیگ‌های شما متوقف شدند. از ${persianDigits(resetsAt)} دوباره کار می‌کنند.`,
  quotaExceeded: (resetsAt) =>
    `سهمیه ترافیک این دوره شما تمام شده است و اکنون نمی‌توانید کانفیگ بگیرید. از ${persianDigits(resetsAt)} دوباره شروع می‌شود.`,
};

export const fa: Messages = rightToLeftCatalog(persian);
