/**
 * What a node that joined through a token keeps of its join, in its
 * DATA_DIR (mode 0600, beside its identity key): its node id, the members it
 * met, the cluster's shared credentials, and its region and capacity from the
 * token. On every later start it is the node's configuration for those
 * values, so JOIN_TOKEN (spent) is no longer needed and another node's
 * `.env` is never copied.
 */
import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { z } from "zod";
import { isValidNodeId } from "../../shared/node-id.ts";
import { err, ok, type Result } from "../../shared/result.ts";
import { joinAnswerSchema, joinCredentialsSchema } from "./join-protocol.ts";

export const MEMBERSHIP_FILE = join("cluster", "membership.json");

const membershipSchema = z.strictObject({
  v: z.literal(1),
  nodeId: z.string().refine(isValidNodeId),
  members: joinAnswerSchema.shape.members,
  region: z.string().nullable(),
  capacity: z.int().positive().nullable(),
  credentials: joinCredentialsSchema,
  joinedAt: z.int().nonnegative(),
});
export type JoinedMembership = z.infer<typeof membershipSchema>;

export type MembershipFileErrorCode = "MEMBERSHIP_UNREADABLE";

/** The membership kept in `dataDir`; undefined when this node never joined through a token. */
export function readMembership(
  dataDir: string,
): Result<JoinedMembership | undefined, MembershipFileErrorCode> {
  const file = join(dataDir, MEMBERSHIP_FILE);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return ok(undefined);
    return err("MEMBERSHIP_UNREADABLE", `cannot read ${file}: ${(error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return err("MEMBERSHIP_UNREADABLE", `${file} is not JSON; restore it from the node's backup`);
  }
  const parsed = membershipSchema.safeParse(json);
  if (!parsed.success)
    return err("MEMBERSHIP_UNREADABLE", `${file} is damaged; restore it from the node's backup`);
  return ok(parsed.data);
}

/** Writes the membership atomically (a crash leaves the old file or the new one, never half). */
export function writeMembership(dataDir: string, membership: JoinedMembership): void {
  const file = join(dataDir, MEMBERSHIP_FILE);
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, JSON.stringify(membership, null, 2), { mode: 0o600 });
  chmodSync(temporary, 0o600);
  renameSync(temporary, file);
}
