/**
 * Everything the bot says to end users, as one interface per language, so a
 * missing translation is a type error rather than a blank message. Texts are
 * plain (no parse mode): user-supplied names and server labels need no
 * escaping.
 */

/** What a user sees about one of their configs in /myconfigs. */
export interface ConfigLine {
  serverId: string;
  region: string;
  createdAt: string;
  /** null: the config never expires. */
  expiresAt: string | null;
}

/** The end-user texts in one language. */
export interface Messages {
  /** The language's own name, on the /language buttons. */
  languageName: string;
  /** Descriptions in the command menu Telegram shows next to the input field. */
  commandDescriptions: Record<"start" | "config" | "myconfigs" | "language" | "help", string>;
  welcome: (name: string) => string;
  menuGetConfig: string;
  menuMyConfigs: string;
  menuLanguage: string;
  menuHelp: string;
  help: string;
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
  configCaption: (serverId: string, region: string) => string;
  /** The caption of the QR code photo. */
  qrCaption: string;
  /** Short WireGuard app instructions, sent after the files. */
  instructions: string;
  configLimit: (limit: number) => string;
  noCapacity: string;
  noCapacityInRegion: (region: string) => string;
  myConfigsEmpty: string;
  myConfigsHeader: (count: number) => string;
  configLine: (line: ConfigLine) => string;
  downloadButton: (serverId: string) => string;
  revokeButton: (serverId: string) => string;
  revokeConfirm: (serverId: string) => string;
  revokeYes: string;
  revokeNo: string;
  revoked: (serverId: string) => string;
  revokeCancelled: string;
  /** A button for a config that is revoked, expired or not the user's. */
  configGone: string;
  /** A repeat of a config request after its private key was erased (delivered once already). */
  keysErased: string;
  /** Before a config downloaded again: it has a new key pair, the old file stops working. */
  rekeyed: (serverId: string) => string;
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
  expiryWarning: (serverId: string, expiresAt: string) => string;
  serverChanged: (serverId: string) => string;
  /** A server's address changed: the button downloads the config again (a new key). */
  /** A protocol was blocked on the user's server and open nowhere else: the user gets a config of `protocol` instead. */
  protocolChanged: (previousProtocol: string, protocol: string, serverId: string) => string;
  endpointChanged: (serverId: string) => string;
  /** A re-home notice whose new config's keys are no longer held: the button downloads it with a new key. */
  serverChangedTapForConfig: (serverId: string) => string;
  configRevokedNotice: (serverId: string) => string;
  noCapacityNotice: (serverId: string) => string;
}
