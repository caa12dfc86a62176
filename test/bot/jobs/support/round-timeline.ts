/**
 * The ban-check rounds of one server as a running cluster records them,
 * read from the leader's state while a story runs, one line per round in
 * the order they were committed, with what the story did in between.
 */
import { sleep } from "../../../../shared/sleep.ts";
import type { ServerView } from "./censored-node-fleet.ts";

const POLL_MS = 500;
/** No story runs this long: the polling stops by itself. */
const MAX_POLLS = 1200;

export interface RoundTimeline {
  /** Adds a line for something the story did now, after every round committed so far. */
  mark(event: string): Promise<void>;
  /** The rounds and events so far. */
  lines(): string[];
  /** Stops polling once the poll in flight is done. */
  stop(): Promise<void>;
}

function describeRound(
  index: number,
  server: ServerView,
  round: ServerView["checks"]["recent"][number],
) {
  const time = new Date(round.round).toISOString().slice(11, 19);
  // The protocols' verdicts lead the evidence; a round that is not ok says why in full.
  const evidence = round.verdict === "ok" ? round.evidence.split(";")[0] : round.evidence;
  const blocked =
    server.blockedProtocols
      .map((entry) => `${entry.protocol} (${entry.isps.join(", ") || "all vantages"})`)
      .join(", ") || "none";
  return `round ${index} (${time}): ${round.verdict}; ${evidence}; closed: ${blocked}; ${server.status}`;
}

/** Starts reading `read()` every half second and recording each round not seen before. */
export function recordRounds(read: () => Promise<ServerView>): RoundTimeline {
  const lines: string[] = [];
  const seen = new Set<number>();
  let stopped = false;
  const readNewRounds = async () => {
    const server = await read().catch(() => undefined);
    for (const round of server?.checks.recent ?? []) {
      if (seen.has(round.round)) continue;
      seen.add(round.round);
      lines.push(describeRound(seen.size, server!, round));
    }
  };
  const polling = (async () => {
    for (let poll = 0; poll < MAX_POLLS && !stopped; poll++) {
      await readNewRounds();
      await sleep(POLL_MS);
    }
  })();
  return {
    async mark(event) {
      await readNewRounds();
      lines.push(`-- ${event}`);
    },
    lines: () => [...lines],
    async stop() {
      stopped = true;
      await polling;
    },
  };
}
