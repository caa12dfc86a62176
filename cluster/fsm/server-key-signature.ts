/**
 * A server's WireGuard key is what its users' configs trust: whoever can
 * change it can send that server's users through itself. So once the
 * server's node has a pinned identity key, a registration that changes the
 * WireGuard key must carry that identity's Ed25519 signature over the new
 * key (see identity/node-identity.ts). A node that lost its disk is first
 * re-admitted by an admin under a new identity key (PUT /v1/members/:id/key),
 * which then signs: that is the admin's approval.
 */
import { verifyNodeSignature } from "../identity/node-public-key.ts";
import type { CommandOf } from "./commands.ts";
import type { ControlPlaneData } from "./control-plane-data.ts";
import { type Refusal, refuse } from "./errors.ts";

/** What a node signs to vouch for its server's WireGuard key. */
export function serverKeyStatement(serverId: string, wireguardPublicKey: string): Buffer {
  return Buffer.from(JSON.stringify(["nexaloak/server-key/v1", serverId, wireguardPublicKey]));
}

/** Why this registration may not set its WireGuard key, or undefined when it may. */
export function serverKeyProblem(
  data: ControlPlaneData,
  command: CommandOf<"registerServer">,
): Refusal | undefined {
  const existing = data.servers.get(command.serverId);
  if (existing?.publicKey === command.publicKey) return undefined;
  const pinned = data.nodeKeys.get(command.serverId)?.publicKey;
  if (pinned === undefined) return undefined;
  const signature = command.identitySignature;
  if (
    signature === undefined ||
    !verifyNodeSignature(
      pinned,
      serverKeyStatement(command.serverId, command.publicKey),
      Buffer.from(signature, "base64url"),
    )
  )
    return refuse(
      "BAD_SERVER_KEY_SIGNATURE",
      `a new WireGuard key for server ${command.serverId} must be signed by that node's pinned identity key`,
    );
  return undefined;
}
