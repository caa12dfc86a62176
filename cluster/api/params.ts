import { z } from "zod";
import { isValidNodeId, nodeIdRule } from "../../shared/node-id.ts";

/** Path parameters, validated before anything is looked up. */
export const telegramIdParam = z
  .string()
  .regex(/^[1-9][0-9]{0,19}$/, "a Telegram user id is a positive integer");
export const recordIdParam = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,64}$/, "an id is 1-64 of A-Z a-z 0-9 _ -");
export const serverIdParam = z
  .string()
  .refine(isValidNodeId, `a server id is a node id: ${nodeIdRule}`);
