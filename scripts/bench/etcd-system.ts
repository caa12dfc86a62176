/**
 * A three-member etcd cluster on loopback for comparison, driven through its
 * v3 HTTP/JSON gateway so it is measured with the same client as NexaLoak.
 * etcd fsyncs its WAL before acknowledging, as NexaLoak's Redis does with
 * appendfsync always, so both pay for durability.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createWriteStream } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import type { Agent } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { waitUntil } from "../lib/cluster-harness.ts";
import { diesWithParent, findOnPath } from "../lib/executables.ts";
import { trackChild, untrackChild } from "../lib/exit-cleanup.ts";
import { findFreePorts } from "../lib/free-port.ts";
import { requestJson } from "../lib/http-json.ts";
import type { KvSystem } from "./kv-system.ts";

export interface EtcdSystemOptions {
  /** `--election-timeout`; etcd's default (1000) when undefined. */
  electionTimeoutMs?: number;
  /** `--heartbeat-interval`; etcd's default (100) when undefined. */
  heartbeatMs?: number;
}

const STOP_GRACE_MS = 5_000;
const START_TIMEOUT_MS = 30_000;
const PROBE_TIMEOUT_MS = 2_000;

/** What `/maintenance/status` says; etcd's JSON gateway writes 64-bit ids as strings. */
interface MemberStatus {
  memberId: string;
  leaderId: string;
  raftIndex: number;
  appliedIndex: number;
}

class EtcdMember {
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();

  constructor(
    readonly name: string,
    readonly clientUrl: string,
    private readonly args: string[],
    private readonly logFile: string,
  ) {}

  get running(): boolean {
    return this.child !== undefined;
  }

  /** The running process's id; 0 while stopped. */
  get pid(): number {
    return this.child?.pid ?? 0;
  }

  start(etcdPath: string): void {
    const [command, args] = diesWithParent(etcdPath, this.args);
    const log = createWriteStream(this.logFile, { flags: "a" });
    const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
    child.stdout?.pipe(log, { end: false });
    child.stderr?.pipe(log, { end: false });
    trackChild(child);
    this.child = child;
    this.exited = new Promise((resolve) => {
      child.once("exit", () => {
        untrackChild(child);
        if (this.child === child) this.child = undefined;
        log.end();
        resolve();
      });
    });
  }

  signal(signal: NodeJS.Signals): void {
    if (!this.child?.pid) return;
    try {
      process.kill(this.child.pid, signal);
    } catch {
      // Exited just now.
    }
  }

  async signalAndWait(signal: NodeJS.Signals, timeoutMs: number): Promise<boolean> {
    const child = this.child;
    if (!child?.pid) return true;
    try {
      process.kill(child.pid, signal);
    } catch {
      // Exited just now; the exit event follows.
    }
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    const exited = await Promise.race([this.exited.then(() => true), timedOut]);
    clearTimeout(timer);
    return exited;
  }

  async stop(): Promise<void> {
    if (!(await this.signalAndWait("SIGTERM", STOP_GRACE_MS))) {
      await this.signalAndWait("SIGKILL", STOP_GRACE_MS);
    }
  }
}

/** Whether an `etcd` binary is on PATH. */
export function etcdInstalled(): boolean {
  return findOnPath("etcd") !== null;
}

/**
 * Where this etcd serves its v3 JSON gateway: `/v3` from etcd 3.4 on,
 * `/v3beta` on 3.3 (3.4 answers on both, 3.5 only on `/v3`).
 */
async function gatewayPrefix(clientUrl: string): Promise<string> {
  for (const prefix of ["/v3", "/v3beta"]) {
    const response = await requestJson(`${clientUrl}${prefix}/maintenance/status`, {
      method: "POST",
      body: {},
      timeoutMs: PROBE_TIMEOUT_MS,
    });
    if (response.status === 200) return prefix;
  }
  throw new Error(`etcd at ${clientUrl} answers neither /v3 nor /v3beta`);
}

