// The full check of a seat state in O(seats), for activation and tests (ACTOR_PARANOID_CHECKS): every
// seat against its hold, the counts, the holds, the users' tallies and the free-run index.
import { presaleViolations } from "./presale.ts";
import { available, booked, held, type SeatState } from "./state.ts";
import { waitlistViolations } from "./waitlist.ts";

type SeatCounts = SeatState["counts"];

/** What the scan of the seats found: the counts by status and the seats held per user. */
interface SeatScan {
  counted: SeatCounts;
  userHeld: Map<string, number>;
}

/** Checks every invariant of the state; returns the violations found. */
export function findInvariantViolations(state: SeatState, now?: number): string[] {
  const problems: string[] = [];
  const scan = checkSeats(state, now, problems);
  checkCounts(state, scan.counted, problems);
  checkHolds(state, problems);
  checkUsers(state, scan, problems);
  checkFreeRuns(state, problems);
  problems.push(...presaleViolations(state));
  if (now !== undefined) problems.push(...waitlistViolations(state, now));
  return problems;
}

/** Each seat against its hold; with `now`, no held seat may be past its expiry after a command. */
function checkSeats(state: SeatState, now: number | undefined, problems: string[]): SeatScan {
  const counted = { available: 0, held: 0, confirming: 0, booked: 0 };
  const userHeld = new Map<string, number>();
  for (let ordinal = 0; ordinal < state.total; ordinal++) {
    const code = state.status[ordinal];
    const slot = state.holdIndex[ordinal];
    if (code === available || code === booked) {
      if (slot !== -1)
        problems.push(`ordinal ${ordinal}: ${code === booked ? "booked" : "available"} but in a hold`);
      if (code === available) counted.available++;
      else counted.booked++;
      continue;
    }
    const hold = slot >= 0 ? state.holds[slot] : null;
    if (!hold || !hold.live) {
      problems.push(`ordinal ${ordinal}: held without a live hold`);
      continue;
    }
    if (!hold.ordinals.includes(ordinal)) problems.push(`ordinal ${ordinal}: not listed by its hold`);
    if ((code === held) !== (hold.status === "held"))
      problems.push(`ordinal ${ordinal}: status differs from its hold`);
    if (code === held) counted.held++;
    else counted.confirming++;
    userHeld.set(hold.userId, (userHeld.get(hold.userId) ?? 0) + 1);
    if (now !== undefined && code === held && hold.expiresAt <= now)
      problems.push(`ordinal ${ordinal}: held past its expiry after a command at ${now}`);
  }
  return { counted, userHeld };
}

function checkCounts(state: SeatState, counted: SeatCounts, problems: string[]): void {
  for (const key of ["available", "held", "confirming", "booked"] as const) {
    if (counted[key] !== state.counts[key])
      problems.push(`count of ${key}: ${state.counts[key]} recorded, ${counted[key]} found`);
  }
  if (counted.available + counted.held + counted.confirming + counted.booked !== state.total)
    problems.push("held + booked + available != total");
}

function checkHolds(state: SeatState, problems: string[]): void {
  for (const hold of state.holds) {
    if (!hold) continue;
    if (!hold.live) problems.push(`hold ${hold.holdId} in a slot but ended`);
    if (hold.ordinals.length === 0) problems.push(`hold ${hold.holdId} has no seats`);
    for (const ordinal of hold.ordinals)
      if (state.holdIndex[ordinal] !== hold.slot)
        problems.push(`hold ${hold.holdId} lists ${ordinal} it does not own`);
    if (
      hold.status === "confirming" &&
      (hold.paymentId === null || state.holdsByPayment.get(hold.paymentId) !== hold)
    )
      problems.push(`confirming hold ${hold.holdId} is not indexed by its payment`);
  }
}

/** The users' tallies against the seats: held per user, booked in all, and how many users hold. */
function checkUsers(state: SeatState, { counted, userHeld }: SeatScan, problems: string[]): void {
  let bookedByUsers = 0;
  for (const [userId, entry] of state.users) {
    if ((userHeld.get(userId) ?? 0) !== entry.held) problems.push(`user ${userId}: held count differs`);
    bookedByUsers += entry.booked;
  }
  for (const [userId, count] of userHeld)
    if (!state.users.has(userId) && count > 0) problems.push(`user ${userId}: holds seats but has no tally`);
  if (bookedByUsers !== counted.booked) problems.push("booked seats differ from the users' booked counts");
  if (state.holders !== userHeld.size)
    problems.push(`holders: ${state.holders} recorded, ${userHeld.size} users hold seats`);
}

/** The free-run index (once built) against a rescan of every row. */
function checkFreeRuns(state: SeatState, problems: string[]): void {
  if (!state.bestAvailable) return;
  const { rows, freeRuns } = state.bestAvailable;
  rows.rows.forEach((row, rowNumber) => {
    let longest = 0;
    let run = 0;
    for (let ordinal = row.firstOrdinal; ordinal < row.firstOrdinal + row.seatCount; ordinal++) {
      run = state.status[ordinal] === available ? run + 1 : 0;
      if (run > longest) longest = run;
    }
    if (freeRuns.longestFreeRun(rowNumber) !== longest)
      problems.push(
        `row ${rowNumber}: free-run index says ${freeRuns.longestFreeRun(rowNumber)}, seats say ${longest}`,
      );
  });
}
