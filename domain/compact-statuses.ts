// The characters of the compact seat map (`GET /events/:id/tickets?format=compact`) and their
// reading back into status codes. No imports: the web UI's bundle and the load drivers use it too.

/** The character of each status code (the index): available, reserved, booked. */
export const compactStatusCharacters = "ARB";
/** A ticket that is not for sale. No status code means it yet: every generated seat is for sale. */
export const notForSaleCharacter = "X";

const bookedCode = 2;

/**
 * One status code per character (0 available, 1 reserved, 2 booked). A seat not for sale is, to a
 * buyer, a seat taken: it reads as booked. Throws on any other character.
 */
export function statusCodesOfCompact(statuses: string): Uint8Array {
  const codes = new Uint8Array(statuses.length);
  for (let index = 0; index < statuses.length; index++) {
    const character = statuses[index];
    const code = character === notForSaleCharacter ? bookedCode : compactStatusCharacters.indexOf(character);
    if (code < 0) throw new Error(`compact seat map: unknown status character ${JSON.stringify(character)}`);
    codes[index] = code;
  }
  return codes;
}
