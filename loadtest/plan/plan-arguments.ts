// The capacity planner's command line, read strictly (node:util parseArgs: an unknown option, a
// missing value or a stray word is an error; numbers by loadtest/cli-numbers.ts: 1000000, 1e6, 1M).
// The workload is the user's input; the planner's constants are measurements (measurements.ts).
import { parseArgs } from "node:util";
import { ArgumentError, readNumber } from "../cli-numbers.ts";

export interface PlanInputs {
  events: number;
  ticketsPerEvent: number;
  peakUsers: number;
  searchesPerUserPerSec: number;
  hotEvents: number;
  /** Cores of a node to plan with; null: those of the machine that measured. */
  nodeCores: number | null;
  /** Share of the tickets sold (1: every one, the upper bound of the storage). */
  soldFraction: number;
  /** Tickets per booking (1: a booking per seat, the upper bound of the rows per ticket). */
  ticketsPerBooking: number;
  /** The seconds in which the peak users arrive at the waiting room. */
  arrivalSeconds: number;
  resultsDirectory: string;
  json: boolean;
}

export const planDefaults = {
  searchesPerUserPerSec: "0.1",
  hotEvents: "1",
  soldFraction: "1",
  ticketsPerBooking: "1",
  arrivalSeconds: "60",
  resultsDirectory: "loadtest/results",
};

export const planUsage = `Usage: npm run plan -- --events N --tickets-per-event N --peak-users N [options]
  --events N                       events on sale in the catalog
  --tickets-per-event N            seats of an event
  --peak-users N                   users at the peak, all on the hot events
  --searches-per-user-per-sec x    searches each peak user sends per second (default ${planDefaults.searchesPerUserPerSec})
  --hot-events N                   events on sale at the peak at once (default ${planDefaults.hotEvents})
  --node-cores N                   cores of a node (default: those of the machine that measured)
  --sold-fraction x                share of tickets sold, 0-1 (default ${planDefaults.soldFraction}: all)
  --tickets-per-booking N          seats per booking (default ${planDefaults.ticketsPerBooking}: the most rows)
  --arrival-seconds N              seconds in which the peak users join the waiting room (default ${planDefaults.arrivalSeconds})
  --results DIR                    the benchmarks' results (default ${planDefaults.resultsDirectory})
  --json                           the plan as JSON
Numbers: 1000000, 1_000_000, 1e6 or 1M.`;

/** Reads the planner's arguments; throws ArgumentError with what is wrong. Null: --help. */
export function parsePlanArguments(args: string[]): PlanInputs | null {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        events: { type: "string" },
        "tickets-per-event": { type: "string" },
        "peak-users": { type: "string" },
        "searches-per-user-per-sec": { type: "string", default: planDefaults.searchesPerUserPerSec },
        "hot-events": { type: "string", default: planDefaults.hotEvents },
        "node-cores": { type: "string" },
        "sold-fraction": { type: "string", default: planDefaults.soldFraction },
        "tickets-per-booking": { type: "string", default: planDefaults.ticketsPerBooking },
        "arrival-seconds": { type: "string", default: planDefaults.arrivalSeconds },
        results: { type: "string", default: planDefaults.resultsDirectory },
        json: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
    }));
  } catch (error) {
    throw new ArgumentError((error as Error).message);
  }
  if (values.help) return null;
  for (const required of ["events", "tickets-per-event", "peak-users"] as const)
    if (values[required] === undefined) throw new ArgumentError(`--${required} is required`);
  const ticketsPerEvent = readNumber("tickets-per-event", values["tickets-per-event"], { min: 1, max: 1e7 });
  const inputs: PlanInputs = {
    events: readNumber("events", values.events, { min: 1, max: 1e10 }),
    ticketsPerEvent,
    peakUsers: readNumber("peak-users", values["peak-users"], { min: 1, max: 1e10 }),
    searchesPerUserPerSec: readNumber("searches-per-user-per-sec", values["searches-per-user-per-sec"], {
      min: 0,
      max: 100,
      integer: false,
    }),
    hotEvents: readNumber("hot-events", values["hot-events"], { min: 1, max: 1e7 }),
    nodeCores:
      values["node-cores"] === undefined
        ? null
        : readNumber("node-cores", values["node-cores"], { min: 1, max: 1024 }),
    soldFraction: readNumber("sold-fraction", values["sold-fraction"], { min: 0, max: 1, integer: false }),
    ticketsPerBooking: readNumber("tickets-per-booking", values["tickets-per-booking"], {
      min: 1,
      max: ticketsPerEvent,
    }),
    arrivalSeconds: readNumber("arrival-seconds", values["arrival-seconds"], { min: 1, max: 86_400 }),
    resultsDirectory: values.results as string,
    json: values.json as boolean,
  };
  if (inputs.hotEvents > inputs.events)
    throw new ArgumentError(`--hot-events ${inputs.hotEvents}: more than the ${inputs.events} events`);
  if (inputs.resultsDirectory.trim() === "") throw new ArgumentError("--results: a directory is required");
  return inputs;
}
