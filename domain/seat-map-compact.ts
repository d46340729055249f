// The compact seat map: one character per ticket in ordinal order (`A` available, `R` reserved,
// `B` booked, `X` not for sale), from the status bytes the actor publishes. A 100,000-seat map is
// 100,000 bytes of text that gzip shrinks to a few KB, against 10.8 MB for the Ticket list.
import { invariant } from "./errors.ts";
import { compactStatusCharacters } from "./compact-statuses.ts";
import { publicStatusCodes } from "./seat-layout.ts";

invariant(compactStatusCharacters.length === publicStatusCodes.length, "a character per status");

const characterCodes = Uint8Array.from(compactStatusCharacters, (character) => character.charCodeAt(0));
const ascii = new TextDecoder("ascii");

/** The `statuses` string of the compact map. */
export function compactStatuses(statuses: Uint8Array): string {
  const text = new Uint8Array(statuses.length);
  for (let ordinal = 0; ordinal < statuses.length; ordinal++) {
    const code = characterCodes[statuses[ordinal]];
    invariant(code !== undefined, `seat map: unknown status code ${statuses[ordinal]}`);
    text[ordinal] = code;
  }
  return ascii.decode(text);
}

/** The compact map's JSON text: `{"eventId","version","statuses"}`. */
export function compactSeatMapJson(eventId: string, version: number, statuses: Uint8Array): string {
  return `{"eventId":${JSON.stringify(eventId)},"version":${version},"statuses":"${compactStatuses(statuses)}"}`;
}
