/**
 * The bot's middleware, in the order every update passes through it: only
 * while the session lasts, one chat at a time, with the sender's record and
 * language, groups and channels left, failures answered, the rate limit,
 * then the flows.
 */
import { sequentialize } from "@grammyjs/runner";
import { Composer, type Middleware } from "grammy";
import { adminCommands } from "./admin/admin-commands.ts";
import type { BotContext, BotDependencies } from "./context.ts";
import { replyToFailure } from "./failure-reply.ts";
import { fallback } from "./fallback.ts";
import { languageFromCode, messagesFor } from "./i18n/language.ts";
import { leaveGroups } from "./leave-groups.ts";
import type { UpdateEffects } from "./update-effects.ts";
import { getConfigFlow } from "./user/get-config.ts";
import { helpFlow } from "./user/help.ts";
import { myConfigsFlow } from "./user/my-configs.ts";
import { onboarding } from "./user/onboarding.ts";
import { subscriptionFlow } from "./user/subscription.ts";
import { usageFlow } from "./user/usage.ts";

export interface BotMiddlewareOptions {
  deps: BotDependencies;
  /** Aborted when the session ends: from then on no update is handled. */
  session: AbortSignal;
  /** The proposal handle the session made for each update it is handling. */
  effectsOf: (updateId: number) => UpdateEffects;
  /** Per-user rate limit, shared across sessions. */
  rateLimit: Middleware<BotContext>;
}

/** Builds the middleware stack of one session. */
export function botMiddleware(options: BotMiddlewareOptions): Composer<BotContext> {
  const { deps, session } = options;
  const composer = new Composer<BotContext>();
  composer.use((_ctx, next) => (session.aborted ? undefined : next()));
  composer.use(
    sequentialize((ctx: BotContext) => ctx.chat?.id.toString() ?? ctx.from?.id.toString()),
  );
  composer.use((ctx, next) => {
    // Waiting behind the chat's earlier update may have outlasted the session.
    if (session.aborted) return;
    ctx.deps = deps;
    ctx.effects = options.effectsOf(ctx.update.update_id);
    ctx.account = ctx.from ? deps.service.localState.user(String(ctx.from.id)) : undefined;
    ctx.language = ctx.account?.language ?? languageFromCode(ctx.from?.language_code);
    ctx.t = messagesFor(ctx.language);
    return next();
  });
  // Groups and channels are not served: the bot is a private conversation.
  composer.use(leaveGroups());
  const privateChats = composer.filter(
    (ctx) => ctx.from !== undefined && !ctx.from.is_bot && ctx.chat?.type === "private",
  );
  privateChats
    .errorBoundary((error) => replyToFailure(error.ctx, error.error))
    .use(
      options.rateLimit,
      onboarding,
      getConfigFlow,
      myConfigsFlow,
      subscriptionFlow,
      usageFlow,
      helpFlow,
      adminCommands,
      fallback,
    );
  return composer;
}
