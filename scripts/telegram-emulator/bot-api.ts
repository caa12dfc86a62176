/**
 * The Bot API side of the emulator: `/bot<token>/<method>` calls and
 * `/file/bot<token>/<file_path>` downloads. Checks the token as Telegram does
 * (malformed: 404, unknown: 401), finds the method (names ignore case),
 * applies a scheduled failure, runs the handler and answers with Telegram's
 * envelope and HTTP status.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { BotApiError, notFound, unauthorized } from "./bot-api-error.ts";
import { clientGoneSignal, sendBytes, sendJson } from "./http-io.ts";
import { botSettingsMethods } from "./methods/bot-settings.ts";
import { callbackMethods } from "./methods/callbacks.ts";
import { chatMembershipMethods } from "./methods/chat-membership.ts";
import { mediaMethods } from "./methods/media.ts";
import { messageMethods } from "./methods/messages.ts";
import type { MethodHandler } from "./methods/method-call.ts";
import { updateMethods } from "./methods/updates.ts";
import { readApiParams } from "./request-body.ts";
import type { EmulatorState } from "./state.ts";
import { botIdFromToken } from "./token.ts";

/** Every method the emulator implements, keyed by lower-cased name. */
const methods = new Map<string, MethodHandler>(
  Object.entries({
    ...botSettingsMethods,
    ...updateMethods,
    ...messageMethods,
    ...mediaMethods,
    ...callbackMethods,
    ...chatMembershipMethods,
  }).map(([name, handler]) => [name.toLowerCase(), handler]),
);

export interface BotApiContext {
  state: EmulatorState;
  /** The tokens to accept; null accepts any well-formed token. */
  acceptedTokens: ReadonlySet<string> | null;
  /** Told about a failure inside the emulator itself, answered as 500. */
  onInternalError: (error: unknown) => void;
}

/** Checks the token and makes its bot id the bot's; throws 404 or 401 as Telegram would. */
function authenticate(context: BotApiContext, token: string): void {
  const botId = botIdFromToken(token);
  if (botId === null) throw notFound();
  if (context.acceptedTokens !== null && !context.acceptedTokens.has(token)) throw unauthorized();
  context.state.botId = botId;
}

/** Answers one `/bot<token>/<method>` request. */
export async function answerMethodCall(
  context: BotApiContext,
  request: IncomingMessage,
  response: ServerResponse,
  route: { token: string; method: string; url: URL },
): Promise<void> {
  const signal = clientGoneSignal(response);
  try {
    // The body is read first, whatever the answer, so the connection stays usable for the next call.
    const params = await readApiParams(request, route.url);
    authenticate(context, route.token);
    const handler = methods.get(route.method.toLowerCase());
    if (handler === undefined) throw notFound("method not found");
    const injected = context.state.faults.take(route.method);
    if (injected !== undefined) throw injected;
    const result = await handler({ params, token: route.token, state: context.state, signal });
    sendJson(response, 200, { ok: true, result });
  } catch (error) {
    if (signal.aborted) return;
    if (error instanceof BotApiError) {
      sendJson(response, error.errorCode, error.toBody());
      return;
    }
    context.onInternalError(error);
    sendJson(response, 500, { ok: false, error_code: 500, description: "Internal Server Error" });
  }
}

/** Answers `GET /file/bot<token>/<file_path>` with the file's bytes. */
export function answerFileDownload(
  context: BotApiContext,
  response: ServerResponse,
  route: { token: string; filePath: string },
): void {
  try {
    authenticate(context, route.token);
    const file = context.state.files.atPath(route.filePath);
    if (file === undefined) throw notFound();
    sendBytes(response, file.bytes, {
      "content-type": file.mimeType ?? "application/octet-stream",
    });
  } catch (error) {
    if (!(error instanceof BotApiError)) throw error;
    sendJson(response, error.errorCode, error.toBody());
  }
}
