import type { IncomingMessage } from "node:http";
import type { z } from "zod";
import type { Result } from "./result.ts";

/** Request bodies are small JSON documents; anything larger is refused before parsing. */
export const MAX_BODY_BYTES = 64 * 1024;

export type BodyErrorCode = "BODY_TOO_LARGE" | "INVALID_JSON" | "INVALID_BODY";

function readText(request: IncomingMessage): Promise<Result<string, BodyErrorCode>> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    request.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) tooLarge = true;
      else chunks.push(chunk);
    });
    request.on("end", () => {
      if (tooLarge) {
        resolve({
          ok: false,
          error: {
            code: "BODY_TOO_LARGE",
            message: `the body is larger than ${MAX_BODY_BYTES} bytes`,
          },
        });
      } else {
        resolve({ ok: true, value: Buffer.concat(chunks).toString("utf8") });
      }
    });
    request.on("error", () =>
      resolve({
        ok: false,
        error: { code: "INVALID_JSON", message: "the request body was cut off" },
      }),
    );
  });
}

/**
 * Reads and validates a JSON body. An empty body counts as `{}`. Garbage,
 * unknown fields and wrong types are refused with a message naming the field.
 */
export async function readJsonBody<Schema extends z.ZodType>(
  request: IncomingMessage,
  schema: Schema,
): Promise<Result<z.infer<Schema>, BodyErrorCode>> {
  const text = await readText(request);
  if (!text.ok) return text;
  let json: unknown = {};
  if (text.value.trim() !== "") {
    try {
      json = JSON.parse(text.value);
    } catch {
      return { ok: false, error: { code: "INVALID_JSON", message: "the body is not valid JSON" } };
    }
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const message = parsed.error.issues
      .map((issue) => `${issue.path.join(".") || "body"}: ${issue.message}`)
      .join("; ");
    return { ok: false, error: { code: "INVALID_BODY", message } };
  }
  return { ok: true, value: parsed.data };
}
