// The compact frame encoding (opt-in with `subscribe {format: "compact"}`), built once per frame.
import { parseTicketId } from "../../domain/ids.ts";
import type { SeatChange } from "../../domain/messages.ts";
import type { SeatsCompactFrame, SeatsFrame } from "./protocol.ts";

const compactFrames = new WeakMap<SeatsFrame, SeatsCompactFrame>();

export function compactFrame(frame: SeatsFrame): SeatsCompactFrame {
  let compact = compactFrames.get(frame);
  if (compact) return compact;
  compact = {
    eventId: frame.eventId,
    fromVersion: frame.fromVersion,
    toVersion: frame.toVersion,
    available: [],
    reserved: [],
    booked: [],
  };
  const other: SeatChange[] = [];
  for (const change of frame.changes) {
    const parsed = parseTicketId(change.ticketId);
    if (parsed && parsed.eventId === frame.eventId) compact[change.status].push(parsed.ordinal);
    else other.push(change);
  }
  if (other.length > 0) compact.other = other;
  compactFrames.set(frame, compact);
  return compact;
}

/** The contract's changes from a compact frame (what a client does to apply it). */
export function expandCompactFrame(compact: SeatsCompactFrame): SeatChange[] {
  const changes: SeatChange[] = [];
  for (const status of ["available", "reserved", "booked"] as const) {
    for (const ordinal of compact[status])
      changes.push({ ticketId: `${compact.eventId}.${ordinal}`, status });
  }
  return changes.concat(compact.other ?? []);
}
