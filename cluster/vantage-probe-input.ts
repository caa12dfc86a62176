/**
 * What an admin gives to add a vantage probe, checked the same way whether it
 * comes from the admin API or the bot. No message here ever repeats a value,
 * so a rejected token is never echoed back.
 */
import { z } from "zod";
import { err, ok, type Result } from "../shared/result.ts";

/** Where a probe stands when the admin does not say: the region servers default to as well. */
const DEFAULT_PROBE_REGION = "default";
/** An unknown ISP: the probe's answers count only with all vantages together. */
const UNKNOWN_PROBE_ISP = "";

export const vantageProbeInputSchema = z.strictObject({
  id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, "an id is 1-64 of A-Z a-z 0-9 _ -"),
  url: z
    .url({ protocol: /^https?$/, error: "the URL is http(s)://host[:port][/path]" })
    .max(2048, "the URL is at most 2048 characters"),
  token: z
    .string()
    .regex(/^[\x21-\x7e]{16,256}$/, "the token is 16-256 visible ASCII characters, no spaces"),
  region: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,32}$/, "a region is 1-32 of A-Z a-z 0-9 _ . -")
    .default(DEFAULT_PROBE_REGION),
  /** Lower-cased, so `MCI` and `mci` are one ISP when verdicts group vantages. */
  isp: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{0,64}$/, "an ISP label is up to 64 of A-Z a-z 0-9 _ . -")
    .transform((label) => label.toLowerCase())
    .default(UNKNOWN_PROBE_ISP),
});

/** A new vantage probe after checking: defaults filled in, the ISP label lower-cased. */
export type CheckedVantageProbe = z.output<typeof vantageProbeInputSchema>;

/** Checks an admin's input; the error names the first bad field and what it must be. */
export function checkVantageProbeInput(
  input: unknown,
): Result<CheckedVantageProbe, "INVALID_PROBE"> {
  const parsed = vantageProbeInputSchema.safeParse(input);
  if (parsed.success) return ok(parsed.data);
  const issue = parsed.error.issues[0]!;
  return err("INVALID_PROBE", `${issue.path.join(".") || "probe"}: ${issue.message}`);
}
