import { test } from "uvu";
import * as assert from "uvu/assert";
import { parseSamples, sampleSum } from "../../../scripts/lib/prometheus-text.ts";

const exposition = `# HELP nexaloak_raft_term Current Raft term
# TYPE nexaloak_raft_term gauge
nexaloak_raft_term 7

# TYPE nexaloak_transport_rejected_frames_total counter
nexaloak_transport_rejected_frames_total{reason="BAD_JSON"} 2
nexaloak_transport_rejected_frames_total{reason="TOO_LARGE"} 1
nexaloak_peer_connected{peer="n2",note="a \\"quoted\\" value"} 1
nexaloak_commit_latency_seconds_bucket{le="+Inf"} 12
nexaloak_commit_latency_seconds_sum 0.25 1700000000000
`;

test("parses names, labels with escaped quotes, values and optional timestamps", () => {
  const samples = parseSamples(exposition);
  assert.is(samples.length, 6);
  assert.equal(samples[0], { name: "nexaloak_raft_term", labels: {}, value: 7 });
  assert.equal(samples[3]!.labels, { peer: "n2", note: 'a "quoted" value' });
  assert.is(samples[4]!.labels.le, "+Inf");
  assert.is(samples[5]!.value, 0.25);
});

test("sums a metric over every label value unless labels narrow it", () => {
  assert.is(sampleSum(exposition, "nexaloak_transport_rejected_frames_total"), 3);
  assert.is(
    sampleSum(exposition, "nexaloak_transport_rejected_frames_total", { reason: "TOO_LARGE" }),
    1,
  );
});

test("a metric that is absent, or has no sample with the labels, is undefined rather than 0", () => {
  assert.is(sampleSum(exposition, "nexaloak_raft_commit_index"), undefined);
  assert.is(
    sampleSum(exposition, "nexaloak_transport_rejected_frames_total", { reason: "BAD_PROOF" }),
    undefined,
  );
});

test.run();
