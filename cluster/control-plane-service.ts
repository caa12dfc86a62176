import { randomBytes } from "node:crypto";
import type { SecretBox } from "../shared/crypto/secret-box.ts";
import { generateKeyPair, generatePresharedKey } from "../shared/crypto/wireguard-keys.ts";
import { renderClientConfig } from "./client-config/wireguard-conf.ts";
import type { CommandAnswer, CommandResults, ResultOf } from "./fsm/command-results.ts";
import type { CommandInputOf, ControlPlaneCommandInput, ReplacementKey } from "./fsm/commands.ts";
import type { ApplyResult, ControlPlaneState } from "./fsm/control-plane.ts";
import type { Config } from "./fsm/records.ts";
import { type VantageProbeView, vantageProbeView } from "./fsm/views.ts";
import type { ClusterNode } from "./node.ts";
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

/** A config as the owner downloads it: the record and its rendered `.conf`. */
export interface IssuedConfig {
  config: Config;
  conf: string;
  /** True when this answered a retry (same update or idempotency key) with the first config. */
  duplicate: boolean;
}

export interface ControlPlaneServiceOptions {
  node: ClusterNode<ApplyResult>;
  state: ControlPlaneState;
  /** Seals client private keys and preshared keys at rest. */
  configKeys: SecretBox;
  /** Seals the tokens that authenticate probe requests to vantage probes. */
  probeTokens: SecretBox;
  clock?: () => number;
}

/** What adding a vantage probe answers: the probe without its token. */
export type AddedVantageProbe = Pick<
  VantageProbeView,
  "id" | "url" | "region" | "isp" | "certSha256" | "insecure"
>;

/** A fresh, unguessable record id (config ids appear in download links). */
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

  constructor(private readonly options: ControlPlaneServiceOptions) {
    this.node = options.node;
    this.clock = options.clock ?? Date.now;
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

  /** Fresh client keys, sealed for storage in the replicated state. */
  private sealedClientKeys(): Pick<
    ReplacementKey,
    "clientPublicKey" | "clientPrivateKeyEncrypted" | "presharedKeyEncrypted"
  > {
    const keys = generateKeyPair();
    return {
      clientPublicKey: keys.publicKey,
      clientPrivateKeyEncrypted: this.options.configKeys.seal(keys.privateKey),
      presharedKeyEncrypted: this.options.configKeys.seal(generatePresharedKey()),
    };
  }

  /** Issues a config for a user: placement and address are decided by apply. */
  async issueConfig(input: {
    userId: string;
    region?: string;
    idempotencyKey?: string;
    updateId?: number;
  }): Promise<IssuedConfig> {
    const command: CommandInputOf<"issueConfig"> = {
      type: "issueConfig",
      configId: newRecordId(),
      userId: input.userId,
      protocol: "wireguard",
      ...this.sealedClientKeys(),
      at: this.clock(),
    };
    if (input.region !== undefined) command.region = input.region;
    if (input.idempotencyKey !== undefined) command.idempotencyKey = input.idempotencyKey;
    if (input.updateId !== undefined) command.updateId = input.updateId;
    const answer = await this.run(command);
    const config = resultValue(answer);
    return { config, conf: this.renderConf(config), duplicate: answer.duplicate };
  }

  /** Renders a config's `.conf` from the replicated state (the private key is decrypted here). */
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
    const privateKey = this.options.configKeys.open(config.clientPrivateKeyEncrypted);
    const presharedKey = this.options.configKeys.open(config.presharedKeyEncrypted);
    if (!privateKey.ok || !presharedKey.ok) {
      throw new CommandRefusedError(
        "CONFIG_KEYS_UNREADABLE",
        "the config's keys cannot be decrypted with this cluster's secret",
      );
    }
    const rendered = renderClientConfig({
      clientPrivateKey: privateKey.value,
      clientAddress: config.address,
      serverPublicKey: server.publicKey,
      presharedKey: presharedKey.value,
      endpoint: { host: server.endpointHost, port: server.listenPort },
      ...(server.amnezia ? { amnezia: server.amnezia } : {}),
    });
    if (!rendered.ok) throw new CommandRefusedError(rendered.error.code, rendered.error.message);
    return rendered.value;
  }

  async revokeConfig(input: {
    configId: string;
    actor: string;
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
    actor: string;
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
    return this.options.state
      .replacementKeysNeeded(serverId)
      .map(() => ({ configId: newRecordId(), ...this.sealedClientKeys() }));
  }

  /** Adds a vantage probe; its token is sealed here, so the log never holds it in the clear. */
  async addVantageProbe(
    input: CheckedVantageProbe & { addedBy: string; updateId?: number },
  ): Promise<AddedVantageProbe> {
    // Its own WireGuard probe key: every server adds it as a peer (see VantageProbe).
    const probeKeys = generateKeyPair();
    const command: CommandInputOf<"addVantageProbe"> = {
      type: "addVantageProbe",
      id: input.id,
      url: input.url,
      tokenEncrypted: this.options.probeTokens.seal(input.token),
      region: input.region,
      isp: input.isp,
      addedBy: input.addedBy,
      at: this.clock(),
      probePublicKey: probeKeys.publicKey,
      probePrivateKeyEncrypted: this.options.configKeys.seal(probeKeys.privateKey),
    };
    if (input.certSha256 !== undefined) command.certSha256 = input.certSha256;
    if (input.insecure) command.insecure = true;
    if (input.updateId !== undefined) command.updateId = input.updateId;
    return resultValue(await this.run(command));
  }

  /** Removes a vantage probe; later ban-check rounds no longer ask it. */
  async removeVantageProbe(input: { id: string; updateId?: number }): Promise<{ id: string }> {
    const command: CommandInputOf<"removeVantageProbe"> = {
      type: "removeVantageProbe",
      id: input.id,
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
