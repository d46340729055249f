// The stages of a node's start (database, migrations, transporter, each service, the demo seed), each
// with a timeout and a log line when it begins and ends. A start that hung used to say nothing for
// minutes; now a stage past its timeout fails the start naming itself, and main.ts exits non-zero so
// a supervisor restarts the node. Service stages are begun and ended by a broker middleware (a
// service's `started`, its mixins' included, runs inside Moleculer's broker.start()).
import type { Middleware, Service, ServiceBroker } from "moleculer";

export interface StageLogger {
  info(message: string): void;
  error(message: string): void;
}

/** A start that failed in a named stage (timed out, or its work threw). */
export class StartStageError extends Error {
  constructor(
    readonly stage: string,
    message: string,
  ) {
    super(`start stage ${stage} ${message}`);
    this.name = "StartStageError";
  }
}

/** The log line of a stage that begins (also used by the actor pool for its workers). */
export const stageBeginLine = (stage: string, timeoutMs: number, attempt?: number): string =>
  `start stage ${stage} ...${attempt && attempt > 1 ? ` (attempt ${attempt})` : ""} (timeout ${timeoutMs} ms)`;

export const stageDoneLine = (stage: string, durationMs: number): string =>
  `start stage ${stage} done in ${Math.round(durationMs)} ms`;

interface OpenStage {
  beganAt: number;
  timer: NodeJS.Timeout;
}

export class StartStages {
  private readonly open = new Map<string, OpenStage>();
  private rejectFailed!: (error: StartStageError) => void;
  /** Rejects with the first stage that outlives its timeout; race the start's work against it. */
  readonly failed: Promise<never>;

  constructor(private readonly logger: StageLogger) {
    this.failed = new Promise<never>((_resolve, reject) => (this.rejectFailed = reject));
    this.failed.catch(() => {}); // observed by whoever races it; unobserved it must not crash
  }

  begin(stage: string, timeoutMs: number): void {
    this.logger.info(stageBeginLine(stage, timeoutMs));
    // Not unref'd: a hung start whose work holds no handle must still end, not exit quietly.
    const timer = setTimeout(() => {
      this.open.delete(stage);
      const error = new StartStageError(stage, `timed out after ${timeoutMs} ms`);
      this.logger.error(error.message);
      this.rejectFailed(error);
    }, timeoutMs);
    this.open.set(stage, { beganAt: performance.now(), timer });
  }

  end(stage: string): void {
    const open = this.open.get(stage);
    if (!open) return;
    clearTimeout(open.timer);
    this.open.delete(stage);
    this.logger.info(stageDoneLine(stage, performance.now() - open.beganAt));
  }

  /** The stages begun and not ended, oldest first. */
  get inProgress(): string[] {
    return [...this.open.keys()];
  }

  /** Runs one stage: `work` within `timeoutMs`, or a StartStageError naming the stage. */
  async run<T>(stage: string, timeoutMs: number, work: () => Promise<T>): Promise<T> {
    this.begin(stage, timeoutMs);
    const result = await this.watch(work());
    this.end(stage);
    return result;
  }

  /**
   * Waits for `work` while the begun stages run: the first stage past its timeout rejects it, and
   * a failure of `work` is reported with the stages it interrupted.
   */
  async watch<T>(work: Promise<T>): Promise<T> {
    try {
      return await Promise.race([work, this.failed]);
    } catch (error) {
      if (error instanceof StartStageError) throw error;
      const stages = this.inProgress;
      this.clear();
      const failure = new StartStageError(
        stages.join(", ") || "(none open)",
        `failed: ${(error as Error).message}`,
      );
      this.logger.error(failure.message);
      throw failure;
    }
  }

  /** Stops every timer (a start given up). */
  clear(): void {
    for (const open of this.open.values()) clearTimeout(open.timer);
    this.open.clear();
  }

  /**
   * A broker middleware making the transporter's connection and each service's start a stage:
   * `starting` (before the transporter connects) to the first `serviceStarting` (after it did), and
   * each service from `serviceStarting` to `serviceStarted`.
   */
  middleware(timeouts: { transporterMs: number; serviceMs: number }): Middleware {
    const serviceStage = (service: Service) => `service ${service.fullName}`;
    return {
      starting: (broker: ServiceBroker) => {
        if (broker.transit) this.begin("transporter", timeouts.transporterMs);
      },
      serviceStarting: (service: Service) => {
        this.end("transporter");
        this.begin(serviceStage(service), timeouts.serviceMs);
      },
      serviceStarted: (service: Service) => this.end(serviceStage(service)),
    };
  }
}
