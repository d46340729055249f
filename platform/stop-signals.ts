// SIGTERM and SIGINT stop a node cleanly: the first starts the stop (drain, services, pools) and the
// process exits 0 when it is done, or 1, naming what it was waiting for, when it is not done within
// the stop's timeout. A second signal forces the exit at once (code 1), unless it is the same request
// arriving twice: Ctrl-C reaches a node from the terminal and again through npm or the cluster
// launcher, so a repeat within `repeatMs` of the first is ignored.
import { stopSignalRepeatMs, stopTimeoutMs } from "../domain/limits.ts";

export interface StopLogger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface StopSignalOptions {
  /** The stop itself; its `phase` callback names the step it is in (for a stop that hangs). */
  stop(phase: (name: string) => void): Promise<void>;
  logger: StopLogger;
  /** Where the signals come from (the process). */
  signals?: Pick<NodeJS.Process, "on">;
  exit?: (code: number) => void;
  now?: () => number;
  timeoutMs?: number;
  repeatMs?: number;
}

export const stopSignals = ["SIGTERM", "SIGINT"] as const;

export function handleStopSignals(options: StopSignalOptions): void {
  const {
    logger,
    signals = process,
    exit = (code: number) => process.exit(code),
    now = Date.now,
    timeoutMs = stopTimeoutMs,
    repeatMs = stopSignalRepeatMs,
  } = options;
  let stoppingSince: number | null = null;
  let phase = "starting the stop";
  let exited = false;
  const exitOnce = (code: number) => {
    if (exited) return;
    exited = true;
    exit(code);
  };

  const onSignal = (signal: string) => {
    if (stoppingSince !== null) {
      if (now() - stoppingSince < repeatMs) return;
      logger.warn(`${signal} again: exiting now, without finishing the stop (was ${phase})`);
      return exitOnce(1);
    }
    stoppingSince = now();
    logger.info(`${signal}: stopping (within ${timeoutMs} ms; a second signal exits at once)`);
    const deadline = setTimeout(() => {
      logger.error(`stop not done after ${timeoutMs} ms (still ${phase}): exiting`);
      exitOnce(1);
    }, timeoutMs);
    options
      .stop((name) => (phase = name))
      .then(
        () => {
          logger.info(`stopped in ${now() - stoppingSince!} ms`);
          exitOnce(0);
        },
        (error: unknown) => {
          logger.error(`stop failed (${phase}): ${(error as Error)?.message ?? String(error)}`);
          exitOnce(1);
        },
      )
      .finally(() => clearTimeout(deadline));
  };
  for (const signal of stopSignals) signals.on(signal, () => onSignal(signal));
}
