/** Applying the outbox lifecycle: broadcasts in, delivery outcomes back. */
import { actorLabel } from "./actors.ts";
import type { ApplyContext } from "./apply-context.ts";
import { applied, repeated } from "./apply-result.ts";
import type { CommandOf } from "./commands.ts";
import { eraseConfigKeys } from "./config-key-commands.ts";
import type { ControlPlaneData } from "./control-plane-data.ts";
import { type Refusal, refuse } from "./errors.ts";
import { copyOutboxEntry } from "./views.ts";

/**
 * Records a delivery. Delivery is at least once across failovers, so marking
 * an entry already delivered is answered as a duplicate and changes nothing.
 * A notice that carried a new config (a re-home) delivered its keys: their
 * delivery copy is erased with the same command.
 */
export function markOutboxDelivered(
  data: ControlPlaneData,
  context: ApplyContext,
  command: CommandOf<"markOutboxDelivered">,
) {
  const entry = data.outbox.entries.get(command.id);
  if (!entry) return unknownEntry(command.id);
  if (entry.status === "delivered") return repeated(copyOutboxEntry(entry));
  data.outbox.markDelivered(entry, command.at);
  if (entry.kind === "serverChanged" && typeof entry.payload.configId === "string")
    eraseConfigKeys(data, context, {
      type: "eraseConfigKeys",
      configIds: [entry.payload.configId],
      reason: "delivered",
      at: command.at,
    });
  return applied(copyOutboxEntry(entry));
}

/**
 * Records a failed attempt. A permanent failure (the user blocked the bot)
 * ends retries; a transient one leaves the entry pending. An entry already
 * finished is answered as a duplicate.
 */
export function markOutboxFailed(data: ControlPlaneData, command: CommandOf<"markOutboxFailed">) {
  const entry = data.outbox.entries.get(command.id);
  if (!entry) return unknownEntry(command.id);
  if (entry.status !== "pending") return repeated(copyOutboxEntry(entry));
  data.outbox.markFailed(entry, command.error, command.permanent, command.at);
  return applied(copyOutboxEntry(entry));
}

/** Queues a message to every active user, in the order they joined. */
export function broadcast(
  data: ControlPlaneData,
  context: ApplyContext,
  command: CommandOf<"broadcast">,
) {
  const id = `b${context.index}`;
  const actor = actorLabel(command.actor);
  data.broadcasts.set(id, { id, text: command.text, actor, createdAt: command.at });
  let queued = 0;
  for (const user of data.users.values()) {
    if (user.status !== "active") continue;
    context.notify(user.id, "broadcast", { broadcastId: id }, command.at);
    queued++;
  }
  return applied({ broadcastId: id, queued });
}

function unknownEntry(id: string): Refusal {
  return refuse("UNKNOWN_OUTBOX_ENTRY", `there is no outbox entry ${id}; it may have been pruned`);
}
