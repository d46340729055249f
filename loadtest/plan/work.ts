// One question's worked answer: the measured figures it uses (each with its source), the arithmetic
// step by step, and the decision; a figure not measured adds the command that measures it, and the
// decision then says what could not be decided.
import { isMeasured, type Figure } from "./measurements.ts";

export interface Answer {
  question: string;
  /** The figures used, `name: value [source]`, then the arithmetic. */
  steps: string[];
  decision: string;
  /** The answer's numbers (null: not computable without a missing measurement). */
  figures: Record<string, number | null>;
  /** Commands that would measure what is missing. */
  run: string[];
}

export class Work {
  readonly steps: string[] = [];
  readonly figures: Record<string, number | null> = {};
  private readonly toRun = new Set<string>();

  constructor(readonly question: string) {}

  /** A measured figure's value (its source is listed), or null (its command is noted). */
  measured(name: string, figure: Figure, unit = ""): number | null {
    if (isMeasured(figure)) {
      this.steps.push(`${name}: ${formatNumber(figure.value)}${unit}  [${figure.source}]`);
      return figure.value;
    }
    this.steps.push(`${name}: not measured: run \`${figure.run}\` (${figure.missing})`);
    this.toRun.add(figure.run);
    return null;
  }

  step(line: string): void {
    this.steps.push(line);
  }

  figure(name: string, value: number | null): number | null {
    this.figures[name] = value === null ? null : Number(value.toPrecision(6));
    return value;
  }

  answer(decision: string | null): Answer {
    const run = [...this.toRun];
    return {
      question: this.question,
      steps: this.steps,
      decision:
        decision ?? `undecided until measured: run ${run.map((command) => `\`${command}\``).join(", ")}`,
      figures: this.figures,
      run,
    };
  }
}

/** Thousands separated; 3 significant digits below 1,000 (0.1, 2.45, 357). */
export function formatNumber(value: number): string {
  if (Math.abs(value) >= 1_000) return Math.round(value).toLocaleString("en");
  return Number(value.toPrecision(3)).toLocaleString("en", { maximumFractionDigits: 6 });
}

/** Bytes in decimal units (1 TB = 10^12 bytes), 3 significant digits. */
export function formatBytes(bytes: number): string {
  const units: [number, string][] = [
    [1e15, "PB"],
    [1e12, "TB"],
    [1e9, "GB"],
    [1e6, "MB"],
    [1e3, "kB"],
  ];
  for (const [size, unit] of units) if (bytes >= size) return `${formatNumber(bytes / size)} ${unit}`;
  return `${formatNumber(bytes)} B`;
}

export function formatSeconds(seconds: number): string {
  if (seconds < 1) return `${formatNumber(seconds * 1000)} ms`;
  if (seconds < 120) return `${formatNumber(seconds)} s`;
  if (seconds < 7_200) return `${formatNumber(seconds / 60)} min`;
  return `${formatNumber(seconds / 3_600)} h`;
}

/** The values when every one was measured, else null. */
export function present<T extends (number | null)[]>(...values: T): { [K in keyof T]: number } | null {
  return values.every((value) => value !== null) ? (values as { [K in keyof T]: number }) : null;
}
