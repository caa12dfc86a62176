/**
 * Files the bot uploaded, with the ids and paths Telegram would give them:
 * a `file_id` to send the same file again, a `file_path` for `getFile` and
 * the download URL `/file/bot<token>/<file_path>`.
 */
import type { File } from "./telegram-objects.ts";

export type FileKind = "document" | "photo";

export interface StoredFile {
  fileId: string;
  fileUniqueId: string;
  kind: FileKind;
  fileName: string;
  mimeType: string | null;
  bytes: Buffer;
  filePath: string;
  /** Pixel size, for photos. */
  width?: number;
  height?: number;
}

export interface NewFile {
  kind: FileKind;
  fileName: string;
  mimeType: string | null;
  bytes: Buffer;
  width?: number;
  height?: number;
}

const folders: Record<FileKind, string> = { document: "documents", photo: "photos" };

function extensionOf(fileName: string): string {
  const match = /\.([A-Za-z0-9]{1,10})$/.exec(fileName);
  return match ? `.${match[1]}` : "";
}

export class FileStore {
  private readonly byId = new Map<string, StoredFile>();
  private readonly byPath = new Map<string, StoredFile>();

  add(file: NewFile): StoredFile {
    const number = this.byId.size + 1;
    const stored: StoredFile = {
      ...file,
      // Opaque to the bot, like Telegram's; the kind prefix only helps a reader of test output.
      fileId: `${file.kind.slice(0, 3).toUpperCase()}${number.toString().padStart(6, "0")}`,
      fileUniqueId: `U${number}`,
      filePath: `${folders[file.kind]}/file_${number}${extensionOf(file.fileName)}`,
    };
    this.byId.set(stored.fileId, stored);
    this.byPath.set(stored.filePath, stored);
    return stored;
  }

  get(fileId: string): StoredFile | undefined {
    return this.byId.get(fileId);
  }

  atPath(filePath: string): StoredFile | undefined {
    return this.byPath.get(filePath);
  }
}

/** The `File` object `getFile` answers with. */
export function fileObject(file: StoredFile): File {
  return {
    file_id: file.fileId,
    file_unique_id: file.fileUniqueId,
    file_size: file.bytes.length,
    file_path: file.filePath,
  };
}
