import { randomBytes } from "node:crypto";
import { generateKeyPair, generatePresharedKey } from "../shared/crypto/wireguard-keys.ts";
import { DEFAULT_CLIENT_DNS } from "../shared/env-variables.ts";
import { renderShadowsocksKey } from "./client-config/shadowsocks-key.ts";
import { renderClientConfig } from "./client-config/wireguard-conf.ts";
import { DeliveryConfirmations } from "./delivery-confirmations.ts";
import { openDeliveryKeys, sealDeliveryKeys } from "./delivery-keys.ts";
import type { CommandAnswer, CommandResults, ResultOf } from "./fsm/command-results.ts";
import type {
  AdminActor,
  CommandInputOf,
  ControlPlaneCommandInput,
  ReplacementKey,
} from "./fsm/commands.ts";
import type { ApplyResult, ControlPlaneState } from "./fsm/control-plane.ts";
import type { Config, ConfigProtocol } from "./fsm/records.ts";
import type { ServerView } from "./fsm/views.ts";
import { type VantageProbeView, vantageProbeView } from "./fsm/views.ts";
import type { ClusterNode } from "./node.ts";
import { ProposalBatch } from "./proposal-batch.ts";
import type { SealedSecrets } from "./sealed-secrets.ts";
import type { CheckedVantageProbe } from "./vantage-probe-input.ts";

/** A command the replicated state refused, with the state machine's stable code. */
export class CommandRefusedError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "CommandRefusedError";
  }
}

/**
 * The answer's value. A repeat without one (the Telegram update was first
 * handled as something else) is refused: nothing was done again, and there
 * is no result of this kind to give.
 */
function resultValue<Value>(answer: { value: Value | undefined }): Value {
  if (answer.value === undefined)
    throw new CommandRefusedError(
      "UPDATE_HANDLED_OTHERWISE",
      "this Telegram update was handled before, as another request; nothing was done again",
    );
  return answer.value;
}

/**
 * A config as the owner downloads it: the record and what the user imports,
 * the rendered `.conf` (WireGuard, AmneziaWG) or the `ss://` access key (Shadowsocks).
 */
export interface IssuedConfig {
  config: Config;
  /** The `.conf` or `ss://` key; null only for a repeat answered after the keys were erased or the config revoked. */
  conf: string | null;
  confMissing: ConfMissing | null;
  /** True when this answered a retry (same update or idempotency key) with the first config. */
  duplicate: boolean;
}

export interface ControlPlaneServiceOptions {
  node: ClusterNode<ApplyResult>;
  state: ControlPlaneState;
  /** Seals config keys until delivered, probe tokens and probe keys under the data keys. */
  sealing: SealedSecrets;
  clock?: () => number;
}

/** Why a config's `.conf` (its private key) can no longer be given. */
export interface ConfMissing {
  code: "KEYS_ERASED" | "CONFIG_REVOKED";
  message: string;
}

/** Why `config` cannot be rendered with its private key any more, or null while it can. */
export function confMissingReason(config: Config): ConfMissing | null {
  if (config.revokedAt !== null)
    return {
      code: "CONFIG_REVOKED",
      message: `this config was revoked (${config.revokeReason}); ask for a new one`,
    };
  if (config.deliveryKeysSealed === null)
    return {
      code: "KEYS_ERASED",
      message:
        config.keysErasedReason === "delivered"
          ? "this config's private key was erased once it was delivered; download it again for a new key pair"
          : "this config's private key was erased because it was not delivered in time; download it again for a new key pair",
    };
  return null;
}

/** What adding a vantage probe answers: the probe without its token. */
export type AddedVantageProbe = Pick<
  VantageProbeView,
  "id" | "url" | "region" | "isp" | "certSha256" | "insecure"
>;

/** A fresh, unguessable record id (config ids appear in download links). */
/**
 * How long a record of reply messages sent waits for others to share its
 * Raft write: not at all, since a leader that dies in between leaves those
 * messages to be sent again by the next one. The bot's sends are paced at
 * about 30 a second, so one Raft write each costs the cluster little.
 */
