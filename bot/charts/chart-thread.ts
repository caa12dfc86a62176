/**
 * The chart worker thread: a 24-hour chart takes from a few hundred
 * milliseconds to over a second of CPU (ECharts' SVG, then resvg), far too
 * long to hold the node's event loop, which runs the Raft heartbeats.
 */
import { servePngRequests } from "../png-thread.ts";
import { renderChartPng } from "./chart-png.ts";
import { type ChartRequest, chartSpecOf } from "./chart-request.ts";

servePngRequests((request: ChartRequest) => renderChartPng(chartSpecOf(request)));
