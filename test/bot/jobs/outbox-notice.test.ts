import { test } from "uvu";
import * as assert from "uvu/assert";
import { messagesFor } from "../../../bot/i18n/language.ts";
import { API_ACTOR } from "../../../cluster/fsm/actors.ts";
import type { OutboxEntry, OutboxPayload } from "../../../cluster/fsm/records.ts";
import { command, Fixture, T0 } from "../../cluster/fsm/support/control-plane-fixture.ts";

const { admin } = messagesFor("en");
/** The approval notice as the outbox renders it: the first five waiting users named. */
const approvalRequestText = (pending: Parameters<typeof admin.approvalRequest>[0]) =>
  admin.approvalRequest(pending, 5);
/** An admin alert as the outbox renders it. */
const adminAlertText = (entry: OutboxEntry) => admin.alert(entry.payload);

test("Russian and Persian notices count waiting users in their own plural forms and digits", () => {
  const users = (count: number) => {
    const fixture = new Fixture();
    fixture.ok({ type: "setSetting", key: "accessMode", value: "approval", actor: API_ACTOR });
    for (let user = 100; user < 100 + count; user++)
      fixture.ok(command.upsertUser(String(user), { name: `G${user}`, at: T0 + user }));
    return fixture.state.pendingUsers();
  };
  assert.match(
    messagesFor("ru").admin.approvalRequest(users(1), 5),
    /^🕓 1 пользователь ждёт одобрения/,
  );
  assert.match(
    messagesFor("ru").admin.approvalRequest(users(3), 5),
    /^🕓 3 пользователя ждут одобрения/,
  );
  assert.match(
    messagesFor("ru").admin.approvalRequest(users(7), 5),
    /^🕓 7 пользователей ждут одобрения: .* и ещё 2\./,
  );
  assert.match(
    messagesFor("fa").admin.approvalRequest(users(7), 5),
    /^\u200F🕓 ۷ کاربر در انتظار تأیید/,
  );
});

test("50 pending sign-ups bring each admin one notice, which says 50 wait, names the first five and how to review them", () => {
  const fixture = new Fixture();
  fixture.ok(command.upsertUser("1", { role: "admin" }));
  fixture.ok(command.upsertUser("2", { role: "admin" }));
  fixture.ok({ type: "setSetting", key: "accessMode", value: "approval", actor: API_ACTOR });
  for (let user = 100; user < 150; user++)
    fixture.ok(command.upsertUser(String(user), { name: `Guest ${user}`, at: T0 + user }));
  const notices = fixture.state.pendingOutbox();
  assert.equal(
    notices.map((entry) => [entry.chatId, entry.kind]),
    [
      ["1", "approvalRequest"],
      ["2", "approvalRequest"],
    ],
  );
  assert.is(
    approvalRequestText(fixture.state.pendingUsers()),
    "🕓 50 users wait for approval: Guest 100 (100), Guest 101 (101), Guest 102 (102), Guest 103 (103), Guest 104 (104) and 45 more.\nReview them with /approve.",
  );
});

test("one waiting user is named alone, nameless ones by id", () => {
  const fixture = new Fixture();
  fixture.ok({ type: "setSetting", key: "accessMode", value: "approval", actor: API_ACTOR });
  fixture.ok(command.upsertUser("100", { name: "" }));
  assert.is(
    approvalRequestText(fixture.state.pendingUsers()),
    "🕓 1 user waits for approval: (no name) (100).\nReview them with /approve.",
  );
});

/** An admin alert carrying `payload`, as apply queues it. */
function alert(payload: OutboxPayload): OutboxEntry {
  return {
    id: "o1",
    chatId: "1",
    kind: "adminAlert",
    payload,
    createdAt: T0,
    status: "pending",
    attempts: 0,
    lastError: null,
    updatedAt: T0,
    notBefore: null,
  };
}

test("a removed server's alert says who removed it and where its users went, like a ban's", () => {
  const outcome = { reason: "retired", actor: "5000", rehomed: 3, withoutCapacity: 1, pending: 0 };
  assert.is(
    adminAlertText(alert({ event: "serverRemoved", serverId: "s4", ...outcome })),
    "⚠️ Server s4 was removed (retired) by 5000.\nMoved to other servers: 3; no room for: 1; to ask again: 0.",
  );
  assert.match(
    adminAlertText(alert({ event: "serverBanned", serverId: "s4", ...outcome })),
    /^⚠️ Server s4 was banned \(retired\) by 5000\./,
  );
});

test("a protocol blocked on a server names the protocol, the ISPs and where its users went; its reopening too", () => {
  const tally = { moved: 2, switched: 1, withoutCapacity: 0, pending: 0 };
  assert.is(
    adminAlertText(
      alert({
        event: "protocolBlocked",
        serverId: "n1",
        protocol: "wireguard",
        isps: "mci",
        ...tally,
      }),
    ),
    "⚠️ WireGuard is blocked on server n1 at ISP mci; it is closed there for new configs.\nMoved to the same protocol elsewhere: 2; given another protocol: 1; no room for: 0; to ask again: 0.",
  );
  assert.match(
    adminAlertText(
      alert({
        event: "protocolBlocked",
        serverId: "n1",
        protocol: "shadowsocks",
        isps: "",
        ...tally,
      }),
    ),
    /^⚠️ Shadowsocks is blocked on server n1 \(all vantages together\)/,
  );
  assert.is(
    adminAlertText(alert({ event: "protocolReopened", serverId: "n1", protocol: "wireguard" })),
    "ℹ️ WireGuard passes the checks on server n1 again; it is open there for new configs.",
  );
});

test("a membership change reads as a sentence for each kind of change, with its reason when there is one", () => {
  const changed = (change: string, reason: string) =>
    adminAlertText(alert({ event: "membershipChanged", nodeId: "de-3f9a0c", change, reason }));
  assert.is(
    changed("joined", "join token redeemed"),
    "ℹ️ Node de-3f9a0c joined the cluster as a learner (join token redeemed).",
  );
  assert.is(changed("promoted", ""), "ℹ️ Node de-3f9a0c was promoted to voter.");
  assert.is(changed("demoted", "silent"), "ℹ️ Node de-3f9a0c was demoted to learner (silent).");
  assert.is(
    changed("removed", "removed by an admin"),
    "ℹ️ Node de-3f9a0c left the cluster (removed by an admin).",
  );
  assert.is(changed("keyRevoked", ""), "ℹ️ Node de-3f9a0c had its key revoked for good.");
  assert.is(
    changed("handedLeadership", "takes over from n1, not among the voter candidates"),
    "ℹ️ Node de-3f9a0c was handed leadership (takes over from n1, not among the voter candidates).",
  );
});

test.run();
