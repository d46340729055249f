// `npm run rush`'s options, read strictly (loadtest/cli-numbers.ts): an unknown option, a stray word,
// a value that is not a number or is outside its range is an error naming the option.
import { parseArgs } from "node:util";
import { ArgumentError, readNumber, type NumberRange } from "../cli-numbers.ts";
import { waitlistEntriesPerEventMax } from "../../domain/waitlist-limits.ts";
import type { RushOptions } from "./rush.ts";

export interface RushArguments {
  options: Partial<RushOptions>;
  /** Also run the classic baseline with the same options and seed (not with --no-baseline). */
  baseline: boolean;
}

const numbers = {
  seats: { key: "seats", range: { min: 1, max: 1_000_000 } },
  users: { key: "users", range: { min: 1, max: 100_000_000 } },
  port: { key: "port", range: { min: 1, max: 65_535 } },
  presale: { key: "presaleSeconds", range: { min: 0, max: 3_600, integer: false } },
  arrival: { key: "arrivalSeconds", range: { min: 0, max: 3_600, integer: false } },
  "max-active": { key: "maxActiveShoppers", range: { min: 1, max: 1_000_000 } },
  "early-share": { key: "earlyShare", range: { min: 0, max: 1, integer: false } },
  sockets: { key: "waitingSocketsMax", range: { min: 0, max: 1_000_000 } },
  "hold-ttl": { key: "holdTtlSeconds", range: { min: 1, max: 86_400 } },
  "duration-max": { key: "durationMaxSeconds", range: { min: 1, max: 86_400 } },
  seed: { key: "seed", range: { min: 0, max: 2 ** 31 - 1 } },
  "waitlist-waiters": { key: "waitlistWaiters", range: { min: 0, max: waitlistEntriesPerEventMax } },
  "waitlist-cancellations": { key: "waitlistCancellations", range: { min: 1, max: 10_000 } },
} satisfies Record<string, { key: keyof RushOptions; range: NumberRange }>;

export function parseRushArguments(args: string[]): RushArguments {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        ...Object.fromEntries(Object.keys(numbers).map((name) => [name, { type: "string" as const }])),
        "keep-database": { type: "boolean" },
        "no-baseline": { type: "boolean" },
      },
    }));
  } catch (error) {
    throw new ArgumentError((error as Error).message);
  }
  const options: Partial<RushOptions> & Record<string, unknown> = {};
  for (const [name, { key, range }] of Object.entries(numbers))
    if (values[name] !== undefined) options[key] = readNumber(name, values[name] as string, range);
  if (options.waitlistCancellations !== undefined && !options.waitlistWaiters)
    throw new ArgumentError(
      "--waitlist-cancellations needs --waitlist-waiters (the sold-out phase's waiting users)",
    );
  if ((options.waitlistCancellations ?? 0) > (options.seats ?? Infinity))
    throw new ArgumentError("--waitlist-cancellations: at most --seats bookings can be cancelled");
  options.keepDatabase = values["keep-database"] === true;
  return { options, baseline: values["no-baseline"] !== true };
}
