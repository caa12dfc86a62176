/**
 * The probe agent process, run by an operator on a host inside the censored
 * network: environment -> HTTP(S) server answering the leader's probe requests.
 * Exit codes: 2 bad configuration, 1 the port cannot be opened.
 */
import { listen } from "../shared/http-server.ts";
import { createLogger } from "../shared/logger.ts";
import { runProbe } from "../shared/probe/run-probe.ts";
import { EXIT_BAD_CONFIG, readFileOrExit } from "../shared/read-file-or-exit.ts";
import { readProbeAgentConfig } from "./agent-config.ts";
import { createProbeAgentServer } from "./agent-server.ts";

const EXIT_CANNOT_LISTEN = 1;

async function main(): Promise<void> {
  const config = readProbeAgentConfig();
  if (!config.ok) {
    process.stderr.write(`${config.error.message}\n`);
    process.exit(EXIT_BAD_CONFIG);
  }
  const { listen: address, tls: tlsFiles } = config.value;
  const logger = createLogger({ level: config.value.logLevel });
  const tls = tlsFiles
    ? {
        cert: readFileOrExit(tlsFiles.certFile, "PROBE_AGENT_TLS_CERT_FILE"),
        key: readFileOrExit(tlsFiles.keyFile, "PROBE_AGENT_TLS_KEY_FILE"),
      }
    : undefined;
  const server = createProbeAgentServer({
    token: config.value.token,
    probe: runProbe,
    maxConcurrentProbes: config.value.maxConcurrentProbes,
    logger,
    ...(tls ? { tls } : {}),
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
  const scheme = tls ? "https" : "http";
  const host = address.host.includes(":") ? `[${address.host}]` : address.host;
  logger.info(
    {
      url: `${scheme}://${host}:${address.port}`,
      maxConcurrentProbes: config.value.maxConcurrentProbes,
    },
    "probe agent listening",
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`probe agent failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
