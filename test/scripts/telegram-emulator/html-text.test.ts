import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  decodeHtmlCharacters,
  parseHtmlText,
} from "../../../scripts/telegram-emulator/html-text.ts";

function parsed(html: string) {
  const result = parseHtmlText(html);
  if (!result.ok) throw new Error(result.error.message);
  return result.value;
}

test("each supported tag becomes its entity, with offsets in the plain text", () => {
  assert.equal(parsed("a <b>b</b> <i>i</i> <u>u</u> <s>s</s> <code>c</code>"), {
    text: "a b i u s c",
    entities: [
      { offset: 2, length: 1, type: "bold" },
      { offset: 4, length: 1, type: "italic" },
      { offset: 6, length: 1, type: "underline" },
      { offset: 8, length: 1, type: "strikethrough" },
      { offset: 10, length: 1, type: "code" },
    ],
  });
});

test("links, spoilers and blockquotes carry their attributes", () => {
  assert.equal(
    parsed(
      '<a href="https://example.org/?a=1&amp;b=2">x</a><tg-spoiler>s</tg-spoiler><span class="tg-spoiler">t</span><blockquote expandable>q</blockquote>',
    ).entities,
    [
      { offset: 0, length: 1, type: "text_link", url: "https://example.org/?a=1&b=2" },
      { offset: 1, length: 1, type: "spoiler" },
      { offset: 2, length: 1, type: "spoiler" },
      { offset: 3, length: 1, type: "expandable_blockquote" },
    ],
  );
});

test('<pre><code class="language-x"> is one pre entity with a language', () => {
  assert.equal(parsed('<pre><code class="language-ini">[Interface]</code></pre>'), {
    text: "[Interface]",
    entities: [{ offset: 0, length: 11, type: "pre", language: "ini" }],
  });
});

test("nested entities are listed outer first; offsets count UTF-16 code units", () => {
  assert.equal(parsed("🇩🇪 <b>Berlin <i>1</i></b>").entities, [
    { offset: 5, length: 8, type: "bold" },
    { offset: 12, length: 1, type: "italic" },
  ]);
});

test("character references decode; an unknown one stays as written", () => {
  assert.is(decodeHtmlCharacters("&lt;&gt;&amp;&quot;&#1587;&#x41;&nbsp;&"), '<>&"سA&nbsp;&');
});

test("unknown, unclosed, crossed and attribute-less tags are refused", () => {
  const refusals: [string, RegExp][] = [
    ["<blink>x</blink>", /unsupported start tag "blink"/],
    ["<b>x", /can't find end tag corresponding to start tag "b"/],
    ["<b><i>x</b></i>", /unexpected end tag "b"/],
    ["x</b>", /unexpected end tag "b"/],
    ["<a>x</a>", /tag "a" must have attribute "href"/],
    ["<span>x</span>", /tag "span" must have class "tg-spoiler"/],
    ["1 < 2", /unclosed start tag/],
  ];
  for (const [html, reason] of refusals) {
    const result = parseHtmlText(html);
    assert.ok(!result.ok, html);
    if (!result.ok) {
      assert.is(result.error.code, "CANT_PARSE_ENTITIES");
      assert.match(result.error.message, /^can't parse entities: /);
      assert.match(result.error.message, reason);
    }
  }
});

test.run();
