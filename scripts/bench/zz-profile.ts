import { Agent } from "node:http";
import { startCluster } from "../lib/cluster-harness.ts";
import { requestJson } from "../lib/http-json.ts";

const writers = Number(process.argv[2] ?? 64);
const seconds = Number(process.argv[3] ?? 5);
const cluster = await startCluster({
  size: 3,
  electionTimeoutMs: 300,
  heartbeatMs: 50,
  env: process.env.PROF ? { NODE_OPTIONS: "--require /tmp/prof-hook.cjs" } : {},
});
const leader = await cluster.leader({ timeoutMs: 15000 });
const agent = new Agent({ keepAlive: true, maxSockets: writers });
const value = "x".repeat(256);
let ops = 0;
const lat: number[] = [];
const until = Date.now() + seconds * 1000;
await Promise.all(
  Array.from({ length: writers }, async (_, w) => {
    let i = 0;
    while (Date.now() < until) {
      const t = performance.now();
      const r = await requestJson(`${leader.url}/v1/settings/k${(w * 7919 + i++) % 1000}`, {
        method: "PUT",
        body: { value },
        bearerToken: cluster.adminApiToken,
        agent,
        timeoutMs: 10000,
      });
      if (r.status === 200) {
        ops++;
        lat.push(performance.now() - t);
      }
    }
  }),
);
lat.sort((a, b) => a - b);
console.log(
  `leader ${leader.id} ops/s ${(ops / seconds).toFixed(0)} p50 ${lat[Math.floor(lat.length * 0.5)]?.toFixed(2)} p99 ${lat[Math.floor(lat.length * 0.99)]?.toFixed(2)}`,
);
await cluster.stop();
