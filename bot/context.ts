/** What every handler of the bot gets besides grammY's own context. */

import type { Context } from "grammy";
import type { BackupService } from "../cluster/backup/backup-service.ts";
import type { ControlPlaneService } from "../cluster/control-plane-service.ts";
import type { ApplyResult } from "../cluster/fsm/control-plane.ts";
import type { User } from "../cluster/fsm/records.ts";
import type { FleetMembership } from "../cluster/membership/fleet-membership.ts";
import type { ClusterNode } from "../cluster/node.ts";
import type { SubscriptionLinks } from "../cluster/subscription/subscription-links.ts";
import type { Logger } from "../shared/logger.ts";
import type { ChartRenderer } from "./charts/chart-renderer.ts";
import type { Language } from "./i18n/language.ts";
import type { Messages } from "./i18n/messages.ts";
import type { BanChecks } from "./jobs/ban-checks.ts";
import type { QrCodeRenderer } from "./qr-code-renderer.ts";
import type { UpdateEffects } from "./update-effects.ts";
import type { NewcomerGate } from "./user/newcomer-gate.ts";

/** What the bot acts on: the node (leadership, status) and the control plane through it. */
export interface BotDependencies {
  node: ClusterNode<ApplyResult>;
  service: ControlPlaneService;
  /** Telegram user ids (decimal text) that become admins when they start the bot. */
  bootstrapAdminIds: ReadonlySet<string>;
  /** How many newcomers are let in per minute (the `newUsersPerMinute` setting). */
  newcomers: NewcomerGate;
  /** Outbox deliveries waiting in this node's queue; undefined while there is none. */
  outboxQueueDepth: () => Promise<number | undefined>;
  /** Draws config QR codes off the event loop. */
  qrCodes: QrCodeRenderer;
  /** Draws the admins' 24-hour charts off the event loop. */
  charts: ChartRenderer;
  /** Runs a ban check at once (`/checknow`); see bot/jobs/ban-checks.ts. */
  banChecks: Pick<BanChecks, "checkNow" | "queueDepth">;
  /** Join tokens and member removals (`/addserver`, `/removeserver`). */
  membership: FleetMembership;
  /** Users' subscription URLs (`/subscription`). */
  subscriptions: SubscriptionLinks;
  /** Backup files and the backup passphrase (`/backup`). */
  backups: BackupService;
  logger: Logger;
}

/** grammY's context with the update's one proposal, the sender's record and language. */
export interface BotContext extends Context {
  deps: BotDependencies;
  effects: UpdateEffects;
  /** The sender's record as this node applied it; undefined for someone who never started the bot. */
  account: User | undefined;
  language: Language;
  t: Messages;
}
