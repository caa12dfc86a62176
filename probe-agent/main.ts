/**
 * The probe agent process, run by an operator on a host inside the censored
 * network: environment -> HTTPS server answering the leader's probe requests
 * (plain HTTP only with PROBE_AGENT_INSECURE_HTTP). It logs its certificate's
 * SHA-256 fingerprint at start, for admins to pin with `/probes add`.
 * Exit codes: 2 bad configuration (or a certificate it cannot use), 1 the
 * port cannot be opened.
 */
import type { AddressInfo } from "node:net";
import { listen, type ServerTls } from "../shared/http-server.ts";
import { createLogger, type Logger } from "../shared/logger.ts";
import { runProbe } from "../shared/probe/run-probe.ts";
import { EXIT_BAD_CONFIG, readFileOrExit } from "../shared/read-file-or-exit.ts";
import type { Result } from "../shared/result.ts";
import { type ProbeAgentTls, readProbeAgentConfig } from "./agent-config.ts";
import { createProbeAgentServer } from "./agent-server.ts";
import { type AgentCertificate, agentCertificate, selfSignedCertificate } from "./agent-tls.ts";

const EXIT_CANNOT_LISTEN = 1;

/** The certificate to serve, or undefined for plain HTTP; exits when there is none to use. */
async function certificateFor(
  tls: ProbeAgentTls,
  logger: Logger,
): Promise<(ServerTls & { certSha256: string }) | undefined> {
  let found: Result<AgentCertificate, "BAD_CERTIFICATE">;
  switch (tls.kind) {
    case "insecure-http":
      logger.warn(
        "serving plain HTTP (PROBE_AGENT_INSECURE_HTTP): the leader's token, server keys and WireGuard probe keys cross the network unencrypted, where the censor can read and change them; use it only behind a TLS proxy or on a private network",
      );
      return undefined;
    case "files":
      found = agentCertificate(
        readFileOrExit(tls.certFile, "PROBE_AGENT_TLS_CERT_FILE"),
        readFileOrExit(tls.keyFile, "PROBE_AGENT_TLS_KEY_FILE"),
        "PROBE_AGENT_TLS_CERT_FILE and PROBE_AGENT_TLS_KEY_FILE",
      );
      break;
    case "self-signed": {
      const kept = await selfSignedCertificate(tls.dataDir);
      if (kept.ok) {
        for (const warning of kept.value.warnings) logger.warn(warning);
        if (kept.value.created)
          logger.info(
            { dataDir: tls.dataDir },
            "made a self-signed certificate and key (PROBE_AGENT_DATA_DIR); they are kept for later starts",
          );
      }
      found = kept;
      break;
    }
  }
  if (!found.ok) {
    logger.fatal(found.error.message);
    process.stderr.write(`${found.error.message}\n`);
    process.exit(EXIT_BAD_CONFIG);
  }
  return found.value;
}

async function main(): Promise<void> {
  const config = readProbeAgentConfig();
  if (!config.ok) {
    process.stderr.write(`${config.error.message}\n`);
    process.exit(EXIT_BAD_CONFIG);
  }
  const { listen: address } = config.value;
  const logger = createLogger({ level: config.value.logLevel });
  const certificate = await certificateFor(config.value.tls, logger);
  const server = createProbeAgentServer({
    token: config.value.token,
    probe: runProbe,
    maxConcurrentProbes: config.value.maxConcurrentProbes,
    logger,
    ...(certificate ? { tls: { cert: certificate.cert, key: certificate.key } } : {}),
  });

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "shutting down");
    // Running probes are cut off: the leader reads a vantage that went away as "no answer".
    server.close(() => {
      logger.info("stopped");
      process.exit(0);
    });
    server.closeAllConnections();
  };
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  process.on("SIGINT", () => shutdown("SIGINT"));

  try {
    await listen(server, address.host, address.port);
  } catch (error) {
    const message = `cannot listen on ${address.host}:${address.port} (PROBE_AGENT_LISTEN): ${(error as Error).message}`;
    logger.fatal(message);
    process.stderr.write(`${message}\n`);
    process.exit(EXIT_CANNOT_LISTEN);
  }
  const scheme = certificate ? "https" : "http";
  const host = address.host.includes(":") ? `[${address.host}]` : address.host;
  // The port it got, which differs from the configured one only for port 0.
  const port = (server.address() as AddressInfo | null)?.port ?? address.port;
  logger.info(
    {
      url: `${scheme}://${host}:${port}`,
      maxConcurrentProbes: config.value.maxConcurrentProbes,
      ...(certificate ? { certSha256: certificate.certSha256 } : { insecureHttp: true }),
    },
    "probe agent listening",
  );
  if (certificate)
    logger.info(
      { certSha256: certificate.certSha256 },
      `certificate SHA-256 fingerprint ${certificate.certSha256}: pin it with /probes add <id> <url> <token> [region] [isp] sha256=${certificate.certSha256}`,
    );
}

main().catch((error: unknown) => {
  process.stderr.write(`probe agent failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
