// Reading settings from the environment strictly, collecting every problem instead of stopping at the
// first: a node with three wrong settings says all three at once, each as `VARIABLE: problem`, and
// main.ts prints them without a stack trace. A wrong value reads as its fallback meanwhile, so the
// reading goes on; loadConfig throws one ConfigError at the end if anything was wrong.

/** Settings that cannot be used: every problem, each naming its variable. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(
      `the configuration has ${problems.length} problem${problems.length === 1 ? "" : "s"}:\n` +
        problems.map((problem) => `  ${problem}`).join("\n"),
    );
    this.name = "ConfigError";
  }
}

export interface IntegerBounds {
  min?: number;
  max?: number;
}

/** What a problem shows of a wrong value: short, quoted, never of a secret (those never reach here). */
const shown = (raw: string): string => JSON.stringify(raw.length > 40 ? `${raw.slice(0, 40)}...` : raw);

export class ConfigReader {
  readonly problems: string[] = [];

  constructor(private readonly env: NodeJS.ProcessEnv) {}

  problem(name: string, text: string): void {
    this.problems.push(`${name}: ${text}`);
  }

  /** The variable's text; unset and empty both read as unset. */
  text(name: string): string | undefined {
    const raw = this.env[name];
    return raw === undefined || raw === "" ? undefined : raw;
  }

  integer(
    name: string,
    fallback: number,
    { min = 0, max = Number.MAX_SAFE_INTEGER }: IntegerBounds = {},
  ): number {
    const raw = this.text(name);
    if (raw === undefined) return fallback;
    const value = /^[+-]?\d+$/.test(raw.trim()) ? Number(raw) : Number.NaN;
    if (Number.isSafeInteger(value) && value >= min && value <= max) return value;
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `from ${min} to ${max}`;
    this.problem(name, `must be an integer ${range} (got ${shown(raw)})`);
    return fallback;
  }

  /** A port number; `0` only where `allowZero` (let the system pick one). */
  port(name: string, fallback: number, allowZero = true): number {
    return this.integer(name, fallback, { min: allowZero ? 0 : 1, max: 65_535 });
  }

  /** `true`/`1` or `false`/`0`; anything else is a problem (a typo must not read as false). */
  boolean(name: string, fallback: boolean): boolean {
    const raw = this.text(name);
    if (raw === undefined) return fallback;
    if (raw === "true" || raw === "1") return true;
    if (raw === "false" || raw === "0") return false;
    this.problem(name, `must be true, false, 1 or 0 (got ${shown(raw)})`);
    return fallback;
  }

  oneOf<T extends string>(name: string, choices: readonly T[], fallback: T): T {
    const raw = this.text(name);
    if (raw === undefined) return fallback;
    if ((choices as readonly string[]).includes(raw)) return raw as T;
    this.problem(name, `must be one of ${choices.join(", ")} (got ${shown(raw)})`);
    return fallback;
  }

  /**
   * A URL with one of `protocols` (e.g. `["postgres:", "postgresql:"]`). Its value is never shown in
   * a problem: URLs carry passwords.
   */
  url(name: string, fallback: string, protocols: string[]): string;
  url(name: string, fallback: null, protocols: string[]): string | null;
  url(name: string, fallback: string | null, protocols: string[]): string | null {
    const raw = this.text(name);
    if (raw === undefined) return fallback;
    let protocol: string | null = null;
    try {
      protocol = new URL(raw).protocol;
    } catch {
      /* not a URL: the problem below */
    }
    if (protocol !== null && protocols.includes(protocol)) return raw;
    this.problem(name, `must be a URL starting with ${protocols.map((p) => `${p}//`).join(" or ")}`);
    return fallback;
  }

  /** Throws one ConfigError naming every problem found. */
  check(): void {
    if (this.problems.length > 0) throw new ConfigError([...this.problems]);
  }
}
