/** The admins' English texts (see admin-messages.ts). */

import type { User } from "../../cluster/fsm/records.ts";
import type { ServerView } from "../../cluster/fsm/views.ts";
import { shortCertSha256 } from "../../shared/cert-fingerprint.ts";
import { formatDate, formatTime } from "../format.ts";
import { evidenceDetail } from "../jobs/ban-verdict.ts";
import {
  type AdminMessages,
  type AdminUsageView,
  adminCommandLines,
  type MemberLine,
  type RehomeCounts,
} from "./admin-messages.ts";
import { type PluralForms, pluralForm } from "./plural.ts";
import { protocolName } from "./protocol-names.ts";
import { protocolStates } from "./server-protocols.ts";

/** `count` and the word's form for it: "1 config", "3 configs". */
const counted = (count: number, forms: PluralForms) => `${count} ${pluralForm("en", count, forms)}`;
const CONFIG = { one: "config", other: "configs" };
const USER = { one: "user", other: "users" };
const SERVER = { one: "server", other: "servers" };

const refusals: Record<string, string> = {
  UNKNOWN_SERVER: "There is no such server; see /servers.",
  UNKNOWN_USER: "That user has never started the bot; they must send it /start first.",
  UNKNOWN_CONFIG: "There is no such config.",
  CONFIG_ALREADY_REVOKED: "That config was revoked already.",
  UNKNOWN_PROBE: "There is no such vantage probe; see /probes.",
  PROBE_EXISTS: "A vantage probe with that id exists already; remove it first or pick another id.",
  INVALID_PROBE_KEY: "The vantage probe's key is not valid; add the probe again.",
  INVALID_PROBE_TRANSPORT:
    "sha256= goes only with an https:// URL, and insecure only with an http:// one.",
  INVITE_EXISTS: "That invite code exists already; run /invite again.",
  INVALID_SETTING: "That value is not allowed for this setting.",
  UNKNOWN_MEMBER: "That node is not a member of this cluster; see /servers.",
  MEMBER_REMOVED: "That server was removed from the cluster for good.",
  NODE_ID_TAKEN: "That node id was given to a server already, and is never given twice.",
  TOO_MANY_JOIN_TOKENS:
    "Too many join tokens are waiting; cancel unused ones (/jointokens, /canceljoin) first.",
  UNKNOWN_JOIN_TOKEN: "There is no join token for that node; see /jointokens.",
  JOIN_TOKEN_CANCELLED: "That join token was cancelled already.",
  JOIN_TOKEN_USED: "That join token was used already.",
  JOIN_TOKEN_EXPIRED: "That join token has expired.",
  TOO_FEW_VOTERS:
    "Removing it would leave too few voters and no healthy learner to promote; add a server first (/addserver).",
  QUORUM_AT_RISK:
    "Without it too few voters would answer to make a majority; bring the others back first.",
  NO_MEMBER_KEYS: "This leader's key is not pinned yet; wait a few seconds and try again.",
  LAST_ADMIN: "That is the only admin: promote someone else first, or nobody can run the bot.",
  UPDATE_TOO_OLD: "That command is too old to act on; send it again.",
};

const moved = (rehome: RehomeCounts) =>
  ` ${counted(rehome.rehomed, CONFIG)} moved to other servers, ${rehome.withoutCapacity} without room${rehome.pending === undefined ? "" : `, ${rehome.pending} to move once their keys are ready`}.`;

function memberLine(member: MemberLine): string {
  const role = member.isLeader ? "leader" : member.role;
  const lag =
    member.lag === null
      ? "lag unknown"
      : `lag ${counted(member.lag, { one: "entry", other: "entries" })}`;
  const heard =
    member.silentForMs === null ? "" : `, heard ${(member.silentForMs / 1000).toFixed(1)} s ago`;
  return `• ${member.id} (${role}): ${lag}${heard}`;
}

const transports = {
  pinned: (sha: string) => `pinned SHA-256 ${shortCertSha256(sha)}`,
  insecure: "⚠️ INSECURE: plain http, the token crosses the network unencrypted",
  neverAsked:
    "⚠️ never asked: http:// without insecure; remove it and add it again with https:// (or insecure)",
  checked: "certificate checked against the system CAs",
};