/** Starts three etcd members on free loopback ports, each with a temp data dir. */
export async function startEtcd(options: EtcdSystemOptions = {}): Promise<KvSystem> {
  const etcdPath = findOnPath("etcd");
  if (!etcdPath) throw new Error("etcd is not installed (Debian: apt-get install etcd-server)");
  const dir = await mkdtemp(join(tmpdir(), "nexaloak-etcd-"));
  const ports = await findFreePorts(6);
  const names = ["e1", "e2", "e3"];
  const peerUrls = names.map((_, i) => `http://127.0.0.1:${ports[3 + i]}`);
  const initialCluster = names.map((name, i) => `${name}=${peerUrls[i]}`).join(",");
  const timing = [
    ...(options.heartbeatMs === undefined
      ? []
      : ["--heartbeat-interval", String(options.heartbeatMs)]),
    ...(options.electionTimeoutMs === undefined
      ? []
      : ["--election-timeout", String(options.electionTimeoutMs)]),
  ];
  const members = names.map((name, i) => {
    const clientUrl = `http://127.0.0.1:${ports[i]}`;
    return new EtcdMember(
      name,
      clientUrl,
      [
        "--name",
        name,
        "--data-dir",
        join(dir, name),
        "--listen-client-urls",
        clientUrl,
        "--advertise-client-urls",
        clientUrl,
        "--listen-peer-urls",
        peerUrls[i]!,
        "--initial-advertise-peer-urls",
        peerUrls[i]!,
        "--initial-cluster",
        initialCluster,
        "--initial-cluster-state",
        "new",
        "--initial-cluster-token",
        "nexaloak-bench",
        "--logger",
        "zap",
        "--log-level",
        "warn",
        ...timing,
      ],
      join(dir, `${name}.log`),
    );
  });
  for (const member of members) member.start(etcdPath);

  const stopAll = async (): Promise<void> => {
    await Promise.all(members.map((member) => member.stop()));
    await rm(dir, { recursive: true, force: true });
  };

  let prefix = "/v3";
  const status = async (member: number): Promise<MemberStatus | undefined> => {
    const response = await requestJson(
      `${members[member]!.clientUrl}${prefix}/maintenance/status`,
      {
        method: "POST",
        body: {},
        timeoutMs: PROBE_TIMEOUT_MS,
      },
    );
    const body = response.body as
      | {
          header?: { member_id?: string };
          leader?: string;
          raftIndex?: string;
          raftAppliedIndex?: string;
        }
      | undefined;
    if (response.status !== 200 || !body?.header?.member_id) return undefined;
    return {
      memberId: body.header.member_id,
      leaderId: body.leader ?? "0",
      raftIndex: Number(body.raftIndex ?? 0),
      appliedIndex: Number(body.raftAppliedIndex ?? 0),
    };
  };
  const memberIds = new Map<string, number>();

  const leader = async (timeoutMs: number): Promise<number> => {
    let found = -1;
    await waitUntil(
      async () => {
        const running = members.map((_, i) => i).filter((i) => members[i]!.running);
        const statuses = await Promise.all(running.map((i) => status(i)));
        for (const [position, memberStatus] of statuses.entries()) {
          if (memberStatus) memberIds.set(memberStatus.memberId, running[position]!);
        }
        const leaders = new Set(statuses.map((memberStatus) => memberStatus?.leaderId));
        if (leaders.size !== 1) return false;
        const leaderId = statuses[0]?.leaderId;
        const index = leaderId === undefined ? undefined : memberIds.get(leaderId);
        if (index === undefined || !members[index]!.running) return false;
        found = index;
        return true;
      },
      timeoutMs,
      "every running etcd member to agree on a leader",
    );
    return found;
  };

  try {
    await waitUntil(
      async () => {
        try {
          prefix = await gatewayPrefix(members[0]!.clientUrl);
          return true;
        } catch {
          return false;
        }
      },
      START_TIMEOUT_MS,
      "etcd to serve its JSON gateway",
    );
    await leader(START_TIMEOUT_MS);
  } catch (error) {
    await stopAll();
    throw error;
  }

  const label = [
    "etcd",
    options.heartbeatMs === undefined && options.electionTimeoutMs === undefined
      ? "(defaults)"
      : `(hb ${options.heartbeatMs ?? 100}, et ${options.electionTimeoutMs ?? 1000})`,
  ].join(" ");
  return {
    label,
    size: members.length,
    isRunning: (member) => members[member]!.running,
    processes: () => members.map((entry, member) => ({ member, kind: "member", pid: entry.pid })),
    async put(member, key, value, agent: Agent, timeoutMs) {
      const response = await requestJson(`${members[member]!.clientUrl}${prefix}/kv/put`, {
        method: "POST",
        body: {
          key: Buffer.from(key).toString("base64"),
          value: Buffer.from(value).toString("base64"),
        },
        agent,
        timeoutMs,
      });
      return response.status === 200;
    },
    leader,
    async kill(member) {
      await members[member]!.signalAndWait("SIGKILL", STOP_GRACE_MS);
    },
    signal(member, signal) {
      members[member]!.signal(signal);
    },
    async restart(member) {
      const target = members[member]!;
      if (target.running) await target.stop();
      target.start(etcdPath);
      await waitUntil(
        async () => (await status(member)) !== undefined,
        START_TIMEOUT_MS,
        `${target.name} to serve again`,
      );
    },
    async waitHealthy(timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      const leaderIndex = await leader(timeoutMs);
      const leaderStatus = await status(leaderIndex);
      const target = leaderStatus?.raftIndex ?? 0;
      await waitUntil(
        async () => {
          const statuses = await Promise.all(members.map((_, i) => status(i)));
          return statuses.every(
            (memberStatus) => memberStatus !== undefined && memberStatus.appliedIndex >= target,
          );
        },
        Math.max(1, deadline - Date.now()),
        `every etcd member to apply index ${target}`,
      );
    },
    stop: stopAll,
  };
}
