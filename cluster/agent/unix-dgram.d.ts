/** The part of `unix-dgram` (Unix datagram sockets, which node:dgram lacks) this project uses. */
declare module "unix-dgram" {
  import type { EventEmitter } from "node:events";

  interface UnixDgramSocket extends EventEmitter {
    bind(path: string): void;
    send(
      buffer: Buffer,
      offset: number,
      length: number,
      path: string,
      callback?: (error?: Error) => void,
    ): void;
    close(): void;
    on(event: "message", listener: (message: Buffer, info: { path?: string }) => void): this;
    on(event: "error", listener: (error: Error) => void): this;
  }

  export function createSocket(type: "unix_dgram"): UnixDgramSocket;
  const unixDgram: { createSocket: typeof createSocket };
  export default unixDgram;
}
