/**
 * The parameters of one Bot API call, however they arrived: a query string,
 * JSON, urlencoded or multipart form. Form values are strings and objects in
 * them are JSON text, as Telegram expects; the readers here accept both
 * shapes and throw the 400 Telegram would answer for a value of the wrong kind.
 */
import { badRequest } from "./bot-api-error.ts";

/** A file sent in a multipart body. */
export interface UploadedFile {
  filename: string;
  contentType: string | null;
  data: Buffer;
}

/** A file parameter: bytes uploaded with this call, or a string naming one Telegram has. */
export type FileParam = { upload: UploadedFile } | { reference: string };

const ATTACH_PREFIX = "attach://";

export class ApiParams {
  constructor(
    private readonly values: ReadonlyMap<string, unknown>,
    private readonly files: ReadonlyMap<string, UploadedFile> = new Map(),
  ) {}

  /** True when the parameter was sent with a value other than null. */
  has(name: string): boolean {
    return (this.values.get(name) ?? null) !== null || this.files.has(name);
  }

  string(name: string): string | undefined {
    const value = this.values.get(name);
    if (value === undefined || value === null) return undefined;
    if (typeof value === "string") return value;
    if (typeof value === "number" || typeof value === "boolean") return String(value);
    throw badRequest(`parameter "${name}" must be a string`);
  }

  integer(name: string): number | undefined {
    const value = this.values.get(name);
    if (value === undefined || value === null || value === "") return undefined;
    if (typeof value === "number" && Number.isSafeInteger(value)) return value;
    if (typeof value === "string" && /^-?\d{1,16}$/.test(value.trim())) return Number(value);
    throw badRequest(`parameter "${name}" must be an integer`);
  }

  boolean(name: string): boolean | undefined {
    const value = this.values.get(name);
    if (value === undefined || value === null || value === "") return undefined;
    if (value === true || value === "true" || value === "True" || value === 1 || value === "1") {
      return true;
    }
    if (value === false || value === "false" || value === "False" || value === 0 || value === "0") {
      return false;
    }
    throw badRequest(`parameter "${name}" must be a Boolean`);
  }

  /**
   * An object or array parameter: sent as JSON inside a JSON body, or as JSON
   * text in a form. `unparsable` is the 400 detail for text that is not JSON.
   */
  json(name: string, unparsable: string): unknown {
    const value = this.values.get(name);
    if (value === undefined || value === null) return undefined;
    if (typeof value !== "string") return value;
    try {
      return JSON.parse(value);
    } catch {
      throw badRequest(unparsable);
    }
  }

  /**
   * A file parameter: a part uploaded under this name, a part it points to
   * with `attach://<part>` (grammY's way), or any other string as a file_id
   * or URL for the caller to resolve.
   */
  file(name: string): FileParam | undefined {
    const direct = this.files.get(name);
    if (direct !== undefined) return { upload: direct };
    const reference = this.string(name);
    if (reference === undefined || reference === "") return undefined;
    if (reference.startsWith(ATTACH_PREFIX)) {
      const attached = this.files.get(reference.slice(ATTACH_PREFIX.length));
      if (attached === undefined) throw badRequest(`file "${reference}" is not attached`);
      return { upload: attached };
    }
    return { reference };
  }
}
