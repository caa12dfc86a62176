/**
 * The fence around a bot session's Telegram calls. Once the node loses
 * leadership the session's AbortSignal fires: calls in flight are cancelled
 * and no new call leaves this process, so a former leader can never disturb
 * the new leader's polling (a late `getUpdates` from it would end the new
 * leader's poll with 409, and a late reply could answer an update twice).
 */
import type { Transformer } from "grammy";

/** Thrown instead of acting (calling Telegram, proposing) after the session ended. */
export class SessionEndedError extends Error {
  constructor(readonly action: string) {
    super(`${action} skipped: this node's bot session has ended (leadership moved)`);
    this.name = "SessionEndedError";
  }
}

/**
 * A transformer that refuses every call once `session` is aborted and ties
 * each call to it, so an abort also cancels requests in flight (the pending
 * `getUpdates` first of all).
 */
export function sessionGuard(session: AbortSignal): Transformer {
  return (prev, method, payload, signal) => {
    if (session.aborted) return Promise.reject(new SessionEndedError(method));
    // grammY types signals with its own shim; at run time they are Node's.
    const callSignal = signal as unknown as AbortSignal | undefined;
    const combined = callSignal ? AbortSignal.any([callSignal, session]) : session;
    return prev(method, payload, combined as unknown as typeof signal);
  };
}

/**
 * A transformer that lets a call leave only while the leadership lease holds,
 * and otherwise holds it until a renewal (or fails it when the session ends).
 * A lease ends before any other node can lead (see leadership-lease.ts), so a
 * leader that stalled, and lost its majority meanwhile, sends nothing more
 * once it runs again: its replies would repeat the ones the next leader sends.
 * Installed innermost, it checks right before the request goes out.
 */
export function leasedCalls(lease: { whenValid(): Promise<void> }): Transformer {
  return async (prev, method, payload, signal) => {
    await lease.whenValid();
    return prev(method, payload, signal);
  };
}
