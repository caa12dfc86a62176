/** The bot's English texts; the fallback for any other language. */
import type { Messages } from "./messages.ts";

export const en: Messages = {
  languageName: "English",
  commandDescriptions: {
    start: "Start: welcome and menu",
    config: "Get a VPN config",
    myconfigs: "My configs: download or revoke",
    language: "Change the language",
    help: "How to use this bot",
  },
  welcome: (name) =>
    `Hi ${name}! This bot gives you a personal VPN config (WireGuard). Tap "Get a config" to start.`,
  menuGetConfig: "🔑 Get a config",
  menuMyConfigs: "📂 My configs",
  menuLanguage: "🌐 Language",
  menuHelp: "❓ Help",
  help: [
    "/config: get a new VPN config (a file and a QR code)",
    "/myconfigs: your configs: download again or revoke",
    "/language: change the language",
    "/help: this message",
    "",
    "Keep your config to yourself: anyone with the file can use your access.",
  ].join("\n"),
  needInvite:
    "This bot works by invitation. Open the invite link you were given, or send: /start <invite code>",
  awaitingApproval:
    "Thanks! An admin has been asked to approve you. You will get a message here once you are in.",
  blocked: "Your access has been blocked by an admin.",
  inviteInvalid: "That invite code is unknown. Check it, or ask whoever invited you for a new one.",
  inviteUsedUp: "That invite code has been used up. Ask whoever invited you for a new one.",
  chooseRegion: "Choose a region for your server:",
  chooseProtocol:
    "Choose a protocol. WireGuard is fastest; take Shadowsocks where WireGuard is blocked.",
  shadowsocksKeyCaption: (serverId, region) =>
    `Your Shadowsocks access key for server ${serverId} (${region}). Copy the next message:`,
  shadowsocksQrCaption: "Or scan this QR code in Outline or v2rayNG.",
  shadowsocksInstructions: [
    "Outline: tap + (Add server), paste the key, then Connect.",
    "v2rayNG: copy the key, tap + → Import config from clipboard, then ▶.",
  ].join("\n"),
  configCaption: (serverId, region) => `Your config for server ${serverId} (${region}).`,
  qrCaption: "Or scan this QR code in the WireGuard app.",
  instructions: [
    "How to connect:",
    "1. Install the WireGuard app (Android, iOS, Windows, macOS or Linux).",
    '2. Tap "+" and import the file above, or scan the QR code.',
    "3. Switch the tunnel on.",
  ].join("\n"),
  configLimit: (limit) =>
    `You already have ${limit} config(s), the most allowed. Revoke one in /myconfigs to get another.`,
  noCapacity: "All servers are full right now. The admins have been told; please try again later.",
  noCapacityInRegion: (region) =>
    `The servers in ${region} are full right now. Try another region, or try again later.`,
  myConfigsEmpty: "You have no configs yet. Use /config to get one.",
  myConfigsHeader: (count) => `Your configs (${count}):`,
  configLine: ({ serverId, region, createdAt, expiresAt }) =>
    `• ${serverId} (${region}), created ${createdAt}, ${expiresAt === null ? "never expires" : `expires ${expiresAt}`}`,
  downloadButton: (serverId) => `⬇️ ${serverId}`,
  revokeButton: (serverId) => `🗑 Revoke ${serverId}`,
  revokeConfirm: (serverId) =>
    `Revoke your config for ${serverId}? It stops working at once and cannot be restored.`,
  revokeYes: "Yes, revoke it",
  revokeNo: "No, keep it",
  revoked: (serverId) => `Your config for ${serverId} is revoked.`,
  revokeCancelled: "Nothing was changed.",
  configGone: "That config is no longer available. See /myconfigs.",
  keysErased:
    "That config was already sent to you, and its private key was then erased from our servers, so it cannot be sent again. Open /myconfigs and tap your config to get it with a new key.",
  rekeyed: (serverId) =>
    `Here is your config for ${serverId} with a new key. The file you had before stops working; import this one instead.`,
  getNewConfigButton: "⬇️ Get my new config",
  chooseLanguage: "Choose your language:",
  languageSet: "Done: I will speak English.",
  unknownCommand: "Sorry, I don't know that command. See /help.",
  tryAgain:
    "Something went wrong on our side and nothing was changed. Please try again in a minute.",
  slowDown: "Too fast; please wait a few seconds.",
  notAnAdmin:
    "Nothing was done: you are no longer an admin. Your role changed before your command took effect.",
  tooManyNewcomers: "Many people are joining right now; please send /start again in a few minutes.",
  approved: "You have been approved! Tap /config to get your VPN config.",
  expiryWarning: (serverId, expiresAt) =>
    `Your config for ${serverId} expires on ${expiresAt}. Get a new one with /config when it does.`,
  serverChanged: (serverId) =>
    `Your previous server stopped working, so you have been moved to ${serverId}. Import this new config; the old one no longer works.`,
  protocolChanged: (previousProtocol, protocol, serverId) =>
    `${previousProtocol} is blocked on your network, so here is a ${protocol} config on ${serverId} instead, with a new key. Import it; the old config no longer works.`,
  endpointChanged: (serverId) =>
    `The address of server ${serverId} changed. Tap the button to get an updated config (with a new key); the old one no longer connects.`,
  serverChangedTapForConfig: (serverId) =>
    `Your previous server stopped working, so you have been moved to ${serverId}. Tap the button to get your new config; the old one no longer works.`,
  configRevokedNotice: (serverId) =>
    `Your config for ${serverId} was revoked because the server stopped working. Use /config to get a new one.`,
  noCapacityNotice: (serverId) =>
    `Your server ${serverId} stopped working and no other server has room right now. Use /config to try again later.`,
};
