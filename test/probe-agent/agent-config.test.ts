import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  loadProbeAgentConfig,
  type ProbeAgentConfig,
  probeAgentEnvVariables,
  readProbeAgentConfig,
} from "../../probe-agent/agent-config.ts";

const token = "probe-token-0123456789";

function configOf(env: NodeJS.ProcessEnv): ProbeAgentConfig {
  const config = loadProbeAgentConfig(env);
  if (!config.ok) throw new Error(config.error.message);
  return config.value;
}

/** The failure message's per-variable lines: variable name -> line. */
function problemsOf(env: NodeJS.ProcessEnv): Map<string, string> {
  const config = loadProbeAgentConfig(env);
  if (config.ok) throw new Error("expected the configuration to be refused");
  assert.is(config.error.code, "INVALID_CONFIG");
  const [heading, ...lines] = config.error.message.split("\n");
  assert.match(heading ?? "", /^Invalid probe agent configuration, \d+ problems?\./);
  const problems = new Map<string, string>();
  for (const line of lines) {
    const name = /^ {2}([A-Z][A-Z0-9_]*): /.exec(line)?.[1];
    if (name === undefined) throw new Error(`unexpected line in message: ${line}`);
    problems.set(name, line);
  }
  return problems;
}

test("the token alone gives a config with every default applied: HTTPS with a self-signed certificate", () => {
  assert.equal(configOf({ PROBE_AGENT_TOKEN: token }), {
    token,
    listen: { host: "0.0.0.0", port: 9190 },
    maxConcurrentProbes: 32,
    logLevel: "info",
    tls: { kind: "self-signed", dataDir: ".data/probe-agent" },
  });
});

test("every variable set by hand is used instead of its default", () => {
  assert.equal(
    configOf({
      PROBE_AGENT_TOKEN: token,
      PROBE_AGENT_LISTEN: "[::1]:9443",
      PROBE_AGENT_MAX_CONCURRENT: "4",
      PROBE_AGENT_TLS_CERT_FILE: "/etc/nexaloak/probe-agent.crt",
      PROBE_AGENT_TLS_KEY_FILE: "/etc/nexaloak/probe-agent.key",
      PROBE_AGENT_DATA_DIR: "/var/lib/probe-agent",
      PROBE_AGENT_INSECURE_HTTP: "false",
      LOG_LEVEL: "debug",
    }),
    {
      token,
      listen: { host: "::1", port: 9443 },
      maxConcurrentProbes: 4,
      logLevel: "debug",
      tls: {
        kind: "files",
        certFile: "/etc/nexaloak/probe-agent.crt",
        keyFile: "/etc/nexaloak/probe-agent.key",
      },
    },
  );
  assert.equal(
    configOf({ PROBE_AGENT_TOKEN: token, PROBE_AGENT_DATA_DIR: "/var/lib/probe-agent" }).tls,
    { kind: "self-signed", dataDir: "/var/lib/probe-agent" },
  );
});

test("plain HTTP only when PROBE_AGENT_INSECURE_HTTP says so, and never with certificate files", () => {
  for (const raw of ["true", "1", "yes"])
    assert.equal(configOf({ PROBE_AGENT_TOKEN: token, PROBE_AGENT_INSECURE_HTTP: raw }).tls, {
      kind: "insecure-http",
    });
  for (const raw of ["false", "0", "no", ""])
    assert.is(
      configOf({ PROBE_AGENT_TOKEN: token, PROBE_AGENT_INSECURE_HTTP: raw }).tls.kind,
      "self-signed",
    );
  const unclear = problemsOf({ PROBE_AGENT_TOKEN: token, PROBE_AGENT_INSECURE_HTTP: "please" });
  assert.match(unclear.get("PROBE_AGENT_INSECURE_HTTP")!, /must be 1, true or yes/);
  const both = problemsOf({
    PROBE_AGENT_TOKEN: token,
    PROBE_AGENT_INSECURE_HTTP: "true",
    PROBE_AGENT_TLS_CERT_FILE: "/tls/a.crt",
    PROBE_AGENT_TLS_KEY_FILE: "/tls/a.key",
  });
  assert.equal([...both.keys()], ["PROBE_AGENT_INSECURE_HTTP"]);
  assert.match(both.get("PROBE_AGENT_INSECURE_HTTP")!, /cannot be true with a TLS certificate/);
});

test("every agent variable's example and default pass its own validation", () => {
  for (const [name, variable] of Object.entries(probeAgentEnvVariables)) {
    const description: { schema: { safeParse(raw: string): { success: boolean } } } = variable;
    assert.ok(
      description.schema.safeParse(variable.example).success,
      `${name}=${variable.example}`,
    );
    const whenUnset: { kind: string; raw?: string } = variable.whenUnset;
    if (whenUnset.raw !== undefined)
      assert.ok(description.schema.safeParse(whenUnset.raw).success, `${name} default`);
  }
});

