/**
 * The probe agent's configuration, from environment variables (and `.env`),
 * validated at start with one message listing every bad or missing variable,
 * in the same form as the node's (shared/config.ts).
 */
import { resolve } from "node:path";
import { z } from "zod";
import { loadEnvFile } from "../shared/env-file.ts";
import { type EnvVariable, envVariables, type WhenUnset } from "../shared/env-variables.ts";
import { type HostPort, parseHostPort } from "../shared/host-port.ts";
import type { LogLevel } from "../shared/logger.ts";
import { quote } from "../shared/quote.ts";
import { err, ok, type Result } from "../shared/result.ts";

/**
 * How the agent serves: HTTPS with the operator's certificate and key, HTTPS
 * with a self-signed certificate it makes once in its data directory, or
 * plain HTTP when the operator says so explicitly.
 */
export type ProbeAgentTls =
  | { readonly kind: "files"; readonly certFile: string; readonly keyFile: string }
  | { readonly kind: "self-signed"; readonly dataDir: string }
  | { readonly kind: "insecure-http" };

export interface ProbeAgentConfig {
  /** The bearer token the leader sends; admins register it with `/probes add`. */
  readonly token: string;
  readonly listen: HostPort;
  readonly maxConcurrentProbes: number;
  readonly logLevel: LogLevel;
  readonly tls: ProbeAgentTls;
}

/** Where the agent keeps its files (the self-signed certificate) unless told otherwise. */
export const DEFAULT_PROBE_AGENT_DATA_DIR = ".data/probe-agent";

/** A sane ceiling: each probe holds a socket (or a WireGuard handshake) open for up to 30 s. */
const MOST_CONCURRENT_PROBES = 1024;

/** Every variable the agent reads, in documentation order. */
export const probeAgentEnvVariables = {
  PROBE_AGENT_TOKEN: {
    doc: "Bearer token the leader must send; give the same token to the bot's /probes add. At least 16 characters: openssl rand -hex 24",
    example: "local-dev-probe-token-0123",
    secret: true,
    whenUnset: { kind: "required" },
    schema: z
      .string()
      .min(16, "must be at least 16 characters; generate one with: openssl rand -hex 24"),
  },
  PROBE_AGENT_LISTEN: {
    doc: "Address and port the agent listens on. IPv6 goes in brackets: [::]:9190.",
    example: "0.0.0.0:9190",
    secret: false,
    whenUnset: { kind: "default", raw: "0.0.0.0:9190" },
    schema: z.string().transform((text, context) => {
      const parsed = parseHostPort(text);
      if (parsed.ok) return parsed.value;
      context.addIssue({ code: "custom", message: parsed.error.message });
      return z.NEVER;
    }),
  },
  PROBE_AGENT_MAX_CONCURRENT: {
    doc: "How many probes may run at once; requests beyond it are refused with 429.",
    example: "32",
    secret: false,
    whenUnset: { kind: "default", raw: "32" },
    // Digits only, so "1e3" and "32 probes" are refused rather than guessed at.
    schema: z
      .string()
      .regex(/^\d+$/, `must be a whole number from 1 to ${MOST_CONCURRENT_PROBES}`)
      .transform(Number)
      .pipe(
        z
          .number()
          .min(1, "must be at least 1")
          .max(MOST_CONCURRENT_PROBES, `must be at most ${MOST_CONCURRENT_PROBES}`),
      ),
  },
  PROBE_AGENT_TLS_CERT_FILE: {
    doc: "PEM certificate chain the agent serves HTTPS with, with PROBE_AGENT_TLS_KEY_FILE. When both are unset, the agent makes a self-signed certificate once in PROBE_AGENT_DATA_DIR and logs its SHA-256 fingerprint for /probes add sha256=.",
    example: "/etc/nexaloak/probe-agent.crt",
    secret: false,
    whenUnset: { kind: "optional" },
    schema: z.string(),
  },
  PROBE_AGENT_TLS_KEY_FILE: {
    doc: "PEM private key for PROBE_AGENT_TLS_CERT_FILE; the two are set together or not at all.",
    example: "/etc/nexaloak/probe-agent.key",
    secret: false,
    whenUnset: { kind: "optional" },
    schema: z.string(),
  },
  PROBE_AGENT_DATA_DIR: {
    doc: "Directory for the agent's files: the self-signed certificate and key it makes on first start (tls/cert.pem, tls/key.pem with mode 0600) when no certificate is given; they are kept and never overwritten, so the pinned fingerprint stays valid.",
    example: DEFAULT_PROBE_AGENT_DATA_DIR,
    secret: false,
    whenUnset: { kind: "default", raw: DEFAULT_PROBE_AGENT_DATA_DIR },
    schema: z.string().min(1),
  },
  PROBE_AGENT_INSECURE_HTTP: {
    doc: "true serves plain HTTP instead of HTTPS (a warning is logged at start): the leader's token, server keys and WireGuard probe keys then cross the network unencrypted, and the admin must add the probe with insecure. Only behind a TLS proxy or on a private network. 1/true/yes or 0/false/no.",
    example: "false",
    secret: false,
    whenUnset: { kind: "default", raw: "false" },
    schema: z.stringbool({
      truthy: ["1", "true", "yes"],
      falsy: ["0", "false", "no"],
      error: "must be 1, true or yes to serve plain HTTP, 0, false or no for HTTPS",
    }),
  },
  LOG_LEVEL: envVariables.LOG_LEVEL,
} as const satisfies Record<string, EnvVariable<unknown>>;

type ProbeAgentEnvName = keyof typeof probeAgentEnvVariables;
const envNames = Object.keys(probeAgentEnvVariables) as ProbeAgentEnvName[];

