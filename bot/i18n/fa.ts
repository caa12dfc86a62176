/** The bot's Persian texts. */
import type { Messages } from "./messages.ts";

export const fa: Messages = {
  languageName: "فارسی",
  commandDescriptions: {
    start: "شروع: خوش‌آمد و منو",
    config: "دریافت کانفیگ VPN",
    myconfigs: "کانفیگ‌های من: دانلود یا باطل کردن",
    language: "تغییر زبان",
    help: "راهنمای ربات",
  },
  welcome: (name) =>
    `سلام ${name}! این ربات یک کانفیگ VPN شخصی (WireGuard) به شما می‌دهد. برای شروع «دریافت کانفیگ» را بزنید.`,
  menuGetConfig: "🔑 دریافت کانفیگ",
  menuMyConfigs: "📂 کانفیگ‌های من",
  menuLanguage: "🌐 زبان",
  menuHelp: "❓ راهنما",
  help: [
    "/config: دریافت کانفیگ جدید (فایل و کد QR)",
    "/myconfigs: کانفیگ‌های شما: دانلود دوباره یا باطل کردن",
    "/language: تغییر زبان",
    "/help: همین پیام",
    "",
    "کانفیگ خود را به کسی ندهید: هر کس فایل را داشته باشد از دسترسی شما استفاده می‌کند.",
  ].join("\n"),
  needInvite:
    "این ربات فقط با دعوت‌نامه کار می‌کند. لینک دعوتی که گرفته‌اید را باز کنید یا بفرستید: /start <کد دعوت>",
  awaitingApproval:
    "ممنون! از مدیران خواسته شد شما را تأیید کنند. پس از تأیید همین‌جا پیام می‌گیرید.",
  blocked: "دسترسی شما توسط مدیر مسدود شده است.",
  inviteInvalid: "این کد دعوت شناخته نشد. آن را بررسی کنید یا از دعوت‌کننده کد تازه بخواهید.",
  inviteUsedUp: "ظرفیت این کد دعوت تمام شده است. از دعوت‌کننده کد تازه بخواهید.",
  chooseRegion: "منطقهٔ سرور خود را انتخاب کنید:",
  chooseProtocol:
    "یک پروتکل انتخاب کنید. WireGuard سریع‌ترین است؛ جایی که WireGuard مسدود است Shadowsocks را بگیرید.",
  shadowsocksKeyCaption: (serverId, region) =>
    `کلید دسترسی Shadowsocks شما برای سرور ${serverId} (${region}). پیام بعدی را کپی کنید:`,
  shadowsocksQrCaption: "یا این کد QR را در Outline یا v2rayNG اسکن کنید.",
  shadowsocksInstructions: [
    "Outline: روی + (افزودن سرور) بزنید، کلید را جای‌گذاری کنید و Connect را بزنید.",
    "v2rayNG: کلید را کپی کنید، + ← Import config from clipboard را بزنید و سپس ▶.",
  ].join("\n"),
  configCaption: (serverId, region) => `کانفیگ شما برای سرور ${serverId} (${region}).`,
  qrCaption: "یا این کد QR را در برنامهٔ WireGuard اسکن کنید.",
  instructions: [
    "روش اتصال:",
    "۱. برنامهٔ WireGuard را نصب کنید (اندروید، iOS، ویندوز، مک یا لینوکس).",
    "۲. «+» را بزنید و فایل بالا را وارد کنید یا کد QR را اسکن کنید.",
    "۳. تونل را روشن کنید.",
  ].join("\n"),
  configLimit: (limit) =>
    `شما ${limit} کانفیگ دارید که بیشترین تعداد مجاز است. برای گرفتن کانفیگ تازه یکی را در /myconfigs باطل کنید.`,
  noCapacity: "همهٔ سرورها اکنون پر هستند. به مدیران خبر داده شد؛ لطفاً بعداً دوباره تلاش کنید.",
  noCapacityInRegion: (region) =>
    `سرورهای ${region} اکنون پر هستند. منطقهٔ دیگری را انتخاب کنید یا بعداً تلاش کنید.`,
  myConfigsEmpty: "هنوز کانفیگی ندارید. با /config یکی بگیرید.",
  myConfigsHeader: (count) => `کانفیگ‌های شما (${count}):`,
  configLine: ({ serverId, region, createdAt, expiresAt }) =>
    `• ${serverId} (${region})، ساخته‌شده ${createdAt}، ${expiresAt === null ? "بدون انقضا" : `انقضا ${expiresAt}`}`,
  downloadButton: (serverId) => `⬇️ ${serverId}`,
  revokeButton: (serverId) => `🗑 باطل کردن ${serverId}`,
  revokeConfirm: (serverId) =>
    `کانفیگ ${serverId} باطل شود؟ بلافاصله از کار می‌افتد و قابل بازگشت نیست.`,
  revokeYes: "بله، باطل شود",
  revokeNo: "نه، بماند",
  revoked: (serverId) => `کانفیگ شما برای ${serverId} باطل شد.`,
  revokeCancelled: "چیزی تغییر نکرد.",
  configGone: "این کانفیگ دیگر در دسترس نیست. /myconfigs را ببینید.",
  keysErased:
    "این کانفیگ قبلاً برای شما فرستاده شده و کلید خصوصی آن پس از آن از سرورهای ما پاک شده است، پس دوباره فرستاده نمی‌شود. /myconfigs را باز کنید و روی کانفیگ خود بزنید تا آن را با کلید تازه بگیرید.",
  rekeyed: (serverId) =>
    `این کانفیگ شما برای ${serverId} با کلید تازه است. فایل قبلی دیگر کار نمی‌کند؛ به‌جای آن این را وارد کنید.`,
  getNewConfigButton: "⬇️ گرفتن کانفیگ تازه",
  chooseLanguage: "زبان خود را انتخاب کنید:",
  languageSet: "انجام شد: از این پس فارسی صحبت می‌کنم.",
  unknownCommand: "متأسفم، این فرمان را نمی‌شناسم. /help را ببینید.",
  tryAgain: "مشکلی در سمت ما پیش آمد و چیزی تغییر نکرد. لطفاً یک دقیقهٔ دیگر دوباره تلاش کنید.",
  slowDown: "خیلی سریع است؛ لطفاً چند ثانیه صبر کنید.",
  notAnAdmin: "کاری انجام نشد: شما دیگر مدیر نیستید. نقش شما پیش از اجرای فرمان‌تان تغییر کرد.",
  tooManyNewcomers:
    "هم‌اکنون افراد زیادی در حال پیوستن هستند؛ لطفاً چند دقیقه دیگر دوباره /start را بفرستید.",
  approved: "شما تأیید شدید! برای گرفتن کانفیگ /config را بزنید.",
  expiryWarning: (serverId, expiresAt) =>
    `کانفیگ شما برای ${serverId} در ${expiresAt} منقضی می‌شود. پس از آن با /config کانفیگ تازه بگیرید.`,
  serverChanged: (serverId) =>
    `سرور قبلی شما از کار افتاد و به ${serverId} منتقل شدید. این کانفیگ تازه را وارد کنید؛ کانفیگ قبلی دیگر کار نمی‌کند.`,
  protocolChanged: (previousProtocol, protocol, serverId) =>
    `${previousProtocol} در شبکهٔ شما مسدود است، پس این یک پیکربندی ${protocol} روی ${serverId} با کلید تازه است. آن را وارد کنید؛ پیکربندی قبلی دیگر کار نمی‌کند.`,
  endpointChanged: (serverId) =>
    `نشانی سرور ${serverId} تغییر کرد. برای گرفتن کانفیگ به‌روز (با کلید تازه) دکمه را بزنید؛ کانفیگ قبلی دیگر وصل نمی‌شود.`,
  serverChangedTapForConfig: (serverId) =>
    `سرور قبلی شما از کار افتاد و به ${serverId} منتقل شدید. برای گرفتن کانفیگ تازه دکمه را بزنید؛ کانفیگ قبلی دیگر کار نمی‌کند.`,
  configRevokedNotice: (serverId) =>
    `کانفیگ شما برای ${serverId} باطل شد چون سرور از کار افتاد. با /config کانفیگ تازه بگیرید.`,
  noCapacityNotice: (serverId) =>
    `سرور ${serverId} شما از کار افتاد و اکنون سرور دیگری جا ندارد. بعداً با /config دوباره تلاش کنید.`,
};
