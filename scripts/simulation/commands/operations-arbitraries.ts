/**
 * Random commands about running the fleet: settings, vantage probes, the
 * backup passphrase and the scheduled backups' slots, and data-key rotation.
 */
import fc from "fast-check";
import { SEALED_SECRET_KINDS } from "../../../cluster/fsm/records.ts";
import {
  actor,
  anyConfigId,
  at,
  key,
  sealedValue,
  serverId,
  updateId,
  userId,
  type WeightedCommand,
} from "./domains.ts";

/** A backup key check: valid, or with scrypt's N not a power of two, or a salt too short. */
const backupKeyCheck = fc.constantFrom(
  { salt: Buffer.alloc(16, 7).toString("base64"), n: 2 ** 14, r: 8, p: 1 },
  { salt: Buffer.alloc(16, 8).toString("base64"), n: 2 ** 17, r: 8, p: 1 },
  { salt: Buffer.alloc(16, 7).toString("base64"), n: 1000, r: 8, p: 1 },
  { salt: Buffer.alloc(4, 7).toString("base64"), n: 2 ** 14, r: 8, p: 1 },
);

/** A value to re-seal, named by where it lives: often one that is there, sealed as drawn. */
const resealItem = fc.record({
  kind: fc.constantFrom(...SEALED_SECRET_KINDS),
  recordId: fc.oneof(fc.constantFrom("p1", "p2"), serverId, anyConfigId, userId),
  from: sealedValue,
  to: sealedValue,
});

/** Admins change things rarely; backups are claimed once a slot, re-sealing runs after a rotation. */
export const operationsCommands: WeightedCommand[] = [
  {
    arbitrary: fc.record({
      type: fc.constant("setSetting" as const),
      key: fc.constantFrom("accessMode", "configsPerUser", "configLifetimeDays", "greeting"),
      value: fc.constantFrom("open", "invite", "approval", "1", "2", "0", "hello"),
      actor,
    }),
    weight: 2,
  },
  {
    arbitrary: fc.record(
      {
        type: fc.constant("addVantageProbe" as const),
        id: fc.constantFrom("p1", "p2"),
        // Pinned, CA-checked, insecure, and the combinations apply refuses.
        url: fc.constantFrom("https://probe.example", "http://probe.example"),
        tokenEncrypted: fc.constant("enc"),
        region: fc.constant("ir"),
        isp: fc.constant("MCI"),
        actor,
        at,
        certSha256: fc.constant(Array(32).fill("5A").join(":")),
        insecure: fc.boolean(),
      },
      { requiredKeys: ["type", "id", "url", "tokenEncrypted", "region", "isp", "actor", "at"] },
    ),
    weight: 1,
  },
  {
    arbitrary: fc.record({
      type: fc.constant("removeVantageProbe" as const),
      id: fc.constantFrom("p1", "p2"),
      actor,
      at,
    }),
    weight: 1,
  },
  {
    arbitrary: fc
      .record({ check: backupKeyCheck, publicKey: key, actor, at, updateId })
      .map(({ check, ...rest }) => ({ type: "setBackupPassphrase" as const, ...check, ...rest })),
    weight: 1,
  },
  {
    arbitrary: fc.record({ type: fc.constant("claimBackupSlot" as const), slot: at, at }),
    weight: 1,
  },
  {
    arbitrary: fc.record({
      type: fc.constant("resealSecrets" as const),
      items: fc.array(resealItem, { minLength: 1, maxLength: 3 }),
      at,
    }),
    weight: 1,
  },
];
