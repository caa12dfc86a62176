/**
 * The private chats between emulated users and the bot: each chat's messages
 * from both sides in order (message ids are shared by both sides, as in a
 * real private chat), whether the user has started or blocked the bot, and
 * what the user's keyboard shows. Listeners hear of every change to the
 * messages, which is what `waitFor` waits on.
 */
import type { ReplyKeyboard } from "./reply-markup.ts";
import type { Message, PrivateChat, TelegramUser } from "./telegram-objects.ts";

/** What a user looks like to the bot, in Telegram's field names. */
export interface UserProfile {
  first_name: string;
  last_name?: string;
  username?: string;
  /** An IETF language tag such as "en", "fa" or "ru"; the bot picks its language from it. */
  language_code?: string;
}

export interface ChatEntry {
  /** The message as it is now, edits applied. */
  message: Message;
  sender: "user" | "bot";
  /** When it was sent: milliseconds on this process's monotonic clock. */
  sentAt: number;
}

/** The bot's `answerCallbackQuery` for a button the user pressed. */
export interface CallbackAnswer {
  callbackQueryId: string;
  text?: string;
  showAlert: boolean;
  url?: string;
}

export class Chat {
  /** True once the user has written to the bot; before that Telegram answers "chat not found". */
  started = false;
  blocked = false;
  /** The custom keyboard the bot last set, or null for the normal keyboard. */
  replyKeyboard: ReplyKeyboard | null = null;
  /** The last `sendChatAction`, e.g. "typing". */
  lastChatAction: string | null = null;
  private readonly entries = new Map<number, ChatEntry>();
  private readonly answers: CallbackAnswer[] = [];
  private readonly listeners = new Set<() => void>();
  private lastMessageId = 0;

  constructor(
    readonly id: number,
    public user: TelegramUser,
  ) {}

  /** The chat as Telegram describes it inside messages. */
  get privateChat(): PrivateChat {
    const chat: PrivateChat = { id: this.id, type: "private", first_name: this.user.first_name };
    if (this.user.last_name !== undefined) chat.last_name = this.user.last_name;
    if (this.user.username !== undefined) chat.username = this.user.username;
    return chat;
  }

  nextMessageId(): number {
    this.lastMessageId += 1;
    return this.lastMessageId;
  }

  add(entry: ChatEntry): void {
    this.entries.set(entry.message.message_id, entry);
    this.changed();
  }

  /** Replaces a message's content after an edit; its place in the history stays. */
  replace(message: Message): void {
    const entry = this.entries.get(message.message_id);
    if (entry === undefined) return;
    entry.message = message;
    this.changed();
  }

  remove(messageId: number): boolean {
    const removed = this.entries.delete(messageId);
    if (removed) this.changed();
    return removed;
  }

  find(messageId: number): ChatEntry | undefined {
    return this.entries.get(messageId);
  }

  /** Every message still in the chat, oldest first. */
  history(): ChatEntry[] {
    return [...this.entries.values()];
  }

  recordAnswer(answer: CallbackAnswer): void {
    this.answers.push(answer);
    this.changed();
  }

  /** The bot's answers to button presses, oldest first. */
  callbackAnswers(): CallbackAnswer[] {
    return this.answers.map((answer) => ({ ...answer }));
  }

  /** Calls `listener` after every change to the messages or answers; returns the unsubscribe function. */
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(): void {
    for (const listener of [...this.listeners]) listener();
  }
}

/** The user as Telegram shows them to the bot. */
function telegramUser(id: number, profile: UserProfile): TelegramUser {
  return { id, is_bot: false, ...profile };
}

export class ChatStore {
  private readonly chats = new Map<number, Chat>();

  get(id: number): Chat | undefined {
    return this.chats.get(id);
  }

  /** The user's chat, created on first use; a given profile replaces the stored one. */
  ensure(id: number, profile?: UserProfile): Chat {
    let chat = this.chats.get(id);
    if (chat === undefined) {
      chat = new Chat(id, telegramUser(id, profile ?? { first_name: `User ${id}` }));
      this.chats.set(id, chat);
    } else if (profile !== undefined) {
      chat.user = telegramUser(id, profile);
    }
    return chat;
  }

  all(): Chat[] {
    return [...this.chats.values()];
  }
}
