/**
 * Runtime validation of Raft messages received from peers. The schema mirrors
 * `Message` in cluster/raft/types.ts field for field (checked at compile time
 * below), and adds what the type cannot say: ids are non-empty and bounded,
 * terms and indexes are non-negative safe integers.
 *
 * Unknown fields are stripped rather than rejected, so the core only ever sees
 * the fields it knows.
 */
import { z } from "zod";
import type { Message } from "../raft/types.ts";

/** Longest node id accepted on the wire; real ids are short (`n1`). */
export const MAX_NODE_ID_LENGTH = 128;

const nodeIdSchema = z.string().min(1).max(MAX_NODE_ID_LENGTH);
const counterSchema = z.int().nonnegative();

const entrySchema = z.object({
  index: counterSchema,
  term: counterSchema,
  type: z.enum(["normal", "confChange"]),
  data: z.string(),
});

const snapshotSchema = z.object({
  metadata: z.object({
    index: counterSchema,
    term: counterSchema,
    confState: z.object({
      voters: z.array(nodeIdSchema),
      learners: z.array(nodeIdSchema),
    }),
  }),
  data: z.string(),
});

/** Validates one Raft message as it arrives from a peer. */
export const raftMessageSchema = z.object({
  type: z.enum([
    "app",
    "appResp",
    "vote",
    "voteResp",
    "preVote",
    "preVoteResp",
    "heartbeat",
    "heartbeatResp",
    "snap",
    "prop",
    "readIndex",
    "readIndexResp",
    "transferLeader",
    "timeoutNow",
  ]),
  from: nodeIdSchema,
  to: nodeIdSchema,
  term: counterSchema,
  logTerm: counterSchema.optional(),
  index: counterSchema.optional(),
  entries: z.array(entrySchema).optional(),
  commit: counterSchema.optional(),
  reject: z.boolean().optional(),
  rejectHint: counterSchema.optional(),
  snapshot: snapshotSchema.optional(),
  context: z.string().optional(),
});

type Equal<A, B> =
  (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;

// Fails to compile when `Message` gains, loses or changes a field the schema does not mirror.
true satisfies Equal<z.infer<typeof raftMessageSchema>, Message>;
