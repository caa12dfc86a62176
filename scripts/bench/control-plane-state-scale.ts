/**
 * The replicated state at fleet scale, in this process: servers, users and
 * configs applied as the commands a cluster would commit (keys sealed like
 * the proposing node seals them, so the snapshot has its real size), then a
 * snapshot, a restore into a fresh state, and this process's memory at each
 * step.
 */
import { randomBytes } from "node:crypto";
import { performance } from "node:perf_hooks";
import { sealDeliveryKeys } from "../../cluster/delivery-keys.ts";
import type { ControlPlaneCommandInput } from "../../cluster/fsm/commands.ts";
import { ControlPlaneState } from "../../cluster/fsm/control-plane.ts";
import { SealedSecrets } from "../../cluster/sealed-secrets.ts";
import { newDataKey } from "../../shared/crypto/data-keys.ts";

export interface StateScaleOptions {
  users: number;
  /** Live configs per user; at most the default limit of 3. */
  configsPerUser: number;
  /** Servers sharing the configs; each gets room for its share. */
  servers: number;
}

/** Resident set size of this process at each step, in bytes. */
export interface RssSteps {
  before: number;
  built: number;
  snapshotted: number;
  restored: number;
}

export interface StateScaleResult {
  users: number;
  configs: number;
  /** Time spent inside `apply` for every command (generating keys not counted). */
  applyMs: number;
  commands: number;
  snapshotMs: number;
  snapshotBytes: number;
  restoreMs: number;
  /** The restored state hashes like the original. */
  hashMatches: boolean;
  rss: RssSteps;
}

/** Stands for a real public key: 32 random bytes in base64, as `wg` prints them. */
function randomWireGuardKey(): string {
  return randomBytes(32).toString("base64");
}

/** The control-plane commands of the whole fleet, in the order a cluster would commit them. */
function* fleetCommands(
  options: StateScaleOptions,
  sealing: SealedSecrets,
  at: number,
): Generator<ControlPlaneCommandInput> {
  const capacity = Math.ceil((options.users * options.configsPerUser) / options.servers);
  for (let server = 1; server <= options.servers; server++) {
    yield {
      type: "registerServer",
      serverId: `vpn-${server}`,
      publicKey: randomWireGuardKey(),
      listenPort: 51820,
      apiPort: 7001,
      endpointHost: `vpn-${server}.example.net`,
      capacity,
      region: "default",
      at,
    };
  }
  for (let user = 0; user < options.users; user++) {
    const userId = String(1_000_000_000 + user);
    yield { type: "upsertUser", userId, name: `user ${user}`, language: "en", at };
    for (let config = 0; config < options.configsPerUser; config++) {
      const configId = randomBytes(12).toString("base64url");
      yield {
        type: "issueConfig",
        configId,
        userId,
        protocol: "wireguard",
        clientPublicKey: randomWireGuardKey(),
        deliveryKeysSealed: sealDeliveryKeys(sealing, configId, {
          privateKey: randomWireGuardKey(),
          presharedKey: randomWireGuardKey(),
        }),
        at,
      };
    }
  }
}

/** Builds the state, snapshots and restores it; throws if any command is refused. */
export function measureStateAtScale(options: StateScaleOptions): StateScaleResult {
  const rss: RssSteps = {
    before: process.memoryUsage().rss,
    built: 0,
    snapshotted: 0,
    restored: 0,
  };
  const sealing = new SealedSecrets([newDataKey("k1")]);
  const state = new ControlPlaneState();
  let index = 0;
  let applyMs = 0;
  for (const command of fleetCommands(options, sealing, Date.now())) {
    const text = JSON.stringify(command);
    const startedAt = performance.now();
    const result = state.apply(text, ++index);
    applyMs += performance.now() - startedAt;
    if (!result.ok) {
      throw new Error(`command ${index} (${command.type}) was refused: ${result.error.message}`);
    }
  }
  rss.built = process.memoryUsage().rss;

  let startedAt = performance.now();
  const snapshot = state.snapshot();
  const snapshotMs = performance.now() - startedAt;
  rss.snapshotted = process.memoryUsage().rss;

  const restored = new ControlPlaneState();
  startedAt = performance.now();
  restored.restore(snapshot);
  const restoreMs = performance.now() - startedAt;
  rss.restored = process.memoryUsage().rss;

  const counts = restored.counts();
  return {
    users: counts.users,
    configs: counts.liveConfigs,
    applyMs,
    commands: index,
    snapshotMs,
    snapshotBytes: Buffer.byteLength(snapshot),
    restoreMs,
    hashMatches: restored.stateHash() === state.stateHash(),
    rss,
  };
}
