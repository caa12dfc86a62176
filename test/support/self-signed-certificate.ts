/**
 * A throwaway self-signed certificate for TLS tests on loopback, made by
 * openssl for this run and valid for a day.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** PEM-encoded, ready for `tls.createServer` (and `cert` as a client's `ca`). */
export interface SelfSignedCertificate {
  cert: Buffer;
  key: Buffer;
}

/**
 * An EC certificate for the address 127.0.0.1 (its subject and its
 * subjectAltName), so a client that trusts it as its CA accepts a loopback
 * server; null when openssl is missing or fails.
 */
export function selfSignedCertificate(): SelfSignedCertificate | null {
  const dir = mkdtempSync(join(tmpdir(), "nxl-tls-"));
  const certificatePath = join(dir, "cert.pem");
  const keyPath = join(dir, "key.pem");
  try {
    const made = spawnSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-keyout",
        keyPath,
        "-out",
        certificatePath,
        "-days",
        "1",
        "-subj",
        "/CN=127.0.0.1",
        "-addext",
        "subjectAltName=IP:127.0.0.1",
      ],
      { stdio: "ignore", timeout: 15_000 },
    );
    if (made.error || made.status !== 0) return null;
    return { cert: readFileSync(certificatePath), key: readFileSync(keyPath) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