const ANSWERED_WINDOW_MS = 0;
/** The most update ids one `markUpdatesAnswered` carries (its schema's bound). */
const MAX_ANSWERED_BATCH = 1000;

export function newRecordId(): string {
  return randomBytes(12).toString("base64url");
}

/**
 * What the admin API and the bot do to the control plane: everything that
 * needs randomness, keys or the clock is prepared here, on the proposing
 * node, and travels in the command; apply stays deterministic.
 */
export class ControlPlaneService {
  private readonly node: ClusterNode<ApplyResult>;
  private readonly clock: () => number;

  private readonly deliveries: DeliveryConfirmations;
  private readonly answeredUpdates: ProposalBatch<number, number>;

  constructor(private readonly options: ControlPlaneServiceOptions) {
    this.node = options.node;
    this.clock = options.clock ?? Date.now;
    this.deliveries = new DeliveryConfirmations((command) => this.run(command), this.clock);
    this.answeredUpdates = new ProposalBatch(
      (updates) => this.run({ type: "markUpdatesAnswered", updates, at: this.clock() }),
      ANSWERED_WINDOW_MS,
      MAX_ANSWERED_BATCH,
    );
  }

  /** The state after a linearizable read: everything committed before the call is in it. */
  async read(): Promise<ControlPlaneState> {
    await this.node.linearizableRead();
    return this.options.state;
  }

  /** The state as this node has applied it (no round trip); for views that may be slightly stale. */
  get localState(): ControlPlaneState {
    return this.options.state;
  }

  /**
   * Proposes a command; resolves with its result (typed from the command's
   * type, see fsm/command-results.ts) or throws CommandRefusedError (or NodeError).
   */
  async run<Command extends ControlPlaneCommandInput>(
    command: Command,
  ): Promise<CommandAnswer<Command>> {
    const { result } = await this.node.propose(JSON.stringify(command));
    if (!result.ok) throw new CommandRefusedError(result.error.code, result.error.message);
    // Apply ran this very command (or repeated a result of its kind): its handler's value.
    const value = result.value as ResultOf<Command>;
    return result.duplicate === true ? { duplicate: true, value } : { duplicate: false, value };
  }

  now(): number {
    return this.clock();
  }

  /** A fresh key pair and preshared key for config `configId`, sealed for delivery. */
  private freshClientKeys(configId: string): {
    clientPublicKey: string;
    deliveryKeysSealed: string;
  } {
    const keys = generateKeyPair();
    return {
      clientPublicKey: keys.publicKey,
      deliveryKeysSealed: sealDeliveryKeys(this.options.sealing, configId, {
        privateKey: keys.privateKey,
        presharedKey: generatePresharedKey(),
      }),
    };
  }

  /** Issues a config for a user: placement and address are decided by apply. */
  async issueConfig(input: {
    userId: string;
    /** WireGuard unless asked otherwise. */
    protocol?: ConfigProtocol;
    region?: string;
    idempotencyKey?: string;
    updateId?: number;
  }): Promise<IssuedConfig> {
    const configId = newRecordId();
    const command: CommandInputOf<"issueConfig"> = {
      type: "issueConfig",
      configId,
      userId: input.userId,
      protocol: input.protocol ?? "wireguard",
      ...this.freshClientKeys(configId),
      at: this.clock(),
    };
    if (input.region !== undefined) command.region = input.region;
    if (input.idempotencyKey !== undefined) command.idempotencyKey = input.idempotencyKey;
    if (input.updateId !== undefined) command.updateId = input.updateId;
    const answer = await this.run(command);
    return this.issued(resultValue(answer), answer.duplicate);
  }

