// What an event's actor knows of its presale codes (presale.ts has the rules): per code, the bookings
// it made (loaded at activation from presale_uses, counted up by each booking) and the live holds taken
// with it. A hold remembers its code in its hold id (`<holdId>~<codeId>`): the id is persisted with
// every seat row of the hold and kept by a confirm, so a reload or failover still knows which holds
// (and which confirming payments) belong to a code, with no column or table of its own.
import type { Hold } from "./state.ts";

/** A code as activation loads it: the codes with a booking or a live hold. */
export interface LoadedPresaleCode {
  codeId: string;
  usesPerCode: number;
  uses: number;
}

export interface PresaleCodeTally {
  usesPerCode: number;
  /** Bookings made with the code. */
  uses: number;
  /** Holds taken with it; ended ones (`live` false) are pruned when counted. */
  holds: Set<Hold>;
}

export interface PresaleLedger {
  codes: Map<string, PresaleCodeTally>;
  /** false until the loaded holds were sorted to their codes (on the first presale command). */
  holdsFound: boolean;
}

export function createPresaleLedger(loaded: LoadedPresaleCode[] = []): PresaleLedger {
  const codes = new Map<string, PresaleCodeTally>();
  for (const code of loaded)
    codes.set(code.codeId, { usesPerCode: code.usesPerCode, uses: code.uses, holds: new Set() });
  return { codes, holdsFound: false };
}

const separator = "~";

/** The hold id of a hold taken with a code. */
export const holdIdWithCode = (holdId: string, codeId: string): string =>
  `${holdId.split(separator)[0]}${separator}${codeId}`;

/** The code a hold was taken with, or null. */
export function codeOfHoldId(holdId: string): string | null {
  const at = holdId.indexOf(separator);
  return at < 0 ? null : holdId.slice(at + 1);
}
