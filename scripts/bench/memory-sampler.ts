/** This process's memory, sampled on an interval while something runs, reduced to its peaks. */

/** Bytes. */
export interface MemoryPeaks {
  rss: number;
  heapUsed: number;
  samples: number;
}

export interface MemorySampler {
  /** Takes a last sample, stops sampling and gives the peaks seen since start. */
  stop(): MemoryPeaks;
}

/** Samples `process.memoryUsage()` now and every `intervalMs` until stopped. */
export function sampleMemory(intervalMs: number): MemorySampler {
  const peaks: MemoryPeaks = { rss: 0, heapUsed: 0, samples: 0 };
  const sample = (): void => {
    const { rss, heapUsed } = process.memoryUsage();
    peaks.rss = Math.max(peaks.rss, rss);
    peaks.heapUsed = Math.max(peaks.heapUsed, heapUsed);
    peaks.samples++;
  };
  sample();
  const timer = setInterval(sample, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      sample();
      return { ...peaks };
    },
  };
}
