// What the browser remembers between pages: the user's seat holds (to show "mine" and run checkout),
// admission tokens from the waiting room, and names of events and seats for the bookings page.
// Every stored map is bounded; holds past their expiry are dropped on read.
import { currentUser } from "./session.ts";
import { serverNow } from "./api.ts";

const storedEntriesMax = 200;

function readMap<T>(storage: Storage, key: string): Record<string, T> {
  try {
    const value = JSON.parse(storage.getItem(key) ?? "{}");
    return value && typeof value === "object" ? value : {};
  } catch {
    return {};
  }
}

function writeMap<T>(storage: Storage, key: string, map: Record<string, T>): void {
  const keys = Object.keys(map);
  // Oldest first (insertion order): drop from the front past the bound.
  for (const stale of keys.slice(0, Math.max(0, keys.length - storedEntriesMax))) delete map[stale];
  try {
    storage.setItem(key, JSON.stringify(map));
  } catch {
    // Storage full or disabled: the page still works, it just forgets between loads.
  }
}

export interface HeldSeat {
  id: string;
  label: string;
  priceCents: number;
  expiresAt: string;
}

export interface Hold {
  eventId: string;
  eventName: string;
  userId: string;
  seats: HeldSeat[];
}

const holdsKey = "marquee.holds";

export function getHold(eventId: string): Hold | null {
  const user = currentUser();
  const hold = readMap<Hold>(localStorage, holdsKey)[eventId];
  if (!hold || !user || hold.userId !== user.id) return null;
  const now = serverNow();
  const seats = hold.seats.filter((seat) => Date.parse(seat.expiresAt) > now);
  if (seats.length === 0) {
    clearHold(eventId);
    return null;
  }
  return { ...hold, seats };
}

/** Adds newly held seats (a reserve answer) to the event's hold. */
export function addToHold(eventId: string, eventName: string, seats: HeldSeat[]): Hold {
  const user = currentUser();
  if (!user) throw new Error("no user");
  const existing = getHold(eventId);
  const byId = new Map((existing?.seats ?? []).map((seat) => [seat.id, seat]));
  for (const seat of seats) if (!byId.has(seat.id)) byId.set(seat.id, seat);
  const hold: Hold = { eventId, eventName, userId: user.id, seats: [...byId.values()] };
  const map = readMap<Hold>(localStorage, holdsKey);
  delete map[eventId];
  map[eventId] = hold;
  writeMap(localStorage, holdsKey, map);
  return hold;
}

export function removeFromHold(eventId: string, ticketIds: string[]): void {
  const hold = getHold(eventId);
  if (!hold) return;
  const gone = new Set(ticketIds);
  const seats = hold.seats.filter((seat) => !gone.has(seat.id));
  const map = readMap<Hold>(localStorage, holdsKey);
  if (seats.length === 0) delete map[eventId];
  else map[eventId] = { ...hold, seats };
  writeMap(localStorage, holdsKey, map);
}

export function clearHold(eventId: string): void {
  const map = readMap<Hold>(localStorage, holdsKey);
  delete map[eventId];
  writeMap(localStorage, holdsKey, map);
}

/** The earliest expiry of a hold, in server milliseconds. */
export const holdExpiresAtMs = (hold: Hold): number =>
  Math.min(...hold.seats.map((seat) => Date.parse(seat.expiresAt)));

// Admission tokens live for the tab's session only, bound to the user they were issued to.
const admissionKey = (eventId: string) => `marquee.admission.${eventId}`;

export function getAdmissionToken(eventId: string): string | null {
  const user = currentUser();
  const stored = readMap<string>(sessionStorage, admissionKey(eventId));
  return user && typeof stored[user.id] === "string" ? stored[user.id] : null;
}

export function setAdmissionToken(eventId: string, token: string | null): void {
  const user = currentUser();
  if (!user) return;
  const stored = token === null ? {} : { [user.id]: token };
  sessionStorage.setItem(admissionKey(eventId), JSON.stringify(stored));
}

export interface EventSummary {
  name: string;
  startsAt: string;
  onSaleAt?: string;
  /** ISO 4217: what the event's amounts are in. */
  currency?: string;
  /** The venue's IANA zone: the event's times are shown in it. */
  timeZone?: string;
}
const eventsKey = "marquee.events";

export const rememberEvent = (eventId: string, summary: EventSummary): void => {
  const map = readMap<EventSummary>(localStorage, eventsKey);
  delete map[eventId];
  map[eventId] = summary;
  writeMap(localStorage, eventsKey, map);
};
export const recalledEvent = (eventId: string): EventSummary | undefined =>
  readMap<EventSummary>(localStorage, eventsKey)[eventId];

const seatLabelsKey = "marquee.bookingSeats";

/** Seat labels of a booking, remembered at checkout (the bookings API answers with ticket ids). */
export const rememberBookingSeats = (bookingId: string, labels: Record<string, string>): void => {
  const map = readMap<Record<string, string>>(localStorage, seatLabelsKey);
  map[bookingId] = labels;
  writeMap(localStorage, seatLabelsKey, map);
};
export const recalledBookingSeats = (bookingId: string): Record<string, string> =>
  readMap<Record<string, string>>(localStorage, seatLabelsKey)[bookingId] ?? {};
