/**
 * Turns the operator's milliseconds into the core's ticks. The tick is the
 * heartbeat interval, or a fraction of it when the election timeout is short,
 * so an election timeout always spans at least ten ticks (its randomization
 * then has real spread).
 */
export interface RaftTiming {
  tickMs: number;
  heartbeatTicks: number;
  electionTicks: number;
  /** How long a proposal or read may wait before it fails with a timeout. */
  requestTimeoutMs: number;
}

export function timing(heartbeatMs: number, electionTimeoutMs: number): RaftTiming {
  const ticksPerHeartbeat = Math.max(1, Math.ceil((heartbeatMs * 10) / electionTimeoutMs));
  const tickMs = Math.max(1, Math.round(heartbeatMs / ticksPerHeartbeat));
  const heartbeatTicks = Math.max(1, Math.round(heartbeatMs / tickMs));
  const electionTicks = Math.max(heartbeatTicks + 1, Math.round(electionTimeoutMs / tickMs));
  return {
    tickMs,
    heartbeatTicks,
    electionTicks,
    requestTimeoutMs: Math.max(5000, 10 * electionTimeoutMs),
  };
}
