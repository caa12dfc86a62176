/** A logger for code under test that must be given one, when its lines are not wanted. */
import { Writable } from "node:stream";
import { createLogger, type Logger } from "./logger.ts";

/**
 * Logs nothing. Its destination discards, too, so it holds no stream of its
 * own on standard output, however many components share it.
 */
export const silentLogger: Logger = createLogger({
  level: "silent",
  destination: new Writable({ write: (_chunk, _encoding, done) => done() }),
});
