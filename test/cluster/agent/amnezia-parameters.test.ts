import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  type AmneziaWgParameters,
  checkAmneziaParameters,
} from "../../../cluster/agent/amnezia-parameters.ts";

const good: AmneziaWgParameters = {
  jc: 4,
  jmin: 40,
  jmax: 70,
  s1: 15,
  s2: 42,
  h1: 1_020_325_451,
  h2: 3_288_052_141,
  h3: 1_766_607_858,
  h4: 2_528_465_083,
};

test("typical parameters pass unchanged", () => {
  assert.equal(checkAmneziaParameters(good), { ok: true, value: good });
});

test("the standard WireGuard message types 1-4 and no junk are allowed", () => {
  const plain = { jc: 0, jmin: 0, jmax: 0, s1: 0, s2: 0, h1: 1, h2: 2, h3: 3, h4: 4 };
  assert.ok(checkAmneziaParameters(plain).ok);
});

test("out-of-range values are refused with the rule broken", () => {
  const cases: [Partial<AmneziaWgParameters>, RegExp][] = [
    [{ jc: 129 }, /jc/],
    [{ jc: -1 }, /jc/],
    [{ jc: 1.5 }, /jc/],
    [{ jmin: 71 }, /jmin and jmax/],
    [{ jmax: 1281 }, /jmin and jmax/],
    [{ s1: 1133 }, /s1/],
    [{ s2: 1189 }, /s2/],
    [{ s1: 10, s2: 66 }, /s1 \+ 56 must differ from s2/],
    [{ h1: 0 }, /h1-h4 must be integers/],
    [{ h4: 2 ** 32 }, /h1-h4 must be integers/],
    [{ h2: good.h1 }, /must all differ/],
  ];
  for (const [change, pattern] of cases) {
    const checked = checkAmneziaParameters({ ...good, ...change });
    assert.ok(!checked.ok, JSON.stringify(change));
    assert.is(checked.error.code, "INVALID_AMNEZIA_PARAMETERS");
    assert.match(checked.error.message, pattern);
  }
});

test.run();
