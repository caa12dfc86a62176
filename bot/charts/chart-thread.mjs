// Entry of the chart worker thread. Worker threads do not inherit the
// TypeScript loader the node runs under, so it is registered here first.
import { register } from "tsx/esm/api";

register();
await import("./chart-thread.ts");
