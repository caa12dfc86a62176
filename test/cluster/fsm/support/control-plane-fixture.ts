/**
 * Builders for control-plane commands with sensible defaults, and a fixture
 * that applies them at increasing log indexes the way a node would.
 */
import * as assert from "uvu/assert";
import { API_ACTOR } from "../../../../cluster/fsm/actors.ts";
import type { ControlPlaneCommandInput } from "../../../../cluster/fsm/commands.ts";
import { type ApplyResult, ControlPlaneState } from "../../../../cluster/fsm/control-plane.ts";

export const DAY_MS = 24 * 60 * 60 * 1000;
export const HOUR_MS = 60 * 60 * 1000;

import { T0, wgKey } from "../../../../scripts/simulation/commands/domains.ts";

/** A fixed starting time for tests (2025-01-01T00:00:00Z), and unique WireGuard keys. */
export { T0, wgKey };

type Input<Type extends ControlPlaneCommandInput["type"]> = Extract<
  ControlPlaneCommandInput,
  { type: Type }
>;
type Fields<Type extends ControlPlaneCommandInput["type"]> = Omit<Input<Type>, "type">;

let keySeed = 1;

export const command = {
  registerServer: (serverId: string, fields: Partial<Fields<"registerServer">> = {}) =>
    ({
      type: "registerServer",
      serverId,
      publicKey: wgKey(hashText(serverId), 1),
      listenPort: 51820,
      apiPort: 8443,
      endpointHost: `${serverId}.example.net`,
      capacity: 10,
      region: "eu",
      at: T0,
      ...fields,
    }) satisfies Input<"registerServer">,
  upsertUser: (userId: string, fields: Partial<Fields<"upsertUser">> = {}) =>
    ({
      type: "upsertUser",
      userId,
      name: `user ${userId}`,
      language: "en",
      at: T0,
      ...fields,
    }) satisfies Input<"upsertUser">,
  /** A config request with fresh keys each call. */
  issueConfig: (configId: string, userId: string, fields: Partial<Fields<"issueConfig">> = {}) =>
    ({
      type: "issueConfig",
      configId,
      userId,
      protocol: "wireguard",
      clientPublicKey: wgKey(keySeed++, 2),
      deliveryKeysSealed: `sealed-${configId}`,
      at: T0,
      ...fields,
    }) satisfies Input<"issueConfig">,
  revokeConfig: (configId: string, fields: Partial<Fields<"revokeConfig">> = {}) =>
    ({
      type: "revokeConfig",
      configId,
      actor: API_ACTOR,
      reason: "revoked by admin",
      at: T0,
      ...fields,
    }) satisfies Input<"revokeConfig">,
  createInvite: (code: string, fields: Partial<Fields<"createInvite">> = {}) =>
    ({
      type: "createInvite",
      code,
      uses: 1,
      actor: API_ACTOR,
      at: T0,
      ...fields,
    }) satisfies Input<"createInvite">,
  addVantageProbe: (id: string, fields: Partial<Fields<"addVantageProbe">> = {}) =>
    ({
      type: "addVantageProbe",
      id,
      url: `https://${id}.probe.example`,
      tokenEncrypted: `enc-token-${id}`,
      region: "ir",
      isp: "",
      actor: API_ACTOR,
      at: T0,
      ...fields,
    }) satisfies Input<"addVantageProbe">,
  /** Replacement keys for each given old config id, named `<old>-r`. */
  replacementKeys: (configIds: readonly string[]) =>
    configIds.map((id) => ({
      configId: `${id}-r`,
      clientPublicKey: wgKey(keySeed++, 3),
      deliveryKeysSealed: `sealed-${id}-r`,
    })),
  verdict: (
    serverId: string,
    round: number,
    verdict: Input<"recordVerdict">["verdict"],
    fields: Partial<Fields<"recordVerdict">> = {},
  ) =>
    ({
      type: "recordVerdict",
      serverId,
      round,
      verdict,
      evidence: `${verdict} in round ${round}`,
      at: T0 + round * 5 * 60_000,
      banAfter: 3,
      downAfter: 2,
      ...fields,
    }) satisfies Input<"recordVerdict">,
};

/** A valid backup passphrase check (setBackupPassphrase's fields) whose public key is `wgKey(seed, 1)`. */
export function backupKeyCheck(seed: number) {
  return {
    salt: Buffer.alloc(16, seed % 256).toString("base64"),
    n: 2 ** 14,
    r: 8,
    p: 1,
    publicKey: wgKey(seed, 1),
  };
}

function hashText(text: string): number {
  let hash = 7;
  for (const char of text) hash = (hash * 31 + char.charCodeAt(0)) % 2_147_483_647;
  return hash;
}

/** A control plane fed commands at increasing indexes, with assertions for tests. */
export class Fixture {
  readonly state = new ControlPlaneState();
  private index = 0;

  /**
   * Applies a command (an object is serialised; a string is applied as is).
   * Any object is accepted so tests can send malformed commands.
   */
  apply(input: object | string): ApplyResult {
    const text = typeof input === "string" ? input : JSON.stringify(input);
    return this.state.apply(text, ++this.index);
  }

  /**
   * Seals every live config's preshared key to its server, as the leader's
   * key custody does a moment after issue: the server adds the peer then.
   */
  sealForServers(): void {
    const items = this.state.configsWithoutServerCopy().map((config) => ({
      configId: config.id,
      clientPublicKey: config.clientPublicKey,
      serverPublicKey: this.state.server(config.serverId)!.publicKey,
      sealed: `to-server-${config.id}`,
    }));
    if (items.length > 0) this.ok({ type: "sealServerPresharedKeys", items, at: T0 });
  }

  /** Applies a command that must succeed and returns its value. */
  // biome-ignore lint/suspicious/noExplicitAny: tests read result values of every command shape
  ok(input: ControlPlaneCommandInput): any {
    const result = this.apply(input);
    if (!result.ok)
      assert.unreachable(`${input.type} refused: ${result.error.code} ${result.error.message}`);
    return result.ok ? result.value : undefined;
  }

  /**
   * Applies a command that must be refused with `code`, and checks that it
   * changed nothing.
   */
  refused(input: object | string, code: string): string {
    const before = this.state.stateHash();
    const result = this.apply(input);
    if (result.ok) assert.unreachable(`expected ${code}, got success`);
    else assert.is(result.error.code, code, result.error.message);
    assert.is(this.state.stateHash(), before, "a refused command changes nothing");
    return result.ok ? "" : result.error.message;
  }

  /** The index the next command will be applied at. */
  get nextIndex(): number {
    return this.index + 1;
  }
}
