/**
 * Validates a `reply_markup` parameter as Telegram does and sorts it into the
 * four kinds Telegram knows. Only an inline keyboard is part of the message;
 * the others change what the user's keyboard shows.
 */
import { err, ok, type Result } from "../../shared/result.ts";
import type { InlineKeyboardButton } from "./telegram-objects.ts";

/** A reply keyboard as the user sees it: rows of button labels. */
export interface ReplyKeyboard {
  rows: string[][];
  /** Hidden again once the user sends a message. */
  oneTime: boolean;
  placeholder?: string;
}

export type ReplyMarkup =
  | { kind: "inline_keyboard"; rows: InlineKeyboardButton[][] }
  | { kind: "reply_keyboard"; keyboard: ReplyKeyboard }
  | { kind: "remove_keyboard" }
  | { kind: "force_reply"; placeholder?: string };

type MarkupResult = Result<ReplyMarkup, "BAD_REPLY_MARKUP">;

/** The fields that give an inline button its action; a button has exactly one. */
const inlineActions = [
  "url",
  "callback_data",
  "web_app",
  "login_url",
  "switch_inline_query",
  "switch_inline_query_current_chat",
  "switch_inline_query_chosen_chat",
  "copy_text",
  "callback_game",
  "pay",
];

const MAX_CALLBACK_DATA_BYTES = 64;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isRowList(value: unknown): value is unknown[][] {
  return Array.isArray(value) && value.every((row) => Array.isArray(row));
}

function invalid(detail: string): MarkupResult {
  return err("BAD_REPLY_MARKUP", detail);
}

/** True for the http, https and tg: links Telegram accepts on a button. */
function isLinkUrl(value: unknown): boolean {
  if (typeof value !== "string") return false;
  try {
    return ["http:", "https:", "tg:"].includes(new URL(value).protocol);
  } catch {
    return false;
  }
}

function checkInlineButton(button: unknown): string | null {
  if (!isRecord(button) || typeof button.text !== "string") {
    return "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard";
  }
  if (button.text.trim() === "") return "inline keyboard button text must be non-empty";
  const actions = inlineActions.filter((action) => button[action] !== undefined);
  if (actions.length === 0) return "text buttons are unallowed in the inline keyboard";
  if (actions.length > 1) {
    return `inline keyboard button has more than one action: ${actions.join(", ")}`;
  }
  if (actions[0] === "callback_data") {
    const data = button.callback_data;
    const bytes = typeof data === "string" ? Buffer.byteLength(data) : 0;
    if (bytes < 1 || bytes > MAX_CALLBACK_DATA_BYTES) return "BUTTON_DATA_INVALID";
  }
  if (actions[0] === "url") {
    if (!isLinkUrl(button.url)) return "BUTTON_URL_INVALID";
  }
  return null;
}

function parseInlineKeyboard(rows: unknown): MarkupResult {
  if (!isRowList(rows)) return invalid(`field "inline_keyboard" must be an Array of Arrays`);
  for (const row of rows) {
    for (const button of row) {
      const problem = checkInlineButton(button);
      if (problem !== null) return invalid(problem);
    }
  }
  return ok({ kind: "inline_keyboard", rows: rows as InlineKeyboardButton[][] });
}

function buttonLabel(button: unknown): string | null {
  if (typeof button === "string") return button;
  if (isRecord(button) && typeof button.text === "string") return button.text;
  return null;
}

function parseReplyKeyboard(markup: Record<string, unknown>): MarkupResult {
  if (!isRowList(markup.keyboard)) return invalid(`field "keyboard" must be an Array of Arrays`);
  const rows: string[][] = [];
  for (const row of markup.keyboard) {
    const labels = row.map(buttonLabel);
    if (labels.some((label) => label === null || label.trim() === "")) {
      return invalid("keyboard button text must be non-empty");
    }
    rows.push(labels as string[]);
  }
  const keyboard: ReplyKeyboard = { rows, oneTime: markup.one_time_keyboard === true };
  if (typeof markup.input_field_placeholder === "string") {
    keyboard.placeholder = markup.input_field_placeholder;
  }
  return ok({ kind: "reply_keyboard", keyboard });
}

/** Parses an already JSON-decoded `reply_markup`. */
export function parseReplyMarkup(raw: unknown): MarkupResult {
  if (!isRecord(raw)) return invalid("can't parse reply keyboard markup JSON object");
  if (raw.inline_keyboard !== undefined) return parseInlineKeyboard(raw.inline_keyboard);
  if (raw.keyboard !== undefined) return parseReplyKeyboard(raw);
  if (raw.remove_keyboard === true) return ok({ kind: "remove_keyboard" });
  if (raw.force_reply === true) {
    return ok(
      typeof raw.input_field_placeholder === "string"
        ? { kind: "force_reply", placeholder: raw.input_field_placeholder }
        : { kind: "force_reply" },
    );
  }
  return invalid("can't parse reply keyboard markup JSON object");
}
