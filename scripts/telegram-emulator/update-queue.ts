/**
 * The bot's pending updates with Telegram's offset rules: ids only grow; an
 * update stays until a `getUpdates` confirms it with a higher offset; a
 * negative offset keeps only the last -offset updates. Which update types the
 * bot receives follows its last `allowed_updates`, applied as updates arrive.
 */
import {
  type Update,
  type UpdateContent,
  type UpdateType,
  updateTypeOf,
} from "./telegram-objects.ts";

/** What Telegram sends when the bot never chose, or chose an empty list. */
const DEFAULT_UPDATE_TYPES: ReadonlySet<string> = new Set<UpdateType>([
  "message",
  "callback_query",
  "my_chat_member",
]);

export class UpdateQueue {
  private pending: Update[] = [];
  private nextUpdateId: number;
  private allowedTypes = DEFAULT_UPDATE_TYPES;

  constructor(firstUpdateId: number) {
    this.nextUpdateId = firstUpdateId;
  }

  /**
   * Gives the content the next update id and queues it, unless the bot's
   * `allowed_updates` excludes its type; then Telegram drops it and so do we.
   * Returns the update either way, so callers can report the id.
   */
  enqueue(content: UpdateContent): { update: Update; queued: boolean } {
    const update: Update = { update_id: this.nextUpdateId++, ...content };
    const queued = this.allowedTypes.has(updateTypeOf(content));
    if (queued) this.pending.push(update);
    return { update, queued };
  }

  /** Applies a `getUpdates` offset: forgets what it confirms. */
  confirm(offset: number): void {
    if (offset > 0) this.pending = this.pending.filter((update) => update.update_id >= offset);
    else if (offset < 0) this.pending = this.pending.slice(offset);
  }

  /** Applies a `getUpdates` `allowed_updates` list; an empty list restores the default. */
  allow(types: readonly string[]): void {
    this.allowedTypes = types.length === 0 ? DEFAULT_UPDATE_TYPES : new Set(types);
  }

  /** The oldest `limit` unconfirmed updates. */
  peek(limit: number): Update[] {
    return this.pending.slice(0, limit);
  }

  /** `deleteWebhook` with `drop_pending_updates`. */
  dropAll(): void {
    this.pending = [];
  }

  get size(): number {
    return this.pending.length;
  }
}
