/**
 * Everything the bot says to admins: replies to admin commands, their
 * buttons, the charts, and the alerts and backups the outbox and the
 * schedule bring them, one interface per language like the user texts
 * (messages.ts). What the control plane recorded by itself (a ban check's
 * findings, a default reason) is said in the admin's language
 * (recorded-texts.ts); the control plane's details after a refusal, and
 * technical words (failure names, ISP labels, ids), stay as written inside
 * the sentence.
 */
import type { BackupHeader } from "../../cluster/backup/backup-file.ts";
import type { AddedVantageProbe } from "../../cluster/control-plane-service.ts";
import type {
  OutboxPayload,
  ServerStatus,
  User,
  UserRole,
  UserStatus,
  Verdict,
} from "../../cluster/fsm/records.ts";
import type { ServerView, VantageProbeView } from "../../cluster/fsm/views.ts";
import type { JoinTokenView } from "../../cluster/membership/fleet-membership.ts";
import type { UsageView } from "./messages.ts";

/** The admin commands, in the order the menu and /help list them. */
export const ADMIN_COMMAND_NAMES = [
  "servers",
  "server",
  "checknow",
  "metrics",
  "ban",
  "unban",
  "drain",
  "addserver",
  "jointokens",
  "canceljoin",
  "removeserver",
  "probes",
  "users",
  "user",
  "invite",
  "approve",
  "broadcast",
  "accessmode",
  "promote",
  "demote",
  "backup",
  "leader",
  "stepdown",
  "voters",
] as const;
export type AdminCommandName = (typeof ADMIN_COMMAND_NAMES)[number];

/**
 * One line per admin command for /help: its description, led by the command
 * (written by `command`, e.g. isolated in Persian) unless the description
 * shows its form already.
 */
export function adminCommandLines(
  descriptions: Record<AdminCommandName, string>,
  command: (name: string) => string = (name) => name,
): string[] {
  return ADMIN_COMMAND_NAMES.map((name) => {
    const description = descriptions[name];
    return description.includes(`/${name}`)
      ? description
      : `${command(`/${name}`)}: ${description}`;
  });
}

/** How many configs moved off a server, and how many could not. */
export interface RehomeCounts {
  rehomed: number;
  withoutCapacity: number;
  /** Waiting for their keys (a removal only). */
  pending?: number;
}

/** One cluster member as /metrics and /leader show it. */
export interface MemberLine {
  id: string;
  role: string;
  isLeader: boolean;
  /** Log entries behind the leader; null when unknown. */
  lag: number | null;
  /** null for the leader, or when never heard from. */
  silentForMs: number | null;
}

/** What /metrics shows. */
export interface MetricsView {
  leaderId: string | null;
  term: number;
  commitIndex: number;
  appliedIndex: number;
  members: MemberLine[];
  servers: number;
  bannedServers: number;
  users: number;
  liveConfigs: number;
  pendingOutbox: number;
  /** undefined: this node's queue could not be read. */
  queuedDeliveries: number | undefined;
  queuedChecks: number | undefined;
}

/** A server's status as /ban, /unban or /drain left it, and what it was before. */
export interface StatusChange {
  serverId: string;
  from: ServerStatus;
  to: ServerStatus;
  previousReason: string;
  reason: string;
  rehome: RehomeCounts | null;
}

/** The outcome of a /checknow that was recorded. */
export interface CheckAnswer {
  serverId: string;
  verdict: Verdict;
  /** The check's evidence as recorded. */
  evidence: string;
  transition: "ban" | "markDown" | "recover" | "none";
}

/** A user's traffic as /user shows it: what /usage shows the user, and whose quota it is. */
export interface AdminUsageView extends UsageView {
  /** The quota is the cluster's default, not one an admin gave this user. */
  quotaIsDefault: boolean;
  /** An admin lifted the suspension for the rest of the period. */
  lifted: boolean;
}

/** What a backup's caption tells from its header: enough to tell backups apart, nothing they hide. */
export type BackupSummary = Pick<BackupHeader, "createdAt" | "cluster" | "counts">;

/** The 24-hour chart's texts: those drawn in the picture, its caption, and why it could not be drawn. */
export interface ChartTexts {
  fleetTitle: string;
  serverTitle: (serverId: string) => string;
  /** Under the title: how many servers are drawn when not all are, and that hours are UTC. */
  subtitle: (charted: number, total: number) => string;
  configsIssued: string;
  activePeers: string;
  traffic: string;
  banChecks: string;
  /** The timeline's legend. */
  verdicts: Record<Verdict, string>;
  /** Digits in the language's own (hours, axis values). */
  digits: (text: string) => string;
  caption: (title: string) => string;
  notDrawn: (code: string, message: string) => string;
}

/** What is wrong with `/probes add`'s words, before they are checked as a probe. */
export type ProbeWordsProblem = "MISSING_PROBE_WORDS" | "PIN_GIVEN_TWICE" | "TOO_MANY_PROBE_WORDS";

export interface AdminMessages {
  /** The admin commands' descriptions, in the menu. */
  commandDescriptions: Record<AdminCommandName, string>;
  /** What /help adds for admins: every admin command and what it does. */
  help: string;
  /** A malformed command: its right form (command syntax) and what the words mean. */
  usage: (form: string, explanation?: string) => string;
  /**
   * A refusal from the control plane as a sentence: `code` picks it, and
   * `detail` (the control plane's own words) is added where it helps.
   */
  refusal: (code: string, detail: string) => string;
  cancelButton: string;

