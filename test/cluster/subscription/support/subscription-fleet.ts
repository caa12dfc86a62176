/**
 * A replicated state with two servers that hold real WireGuard key pairs
 * and real node identities, users with configs on both, their secrets
 * sealed to their servers the way the leader's key custody seals them, and
 * subscription tokens: what the subscription tests read and ask about.
 */
import { serverCopyOf } from "../../../../cluster/config-key-custody-task.ts";
import { API_ACTOR } from "../../../../cluster/fsm/actors.ts";
import {
  generateNodeIdentity,
  type NodeIdentity,
} from "../../../../cluster/identity/node-identity.ts";
import {
  newSubscriptionToken,
  subscriptionTokenDigest,
} from "../../../../cluster/subscription/subscription-token.ts";
import {
  generateKeyPair,
  generatePresharedKey,
  type WireGuardKeyPair,
} from "../../../../shared/crypto/wireguard-keys.ts";
import { command, Fixture, T0 } from "../../fsm/support/control-plane-fixture.ts";

export interface FleetServer {
  id: string;
  keys: WireGuardKeyPair;
  identity: NodeIdentity;
}

/** What a config's owner holds in the clear, for checking what is served. */
export interface ConfigKeys {
  clientPrivateKey: string;
  presharedKey: string;
}

export class SubscriptionFleet {
  readonly fixture = new Fixture();
  readonly servers: FleetServer[];
  readonly tokens = new Map<string, string>();
  readonly keys = new Map<string, ConfigKeys>();
  private readonly shadowsocksRange = {
    firstPort: 20000,
    lastPort: 20009,
    method: "chacha20-ietf-poly1305",
  } as const;

  constructor(serverIds: readonly string[] = ["n1", "n2"]) {
    this.servers = serverIds.map((id) => ({
      id,
      keys: generateKeyPair(),
      identity: generateNodeIdentity(),
    }));
    this.fixture.ok({ type: "setSetting", key: "configsPerUser", value: "10", actor: API_ACTOR });
    for (const server of this.servers) {
      this.fixture.ok(
        command.registerServer(server.id, {
          publicKey: server.keys.publicKey,
          region: server.id === "n1" ? "de" : "nl",
          protocols: ["wireguard", "shadowsocks"],
          shadowsocks: { ...this.shadowsocksRange },
        }),
      );
      this.fixture.ok({
        type: "pinNodeKey",
        nodeId: server.id,
        publicKey: server.identity.publicKey,
        actor: "n1",
        at: T0,
      });
    }
  }

  get state() {
    return this.fixture.state;
  }

  server(id: string): FleetServer {
    return this.servers.find((server) => server.id === id)!;
  }

  /** A user with a subscription token; returns the token. */
  addUser(userId: string): string {
    this.fixture.ok(command.upsertUser(userId));
    const token = newSubscriptionToken();
    this.fixture.ok({
      type: "issueSubscription",
      userId,
      tokenSha256: subscriptionTokenDigest(token),
      tokenSealed: `sealed-token-${userId}`,
      replace: true,
      at: T0,
    });
    this.tokens.set(userId, token);
    return token;
  }

  /** Issues a config for `userId` in `region` (de: n1, nl: n2) and seals its secrets to its server. */
  issue(
    configId: string,
    userId: string,
    region: "de" | "nl",
    protocol: "wireguard" | "shadowsocks" = "wireguard",
  ): string {
    const client = generateKeyPair();
    this.fixture.ok(
      command.issueConfig(configId, userId, {
        clientPublicKey: client.publicKey,
        region,
        protocol,
      }),
    );
    this.keys.set(configId, {
      clientPrivateKey: client.privateKey,
      presharedKey: generatePresharedKey(),
    });
    this.sealAll();
    return this.state.config(configId)!.serverId;
  }

  /** What the leader's key custody does for every config not sealed yet. */
  sealAll(): void {
    const items = this.state.configsWithoutServerCopy().map((config) => {
      const server = this.state.server(config.serverId)!;
      let keys = this.keys.get(config.id);
      if (!keys) {
        keys = {
          clientPrivateKey: generateKeyPair().privateKey,
          presharedKey: generatePresharedKey(),
        };
        this.keys.set(config.id, keys);
      }
      return serverCopyOf(config, server, {
        privateKey: keys.clientPrivateKey,
        presharedKey: keys.presharedKey,
      });
    });
    if (items.length > 0) this.fixture.ok({ type: "sealServerPresharedKeys", items, at: T0 });
  }
}
