/**
 * Groups, supergroups and channels the bot can be added to. The emulator
 * models only what a bot's membership needs: whether the bot is in the
 * chat, the text members write there, and every `leaveChat` the bot made
 * for it (so a test can tell that the bot left once).
 */
import type { GroupChatObject, GroupChatType } from "./telegram-objects.ts";

/** What a group looks like to the bot. */
export interface GroupProfile {
  type: GroupChatType;
  title: string;
}

export class GroupChat {
  /** The bot's membership: `member` in a group, `administrator` in a channel, `left` outside. */
  botStatus: "member" | "administrator" | "left" = "left";
  /** How many times the bot called `leaveChat` for this chat, answered or refused. */
  leaveChatCalls = 0;
  private lastMessageId = 0;

  constructor(
    readonly id: number,
    public profile: GroupProfile,
  ) {}

  get botIsMember(): boolean {
    return this.botStatus !== "left";
  }

  /** The chat as Telegram describes it inside updates. */
  get chatObject(): GroupChatObject {
    return { id: this.id, type: this.profile.type, title: this.profile.title };
  }

  nextMessageId(): number {
    this.lastMessageId += 1;
    return this.lastMessageId;
  }
}

export class GroupStore {
  private readonly groups = new Map<number, GroupChat>();

  get(id: number): GroupChat | undefined {
    return this.groups.get(id);
  }

  /** The group, created on first use; a given profile replaces the stored one. */
  ensure(id: number, profile?: GroupProfile): GroupChat {
    let group = this.groups.get(id);
    if (group === undefined) {
      group = new GroupChat(id, profile ?? { type: "supergroup", title: `Group ${id}` });
      this.groups.set(id, group);
    } else if (profile !== undefined) {
      group.profile = profile;
    }
    return group;
  }
}