  /**
   * Gives a live config a new key pair (same server and address; the old
   * peer leaves the server) and answers it rendered: "download again".
   */
  async rekeyConfig(input: {
    configId: string;
    userId?: string;
    updateId?: number;
  }): Promise<IssuedConfig> {
    const command: CommandInputOf<"rekeyConfig"> = {
      type: "rekeyConfig",
      configId: input.configId,
      ...this.freshClientKeys(input.configId),
      at: this.clock(),
    };
    if (input.userId !== undefined) command.userId = input.userId;
    if (input.updateId !== undefined) command.updateId = input.updateId;
    const answer = await this.run(command);
    return this.issued(resultValue(answer), answer.duplicate);
  }

  /**
   * The config with its `.conf` while its delivery keys are held; a repeat
   * answered after they were erased (or the config revoked) comes without,
   * and says why.
   */
  private issued(config: Config, duplicate: boolean): IssuedConfig {
    const current = this.options.state.config(config.id) ?? config;
    const missing = confMissingReason(current);
    if (duplicate && missing)
      return { config: current, conf: null, confMissing: missing, duplicate };
    return { config: current, conf: this.renderConf(current), confMissing: null, duplicate };
  }

  /**
   * The user has these configs: their delivery keys are erased from the
   * replicated state (at once, or as soon as the server's copy of the
   * preshared key is sealed).
   */
  confirmDelivered(configIds: readonly string[]): Promise<void> {
    if (configIds.length === 0) return Promise.resolve();
    return this.deliveries.confirm(configIds);
  }

  /**
   * The bot sent the first `messages` messages of its reply to `updateId`:
   * recorded with the next batch (resolves once committed), so a new leader
   * that receives the update again sends only the rest.
   */
  recordRepliesSent(updateId: number, messages: number): Promise<void> {
    return this.answeredUpdates.add([[updateId, messages]]);
  }

  /**
   * Renders what the user imports from the replicated state (the keys are
   * decrypted here): a `.conf`, or a Shadowsocks config's `ss://` access key.
   */
  renderConf(config: Config): string {
    const server = this.options.state.server(config.serverId);
    if (!server)
      throw new CommandRefusedError("UNKNOWN_SERVER", `server ${config.serverId} is unknown`);
    if (!server.endpointHost) {
      throw new CommandRefusedError(
        "ENDPOINT_UNKNOWN",
        `server ${server.id} has not learned its public address yet; retry shortly`,
      );
    }
    const missing = confMissingReason(config);
    if (missing) throw new CommandRefusedError(missing.code, missing.message);
    const keys = openDeliveryKeys(this.options.sealing, config);
    if (!keys) {
      throw new CommandRefusedError(
        "CONFIG_KEYS_UNREADABLE",
        "the config's keys cannot be opened; does this node hold every key in DATA_KEYS?",
      );
    }
    if (config.shadowsocks) return this.renderShadowsocksKey(config, server, keys.presharedKey);
    const rendered = renderClientConfig({
      clientPrivateKey: keys.privateKey,
      clientAddress: config.address,
      serverPublicKey: server.publicKey,
      presharedKey: keys.presharedKey,
      endpoint: { host: server.endpointHost, port: server.listenPort },
      // A server registered before it reported these gets the defaults until its node restarts.
      dns: server.clientDns ?? DEFAULT_CLIENT_DNS,
      ...(server.mtu === null ? {} : { mtu: server.mtu }),
      ...(server.amnezia ? { amnezia: server.amnezia } : {}),
    });
    if (!rendered.ok) throw new CommandRefusedError(rendered.error.code, rendered.error.message);
    return rendered.value;
  }

  /** The `ss://` key: a Shadowsocks config's password is its preshared key (see fsm/records.ts). */
  private renderShadowsocksKey(config: Config, server: ServerView, password: string): string {
    const rendered = renderShadowsocksKey({
      host: server.endpointHost!,
      port: config.shadowsocks!.port,
      method: config.shadowsocks!.method,
      password,
      name: `NexaLoak ${server.region}`,
    });
    if (!rendered.ok) throw new CommandRefusedError(rendered.error.code, rendered.error.message);
    return rendered.value;
  }

