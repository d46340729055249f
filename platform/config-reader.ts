// Reading settings from the environment strictly, collecting every problem instead of stopping at the
// first: a node with three wrong settings says all three at once, each as `VARIABLE: problem`, and
// main.ts prints them without a stack trace. A wrong value reads as its fallback meanwhile, so the
// reading goes on; loadConfig throws one ConfigError at the end if anything was wrong.
import { isIPv6 } from "node:net";

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

/** A network address of a node: an IPv6 host is kept without its brackets. */
export interface HostPort {
  host: string;
  port: number;
}

/** A DNS name (letters, digits, `-`, `.`, `_`) or an IPv4 address, at most 253 characters. */
const hostNamePattern = /^(?=.{1,253}$)[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?$/;

/** `host:port` or `[ipv6]:port`; null when it is not one. */
export function parseHostPort(entry: string): HostPort | null {
  const match = /^(?:\[([^\]]*)\]|([^:[\]]*)):(\d{1,5})$/.exec(entry);
  if (!match) return null;
  const port = Number(match[3]);
  if (!(port >= 1 && port <= 65_535)) return null;
  if (match[1] !== undefined) return isIPv6(match[1]) ? { host: match[1], port } : null;
  return hostNamePattern.test(match[2]) ? { host: match[2], port } : null;
}

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

  /**
   * A comma-separated list of `host:port` (a host name, an IPv4 address or a bracketed IPv6 one; a
   * port from 1 to 65535), at most `max` of them, no repeats. Unset reads as null; any wrong entry
   * makes the whole setting a problem (naming the entry) and reads as null.
   */
  hostPorts(name: string, max: number): HostPort[] | null {
    const raw = this.text(name);
    if (raw === undefined) return null;
    const entries = raw.split(",").map((entry) => entry.trim());
    if (entries.length > max) {
      this.problem(name, `names ${entries.length} nodes, at most ${max} are allowed`);
      return null;
    }
    const nodes: HostPort[] = [];
    for (const entry of entries) {
      const node = parseHostPort(entry);
      if (node === null) {
        this.problem(name, `must be host:port entries separated by commas (got ${shown(entry)})`);
        return null;
      }
      if (nodes.some((seen) => seen.host === node.host && seen.port === node.port)) {
        this.problem(name, `names ${shown(entry)} twice`);
        return null;
      }
      nodes.push(node);
    }
    return nodes;
  }

  /** Throws one ConfigError naming every problem found. */
  check(): void {
    if (this.problems.length > 0) throw new ConfigError([...this.problems]);
  }
}