/** The parsed value of every variable, defaults applied. */
type ProbeAgentEnvValues = {
  [Name in ProbeAgentEnvName]: (typeof probeAgentEnvVariables)[Name]["whenUnset"] extends {
    kind: "optional";
  }
    ? z.output<(typeof probeAgentEnvVariables)[Name]["schema"]> | undefined
    : z.output<(typeof probeAgentEnvVariables)[Name]["schema"]>;
};

interface Problem {
  variable: ProbeAgentEnvName;
  /** What is wrong, never quoting the value (secrets must not reach the message). */
  message: string;
}

/** An empty value means unset, so `NAME=` in a .env file leaves the default in place. */
function readRaw(env: NodeJS.ProcessEnv, name: ProbeAgentEnvName): string | undefined {
  const raw = env[name];
  return raw === "" ? undefined : raw;
}

function problemLine({ variable, message }: Problem, env: NodeJS.ProcessEnv): string {
  const description: EnvVariable<unknown> = probeAgentEnvVariables[variable];
  const whenUnset: WhenUnset = description.whenUnset;
  const raw = readRaw(env, variable);
  let value = "";
  if (raw === undefined && whenUnset.kind === "default") {
    value = ` (unset, so the default ${whenUnset.raw})`;
  } else if (raw !== undefined && !description.secret) {
    value = ` (got ${quote(raw, 80)})`;
  }
  return `  ${variable}: ${message}${value}. Example: ${variable}=${description.example}`;
}

function formatProblems(problems: Problem[], env: NodeJS.ProcessEnv): string {
  const count = problems.length === 1 ? "1 problem" : `${problems.length} problems`;
  return [
    `Invalid probe agent configuration, ${count}. Set these environment variables (or put them in .env):`,
    ...problems.map((problem) => problemLine(problem, env)),
  ].join("\n");
}

/**
 * Validates the agent's configuration from environment variables. On failure
 * the message lists every bad or missing variable, one per line, with what is
 * wrong and an example; the token's value is never repeated.
 */
export function loadProbeAgentConfig(
  env: NodeJS.ProcessEnv,
): Result<ProbeAgentConfig, "INVALID_CONFIG"> {
  const parsed: Record<string, unknown> = {};
  const problems: Problem[] = [];
  for (const name of envNames) {
    const description: EnvVariable<unknown> = probeAgentEnvVariables[name];
    const whenUnset: WhenUnset = description.whenUnset;
    const raw = readRaw(env, name) ?? (whenUnset.kind === "default" ? whenUnset.raw : undefined);
    if (raw === undefined) {
      if (whenUnset.kind === "required") problems.push({ variable: name, message: "is required" });
      continue;
    }
    const result = description.schema.safeParse(raw);
    if (result.success) {
      parsed[name] = result.data;
    } else {
      const messages = new Set(result.error.issues.map((issue) => issue.message));
      problems.push({ variable: name, message: [...messages].join("; ") });
    }
  }
  // Variables that failed are absent, so the pair check only sees values that parsed.
  const values = parsed as ProbeAgentEnvValues;
  const { PROBE_AGENT_TLS_CERT_FILE: certFile, PROBE_AGENT_TLS_KEY_FILE: keyFile } = values;
  if (certFile !== undefined && keyFile === undefined) {
    problems.push({
      variable: "PROBE_AGENT_TLS_KEY_FILE",
      message: "is required when PROBE_AGENT_TLS_CERT_FILE is set",
    });
  }
  if (keyFile !== undefined && certFile === undefined) {
    problems.push({
      variable: "PROBE_AGENT_TLS_CERT_FILE",
      message: "is required when PROBE_AGENT_TLS_KEY_FILE is set",
    });
  }
  const insecureHttp = values.PROBE_AGENT_INSECURE_HTTP === true;
  if (insecureHttp && (certFile !== undefined || keyFile !== undefined)) {
    problems.push({
      variable: "PROBE_AGENT_INSECURE_HTTP",
      message:
        "cannot be true with a TLS certificate or key set: serve HTTPS with them, or plain HTTP without them",
    });
  }
  if (problems.length > 0) {
    const order = (problem: Problem) => envNames.indexOf(problem.variable);
    return err(
      "INVALID_CONFIG",
      formatProblems(
        problems.sort((a, b) => order(a) - order(b)),
        env,
      ),
    );
  }
  return ok({
    token: values.PROBE_AGENT_TOKEN,
    listen: values.PROBE_AGENT_LISTEN,
    maxConcurrentProbes: values.PROBE_AGENT_MAX_CONCURRENT,
    logLevel: values.LOG_LEVEL,
    tls: insecureHttp
      ? { kind: "insecure-http" }
      : certFile !== undefined && keyFile !== undefined
        ? { kind: "files", certFile, keyFile }
        : { kind: "self-signed", dataDir: values.PROBE_AGENT_DATA_DIR },
  });
}

export interface ReadProbeAgentConfigOptions {
  /** The dotenv file to read; `.env` in the working directory by default. */
  envFilePath?: string;
  /** The environment to read and add the file's variables to; `process.env` by default. */
  env?: NodeJS.ProcessEnv;
}

/** Reads `.env` (real environment variables win over it), then validates. */
export function readProbeAgentConfig(
  options: ReadProbeAgentConfigOptions = {},
): Result<ProbeAgentConfig, "INVALID_CONFIG"> {
  const env = options.env ?? process.env;
  const fileLoaded = loadEnvFile(options.envFilePath ?? resolve(".env"), env);
  return fileLoaded.ok ? loadProbeAgentConfig(env) : fileLoaded;
}
