/**
 * The probe agent's TLS certificate. The leader sends the agent its token,
 * server keys and WireGuard probe keys, so the agent serves HTTPS: with the
 * operator's certificate and key, or else with a self-signed certificate it
 * makes once, on first start, in its data directory. The leader pins that
 * certificate by the SHA-256 fingerprint the agent logs at start
 * (`/probes add ... sha256=<fingerprint>`), so no CA is involved.
 *
 * The self-signed certificate is made with the `selfsigned` package (pure
 * JavaScript over Node's WebCrypto, pinned to one version), so an agent host
 * needs nothing beyond `npm ci`, not even the openssl command. It is an
 * ECDSA P-256 key and a certificate for `localhost` that names nothing about
 * the product, valid for ten years: the pin is what the leader checks, not
 * the name or the dates. Once made, the pair is never overwritten; removing
 * the directory makes a new one (whose new fingerprint admins must pin again).
 */

import { createPrivateKey, X509Certificate } from "node:crypto";
import {
  closeSync,
  existsSync,
  fchmodSync,
  fsyncSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from "node:fs";
import { join } from "node:path";
import { certSha256OfDer } from "../shared/cert-fingerprint.ts";
import { err, ok, type Result } from "../shared/result.ts";

/** A certificate and key the agent can serve, with the certificate's fingerprint. */
export interface AgentCertificate {
  /** PEM: the certificate (a chain for operator files, the leaf first). */
  cert: Buffer;
  /** PEM private key. */
  key: Buffer;
  /** The leaf's SHA-256 fingerprint, `AB:CD:...`: what admins pin. */
  certSha256: string;
}

/** Where in the data directory the self-signed pair lives. */
export function selfSignedPaths(dataDir: string): { dir: string; cert: string; key: string } {
  const dir = join(dataDir, "tls");
  return { dir, cert: join(dir, "cert.pem"), key: join(dir, "key.pem") };
}

const TEN_YEARS_MS = 3650 * 24 * 60 * 60 * 1000;
/** Clocks on agent hosts are not always right; the certificate is valid from a day before. */
const CLOCK_SLACK_MS = 24 * 60 * 60 * 1000;

/** A fresh self-signed ECDSA P-256 certificate for `localhost`, in PEM. */
export async function makeSelfSignedCertificate(
  now: Date = new Date(),
): Promise<{ cert: string; key: string }> {
  // Loaded only when a certificate is made: a running agent or node never needs it.
  const { generate } = await import("selfsigned");
  const made = await generate([{ name: "commonName", value: "localhost" }], {
    keyType: "ec",
    curve: "P-256",
    algorithm: "sha256",
    notBeforeDate: new Date(now.getTime() - CLOCK_SLACK_MS),
    notAfterDate: new Date(now.getTime() + TEN_YEARS_MS),
    extensions: [
      { name: "basicConstraints", cA: false },
      { name: "keyUsage", digitalSignature: true, critical: true },
      { name: "extKeyUsage", serverAuth: true },
      { name: "subjectAltName", altNames: [{ type: 2, value: "localhost" }] },
    ],
  });
  return { cert: made.cert, key: made.private };
}

/**
 * Checks that `cert` (PEM, the leaf first) and `key` (PEM) belong together
 * and gives the leaf's fingerprint. `what` names them in the message.
 */
export function agentCertificate(
  cert: Buffer,
  key: Buffer,
  what: string,
): Result<AgentCertificate, "BAD_CERTIFICATE"> {
  let leaf: X509Certificate;
  try {
    leaf = new X509Certificate(cert);
  } catch (error) {
    return err(
      "BAD_CERTIFICATE",
      `${what}: the certificate is not PEM: ${(error as Error).message}`,
    );
  }
  try {
    if (!leaf.checkPrivateKey(createPrivateKey(key)))
      return err("BAD_CERTIFICATE", `${what}: the key does not belong to the certificate`);
  } catch (error) {
    return err(
      "BAD_CERTIFICATE",
      `${what}: the key is not a PEM private key: ${(error as Error).message}`,
    );
  }
  return ok({ cert, key, certSha256: certSha256OfDer(leaf.raw) });
}

/** Writes a file that must not exist yet, to disk before it returns, with exactly `mode`. */
function writeNewFile(path: string, data: string, mode: number): void {
  const fd = openSync(path, "wx", mode);
  try {
    fchmodSync(fd, mode);
    writeSync(fd, data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** What {@link selfSignedCertificate} found or made. */
export interface SelfSignedOutcome extends AgentCertificate {
  /** True when this call made the pair; false when it was on disk already. */
  created: boolean;
  /** Something the operator should fix, e.g. a key others can read. */
  warnings: string[];
}

function readPair(
  paths: ReturnType<typeof selfSignedPaths>,
  created: boolean,
): Result<SelfSignedOutcome, "BAD_CERTIFICATE"> {
  const checked = agentCertificate(
    readFileSync(paths.cert),
    readFileSync(paths.key),
    `the self-signed certificate in ${paths.dir}`,
  );
  if (!checked.ok) return checked;
  const warnings: string[] = [];
  const mode = statSync(paths.key).mode & 0o777;
  if ((mode & 0o077) !== 0)
    warnings.push(
      `${paths.key} can be read by others (mode ${mode.toString(8).padStart(4, "0")}); chmod 600 it`,
    );
  return ok({ ...checked.value, created, warnings });
}

/**
 * The self-signed pair in `dataDir`/tls, made now if there is none. It is
 * made in a temporary directory and renamed into place, so a crash leaves
 * either the whole pair or nothing; a directory holding only one of the two
 * is refused rather than completed or overwritten.
 */
export async function selfSignedCertificate(
  dataDir: string,
  now: Date = new Date(),
): Promise<Result<SelfSignedOutcome, "BAD_CERTIFICATE">> {
  const paths = selfSignedPaths(dataDir);
  try {
    const haveCert = existsSync(paths.cert);
    const haveKey = existsSync(paths.key);
    if (haveCert && haveKey) return readPair(paths, false);
    if (haveCert || haveKey)
      return err(
        "BAD_CERTIFICATE",
        `${paths.dir} holds ${haveCert ? "cert.pem but not key.pem" : "key.pem but not cert.pem"}; the agent will not overwrite or complete it. Restore the missing file, or remove ${paths.dir} to make a new certificate (its new fingerprint must then be pinned again with /probes add)`,
      );
    const made = await makeSelfSignedCertificate(now);
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    const staging = mkdtempSync(join(dataDir, ".tls-new-"));
    try {
      writeNewFile(join(staging, "key.pem"), made.key, 0o600);
      writeNewFile(join(staging, "cert.pem"), made.cert, 0o644);
      try {
        // Fails when another agent put a non-empty tls directory there first: that one is kept.
        renameSync(staging, paths.dir);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code !== "ENOTEMPTY" && code !== "EEXIST") throw error;
        return readPair(paths, false);
      }
    } finally {
      rmSync(staging, { recursive: true, force: true });
    }
    return readPair(paths, true);
  } catch (error) {
    return err(
      "BAD_CERTIFICATE",
      `cannot keep the self-signed certificate in ${paths.dir}: ${(error as Error).message}`,
    );
  }
}
