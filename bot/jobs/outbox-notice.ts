/**
 * What each kind of outbox entry looks like in the chat: the user's texts in
 * their language, a new config where one changed, a summary of the users
 * waiting for approval. Rendered when delivered, from the replicated state
 * as it is then; a notice for admins reaches only someone who is one then.
 */
import type { Api } from "grammy";
import type { OutboxEntry, OutboxKind } from "../../cluster/fsm/records.ts";
import { isActiveAdmin, isLive } from "../../cluster/fsm/records.ts";
import type { BotDependencies } from "../context.ts";
import { formatBytes, formatDate } from "../format.ts";
import { messagesFor } from "../i18n/language.ts";
import { protocolName } from "../i18n/protocol-names.ts";
import { configNameOf, downloadAgainKeyboard, sendConfig } from "../user/config-delivery.ts";

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
    case "rejection":
      await api.sendMessage(chatId, t.rejected);
      return;
    case "approvalRequest": {
      const pending = state.pendingUsers();
      if (pending.length === 0) throw new UndeliverableError("nobody waits for approval any more");
      await api.sendMessage(chatId, t.admin.approvalRequest(pending, NAMES_SHOWN));
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
        t.expiryWarning(config ? configNameOf(state, config) : "", Number(payload.expiresAt)),
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
              protocolName(text(payload.previousProtocol)),
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
      await api.sendMessage(chatId, t.admin.alert(payload));
      return;
    case "trafficWarning":
    case "trafficSuspended": {
      const bytes = (value: OutboxEntry["payload"][string] | undefined) =>
        formatBytes(Number(value), t.byteUnits);
      const resetsAt = formatDate(Number(payload.resetsAt));
      await api.sendMessage(
        chatId,
        entry.kind === "trafficWarning"
          ? t.trafficWarning(bytes(payload.usedBytes), bytes(payload.quotaBytes), resetsAt)
          : t.trafficSuspended(bytes(payload.quotaBytes), resetsAt),
      );
      return;
    }
  }
}
