/**
 * Asking admins to approve new users, coalesced. In approval mode a wave of
 * sign-ups must not become one notice per user and admin: every notice is a
 * Telegram message and a Raft write to mark it delivered. So each admin has
 * at most one approval notice waiting at a time. It names nobody when
 * queued: the bot renders it at delivery from the users pending then (how
 * many, the first few, and the command to review them). Once one has been
 * delivered, the next waits at least `approvalNoticeMinutes`, measured with
 * the commands' own timestamps, so every node queues the same notices.
 */
import type { ApplyContext } from "./apply-context.ts";
import type { ControlPlaneData } from "./control-plane-data.ts";
import { integerSetting } from "./settings.ts";

const MINUTE_MS = 60_000;

/** A user started waiting for approval at `at`: every active admin without a waiting notice gets one. */
export function askAdminsToApprove(
  data: ControlPlaneData,
  context: ApplyContext,
  at: number,
): void {
  const gapMs = integerSetting(data.settings, "approvalNoticeMinutes") * MINUTE_MS;
  for (const adminId of data.activeAdminIds()) {
    const newest = data.outbox.newestApprovalRequest(adminId);
    // Its text is drawn at delivery, so the user who just arrived is in it already.
    if (newest?.status === "pending") continue;
    const dueAt = newest === undefined ? at : newest.updatedAt + gapMs;
    context.notify(adminId, "approvalRequest", {}, at, dueAt > at ? dueAt : null);
  }
}
