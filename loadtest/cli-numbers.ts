// Numbers given on a load tool's command line (bench:scale, plan): written as 1000000, 1_000_000,
// 1e6 or 1M; anything else, or a value outside its range, is an error naming the option.
export class ArgumentError extends Error {}

const suffixes: Record<string, number> = { k: 1e3, m: 1e6, g: 1e9 };

export interface NumberRange {
  min: number;
  max: number;
  /** Whole numbers only (counts); default true. */
  integer?: boolean;
}

export function readNumber(option: string, text: string | undefined, range: NumberRange): number {
  const shown = JSON.stringify(text ?? "");
  const match = /^\s*([0-9][0-9_]*(?:\.[0-9]+)?(?:e[0-9]+)?)([kmg]?)\s*$/i.exec(text ?? "");
  if (!match) throw new ArgumentError(`--${option} ${shown}: not a number (write 1000000, 1e6 or 1M)`);
  const value = Number(match[1].replaceAll("_", "")) * (suffixes[match[2].toLowerCase()] ?? 1);
  if (!Number.isFinite(value)) throw new ArgumentError(`--${option} ${shown}: not a finite number`);
  if ((range.integer ?? true) && !Number.isInteger(value))
    throw new ArgumentError(`--${option} ${shown}: must be a whole number`);
  if (value < range.min || value > range.max)
    throw new ArgumentError(
      `--${option} ${shown}: must be between ${range.min.toLocaleString("en")} and ${range.max.toLocaleString("en")}`,
    );
  return value;
}
