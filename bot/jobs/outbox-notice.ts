/**
 * What each kind of outbox entry looks like in the chat: the user's texts in
 * their language, a new config where one changed, a summary of the users
 * waiting for approval. Rendered when delivered, from the replicated state
 * as it is then; a notice for admins reaches only someone who is one then.
 */
import type { Api } from "grammy";
import type { OutboxEntry, OutboxKind, User } from "../../cluster/fsm/records.ts";
import { isActiveAdmin, isLive, PROTOCOL_NAMES } from "../../cluster/fsm/records.ts";
import type { BotDependencies } from "../context.ts";
import { formatDate } from "../format.ts";
import { messagesFor } from "../i18n/language.ts";
import { downloadAgainKeyboard, sendConfig } from "../user/config-delivery.ts";

/** How many messages delivering `entry` sends, for pacing. */
export function messageCount(entry: OutboxEntry): number {
  return entry.kind === "serverChanged" ? 4 : 1;
}

/** Why an entry cannot be delivered whatever is retried (its subject is gone), or undefined. */
export class UndeliverableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UndeliverableError";
  }
}

function text(value: OutboxEntry["payload"][string] | undefined): string {
  return value === null || value === undefined ? "" : String(value);
}

/** Notices only admins may read: pending users' names, the fleet's troubles. */
const ADMIN_KINDS: ReadonlySet<OutboxKind> = new Set(["approvalRequest", "adminAlert"]);

/** How many waiting users an approval notice names. */
const NAMES_SHOWN = 5;

/** An approval notice: how many users wait, the first few, and how to review them; undefined when nobody waits. */
export function approvalRequestText(pending: readonly User[]): string | undefined {
  if (pending.length === 0) return undefined;
  const names = pending
    .slice(0, NAMES_SHOWN)
    .map((user) => `${user.name || "(no name)"} (${user.id})`)
    .join(", ");
  const more = pending.length > NAMES_SHOWN ? ` and ${pending.length - NAMES_SHOWN} more` : "";
  const count = pending.length === 1 ? "1 user waits" : `${pending.length} users wait`;
  return `🕓 ${count} for approval: ${names}${more}.\nReview them with /approve.`;
}

/** What each membership change means, for the admins' alert. */
const MEMBERSHIP_CHANGE_TEXT: Record<string, string> = {
  joined: "joined the cluster as a learner",
  promoted: "was promoted to voter",
  demoted: "was demoted to learner",
  removed: "left the cluster",
  keyRevoked: "had its key revoked for good",
};

/** A protocol's name as people read it; an unknown one as it came. */
function protocolName(protocol: string | number | boolean | null | undefined): string {
  const named = text(protocol);
  return (PROTOCOL_NAMES as Readonly<Record<string, string>>)[named] ?? named;
}

/** The admin's view of a fleet event: a ban's or removal's outcome, a membership change. */
export function adminAlertText(entry: OutboxEntry): string {
  const { payload } = entry;
  if (payload.event === "serverBanned" || payload.event === "serverRemoved")
    return [
      `⚠️ Server ${text(payload.serverId)} was ${payload.event === "serverBanned" ? "banned" : "removed"} (${text(payload.reason)}) by ${text(payload.actor)}.`,
      `Moved to other servers: ${text(payload.rehomed)}; no room for: ${text(payload.withoutCapacity)}; to ask again: ${text(payload.pending)}.`,
    ].join("\n");
  if (payload.event === "protocolBlocked")
    return [
      `⚠️ ${protocolName(payload.protocol)} is blocked on server ${text(payload.serverId)}${payload.isps ? ` at ISP ${text(payload.isps)}` : " (all vantages together)"}; it is closed there for new configs.`,
      `Moved to the same protocol elsewhere: ${text(payload.moved)}; given another protocol: ${text(payload.switched)}; no room for: ${text(payload.withoutCapacity)}; to ask again: ${text(payload.pending)}.`,
    ].join("\n");
  if (payload.event === "protocolReopened")
    return `ℹ️ ${protocolName(payload.protocol)} passes the checks on server ${text(payload.serverId)} again; it is open there for new configs.`;
  if (payload.event === "membershipChanged") {
    const change = text(payload.change);
    const reason = text(payload.reason);
    return `ℹ️ Node ${text(payload.nodeId)} ${MEMBERSHIP_CHANGE_TEXT[change] ?? change}${reason ? ` (${reason})` : ""}.`;
  }
  return `⚠️ ${text(payload.event)}: ${JSON.stringify(payload)}`;
}

/** Sends the messages of one outbox entry. Throws what Telegram answered, or UndeliverableError. */
export async function sendNotice(
  api: Api,
  deps: BotDependencies,
  entry: OutboxEntry,
): Promise<void> {
  const state = deps.service.localState;
  const recipient = state.user(entry.chatId);
  const t = messagesFor(recipient?.language ?? "en");
  const { payload, chatId } = entry;
  if (ADMIN_KINDS.has(entry.kind) && !isActiveAdmin(recipient))
    throw new UndeliverableError(`${chatId} is no longer an admin`);
  switch (entry.kind) {
    case "approval":
      await api.sendMessage(chatId, t.approved);
      return;
    case "approvalRequest": {
      const summary = approvalRequestText(state.pendingUsers());
      if (summary === undefined) throw new UndeliverableError("nobody waits for approval any more");
      await api.sendMessage(chatId, summary);
      return;
    }
    case "broadcast": {
      const broadcast = state.broadcast(text(payload.broadcastId));
      if (!broadcast) throw new UndeliverableError("the broadcast was pruned");
      await api.sendMessage(chatId, broadcast.text);
      return;
    }
    case "expiryWarning": {
      const config = state.config(text(payload.configId));
      await api.sendMessage(
        chatId,
        t.expiryWarning(config?.serverId ?? "", formatDate(Number(payload.expiresAt))),
      );
      return;
    }
    case "serverChanged":
    case "endpointChanged": {
      const config = state.config(text(payload.configId));
      if (!config || !isLive(config))
        throw new UndeliverableError(`config ${text(payload.configId)} is no longer live`);
      // A re-homed config comes with its fresh keys while they are held (marking
      // the entry delivered erases them); otherwise the button re-keys it.
      if (entry.kind === "serverChanged" && config.deliveryKeysSealed !== null) {
        const switched =
          typeof payload.previousProtocol === "string" &&
          payload.previousProtocol !== config.protocol;
        const caption = switched
          ? t.protocolChanged(
              protocolName(payload.previousProtocol),
              protocolName(config.protocol),
              config.serverId,
            )
          : t.serverChanged(config.serverId);
        await sendConfig(api, deps, t, chatId, config, caption);
        return;
      }
      const notice =
        entry.kind === "serverChanged"
          ? t.serverChangedTapForConfig(config.serverId)
          : t.endpointChanged(config.serverId);
      await api.sendMessage(chatId, notice, {
        reply_markup: downloadAgainKeyboard(t, config.id),
      });
      return;
    }
    case "noCapacity":
      await api.sendMessage(chatId, t.noCapacityNotice(text(payload.serverId)));
      return;
    case "configRevoked":
      await api.sendMessage(chatId, t.configRevokedNotice(text(payload.serverId)));
      return;
    case "adminAlert":
      await api.sendMessage(chatId, adminAlertText(entry));
      return;
  }
}