function transportOf(probe: { url: string; certSha256: string | null; insecure: boolean }) {
  if (probe.certSha256 !== null) return transports.pinned(probe.certSha256);
  if (probe.insecure) return transports.insecure;
  if (probe.url.startsWith("http:")) return transports.neverAsked;
  return transports.checked;
}

const passphraseNote = (deleted: boolean) =>
  deleted
    ? "Your message with the passphrase was deleted from this chat."
    : "I could not delete your message with the passphrase: please delete it yourself.";

/** `Traffic: 1.2 GB of 5 GB (24 %); up 0.2 GB, down 1 GB; resets 2026-07-01`. */
function trafficLine(usage: AdminUsageView): string {
  const quota = usage.quota === null ? "no limit" : `${usage.quota} (${usage.percent} %)`;
  const state = usage.suspended
    ? "; SUSPENDED (quota used up)"
    : usage.lifted
      ? "; suspension lifted"
      : "";
  return `Traffic: ${usage.used} of ${quota}${usage.quotaIsDefault ? ", the default quota" : ""}; up ${usage.upload}, down ${usage.download}; resets ${usage.resetsAt}${state}`;
}

const ispOf = (isp: string) => (isp === "" ? "ISP unknown" : `ISP ${isp}`);
const tokenNote = (deleted: boolean) =>
  deleted
    ? "Your message with the token was deleted from this chat."
    : "I could not delete your message with the token: please delete it yourself.";

const MEMBERSHIP_CHANGE: Record<string, string> = {
  joined: "joined the cluster as a learner",
  promoted: "was promoted to voter",
  demoted: "was demoted to learner",
  removed: "left the cluster",
  keyRevoked: "had its key revoked for good",
  handedLeadership: "was handed leadership",
};

const text = (value: string | number | boolean | null | undefined) =>
  value === null || value === undefined ? "" : String(value);

const commandDescriptions: AdminMessages["commandDescriptions"] = {
  servers: "Servers: status, load, endpoint, last check",
  server: "/server <id>: one server and its recent check verdicts",
  checknow: "/checknow <server>: run a ban check on a server now",
  metrics: "Leader, term, commit index, members, totals",
  ban: "/ban <server> [reason]: take a server out, move its users",
  unban: "/unban <server>: put a server back in service",
  drain: "/drain <server> [reason]: no new configs on a server",
  addserver: "/addserver [region] [capacity]: a join token for a new server",
  jointokens: "Join tokens: pending, expired, used, cancelled",
  canceljoin: "/canceljoin <node id>: withdraw a join token",
  removeserver: "/removeserver <id>: move a server's users, take it out for good",
  probes: "/probes [list|add|remove]: vantage probes that check for filtering",
  users: "Users and their status",
  user: "/user <id> [quota <GB>|unlimited|default|lift]: usage, block, revoke configs",
  invite: "/invite [uses]: create an invite link",
  approve: "Users waiting for approval",
  broadcast: "/broadcast <text>: message every user",
  accessmode: "/accessmode open|invite|approval",
  promote: "/promote <id>: make a user an admin",
  demote: "/demote <id>: make an admin a user",
  backup: "An encrypted backup file; /backup passphrase <text> sets its passphrase",
  leader: "Which node runs the bot now",
  stepdown: "Hand leadership to another node",
  voters: "/voters [<node ids>|any]: the members that may vote and lead",
};