  inviteUsage: (maxUses: number) => string;
  inviteCreated: (uses: number, link: string, code: string) => string;
  accessModeUsage: (modes: readonly string[], current: string) => string;
  accessModeSet: (mode: string) => string;
  /** The members that may vote (`voterCandidates`); undefined: any member. */
  votersShown: (candidates: readonly string[] | undefined) => string;
  votersUsage: (candidates: readonly string[] | undefined) => string;
  votersSet: (candidates: readonly string[] | undefined) => string;
  /** Named candidates whose node lacks the bot token or the data keys: the autopilot does not promote them. */
  votersWithoutLeaderCredentials: (ids: readonly string[]) => string;
  /** Members outside the candidates whose node still holds the data keys or the bot token (given before the list). */
  votersOthersHoldCredentials: (ids: readonly string[]) => string;
  nobodyWaiting: string;
  waitingHeading: (count: number) => string;
  /** One user waiting for approval in /approve's list. */
  waitingLine: (user: User) => string;
  rejectButton: string;
  approvedToast: string;
  rejectedToast: string;
  userApproved: (userId: string) => string;
  userRejected: (userId: string) => string;

  broadcastUsage: (maxLength: number) => string;
  broadcastSendButton: (users: number) => string;
  broadcastQueued: (users: number) => string;
  broadcastCancelled: string;

  metrics: (view: MetricsView) => string;
  chart: ChartTexts;
  leaderRunsBot: (nodeId: string, term: number, members: MemberLine[]) => string;
  noOtherVoter: string;
  handingOver: string;

  addServerUsage: (maxCapacity: number) => string;
  addServerHandledBefore: string;
  noJoinToken: (reason: string) => string;
  /** The parts of /addserver's answer around the token and the command to run. */
  joinTokenIntro: (nodeId: string, expiresAt: number) => string;
  joinTokenHowTo: string;
  joinTokenOutro: string;
  joinTokenPlaceholder: string;
  joinTokensEmpty: string;
  joinTokens: (tokens: readonly JoinTokenView[]) => string;
  joinCancelled: (nodeId: string) => string;
  notAMember: (nodeId: string) => string;
  removeConfirm: (nodeId: string, liveConfigs: number) => string;
  removeButton: (nodeId: string) => string;
  notRemoved: (nodeId: string, reason: string) => string;
  beingRemoved: (nodeId: string, moved: RehomeCounts | null) => string;
  removalCancelled: (nodeId: string) => string;
  removedAlready: (nodeId: string, actor: string, at: number) => string;

  /** Which words of /probes add are which. */
  probeAddHelp: string;
  probesEmpty: (addForm: string) => string;
  probes: (probes: readonly VantageProbeView[]) => string;
  probeAdded: (probe: AddedVantageProbe, tokenDeleted: boolean) => string;
  probeInputRefused: (problem: string, tokenDeleted: boolean) => string;
  probeWords: Record<ProbeWordsProblem, string>;
  probeRemoved: (probeId: string) => string;

  servers: (servers: readonly ServerView[]) => string;
  serversEmpty: string;
  serverInFull: (server: ServerView) => string;
  noSuchServer: (serverId: string) => string;
  checking: (serverId: string) => string;
  notChecked: (serverId: string, status: ServerStatus, hasEndpoint: boolean) => string;
  checkAnswer: (answer: CheckAnswer) => string;
  statusChanged: (change: StatusChange) => string;
  /** /unban of a server that is neither banned nor draining: nothing to do. */
  alreadyActive: (serverId: string) => string;

  users: (users: readonly User[], total: number) => string;
  usersEmpty: string;
  userInFull: (user: User, liveConfigNames: readonly string[]) => string;
  /** A user's traffic this period, quota and reset, in one line (after /user's details). */
  traffic: (usage: AdminUsageView) => string;
  /** The answer to `/user <id> quota ...`: the user's traffic under the quota now. */
  quotaSet: (userId: string, usage: AdminUsageView) => string;
  noSuchUser: (userId: string) => string;
  blockButton: string;
  unblockButton: string;
  revokeConfigsButton: string;
  userStatusSet: (userId: string, status: UserStatus, revokedConfigs: number) => string;
  noLiveConfigs: (userId: string) => string;
  liveConfigsOf: (userId: string) => string;
  revokeConfigButton: (name: string, createdAt: number) => string;
  configRevoked: (name: string, userId: string) => string;
  roleSet: (userId: string, role: UserRole) => string;
  /** /demote of the only active admin. */
  lastAdmin: (userId: string) => string;
  demoteSelfConfirm: string;
  demoteSelfButton: string;
  keepAdminButton: string;
  demoteCancelled: string;

  /** /backup's forms explained; `minLength` is the passphrase's least length. */
  backupUsage: (minLength: number) => string;
  /** A backup's caption; `scheduled` for the one the schedule sends. */
  backupCaption: (backup: BackupSummary, scheduled: boolean) => string;
  /** No backup was made because no passphrase is set. */
  noBackup: (scheduled: boolean, minLength: number) => string;
  /** A passphrase of the wrong length was refused; the message that carried it is deleted or not. */
  passphraseRefused: (minLength: number, maxLength: number, messageDeleted: boolean) => string;
  passphraseSet: (messageDeleted: boolean) => string;

  /** The outbox's notice that users wait for approval; names the first few. */
  approvalRequest: (pending: readonly User[], shown: number) => string;
  /** The outbox's alert about a fleet event (a ban, a removal, a membership change). */
  alert: (payload: OutboxPayload) => string;
}
