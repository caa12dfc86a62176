/**
 * Admin writes are handled by the leader only: a follower answers them
 * `421 NOT_LEADER` with the leader's id and the base URL of its admin API
 * (cluster/api/not-leader.ts), and the request had no effect there. A client
 * sends the same request to that URL, once: a second hint (the leadership
 * moved meanwhile) or a leader that does not answer is returned to the caller
 * like any other answer, for its own retry policy to handle.
 */
import { z } from "zod";
import { type HttpJsonRequest, type HttpJsonResponse, requestJson } from "./http-json.ts";

const notLeaderSchema = z.object({
  error: z.object({ code: z.literal("NOT_LEADER"), leaderUrl: z.string() }),
});

/** The leader's admin API base URL a follower's answer names; undefined for any other answer. */
export function leaderUrlOf(response: HttpJsonResponse): string | undefined {
  if (response.status !== 421) return undefined;
  const hint = notLeaderSchema.safeParse(response.body);
  return hint.success ? hint.data.error.leaderUrl : undefined;
}

/**
 * Sends `path` to the node at `baseUrl` and, when it names the leader
 * instead of answering, the same request to the leader. Each of the two
 * requests has the whole `timeoutMs`. Like requestJson, http:// only: a hint
 * to another scheme is returned as it came.
 */
export async function requestFollowingLeader(
  baseUrl: string,
  path: string,
  options: HttpJsonRequest,
): Promise<HttpJsonResponse> {
  const response = await requestJson(`${baseUrl}${path}`, options);
  const leaderUrl = leaderUrlOf(response);
  if (leaderUrl === undefined || !leaderUrl.startsWith("http://")) return response;
  return requestJson(`${leaderUrl}${path}`, options);
}
