/**
 * Files: `sendDocument` and `sendPhoto` take a multipart upload or the
 * `file_id` of a file sent before; `getFile` gives the path to download it.
 */
import { badRequest } from "../bot-api-error.ts";
import { type FileKind, fileObject, type StoredFile } from "../file-store.ts";
import { imageExtension, imageSize } from "../image-size.ts";
import type { DocumentObject, PhotoSize } from "../telegram-objects.ts";
import {
  captionContent,
  captionText,
  type MethodCall,
  type MethodHandler,
  postBotMessage,
  targetChat,
} from "./method-call.ts";

const kindNames: Record<FileKind, string> = { document: "Document", photo: "Photo" };

/** The file named by parameter `kind`: stored now if uploaded, looked up if it is a file_id. */
function fileParam(call: MethodCall, kind: FileKind): StoredFile {
  const param = call.params.file(kind);
  if (param === undefined) throw badRequest(`there is no ${kind} in the request`);
  if ("reference" in param) {
    const known = call.state.files.get(param.reference);
    // URLs are not fetched: the emulator has no network, so only known file_ids resolve.
    if (known === undefined) throw badRequest("wrong file identifier/HTTP URL specified");
    if (known.kind !== kind) {
      throw badRequest(`can't use file of type ${kindNames[known.kind]} as ${kindNames[kind]}`);
    }
    return known;
  }
  const { filename, contentType, data } = param.upload;
  if (data.length === 0) throw badRequest("file must be non-empty");
  if (kind === "document") {
    return call.state.files.add({ kind, fileName: filename, mimeType: contentType, bytes: data });
  }
  const size = imageSize(data);
  if (size === null) throw badRequest("IMAGE_PROCESS_FAILED");
  const extension = imageExtension(data);
  return call.state.files.add({
    kind,
    fileName: filename,
    mimeType: extension === "png" ? "image/png" : "image/jpeg",
    bytes: data,
    ...size,
  });
}

function documentObject(file: StoredFile): DocumentObject {
  const document: DocumentObject = {
    file_id: file.fileId,
    file_unique_id: file.fileUniqueId,
    file_name: file.fileName,
    file_size: file.bytes.length,
  };
  if (file.mimeType !== null) document.mime_type = file.mimeType;
  return document;
}

function photoSize(file: StoredFile): PhotoSize {
  return {
    file_id: file.fileId,
    file_unique_id: file.fileUniqueId,
    width: file.width ?? 0,
    height: file.height ?? 0,
    file_size: file.bytes.length,
  };
}

const sendDocument: MethodHandler = (call) => {
  const chat = targetChat(call);
  const caption = captionText(call);
  const file = fileParam(call, "document");
  return postBotMessage(call, chat, { document: documentObject(file), ...captionContent(caption) });
};

const sendPhoto: MethodHandler = (call) => {
  const chat = targetChat(call);
  const caption = captionText(call);
  const file = fileParam(call, "photo");
  return postBotMessage(call, chat, { photo: [photoSize(file)], ...captionContent(caption) });
};

const getFile: MethodHandler = (call) => {
  const fileId = call.params.string("file_id") ?? "";
  const file = call.state.files.get(fileId);
  if (file === undefined) throw badRequest("invalid file_id");
  return fileObject(file);
};

export const mediaMethods: Record<string, MethodHandler> = { sendDocument, sendPhoto, getFile };
