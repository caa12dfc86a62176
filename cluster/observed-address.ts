/**
 * A peer's signed statement of the address a node's request came from, so a
 * node learns its public address from its peers without trusting the path:
 * an on-path attacker who rewrites the answer, or replays one given to
 * another node or for another request, breaks the signature. The answering
 * peer signs with its identity key over the asker's id, the asker's fresh
 * nonce and the address; the asker verifies with the key the cluster pinned
 * for that peer (see transport/peer-key-book.ts).
 */
import type { NodeIdentity } from "./identity/node-identity.ts";
import { verifyNodeSignature } from "./identity/node-public-key.ts";

const LABEL = "nexaloak observed-address/1";

/** What one peer says, signed: `signature` is unpadded base64url. */
export interface ObservedAddressStatement {
  address: string;
  signature: string;
}

function statementBytes(askerId: string, nonce: string, address: string): Buffer {
  return Buffer.from(JSON.stringify([LABEL, askerId, nonce, address]));
}

/** The answering peer's side: the address it saw `askerId` come from, signed. */
export function signObservedAddress(
  identity: NodeIdentity,
  askerId: string,
  nonce: string,
  address: string,
): ObservedAddressStatement {
  const signature = identity.sign(statementBytes(askerId, nonce, address));
  return { address, signature: signature.toString("base64url") };
}

/** The asker's side: whether `reporterKey` signed this statement for this asker and nonce. */
export function verifyObservedAddress(
  reporterKey: string,
  askerId: string,
  nonce: string,
  statement: ObservedAddressStatement,
): boolean {
  return verifyNodeSignature(
    reporterKey,
    statementBytes(askerId, nonce, statement.address),
    Buffer.from(statement.signature, "base64url"),
  );
}
