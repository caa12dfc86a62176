/**
 * Reads an HTTP request's body and query string into {@link ApiParams}, the
 * way Telegram accepts parameters: query string, `application/json`,
 * `application/x-www-form-urlencoded` or `multipart/form-data`, the body's
 * values winning over the query string's.
 */
import type { IncomingMessage } from "node:http";
import { BotApiError, badRequest } from "./bot-api-error.ts";
import { boundaryFromContentType, parseMultipart } from "./multipart.ts";
import { ApiParams, type UploadedFile } from "./params.ts";

/** Telegram's limit for files a bot uploads. */
const MAX_UPLOAD_BYTES = 50 * 1024 * 1024;

/**
 * The whole body, or a 413 once it passes `maxBytes`; the rest is read and
 * dropped so the answer can still be sent on the same connection.
 */
export function readBody(request: IncomingMessage, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let receivedBytes = 0;
    request.on("data", (chunk: Buffer) => {
      receivedBytes += chunk.length;
      if (receivedBytes <= maxBytes) chunks.push(chunk);
    });
    request.on("end", () => {
      if (receivedBytes > maxBytes) reject(new BotApiError(413, "Request Entity Too Large"));
      else resolve(Buffer.concat(chunks));
    });
    request.on("error", reject);
  });
}

function parseJsonBody(body: Buffer): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString("utf8"));
  } catch {
    throw badRequest("can't parse JSON object");
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw badRequest("JSON object expected");
  }
  return parsed as Record<string, unknown>;
}

/** Parses the call's parameters; throws the 400 or 413 Telegram would answer. */
export async function readApiParams(request: IncomingMessage, url: URL): Promise<ApiParams> {
  const values = new Map<string, unknown>(url.searchParams);
  const files = new Map<string, UploadedFile>();
  const body = await readBody(request, MAX_UPLOAD_BYTES);
  const contentType = (request.headers["content-type"] ?? "").toLowerCase();
  if (body.length === 0) return new ApiParams(values, files);
  if (contentType.startsWith("application/json")) {
    for (const [name, value] of Object.entries(parseJsonBody(body))) values.set(name, value);
  } else if (contentType.startsWith("application/x-www-form-urlencoded")) {
    for (const [name, value] of new URLSearchParams(body.toString("utf8"))) values.set(name, value);
  } else if (contentType.startsWith("multipart/form-data")) {
    const boundary = boundaryFromContentType(request.headers["content-type"] ?? "");
    if (boundary === null) throw badRequest("multipart body without a boundary");
    const parts = parseMultipart(body, boundary);
    if (!parts.ok) throw badRequest(parts.error.message);
    for (const part of parts.value) {
      if (part.filename === null) values.set(part.name, part.data.toString("utf8"));
      else {
        files.set(part.name, {
          filename: part.filename,
          contentType: part.contentType,
          data: Buffer.from(part.data),
        });
      }
    }
  }
  return new ApiParams(values, files);
}
