/**
 * Everything one emulator holds: the bot's identity, its update queue and
 * polls, the chats with their messages, the groups the bot may be added to, uploaded files, command menus, and
 * the test controls (rate limits, scheduled failures). Method handlers and
 * the user side read and change this one object, on one event loop, so each
 * call's changes are atomic.
 */
import { CallbackQueries } from "./callback-queries.ts";
import { ChatStore } from "./chats.ts";
import { CommandMenus } from "./command-menus.ts";
import { FaultPlan } from "./fault-plan.ts";
import { FileStore } from "./file-store.ts";
import { GroupStore } from "./group-chats.ts";
import { LongPolling } from "./long-polling.ts";
import { createMonotonicClock, type MonotonicClock } from "./monotonic-clock.ts";
import { PollLog } from "./poll-log.ts";
import type { SendRateLimiter } from "./rate-limiter.ts";
import type { TelegramUser, UpdateContent } from "./telegram-objects.ts";
import { UpdateQueue } from "./update-queue.ts";

/** How the bot presents itself in `getMe` and as the sender of its messages. */
export interface BotProfile {
  first_name: string;
  username: string;
}

export interface EmulatorState {
  readonly clock: MonotonicClock;
  readonly profile: BotProfile;
  /** The bot's user id: the digits of the token it last called with (or was configured with). */
  botId: number;
  readonly chats: ChatStore;
  readonly groups: GroupStore;
  readonly files: FileStore;
  readonly commandMenus: CommandMenus;
  readonly callbackQueries: CallbackQueries;
  readonly updates: UpdateQueue;
  readonly polls: PollLog;
  readonly polling: LongPolling;
  readonly faults: FaultPlan;
  /** null when flood control is off, the default. */
  rateLimiter: SendRateLimiter | null;
  /** Sends refused by flood control (answered 429) so far. */
  floodRefusals: number;
}

export function createEmulatorState(options: {
  profile: BotProfile;
  botId: number;
  firstUpdateId: number;
}): EmulatorState {
  const clock = createMonotonicClock();
  const updates = new UpdateQueue(options.firstUpdateId);
  const polls = new PollLog();
  return {
    clock,
    profile: options.profile,
    botId: options.botId,
    chats: new ChatStore(),
    groups: new GroupStore(),
    files: new FileStore(),
    commandMenus: new CommandMenus(),
    callbackQueries: new CallbackQueries(),
    updates,
    polls,
    polling: new LongPolling(updates, polls, clock),
    faults: new FaultPlan(),
    rateLimiter: null,
    floodRefusals: 0,
  };
}

/** The bot as a Telegram user: the sender of its messages. */
export function botUser(state: EmulatorState): TelegramUser {
  return {
    id: state.botId,
    is_bot: true,
    first_name: state.profile.first_name,
    username: state.profile.username,
  };
}

/** Queues an update Telegram would send the bot and wakes a waiting poll; returns its id. */
export function deliverUpdate(state: EmulatorState, content: UpdateContent): number {
  const { update } = state.updates.enqueue(content);
  state.polling.notify();
  return update.update_id;
}