export const adminEn: AdminMessages = {
  commandDescriptions,
  help: ["Admin commands:", ...adminCommandLines(commandDescriptions)].join("\n"),
  usage: (form, explanation) => `Usage: ${form}${explanation ? `\n${explanation}` : ""}`,
  refusal: (code, detail) => refusals[code] ?? `Nothing was done: ${detail}.`,
  cancelButton: "Cancel",

  inviteUsage: (maxUses) => `uses from 1 to ${maxUses} (default 1)`,
  inviteCreated: (uses, link, code) =>
    `Invite for ${counted(uses, USER)}:\n${link}\nOr send the bot: /start ${code}`,
  accessModeUsage: (_modes, current) => `now: ${current}`,
  accessModeSet: (mode) => `Access mode is now ${mode}.`,
  votersShown: (candidates) =>
    candidates
      ? `Only these members may vote and lead: ${candidates.join(", ")}. The others serve as learners.\n/voters any lets every member vote.`
      : "Any member may vote and lead.\n/voters <node ids> keeps voting to the ones you name (at least 3), e.g. servers where they are least likely to be seized.",
  votersUsage: (candidates) =>
    `3 to 64 node ids (see /leader), or any; now: ${candidates ? candidates.join(", ") : "any"}`,
  votersSet: (candidates) =>
    candidates
      ? `Only ${candidates.join(", ")} may vote and lead from now on: a leader or voter outside the list hands over and becomes a learner, never below 3 voters.`
      : "Any member may vote and lead again.",
  votersWithoutLeaderCredentials: (ids) =>
    ids.length === 1
      ? `${ids[0]} lacks the bot token or the data keys, so it is not made a voter: set BOT_TOKEN and DATA_KEYS there and restart.`
      : `${ids.join(", ")} lack the bot token or the data keys, so they are not made voters: set BOT_TOKEN and DATA_KEYS there and restart.`,
  votersOthersHoldCredentials: (ids) =>
    `${ids.join(", ")} ${ids.length === 1 ? "is no candidate" : "are no candidates"} but may still hold the data keys and the bot token from before: rotate both (a new data key, a new token from @BotFather) on the candidates only.`,
  nobodyWaiting: "Nobody is waiting for approval.",
  waitingHeading: (count) => `Waiting for approval (${count}):`,
  waitingLine: (user) => `• ${user.id} ${user.name || "(no name)"}`,
  rejectButton: "❌ Reject",
  approvedToast: "Approved",
  rejectedToast: "Rejected",
  userApproved: (userId) => `User ${userId} is approved and has been told.`,
  userRejected: (userId) => `User ${userId} is rejected (blocked) and has been told.`,

  broadcastUsage: (maxLength) => `the text is 1 to ${maxLength} characters`,
  broadcastSendButton: (users) => `📣 Send to ${counted(users, USER)}`,
  broadcastQueued: (users) => `Broadcast queued for ${counted(users, USER)}.`,
  broadcastCancelled: "Broadcast cancelled; nothing was sent.",

  metrics: (view) =>
    [
      `Leader: ${view.leaderId ?? "none"}, term ${view.term}`,
      `Commit index: ${view.commitIndex}, applied: ${view.appliedIndex}`,
      "Members:",
      ...view.members.map(memberLine),
      `Servers: ${view.servers} (${view.bannedServers} banned)`,
      `Users: ${view.users}`,
      `Live configs: ${view.liveConfigs}`,
      `Outbox: ${view.pendingOutbox} pending, ${view.queuedDeliveries ?? "?"} in this node's delivery queue`,
      `Ban checks: ${view.queuedChecks === undefined ? "? jobs" : counted(view.queuedChecks, { one: "job", other: "jobs" })} in this node's queue`,
    ].join("\n"),
  chart: {
    fleetTitle: "Fleet, last 24 hours",
    serverTitle: (serverId) => `Server ${serverId}, last 24 hours`,
    subtitle: (charted, total) =>
      charted < total
        ? `${charted} of ${counted(total, SERVER)}, most configs first; hours in UTC`
        : "hours in UTC",
    configsIssued: "Configs issued per hour",
    activePeers: "Active peers (highest in the hour)",
    traffic: "Traffic per hour, MB (received + sent)",
    banChecks: "Ban checks: worst verdict in the hour",
    verdicts: { ok: "ok", inconclusive: "inconclusive", down: "down", filtered: "filtered" },
    digits: (text) => text,
    caption: (title) =>
      `${title}: configs issued, active peers, traffic and ban checks per hour (UTC).`,
    notDrawn: (code, message) => `The chart could not be drawn (${code}): ${message}`,
  },
  leaderRunsBot: (nodeId, term, members) =>
    [
      `Node ${nodeId} leads in term ${term} and runs the bot.`,
      "Members:",
      ...members.map(memberLine),
    ].join("\n"),
  noOtherVoter: "Leadership stays here: there is no other voter to hand it to.",
  handingOver:
    "Handing leadership to the most caught-up node; the bot continues there in a moment.",

  addServerUsage: (maxCapacity) =>
    `a region is 1-32 of A-Z a-z 0-9 _ . -, a capacity a whole number from 1 to ${maxCapacity}`,
  addServerHandledBefore: "This /addserver was handled already; see /jointokens, or run it again.",
  noJoinToken: (reason) => `No join token was made. ${reason}`,
  joinTokenIntro: (nodeId, expiresAt) =>
    `Join token for ${nodeId}, valid until ${formatTime(expiresAt)}:\n`,
  joinTokenHowTo: "\n\nOn the new VPS, from a clone of the repository, run:\n",
  joinTokenOutro:
    "\nor set JOIN_TOKEN=<the token above> in its environment. Once used, the token is spent.",
  joinTokenPlaceholder: "<the token above>",
  joinTokensEmpty: "No join tokens yet; make one with /addserver.",
  joinTokens: (tokens) =>
    [
      `Join tokens (${tokens.length}):`,
      ...tokens.map((token) => {
        const place = [token.region, token.capacity === null ? null : `capacity ${token.capacity}`]
          .filter((part) => part !== null)
          .join(", ");
        return `• ${token.nodeId}${place ? ` (${place})` : ""}: ${token.status}, made by ${token.createdBy} at ${formatTime(token.createdAt)}, expires ${formatTime(token.expiresAt)}`;
      }),
    ].join("\n"),
  joinCancelled: (nodeId) =>
    `The join token for ${nodeId} is cancelled; it lets no server in any more.`,
  notAMember: (nodeId) => `${nodeId} is not a member of this cluster; see /servers.`,
  removeConfirm: (nodeId, liveConfigs) =>
    `${nodeId} will be drained: its ${counted(liveConfigs, { one: "live config moves", other: "live configs move" })} to other servers with fresh keys and their users are told; it leaves the cluster, its key is revoked for good and it stops. Remove it?`,
  removeButton: (nodeId) => `Confirm: remove ${nodeId}`,
  notRemoved: (nodeId, reason) => `${nodeId} is not removed. ${reason}`,
  beingRemoved: (nodeId, rehome) =>
    `${nodeId} is being removed.${rehome ? moved(rehome) : ""} It leaves the cluster and its key is revoked shortly.`,
  removalCancelled: (nodeId) => `${nodeId} stays; nothing was changed.`,
  removedAlready: (nodeId, actor, at) =>
    `${nodeId} was removed already (by ${actor} at ${formatTime(at)}).`,

  probeAddHelp:
    "The URL is https://; sha256= pins the agent's self-signed certificate (the fingerprint it logs at start). A plain http:// URL needs the word insecure: the token then crosses the network unencrypted.",
  probesEmpty: (addForm) =>
    `No vantage probes yet; ban checks probe from outside only. Add one: ${addForm}`,
  probes: (probes) =>
    [
      `Vantage probes (${probes.length}):`,
      ...probes.map(
        (probe) =>
          `• ${probe.id} [${probe.region}, ${ispOf(probe.isp)}] ${probe.url} (${transportOf(probe)}), added by ${probe.addedBy} on ${formatDate(probe.addedAt)}`,
      ),
    ].join("\n"),
  probeAdded: (probe, deleted) =>
    `Vantage probe ${probe.id} added (${probe.region}, ${ispOf(probe.isp)}): ${probe.url} (${transportOf(probe)})\n${tokenNote(deleted)}`,
  probeInputRefused: (problem, deleted) => `${problem}\n${tokenNote(deleted)}`,
  probeWords: {
    MISSING_PROBE_WORDS: "an id, a URL and a token are needed",
    PIN_GIVEN_TWICE: "sha256= is given once",
    TOO_MANY_PROBE_WORDS: "too many words: region and isp are one word each",
  },
  probeRemoved: (probeId) => `Vantage probe ${probeId} removed; ban checks no longer ask it.`,

  servers: (servers) => [`Servers (${servers.length}):`, ...servers.map(serverLine)].join("\n"),
  serversEmpty: "No servers are registered yet.",
  serverInFull: (server) => {
    const verdicts = [...server.checks.recent]
      .reverse()
      .map((result) => `  ${formatTime(result.at)} ${result.evidence}`);
    const probePeer = server.probePeer
      ? "WireGuard handshake probed"
      : "TCP probed only (no probe peer)";
    const protocols = protocolStates(server).map(({ protocol, blocked }) => {
      const where = blocked?.isps.length ? ` at ISP ${blocked.isps.join(", ")}` : "";
      const state = blocked ? `blocked since ${formatTime(blocked.since)}${where}` : "working";
      return `${protocolName(protocol)}: ${state}`;
    });
    return [
      serverLine(server),
      `Status set by ${server.statusActor || "registration"} at ${formatTime(server.statusAt)}.`,
      `Checks: ${probePeer}; consecutive filtered ${server.checks.consecutiveFiltered}, down ${server.checks.consecutiveDown}.`,
      ...(protocols.length > 0 ? [`Protocols: ${protocols.join("; ")}.`] : []),
      verdicts.length === 0 ? "No check verdicts yet." : "Recent verdicts (newest first):",
      ...verdicts,
    ].join("\n");
  },
  noSuchServer: (serverId) => `There is no server ${serverId}; see /servers.`,
  checking: (serverId) => `Checking ${serverId} from here and from every vantage probe...`,
  notChecked: (serverId, status, hasEndpoint) =>
    `${serverId} is not checked: it is ${status}${hasEndpoint ? "" : " and has no endpoint yet"}.`,
  checkAnswer: ({ serverId, verdict, evidence, transition }) =>
    `${serverId}: ${verdict}. ${evidenceDetail(verdict, evidence)}${transition === "none" ? "" : ` The server's status changed: ${transition}.`}`,
  statusChanged: ({ serverId, from, to, previousReason, reason, rehome }) => {
    const now = `Server ${serverId} is now ${to}.${rehome ? moved(rehome) : ""}`;
    if (from === to)
      return `Server ${serverId} was ${to} already; its reason "${previousReason}" is now "${reason}".`;
    if (to === "active" && from === "draining")
      return `${now} It was draining (${previousReason}), not banned: it takes new configs again.`;
    return from === "active" ? now : `${now} It was ${from} (${previousReason}).`;
  },
  alreadyActive: (serverId) => `Server ${serverId} is active already; nothing was changed.`,

  users: (users, total) => {
    const more = total > users.length ? `\n… and ${total - users.length} more` : "";
    return `Users (${total}):\n${users.map(userLine).join("\n")}${more}\nDetails: /user <id>`;
  },
  usersEmpty: "No users yet.",
  userInFull: (user, names) => `${userLine(user)}\nLive configs: ${names.join(", ") || "none"}`,
  traffic: trafficLine,
  quotaSet: (userId, usage) => `User ${userId}: ${trafficLine(usage)}`,
  noSuchUser: (userId) => `No user ${userId} has started the bot.`,
  blockButton: "Block",
  unblockButton: "Unblock",
  revokeConfigsButton: "Revoke configs…",
  userStatusSet: (userId, status, revoked) =>
    `User ${userId} is now ${status}.${revoked > 0 ? ` ${counted(revoked, CONFIG)} revoked.` : ""}`,
  noLiveConfigs: (userId) => `User ${userId} has no live configs.`,
  liveConfigsOf: (userId) => `Live configs of ${userId}:`,
  revokeConfigButton: (name, createdAt) => `Revoke ${name} (${formatDate(createdAt)})`,
  configRevoked: (name, userId) => `Config ${name} of user ${userId} is revoked.`,
  roleSet: (userId, role) =>
    `User ${userId} is now ${role === "admin" ? "an admin" : "a plain user"}.`,
  lastAdmin: (userId) =>
    `${userId} is the only admin, so they stay one: promote someone else first (/promote <id>).`,
  demoteSelfConfirm:
    "Demote yourself? You lose the admin commands at once; only another admin can give them back.",
  demoteSelfButton: "Yes, demote me",
  keepAdminButton: "No, stay admin",
  demoteCancelled: "You stay an admin; nothing was changed.",

  backupUsage: (minLength) =>
    `the passphrase has at least ${minLength} characters; several random words are best`,
  backupCaption: ({ createdAt, cluster, counts }, scheduled) =>
    [
      `${scheduled ? "Scheduled backup. " : ""}Encrypted backup of ${createdAt} (made by ${cluster.madeBy}): ${counted(counts.users, USER)}, ${counted(counts.liveConfigs, { one: "live config", other: "live configs" })} of ${counts.configs}, ${counted(counts.servers, SERVER)}, ${counted(counts.settings, { one: "setting", other: "settings" })}, ${counted(counts.invites, { one: "invite", other: "invites" })}.`,
      "No client keys are in it. It opens only with the backup passphrase: npm run restore -- <file> on a new server.",
    ].join("\n"),
  noBackup: (scheduled, minLength) =>
    `${scheduled ? "No scheduled backup" : "No backup"}: no backup passphrase is set. An admin sets one with /backup passphrase <text> (at least ${minLength} characters); keep it somewhere safe, it is the only way to open the backups.`,
  passphraseRefused: (minLength, maxLength, deleted) =>
    `A backup passphrase has at least ${minLength} characters and at most ${maxLength}; several random words are best.\n${passphraseNote(deleted)}`,
  passphraseSet: (deleted) =>
    [
      "Backup passphrase set: every backup from now on is encrypted to it, and no server holds it (they keep only a check of it).",
      "Keep it somewhere safe, away from the servers: without it no backup can be opened, and nobody can recover it.",
      passphraseNote(deleted),
    ].join("\n"),

  approvalRequest: (pending, shown) => {
    const names = pending
      .slice(0, shown)
      .map((user) => `${user.name || "(no name)"} (${user.id})`)
      .join(", ");
    const more = pending.length > shown ? ` and ${pending.length - shown} more` : "";
    const count = `${counted(pending.length, USER)} ${pending.length === 1 ? "waits" : "wait"}`;
    return `🕓 ${count} for approval: ${names}${more}.\nReview them with /approve.`;
  },
  alert: (payload) => {
    if (payload.event === "serverBanned" || payload.event === "serverRemoved")
      return [
        `⚠️ Server ${text(payload.serverId)} was ${payload.event === "serverBanned" ? "banned" : "removed"} (${text(payload.reason)}) by ${text(payload.actor)}.`,
        `Moved to other servers: ${text(payload.rehomed)}; no room for: ${text(payload.withoutCapacity)}; to ask again: ${text(payload.pending)}.`,
      ].join("\n");
    if (payload.event === "serverDown")
      return `⚠️ Server ${text(payload.serverId)} is marked down (${text(payload.reason)}); it takes no new configs until a check passes again.`;
    if (payload.event === "protocolBlocked")
      return [
        `⚠️ ${protocolName(text(payload.protocol))} is blocked on server ${text(payload.serverId)}${payload.isps ? ` at ISP ${text(payload.isps)}` : " (all vantages together)"}; it is closed there for new configs.`,
        `Moved to the same protocol elsewhere: ${text(payload.moved)}; given another protocol: ${text(payload.switched)}; no room for: ${text(payload.withoutCapacity)}; to ask again: ${text(payload.pending)}.`,
      ].join("\n");
    if (payload.event === "protocolReopened")
      return `ℹ️ ${protocolName(text(payload.protocol))} passes the checks on server ${text(payload.serverId)} again; it is open there for new configs.`;
    if (payload.event === "membershipChanged") {
      const change = text(payload.change);
      const reason = text(payload.reason);
      return `ℹ️ Node ${text(payload.nodeId)} ${MEMBERSHIP_CHANGE[change] ?? change}${reason ? ` (${reason})` : ""}.`;
    }
    return `⚠️ ${text(payload.event)}: ${JSON.stringify(payload)}`;
  },
};

function serverLine(server: ServerView): string {
  const load = `${server.liveConfigs}/${server.capacity} configs`;
  const endpoint = server.endpointHost
    ? `${server.endpointHost}:${server.listenPort}`
    : "no endpoint yet";
  const lastCheck = server.checks.recent.at(-1);
  const check = lastCheck
    ? `${lastCheck.verdict} at ${formatTime(lastCheck.at)}`
    : "not checked yet";
  const reason =
    server.status !== "active" && server.statusReason ? ` (${server.statusReason})` : "";
  const blocked = server.blockedProtocols.map(({ protocol }) => protocolName(protocol));
  const mark = blocked.length > 0 ? `, 🚫 ${blocked.join(", ")} blocked` : "";
  return `• ${server.id} [${server.region}] ${server.status}${reason}${mark}: ${load}, ${endpoint}, last check ${check}`;
}

function userLine(user: User): string {
  return `• ${user.id} ${user.name || "(no name)"}: ${user.role}, ${user.status}, since ${formatDate(user.createdAt)}`;
}
