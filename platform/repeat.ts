// A background task run again and again, one pass at a time: the next pass is scheduled only when
// the last one has finished (never two at once, however slow), a failed pass is reported and the
// next one runs on time, and the timer never keeps the process alive.

export interface Repeating {
  stop(): void;
}

export function repeatEvery(
  task: () => Promise<void>,
  options: { intervalMs: number; firstDelayMs?: number; onError(error: Error): void },
): Repeating {
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;
  const schedule = (delayMs: number) => {
    timer = setTimeout(run, delayMs);
    timer.unref();
  };
  const run = async () => {
    timer = null;
    try {
      await task();
    } catch (error) {
      options.onError(error as Error);
    }
    if (!stopped) schedule(options.intervalMs);
  };
  schedule(options.firstDelayMs ?? options.intervalMs);
  return {
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = null;
    },
  };
}
