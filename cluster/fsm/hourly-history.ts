/**
 * A server's hourly history for the admins' 24-hour charts: configs issued,
 * active peers, traffic and ban-check verdicts per clock hour. Pure functions
 * over the server record; apply calls them with the command's own time, so
 * every node builds the same history.
 *
 * The history is bounded: {@link HOURS_KEPT} samples per server at most. A
 * time older than the oldest hour kept (a command proposed long before it
 * was applied) changes nothing.
 */
import type { GroupVerdict, HourlySample, Server, Verdict } from "./records.ts";

export const HOUR_MS = 60 * 60 * 1000;

/** The last 24 full hours and the current one. */
export const HOURS_KEPT = 25;

/** ISP groups a verdict command carries at most; a chart has no room for more rows anyway. */
export const MAX_ISP_VERDICTS = 32;

/** How bad a verdict is when an hour saw several: the worst one is kept. */
const SEVERITY: Record<Verdict, number> = { ok: 0, inconclusive: 1, down: 2, filtered: 3 };

/** The start of the clock hour `atMs` falls in. */
export function hourStartOf(atMs: number): number {
  return Math.floor(atMs / HOUR_MS) * HOUR_MS;
}

function emptySample(hourStart: number): HourlySample {
  return { hourStart, configsIssued: 0, activePeers: null, rxBytes: 0, txBytes: 0, verdicts: [] };
}

/**
 * The sample for the hour of `atMs`, made when missing, with samples that fell
 * out of the window dropped; undefined when that hour is already out of it.
 */
function sampleAt(server: Server, atMs: number): HourlySample | undefined {
  const hourStart = hourStartOf(atMs);
  const newest = server.hourly.at(-1)?.hourStart ?? hourStart;
  const oldestKept = Math.max(newest, hourStart) - (HOURS_KEPT - 1) * HOUR_MS;
  if (hourStart < oldestKept) return undefined;
  server.hourly = server.hourly.filter((sample) => sample.hourStart >= oldestKept);
  const existing = server.hourly.find((sample) => sample.hourStart === hourStart);
  if (existing) return existing;
  const sample = emptySample(hourStart);
  const after = server.hourly.findIndex((other) => other.hourStart > hourStart);
  if (after === -1) server.hourly.push(sample);
  else server.hourly.splice(after, 0, sample);
  return sample;
}

/** Counts a config created on the server at `atMs`. */
export function recordConfigIssued(server: Server, atMs: number): void {
  const sample = sampleAt(server, atMs);
  if (sample) sample.configsIssued++;
}

/** What a load report says, with the report before it (null for the first). */
export interface LoadReport {
  activePeers: number;
  rxBytes: number;
  txBytes: number;
  at: number;
}

/**
 * Growth of a byte counter between two reports. A counter that went down was
 * reset (the interface was made anew), so all of the new value is new traffic.
 */
function growth(before: number | undefined, after: number): number {
  if (before === undefined) return 0;
  return after >= before ? after - before : after;
}

/**
 * Records a load report: the hour's highest peer count, and the traffic since
 * the previous report, counted in the hour of this one. The first report
 * gives no traffic: nothing says when the counters started.
 */
export function recordLoad(
  server: Server,
  previous: Omit<LoadReport, "activePeers" | "at"> | null,
  report: LoadReport,
): void {
  const sample = sampleAt(server, report.at);
  if (!sample) return;
  sample.activePeers = Math.max(sample.activePeers ?? 0, report.activePeers);
  sample.rxBytes += growth(previous?.rxBytes, report.rxBytes);
  sample.txBytes += growth(previous?.txBytes, report.txBytes);
}

/** Records one round's verdicts: the server's own and each ISP group's; the worst per hour stays. */
export function recordVerdicts(
  server: Server,
  atMs: number,
  verdicts: readonly GroupVerdict[],
): void {
  const sample = sampleAt(server, atMs);
  if (!sample) return;
  for (const { group, verdict } of verdicts) {
    const existing = sample.verdicts.find((entry) => entry.group === group);
    if (!existing) sample.verdicts.push({ group, verdict });
    else if (SEVERITY[verdict] > SEVERITY[existing.verdict]) existing.verdict = verdict;
  }
}

/** Copies a history for a view. */
export function copyHourly(samples: readonly HourlySample[]): HourlySample[] {
  return samples.map((sample) => ({
    hourStart: sample.hourStart,
    configsIssued: sample.configsIssued,
    activePeers: sample.activePeers,
    rxBytes: sample.rxBytes,
    txBytes: sample.txBytes,
    verdicts: sample.verdicts.map((entry) => ({ group: entry.group, verdict: entry.verdict })),
  }));
}
