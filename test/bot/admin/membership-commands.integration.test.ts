/**
 * `/addserver` makes a join token a new server can use; `/jointokens` and
 * `/canceljoin` manage them; `/removeserver` asks first, then removes a
 * member once (its users re-homed) or says why it may not; `/voters` shows
 * and names the members that may vote.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { API_ACTOR } from "../../../cluster/fsm/actors.ts";
import { generateNodeIdentity } from "../../../cluster/identity/node-identity.ts";
import { parseJoinToken } from "../../../cluster/membership/join-token.ts";
import { generateKeyPair } from "../../../shared/crypto/wireguard-keys.ts";
import { command } from "../../cluster/fsm/support/control-plane-fixture.ts";
import {
  arrivedUser,
  ask,
  type BotCluster,
  type BotMember,
  messagesMatching,
  WAIT_MS,
  withBotCluster,
} from "../support/bot-cluster.ts";

const ADMIN = 5200;

/** Pins every member's identity key, as the leader does where peers authenticate. */
async function pinMemberKeys(cluster: BotCluster, leader: BotMember) {
  for (const id of cluster.members.keys())
    await leader.service.run({
      type: "pinNodeKey",
      nodeId: id,
      publicKey: generateNodeIdentity().publicKey,
      actor: leader.id,
      at: Date.now(),
    });
}

/** Presses `button` under `message` and waits for an answer matching `pattern`. */
async function press(
  cluster: BotCluster,
  user: ReturnType<BotCluster["emulator"]["user"]>,
  message: { messageId: number },
  button: string,
  pattern: RegExp,
) {
  const before = messagesMatching(user, pattern).length;
  user.press(message.messageId, button);
  await cluster.cluster.waitFor(
    () => messagesMatching(user, pattern).length > before,
    WAIT_MS,
    `an answer to ${button} matching ${pattern}`,
  );
  return messagesMatching(user, pattern).at(-1)!;
}

test("/addserver answers with a token the new server reads and the cluster keeps pending; /canceljoin withdraws it", async () => {
  await withBotCluster(
    async (cluster) => {
      const leader = await cluster.polling();
      await pinMemberKeys(cluster, leader);
      const root = await arrivedUser(cluster, ADMIN, { first_name: "Root" });
      const { answer } = await ask(cluster, root, "/addserver de 50", /^Join token for /);
      const code = answer.entities.filter((entity) => entity.type === "code");
      assert.is(code.length, 2, "the token and the install command, each in monospace");
      const token = answer.text!.slice(code[0]!.offset, code[0]!.offset + code[0]!.length);
      const command = answer.text!.slice(code[1]!.offset, code[1]!.offset + code[1]!.length);
      assert.is(command, `sudo bash scripts/install.sh --join ${token}`);
      assert.match(answer.text!, /JOIN_TOKEN=/);
      const parsed = parseJoinToken(token);
      if (!parsed.ok) throw new Error(parsed.error.message);
      const { nodeId } = parsed.value;
      assert.match(nodeId, /^de-[0-9a-f]{6}$/);
      assert.ok(answer.text!.startsWith(`Join token for ${nodeId}, valid until `));
      assert.is(parsed.value.members.length, 3);
      const kept = leader.state.joinToken(nodeId);
      assert.is(kept?.status, "pending");
      assert.is(kept?.region, "de");
      assert.is(kept?.capacity, 50);

      const { answer: list } = await ask(cluster, root, "/jointokens", /^Join tokens \(1\)/);
      assert.match(list.text!, new RegExp(`• ${nodeId} \\(de, capacity 50\\): pending`));
      assert.not.ok(list.text!.includes(parsed.value.secret), "the secret is never listed");
      await ask(cluster, root, `/canceljoin ${nodeId}`, /is cancelled/);
      assert.is(leader.state.joinToken(nodeId)?.status, "cancelled");
    },
    { adminIds: [String(ADMIN)] },
  );
});

