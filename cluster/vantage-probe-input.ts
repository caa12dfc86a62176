/**
 * What an admin gives to add a vantage probe, checked the same way whether it
 * comes from the admin API or the bot. No message here ever repeats a value,
 * so a rejected token is never echoed back.
 *
 * The leader sends the probe's token, server keys and WireGuard probe keys to
 * its URL, so the URL is https://: verified against the system CAs, or pinned
 * to one certificate by its SHA-256 fingerprint (`certSha256`, for an agent's
 * self-signed certificate). A plain http:// URL is refused unless the admin
 * says `insecure` for that probe.
 */
import { z } from "zod";
import { parseCertSha256 } from "../shared/cert-fingerprint.ts";
import { err, ok, type Result } from "../shared/result.ts";

/** Where a probe stands when the admin does not say: the region servers default to as well. */
const DEFAULT_PROBE_REGION = "default";
/** An unknown ISP: the probe's answers count only with all vantages together. */
const UNKNOWN_PROBE_ISP = "";

export const vantageProbeInputSchema = z
  .strictObject({
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
    /** `AB:CD:...` or 64 hex digits, any case; stored in the canonical `AB:CD:...` form. */
    certSha256: z
      .string()
      .max(200, "a certificate fingerprint is at most 200 characters")
      .transform((text, context) => {
        const parsed = parseCertSha256(text);
        if (parsed.ok) return parsed.value;
        context.addIssue({ code: "custom", message: parsed.error.message });
        return z.NEVER;
      })
      .optional(),
    /** Plain http:// on purpose: the token and keys cross the network unencrypted. */
    insecure: z.boolean("insecure is true or false").default(false),
  })
  .superRefine((probe, context) => {
    // Refinements run even when a field failed; a URL that failed says so already.
    if (typeof probe.url !== "string" || !URL.canParse(probe.url)) return;
    const scheme = new URL(probe.url).protocol;
    if (scheme === "http:" && !probe.insecure)
      context.addIssue({
        code: "custom",
        path: ["url"],
        message:
          "http:// would send the probe's token and keys unencrypted, where the censor can read and change them: use https:// (pin a self-signed agent by its certificate's SHA-256 fingerprint), or mark the probe insecure on purpose",
      });
    if (scheme !== "http:" && probe.insecure)
      context.addIssue({
        code: "custom",
        path: ["insecure"],
        message: "insecure is only for a plain http:// URL; an https:// URL is always verified",
      });
    if (scheme !== "https:" && probe.certSha256 !== undefined)
      context.addIssue({
        code: "custom",
        path: ["certSha256"],
        message: "a certificate fingerprint pins an https:// URL's certificate; use https://",
      });
  });

/** A new vantage probe after checking: defaults filled in, the ISP label lower-cased, the fingerprint canonical. */
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
