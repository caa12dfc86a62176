/**
 * Telegram's `parse_mode: "HTML"`: turns marked-up text into plain text plus
 * entities (offsets in UTF-16 code units, as JavaScript strings count), and
 * refuses what Telegram refuses: unknown tags, unclosed or crossed tags, a
 * link without href. Pure, so the rules can be tested one by one.
 */
import { err, ok, type Result } from "../../shared/result.ts";
import type { MessageEntity } from "./telegram-objects.ts";

/** Text as Telegram stores it after parsing: plain characters and their formatting. */
export interface FormattedText {
  text: string;
  entities: MessageEntity[];
}

type SimpleEntityType =
  | "bold"
  | "italic"
  | "underline"
  | "strikethrough"
  | "spoiler"
  | "code"
  | "pre"
  | "blockquote"
  | "expandable_blockquote";

const simpleTags: Record<string, SimpleEntityType> = {
  b: "bold",
  strong: "bold",
  i: "italic",
  em: "italic",
  u: "underline",
  ins: "underline",
  s: "strikethrough",
  strike: "strikethrough",
  del: "strikethrough",
  "tg-spoiler": "spoiler",
  code: "code",
  pre: "pre",
};

const namedCharacters: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"' };

interface OpenTag {
  name: string;
  offset: number;
  attributes: Map<string, string>;
  /** The language a `<code class="language-x">` inside this `<pre>` named. */
  language?: string;
}

/** Replaces &lt; &gt; &amp; &quot; and numeric references; any other `&` stays as it is. */
export function decodeHtmlCharacters(raw: string): string {
  return raw.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, body: string) => {
    if (body.startsWith("#")) {
      const codePoint =
        body[1] === "x" || body[1] === "X" ? parseInt(body.slice(2), 16) : Number(body.slice(1));
      return codePoint > 0 && codePoint <= 0x10ffff ? String.fromCodePoint(codePoint) : whole;
    }
    return namedCharacters[body.toLowerCase()] ?? whole;
  });
}

function parseAttributes(source: string): Map<string, string> {
  const attributes = new Map<string, string>();
  const pattern = /([a-z][\w-]*)\s*(?:=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?/gi;
  for (const match of source.matchAll(pattern)) {
    const value = match[2] ?? match[3] ?? match[4] ?? "";
    attributes.set((match[1] ?? "").toLowerCase(), decodeHtmlCharacters(value));
  }
  return attributes;
}

/** The entity a closed tag makes; `tag` passed {@link startTagProblem} when it opened. */
function entityFor(tag: OpenTag, length: number): MessageEntity {
  const base = { offset: tag.offset, length };
  switch (tag.name) {
    case "a":
      return { ...base, type: "text_link", url: tag.attributes.get("href") ?? "" };
    case "span":
      return { ...base, type: "spoiler" };
    case "blockquote":
      return {
        ...base,
        type: tag.attributes.has("expandable") ? "expandable_blockquote" : "blockquote",
      };
    case "tg-emoji":
      return {
        ...base,
        type: "custom_emoji",
        custom_emoji_id: tag.attributes.get("emoji-id") ?? "",
      };
    case "pre":
      return tag.language === undefined
        ? { ...base, type: "pre" }
        : { ...base, type: "pre", language: tag.language };
    default:
      return { ...base, type: simpleTags[tag.name]! } as MessageEntity;
  }
}

/** Checks a start tag's required attributes; null when the tag is acceptable. */
function startTagProblem(name: string, attributes: Map<string, string>): string | null {
  if (name === "a" && !attributes.has("href")) return `tag "a" must have attribute "href"`;
  if (name === "span" && attributes.get("class") !== "tg-spoiler") {
    return `tag "span" must have class "tg-spoiler"`;
  }
  if (name === "tg-emoji" && !attributes.has("emoji-id")) {
    return `tag "tg-emoji" must have attribute "emoji-id"`;
  }
  const known = name in simpleTags || ["a", "span", "blockquote", "tg-emoji"].includes(name);
  return known ? null : `unsupported start tag "${name}"`;
}

/** Parses `html` the way Telegram's HTML parse mode does. */
export function parseHtmlText(html: string): Result<FormattedText, "CANT_PARSE_ENTITIES"> {
  const failure = (why: string) => err("CANT_PARSE_ENTITIES", `can't parse entities: ${why}`);
  let text = "";
  const entities: MessageEntity[] = [];
  const open: OpenTag[] = [];
  let position = 0;
  while (position < html.length) {
    const tagStart = html.indexOf("<", position);
    const chunkEnd = tagStart < 0 ? html.length : tagStart;
    text += decodeHtmlCharacters(html.slice(position, chunkEnd));
    if (tagStart < 0) break;
    const tagEnd = html.indexOf(">", tagStart);
    if (tagEnd < 0) return failure(`unclosed start tag at offset ${tagStart}`);
    const tagSource = html.slice(tagStart + 1, tagEnd);
    position = tagEnd + 1;
    const tag = /^(\/?)\s*([a-z][\w-]*)\s*([\s\S]*?)\/?\s*$/i.exec(tagSource);
    if (!tag) return failure(`unsupported tag "<${tagSource}>" at offset ${tagStart}`);
    const isEnd = tag[1] === "/";
    const name = (tag[2] ?? "").toLowerCase();
    if (!isEnd) {
      const attributes = parseAttributes(tag[3] ?? "");
      const problem = startTagProblem(name, attributes);
      if (problem !== null) return failure(`${problem} at offset ${tagStart}`);
      const parent = open.at(-1);
      const language = /^language-(.+)$/.exec(attributes.get("class") ?? "")?.[1];
      // Telegram folds <pre><code class="language-x"> into one "pre" entity with a language.
      if (name === "code" && parent?.name === "pre" && language !== undefined) {
        parent.language = language;
      }
      open.push({ name, offset: text.length, attributes });
      continue;
    }
    const closing = open.pop();
    if (closing === undefined || closing.name !== name) {
      const expected = closing === undefined ? "no open tag" : `an end tag for "${closing.name}"`;
      return failure(`unexpected end tag "${name}" at offset ${tagStart}; expected ${expected}`);
    }
    const length = text.length - closing.offset;
    const insidePre = closing.name === "code" && open.at(-1)?.name === "pre";
    if (length === 0 || insidePre) continue;
    entities.push(entityFor(closing, length));
  }
  const unclosed = open.at(-1);
  if (unclosed !== undefined) {
    return failure(`can't find end tag corresponding to start tag "${unclosed.name}"`);
  }
  entities.sort((a, b) => a.offset - b.offset || b.length - a.length);
  return ok({ text, entities });
}
