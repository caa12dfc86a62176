/** Applying changes to the vantage probes ban checks ask from inside the censored network. */
import { actorLabel } from "./actors.ts";
import { applied } from "./apply-result.ts";
import type { CommandOf } from "./commands.ts";
import type { ControlPlaneData } from "./control-plane-data.ts";
import { refuse } from "./errors.ts";
import type { VantageProbe } from "./records.ts";

/** Adds a vantage probe; its token arrives encrypted and stays so. */
export function addVantageProbe(data: ControlPlaneData, command: CommandOf<"addVantageProbe">) {
  if (data.vantageProbes.has(command.id))
    return refuse(
      "PROBE_EXISTS",
      `a vantage probe named ${command.id} exists; remove it first or pick another id`,
    );
  const { probePublicKey, probePrivateKeyEncrypted } = command;
  if ((probePublicKey === undefined) !== (probePrivateKeyEncrypted === undefined))
    return refuse(
      "INVALID_PROBE_KEY",
      "a vantage probe's WireGuard key comes as a pair: probePublicKey and probePrivateKeyEncrypted",
    );
  if (probePublicKey !== undefined && data.publicKeyInUse(probePublicKey))
    return refuse(
      "DUPLICATE_PUBLIC_KEY",
      "that probe public key is already in use; generate a new key pair",
    );
  // Commands from before pinning carry neither field, so these never refuse an old entry on replay.
  const scheme = new URL(command.url).protocol;
  if (command.certSha256 !== undefined && scheme !== "https:")
    return refuse(
      "INVALID_PROBE_TRANSPORT",
      "a certificate fingerprint pins an https:// URL's certificate; this URL is not https://",
    );
  if (command.insecure === true && scheme !== "http:")
    return refuse("INVALID_PROBE_TRANSPORT", "insecure is only for a plain http:// URL");
  const probe: VantageProbe = {
    id: command.id,
    url: command.url,
    tokenEncrypted: command.tokenEncrypted,
    region: command.region,
    isp: command.isp,
    addedBy: actorLabel(command.actor),
    addedAt: command.at,
    probePublicKey: probePublicKey ?? null,
    probePrivateKeyEncrypted: probePrivateKeyEncrypted ?? null,
    certSha256: command.certSha256 ?? null,
    insecure: command.insecure === true,
  };
  data.vantageProbes.set(probe.id, probe);
  // The token never leaves the state in a command result.
  return applied({
    id: probe.id,
    url: probe.url,
    region: probe.region,
    isp: probe.isp,
    certSha256: probe.certSha256,
    insecure: probe.insecure,
  });
}

/** Removes a vantage probe; later rounds no longer ask it. */
export function removeVantageProbe(
  data: ControlPlaneData,
  command: CommandOf<"removeVantageProbe">,
) {
  if (!data.vantageProbes.delete(command.id))
    return refuse("UNKNOWN_PROBE", `there is no vantage probe ${command.id}; see the probes list`);
  return applied({ id: command.id });
}
