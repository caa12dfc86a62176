/** `leaveChat`: the bot leaves a group, supergroup or channel it was added to. */
import { badRequest, forbidden } from "../bot-api-error.ts";
import { botLeaves } from "../group-actions.ts";
import type { MethodHandler } from "./method-call.ts";

const leaveChat: MethodHandler = (call) => {
  const raw = call.params.string("chat_id");
  if (raw === undefined || raw === "") throw badRequest("chat_id is empty");
  const chatId = /^-?\d+$/.test(raw.trim()) ? Number(raw) : null;
  if (chatId !== null && call.state.chats.get(chatId) !== undefined)
    throw badRequest("chat member status can't be changed in private chats");
  const group = chatId === null ? undefined : call.state.groups.get(chatId);
  if (group === undefined) throw badRequest("chat not found");
  group.leaveChatCalls += 1;
  if (!group.botIsMember) throw forbidden(`bot is not a member of the ${group.profile.type} chat`);
  botLeaves(call.state, group);
  return true;
};

export const chatMembershipMethods: Record<string, MethodHandler> = { leaveChat };