test("an empty variable counts as unset", () => {
  const config = configOf({ PROBE_AGENT_TOKEN: token, LOG_LEVEL: "", PROBE_AGENT_LISTEN: "" });
  assert.is(config.logLevel, "info");
  assert.equal(config.listen, { host: "0.0.0.0", port: 9190 });
  assert.match(problemsOf({ PROBE_AGENT_TOKEN: "" }).get("PROBE_AGENT_TOKEN") ?? "", /is required/);
});

test("every bad variable is listed by name, in one message", () => {
  const problems = problemsOf({
    PROBE_AGENT_LISTEN: "9190",
    PROBE_AGENT_MAX_CONCURRENT: "lots",
    LOG_LEVEL: "loud",
  });
  assert.equal(
    [...problems.keys()],
    ["PROBE_AGENT_TOKEN", "PROBE_AGENT_LISTEN", "PROBE_AGENT_MAX_CONCURRENT", "LOG_LEVEL"],
  );
  assert.match(problems.get("PROBE_AGENT_TOKEN")!, /is required/);
  assert.match(problems.get("PROBE_AGENT_LISTEN")!, /host:port.*\(got "9190"\)/);
  assert.match(problems.get("PROBE_AGENT_MAX_CONCURRENT")!, /whole number/);
  assert.match(problems.get("LOG_LEVEL")!, /must be one of/);
});

test("a short token is refused without repeating it", () => {
  const line = problemsOf({ PROBE_AGENT_TOKEN: "short-secret" }).get("PROBE_AGENT_TOKEN")!;
  assert.match(line, /at least 16 characters/);
  assert.not.match(line, "short-secret");
});

test("the concurrency limit must be a whole number from 1 to 1024", () => {
  for (const raw of ["0", "1025", "1e3", "-1", "4.5"]) {
    const problems = problemsOf({ PROBE_AGENT_TOKEN: token, PROBE_AGENT_MAX_CONCURRENT: raw });
    assert.ok(problems.has("PROBE_AGENT_MAX_CONCURRENT"), raw);
  }
  assert.is(
    configOf({ PROBE_AGENT_TOKEN: token, PROBE_AGENT_MAX_CONCURRENT: "1024" }).maxConcurrentProbes,
    1024,
  );
});

test("a TLS certificate without its key, or a key without its certificate, names the missing one", () => {
  const noKey = problemsOf({ PROBE_AGENT_TOKEN: token, PROBE_AGENT_TLS_CERT_FILE: "/tls/a.crt" });
  assert.equal([...noKey.keys()], ["PROBE_AGENT_TLS_KEY_FILE"]);
  assert.match(noKey.get("PROBE_AGENT_TLS_KEY_FILE")!, /required when PROBE_AGENT_TLS_CERT_FILE/);
  const noCert = problemsOf({ PROBE_AGENT_TOKEN: token, PROBE_AGENT_TLS_KEY_FILE: "/tls/a.key" });
  assert.equal([...noCert.keys()], ["PROBE_AGENT_TLS_CERT_FILE"]);
});

const dir = mkdtempSync(join(tmpdir(), "nexaloak-probe-agent-config-"));
test.after(() => rmSync(dir, { recursive: true, force: true }));

test("a .env file supplies variables, and the real environment wins over it", () => {
  const path = join(dir, "agent.env");
  writeFileSync(path, `PROBE_AGENT_TOKEN=${token}\nPROBE_AGENT_MAX_CONCURRENT=7\nLOG_LEVEL=warn\n`);
  const config = readProbeAgentConfig({ envFilePath: path, env: { LOG_LEVEL: "error" } });
  assert.ok(config.ok);
  assert.is(config.value.token, token);
  assert.is(config.value.maxConcurrentProbes, 7);
  assert.is(config.value.logLevel, "error");
});

test("a missing .env file is fine; one that cannot be read is INVALID_CONFIG", () => {
  const fromEnvironment = readProbeAgentConfig({
    envFilePath: join(dir, "absent.env"),
    env: { PROBE_AGENT_TOKEN: token },
  });
  assert.ok(fromEnvironment.ok);
  const unreadable = readProbeAgentConfig({ envFilePath: dir, env: { PROBE_AGENT_TOKEN: token } });
  assert.ok(!unreadable.ok);
  assert.is(unreadable.error.code, "INVALID_CONFIG");
});

test.run();