  async revokeConfig(input: {
    configId: string;
    actor: AdminActor;
    reason: string;
    userId?: string;
    updateId?: number;
  }): Promise<Config> {
    const command: CommandInputOf<"revokeConfig"> = {
      type: "revokeConfig",
      configId: input.configId,
      actor: input.actor,
      reason: input.reason,
      at: this.clock(),
    };
    if (input.userId !== undefined) command.userId = input.userId;
    if (input.updateId !== undefined) command.updateId = input.updateId;
    return resultValue(await this.run(command));
  }

  /**
   * Bans, unbans (active), drains or marks a server down. Banning re-homes
   * its users, so fresh keys are prepared for every live config on it.
   */
  async setServerStatus(input: {
    serverId: string;
    status: "active" | "draining" | "banned" | "down";
    reason: string;
    actor: AdminActor;
    updateId?: number;
  }): Promise<CommandResults["setServerStatus"]> {
    const command: CommandInputOf<"setServerStatus"> = {
      type: "setServerStatus",
      serverId: input.serverId,
      status: input.status,
      reason: input.reason,
      actor: input.actor,
      at: this.clock(),
      replacementKeys: input.status === "banned" ? this.replacementKeysFor(input.serverId) : [],
    };
    if (input.updateId !== undefined) command.updateId = input.updateId;
    return resultValue(await this.run(command));
  }

  /** One fresh key set per live config on the server, in the order apply uses them. */
  replacementKeysFor(serverId: string): ReplacementKey[] {
    return this.options.state.replacementKeysNeeded(serverId).map(() => {
      const configId = newRecordId();
      return { configId, ...this.freshClientKeys(configId) };
    });
  }

  /** Adds a vantage probe; its token is sealed here, so the log never holds it in the clear. */
  async addVantageProbe(
    input: CheckedVantageProbe & { actor: AdminActor; updateId?: number },
  ): Promise<AddedVantageProbe> {
    // Its own WireGuard probe key: every server adds it as a peer (see VantageProbe).
    const probeKeys = generateKeyPair();
    const command: CommandInputOf<"addVantageProbe"> = {
      type: "addVantageProbe",
      id: input.id,
      url: input.url,
      tokenEncrypted: this.options.sealing.seal("vantageToken", input.id, input.token),
      region: input.region,
      isp: input.isp,
      actor: input.actor,
      at: this.clock(),
      probePublicKey: probeKeys.publicKey,
      probePrivateKeyEncrypted: this.options.sealing.seal(
        "vantageProbeKey",
        input.id,
        probeKeys.privateKey,
      ),
    };
    if (input.certSha256 !== undefined) command.certSha256 = input.certSha256;
    if (input.insecure) command.insecure = true;
    if (input.updateId !== undefined) command.updateId = input.updateId;
    return resultValue(await this.run(command));
  }

  /** Removes a vantage probe; later ban-check rounds no longer ask it. */
  async removeVantageProbe(input: {
    id: string;
    actor: AdminActor;
    updateId?: number;
  }): Promise<{ id: string }> {
    const command: CommandInputOf<"removeVantageProbe"> = {
      type: "removeVantageProbe",
      id: input.id,
      actor: input.actor,
      at: this.clock(),
    };
    if (input.updateId !== undefined) command.updateId = input.updateId;
    return resultValue(await this.run(command));
  }

  /** Every vantage probe after a linearizable read, sorted by id, without tokens. */
  async vantageProbes(): Promise<VantageProbeView[]> {
    return (await this.read()).vantageProbes().map(vantageProbeView);
  }

  /** Makes sure a user exists (an admin acting for a Telegram user who never wrote to the bot). */
  async ensureUser(userId: string): Promise<void> {
    if (this.options.state.user(userId)) return;
    await this.run({
      type: "upsertUser",
      userId,
      name: "",
      language: "en",
      status: "active",
      at: this.clock(),
    });
  }
}
