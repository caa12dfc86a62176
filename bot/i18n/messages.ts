/**
 * Everything the bot says to end users, as one interface per language, so a
 * missing translation is a type error rather than a blank message. Texts are
 * plain (no parse mode): user-supplied names and server labels need no
 * escaping. Texts take numbers and times (epoch ms) and write them in their
 * language's own digits and calendar.
 */
import type { AdminMessages } from "./admin-messages.ts";

/** What a user sees about one of their configs in /myconfigs. */
export interface ConfigLine {
  /** The config's name (see cluster/client-config/config-name.ts), also its file's and tunnel's. */
  name: string;
  serverId: string;
  region: string;
  createdAt: number;
  /** null: the config never expires. */
  expiresAt: number | null;
}

/** A user's traffic as /usage shows it, every value already written out. */
export interface UsageView {
  /** Upload and download together, e.g. `1.2 GB`. */
  used: string;
  upload: string;
  download: string;
  /** null: no quota. */
  quota: string | null;
  /** How much of the quota is used, in whole percent; null without a quota. */
  percent: number | null;
  /** The date the count starts again. */
  resetsAt: string;
  suspended: boolean;
}

/** Byte units in a language, smallest first. */
export type ByteUnits = readonly [b: string, kb: string, mb: string, gb: string, tb: string];

/** The end-user texts in one language. */
export interface Messages {
  /** The language's own name, on the /language buttons. */
  languageName: string;
  /** Descriptions in the command menu Telegram shows next to the input field. */
  commandDescriptions: Record<
    "start" | "config" | "myconfigs" | "subscription" | "usage" | "language" | "help",
    string
  >;
  /** Byte units, for traffic in human units. */
  byteUnits: ByteUnits;
  /** /usage: the user's traffic this period, their quota and when it resets. */
  usage: (view: UsageView) => string;
  /** Notice: 80 % of the quota used. */
  trafficWarning: (used: string, quota: string, resetsAt: string) => string;
  /** Notice: the quota is used up; the configs stop until the reset (or an admin). */
  trafficSuspended: (quota: string, resetsAt: string) => string;
  /** A config refused because the quota is used up. */
  quotaExceeded: (resetsAt: string) => string;
  welcome: (name: string) => string;
  menuGetConfig: string;
  menuMyConfigs: string;
  menuLanguage: string;
  menuHelp: string;
  help: string;
  /** Plain text the bot has no use for: what it understands instead (with the main menu). */
  textHint: string;
  /** The user is pending in invite mode: how to get in. */
  needInvite: string;
  /** The user is pending in approval mode: admins were asked. */
  awaitingApproval: string;
  blocked: string;
  inviteInvalid: string;
  inviteUsedUp: string;
  chooseRegion: string;
  /** Asked when active servers offer more than one protocol. */
  chooseProtocol: string;
  /** Sent with a Shadowsocks access key (the ss:// text follows on its own). */
  shadowsocksKeyCaption: (serverId: string, region: string) => string;
  /** Under a Shadowsocks key's QR code. */
  shadowsocksQrCaption: string;
  /** One line each for importing the key into Outline and v2rayNG. */
  shadowsocksInstructions: string;
  /** The caption of the .conf document. */
  configCaption: (name: string, serverId: string, region: string) => string;
  /** The caption of the QR code photo. */
  qrCaption: string;
  /** The user's subscription URL, which VPN apps refresh by themselves. */
  subscription: (url: string) => string;
  /** After `/subscription reset`: the new URL; the old one stopped working. */
  subscriptionReset: (url: string) => string;
  /** The caption of the subscription URL's QR code. */
  subscriptionQrCaption: string;
  /** Short WireGuard app instructions, sent after the files. */
  instructions: string;
  configLimit: (limit: number) => string;
  noCapacity: string;
  noCapacityInRegion: (region: string) => string;
  myConfigsEmpty: string;
  myConfigsHeader: (count: number) => string;
  configLine: (line: ConfigLine) => string;
  downloadButton: (name: string) => string;
  revokeButton: (name: string) => string;
  revokeConfirm: (name: string) => string;
  revokeYes: string;
  revokeNo: string;
  revoked: (name: string) => string;
  revokeCancelled: string;
  /** A button for a config that is revoked, expired or not the user's. */
  configGone: string;
  /** A repeat of a config request after its private key was erased (delivered once already). */
  keysErased: string;
  /** Before a config downloaded again: it has a new key pair, the old file stops working. */
  rekeyed: (name: string) => string;
  /** The button that downloads a config again (a new key pair). */
  getNewConfigButton: string;
  chooseLanguage: string;
  languageSet: string;
  /** Any command the bot does not know, including admin commands from non-admins. */
  unknownCommand: string;
  /** A temporary failure (no leader, timeout): nothing happened. */
  tryAgain: string;
  slowDown: string;
  /** An admin command refused because its sender was demoted (or blocked) before it took effect. */
  notAnAdmin: string;
  /** A newcomer turned away because too many joined in the last minute. */
  tooManyNewcomers: string;
  /** Notifications from the outbox. */
  approved: string;
  /** An admin turned the user's request down. */
  rejected: string;
  expiryWarning: (name: string, expiresAt: number) => string;
  serverChanged: (serverId: string) => string;
  /** A server's address changed: the button downloads the config again (a new key). */
  /** A protocol was blocked on the user's server and open nowhere else: the user gets a config of `protocol` instead. */
  protocolChanged: (previousProtocol: string, protocol: string, serverId: string) => string;
  endpointChanged: (serverId: string) => string;
  /** A re-home notice whose new config's keys are no longer held: the button downloads it with a new key. */
  serverChangedTapForConfig: (serverId: string) => string;
  configRevokedNotice: (serverId: string) => string;
  noCapacityNotice: (serverId: string) => string;
  /** What admins read: replies to admin commands and alerts. */
  admin: AdminMessages;
}
