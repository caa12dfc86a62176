import { test } from "uvu";
import * as assert from "uvu/assert";
import { addClusterRoutes } from "../../../cluster/api/cluster-routes.ts";
import { addConfigRoutes } from "../../../cluster/api/config-routes.ts";
import { addMemberKeyRoutes } from "../../../cluster/api/member-key-routes.ts";
import { addProbeRoutes } from "../../../cluster/api/probe-routes.ts";
import { type HandledBy, Router } from "../../../cluster/api/router.ts";
import { addServerRoutes } from "../../../cluster/api/server-routes.ts";
import { addSettingsRoutes } from "../../../cluster/api/settings-routes.ts";

const answer = () => ({ status: 200, body: {} });

/** Who handles `method path` in `router`; throws when nothing matches. */
function handledBy(router: Router, method: string, path: string): HandledBy {
  const match = router.match(method, path);
  if (!match || "allowed" in match) throw new Error(`no route for ${method} ${path}`);
  return match.handledBy;
}

test("a GET is handled by any node and every other method by the leader, unless the route says otherwise", () => {
  const router = new Router()
    .add("GET", "/v1/things", answer)
    .add("POST", "/v1/things", answer)
    .add("PUT", "/v1/things/:id", answer)
    .add("DELETE", "/v1/things/:id", answer)
    .add("POST", "/v1/things/:id/poke", answer, "anyNode");
  assert.is(handledBy(router, "GET", "/v1/things"), "anyNode");
  assert.is(handledBy(router, "POST", "/v1/things"), "leader");
  assert.is(handledBy(router, "PUT", "/v1/things/a"), "leader");
  assert.is(handledBy(router, "DELETE", "/v1/things/a"), "leader");
  assert.is(handledBy(router, "POST", "/v1/things/a/poke"), "anyNode");
});

test("every write of the admin API is handled by the leader only, but a leadership transfer (no log entry) by any node", () => {
  const router = new Router();
  // The routes only keep what they are given for later calls; none is made here.
  addClusterRoutes(router, {} as never);
  addSettingsRoutes(router, {} as never, {} as never);
  addServerRoutes(router, {} as never, {} as never);
  addConfigRoutes(router, {} as never);
  addProbeRoutes(router, {} as never);
  addMemberKeyRoutes(router, {} as never);
  const expected: Array<[string, string, HandledBy]> = [
    ["GET", "/v1/status", "anyNode"],
    ["GET", "/v1/settings", "anyNode"],
    ["GET", "/v1/settings/motd", "anyNode"],
    ["GET", "/v1/servers", "anyNode"],
    ["GET", "/v1/users/10/configs", "anyNode"],
    ["GET", "/v1/probes", "anyNode"],
    ["GET", "/v1/members/keys", "anyNode"],
    ["POST", "/v1/leadership/transfer", "anyNode"],
    ["PUT", "/v1/settings/motd", "leader"],
    ["POST", "/v1/servers/n2/ban", "leader"],
    ["POST", "/v1/servers/n2/unban", "leader"],
    ["POST", "/v1/servers/n2/drain", "leader"],
    ["POST", "/v1/servers/n2/activate", "leader"],
    ["POST", "/v1/servers/n2/check", "leader"],
    ["POST", "/v1/users/10/configs", "leader"],
    ["DELETE", "/v1/configs/c1", "leader"],
    ["POST", "/v1/probes", "leader"],
    ["DELETE", "/v1/probes/p1", "leader"],
    ["PUT", "/v1/members/n2/key", "leader"],
    ["DELETE", "/v1/members/n2/key", "leader"],
  ];
  for (const [method, path, by] of expected)
    assert.is(handledBy(router, method, path), by, `${method} ${path}`);
});

test.run();