test("/addserver with bad arguments gets the right form, and before keys are pinned a refusal; no token is made", async () => {
  await withBotCluster(
    async (cluster) => {
      const leader = await cluster.polling();
      const root = await arrivedUser(cluster, ADMIN, { first_name: "Root" });
      for (const text of [
        "/addserver de 0",
        "/addserver de 65533",
        "/addserver de 1.5",
        "/addserver de/x 10",
        "/addserver de 10 extra",
      ]) {
        const { answer } = await ask(cluster, root, text, /^Usage: \/addserver \[region\]/);
        assert.match(answer.text!, /from 1 to 65532/, text);
      }
      const { answer: refused } = await ask(cluster, root, "/addserver", /No join token/);
      assert.match(refused.text!, /key is not pinned yet; wait a few seconds/);
      assert.is(leader.state.joinTokens().length, 0);
      const mallory = await arrivedUser(cluster, 5201, { first_name: "Mallory" });
      await ask(cluster, mallory, "/addserver de 10", /don't know that command/);
      assert.is(leader.state.joinTokens().length, 0);
    },
    { adminIds: [String(ADMIN)] },
  );
});

test("/voters shows who may vote, names at least three members or lets any vote again; a malformed list gets the right form and changes nothing; /stepdown hands leadership only to a candidate", async () => {
  await withBotCluster(
    async (cluster) => {
      const leader = await cluster.polling();
      const root = await arrivedUser(cluster, ADMIN, { first_name: "Root" });
      await ask(cluster, root, "/voters", /^Any member may vote and lead/);
      for (const text of ["/voters n1 n2", "/voters n1 n2 N3", "/voters n1 n1 n2"]) {
        const { answer } = await ask(cluster, root, text, /^Usage: \/voters/);
        assert.match(answer.text!, /3 to 64 node ids .* now: any/, text);
      }
      assert.is(leader.state.setting("voterCandidates"), "");
      // The leader and two servers yet to come: no other member may lead.
      const named = `${leader.id}, fi-1 fi-2`;
      const listed = `${leader.id}, fi-1, fi-2`;
      await ask(cluster, root, `/voters ${named}`, new RegExp(`^Only ${listed} may vote and lead`));
      assert.is(leader.state.setting("voterCandidates"), `${leader.id},fi-1,fi-2`);
      await ask(
        cluster,
        root,
        "/voters",
        new RegExp(`^Only these members may vote and lead: ${listed}\\.`),
      );
      await ask(cluster, root, "/stepdown", /^Leadership stays here/);
      assert.ok(leader.node.isLeader());
      // fi-1's server registers, its node holding no bot token: the list says so.
      await leader.service.run(command.registerServer("fi-1", { holdsBotToken: false }));
      const { answer: shown } = await ask(cluster, root, "/voters", /^Only these members/);
      assert.match(
        shown.text!,
        /\nfi-1 lacks the bot token or the data keys, so it is not made a voter: set BOT_TOKEN and DATA_KEYS there and restart\.\n/,
      );
      // The other members' nodes were given everything before the list existed.
      const others = leader.state
        .servers()
        .map((server) => server.id)
        .filter((id) => ![leader.id, "fi-1", "fi-2"].includes(id));
      assert.ok(others.length > 0);
      assert.ok(
        shown.text!.endsWith(
          `\n${others.join(", ")} ${others.length === 1 ? "is no candidate" : "are no candidates"} but may still hold the data keys and the bot token from before: rotate both (a new data key, a new token from @BotFather) on the candidates only.`,
        ),
        shown.text!,
      );
      await ask(cluster, root, "/voters any", /^Any member may vote and lead again/);
      assert.is(leader.state.setting("voterCandidates"), "");
      const mallory = await arrivedUser(cluster, 5201, { first_name: "Mallory" });
      await ask(cluster, mallory, "/voters n1 n2 n3", /don't know that command/);
      assert.is(leader.state.setting("voterCandidates"), "");
    },
    { adminIds: [String(ADMIN)] },
  );
});

test("/removeserver of a voter of three asks first, then refuses (too few voters) and changes nothing", async () => {
  await withBotCluster(
    async (cluster) => {
      const leader = await cluster.polling();
      const root = await arrivedUser(cluster, ADMIN, { first_name: "Root" });
      const target = [...cluster.members.keys()].find((id) => id !== leader.id)!;
      const { answer: confirmation } = await ask(
        cluster,
        root,
        `/removeserver ${target}`,
        /will be drained/,
      );
      assert.match(
        confirmation.text!,
        new RegExp(`^${target} will be drained: its 0 live configs move to other servers`),
      );
      const refusal = await press(
        cluster,
        root,
        confirmation,
        `adm:rmserver:yes:${target}`,
        /is not removed/,
      );
      assert.match(refusal.text!, /would leave too few voters/);
      assert.is(leader.state.server(target)?.status, "active");
      assert.is(leader.state.memberRemoval(target), undefined);
      await ask(cluster, root, "/removeserver n9", /n9 is not a member of this cluster/);
    },
    { adminIds: [String(ADMIN)] },
  );
});

test("/removeserver of a registered server outside the Raft membership re-homes its users once, however often Confirm is pressed", async () => {
  await withBotCluster(
    async (cluster) => {
      const leader = await cluster.polling();
      const root = await arrivedUser(cluster, ADMIN, { first_name: "Root" });
      await leader.service.run({
        type: "registerServer",
        serverId: "s4",
        publicKey: generateKeyPair().publicKey,
        listenPort: 51820,
        apiPort: 7010,
        endpointHost: "198.51.100.4",
        capacity: 10,
        region: "default",
        at: Date.now(),
      });
      const setStatus = (serverId: string, status: "draining" | "active") =>
        leader.service.run({
          type: "setServerStatus",
          serverId,
          status,
          reason: "test",
          actor: API_ACTOR,
          at: Date.now(),
        });
      // Only s4 takes new configs, so the user's lands there.
      for (const id of cluster.members.keys()) await setStatus(id, "draining");
      const user = await arrivedUser(cluster, 5202, { first_name: "Ann" });
      user.send("/config");
      await user.waitFor((message) => message.document !== undefined, WAIT_MS);
      assert.is(leader.state.configsOfUser("5202")[0]?.serverId, "s4");
      for (const id of cluster.members.keys()) await setStatus(id, "active");

      const { answer: confirmation } = await ask(
        cluster,
        root,
        "/removeserver s4",
        /will be drained/,
      );
      assert.match(confirmation.text!, /^s4 will be drained: its 1 live config moves/);
      // A double tap: the second press arrives before the buttons are gone.
      root.press(confirmation.messageId, "adm:rmserver:yes:s4");
      root.press(confirmation.messageId, "adm:rmserver:yes:s4");
      await cluster.cluster.waitFor(
        () => messagesMatching(root, /s4 (is being removed|was removed already)/).length === 2,
        WAIT_MS,
        "both presses answered",
      );
      const [removed] = messagesMatching(root, /s4 is being removed/);
      assert.ok(removed, "one press removes");
      assert.match(removed.text!, /1 config moved to other servers/);
      assert.match(
        messagesMatching(root, /s4 was removed already/)[0]!.text!,
        new RegExp(`by ${ADMIN} at `),
      );
      assert.is(leader.state.server("s4")?.status, "removed");
      assert.ok(leader.state.memberRemoval("s4"));
      const live = leader.state.configsOfUser("5202").filter((config) => config.revokedAt === null);
      assert.is(live.length, 1, "re-homed once");
      assert.is.not(live[0]!.serverId, "s4");
      await ask(cluster, root, "/removeserver s4", /s4 was removed already/);
    },
    { adminIds: [String(ADMIN)] },
  );
});

test.run();
