/**
 * A multipart/form-data reader for Bot API uploads. It accepts what real
 * clients send, including grammY's compact form (lower-case header names, no
 * space after the colon, an unquoted `filename=`), and RFC 5987
 * `filename*=UTF-8''...` for names outside ASCII.
 */
import { err, ok, type Result } from "../../shared/result.ts";

/** One part of the body: a plain field when `filename` is null, else an uploaded file. */
export interface MultipartPart {
  name: string;
  filename: string | null;
  contentType: string | null;
  data: Buffer;
}

const CRLF = Buffer.from("\r\n");
const HEADER_END = Buffer.from("\r\n\r\n");

/** The boundary named in a `multipart/form-data` Content-Type header, or null. */
export function boundaryFromContentType(contentType: string): string | null {
  const match = /;\s*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  return match?.[1] ?? match?.[2] ?? null;
}

/** Splits a header parameter list on `;`, leaving quoted values whole. */
function splitParameters(value: string): string[] {
  const pieces: string[] = [];
  let current = "";
  let quoted = false;
  for (const char of value) {
    if (char === '"') quoted = !quoted;
    if (char === ";" && !quoted) {
      pieces.push(current.trim());
      current = "";
    } else {
      current += char;
    }
  }
  pieces.push(current.trim());
  return pieces;
}

function unquote(value: string): string {
  return value.length >= 2 && value.startsWith('"') && value.endsWith('"')
    ? value.slice(1, -1).replace(/\\(.)/g, "$1")
    : value;
}

/** Decodes `UTF-8''name%20here`; null when it is not valid RFC 5987. */
function decodeExtendedValue(value: string): string | null {
  const match = /^([\w-]+)'[^']*'(.*)$/.exec(value);
  if (match?.[1]?.toLowerCase() !== "utf-8") return null;
  try {
    return decodeURIComponent(match[2] ?? "");
  } catch {
    return null;
  }
}

interface PartHeaders {
  name: string | null;
  filename: string | null;
  contentType: string | null;
}

function parsePartHeaders(block: string): PartHeaders {
  const headers: PartHeaders = { name: null, filename: null, contentType: null };
  let extendedFilename: string | null = null;
  for (const line of block.split("\r\n")) {
    const colon = line.indexOf(":");
    if (colon < 0) continue;
    const headerName = line.slice(0, colon).trim().toLowerCase();
    const headerValue = line.slice(colon + 1).trim();
    if (headerName === "content-type") headers.contentType = headerValue;
    if (headerName !== "content-disposition") continue;
    for (const parameter of splitParameters(headerValue).slice(1)) {
      const equals = parameter.indexOf("=");
      if (equals < 0) continue;
      const key = parameter.slice(0, equals).trim().toLowerCase();
      const value = parameter.slice(equals + 1).trim();
      if (key === "name") headers.name = unquote(value);
      if (key === "filename") headers.filename = unquote(value);
      if (key === "filename*") extendedFilename = decodeExtendedValue(value);
    }
  }
  if (extendedFilename !== null) headers.filename = extendedFilename;
  return headers;
}

/** Parses a whole multipart/form-data body into its parts, in order. */
export function parseMultipart(
  body: Buffer,
  boundary: string,
): Result<MultipartPart[], "MALFORMED_MULTIPART"> {
  const malformed = (why: string) => err("MALFORMED_MULTIPART", `malformed multipart body: ${why}`);
  const delimiter = Buffer.from(`--${boundary}`);
  const nextDelimiter = Buffer.from(`\r\n--${boundary}`);
  let position = body.indexOf(delimiter);
  if (position < 0) return malformed("the boundary never occurs");
  const parts: MultipartPart[] = [];
  // Each turn starts at a delimiter; a bounded count of parts keeps a hostile body finite.
  while (parts.length <= body.length) {
    position += delimiter.length;
    if (body.subarray(position, position + 2).toString() === "--") return ok(parts);
    if (!body.subarray(position, position + 2).equals(CRLF)) {
      return malformed("a boundary is not followed by a line break");
    }
    position += 2;
    let headerBlock = "";
    let contentStart: number;
    if (body.subarray(position, position + 2).equals(CRLF)) {
      contentStart = position + 2;
    } else {
      const headerEnd = body.indexOf(HEADER_END, position);
      if (headerEnd < 0) return malformed("a part's headers never end");
      headerBlock = body.subarray(position, headerEnd).toString("utf8");
      contentStart = headerEnd + HEADER_END.length;
    }
    const contentEnd = body.indexOf(nextDelimiter, contentStart);
    if (contentEnd < 0) return malformed("the closing boundary is missing");
    const headers = parsePartHeaders(headerBlock);
    if (headers.name === null) return malformed("a part has no name in Content-Disposition");
    parts.push({
      name: headers.name,
      filename: headers.filename,
      contentType: headers.contentType,
      data: body.subarray(contentStart, contentEnd),
    });
    position = contentEnd + 2;
  }
  return malformed("too many parts");
}
