// The scale benchmark's options, read strictly (loadtest/cli-numbers.ts): sizes are ticket-row counts
// (ascending, distinct), every other option a count in its range.
import { ArgumentError, readNumber } from "../cli-numbers.ts";
import { sectionsCount, seatsPerRow } from "../seat-map/bench-event.ts";

export interface ScaleArguments {
  sizes: number[];
  seconds: number;
  inFlight: number;
  readers: number;
  seatsPerEvent: number;
  loadConnections: number;
}

const ticketRowsMax = 1e9;

export function parseScaleArguments(values: Record<string, string | boolean | undefined>): ScaleArguments {
  const text = (name: string) => (typeof values[name] === "string" ? (values[name] as string) : undefined);
  const seatsPerEvent = readNumber("seats-per-event", text("seats-per-event"), { min: 2_000, max: 200_000 });
  const layoutSeats = sectionsCount * seatsPerRow;
  if (seatsPerEvent % layoutSeats !== 0)
    throw new ArgumentError(`--seats-per-event ${seatsPerEvent}: must be a multiple of ${layoutSeats}`);
  const sizes = (text("sizes") ?? "")
    .split(",")
    .map((size) => readNumber("sizes", size, { min: seatsPerEvent, max: ticketRowsMax }));
  for (let index = 1; index < sizes.length; index++)
    if (sizes[index] <= sizes[index - 1])
      throw new ArgumentError(
        `--sizes ${text("sizes")}: sizes must ascend (${sizes[index]} after ${sizes[index - 1]})`,
      );
  return {
    sizes,
    seconds: readNumber("seconds", text("seconds"), { min: 0.1, max: 600, integer: false }),
    inFlight: readNumber("in-flight", text("in-flight"), { min: 1, max: 10_000 }),
    readers: readNumber("readers", text("readers"), { min: 1, max: 1_000 }),
    seatsPerEvent,
    loadConnections: readNumber("load-connections", text("load-connections"), { min: 1, max: 16 }),
  };
}
