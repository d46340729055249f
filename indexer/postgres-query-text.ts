// tsquery text for the Postgres index: the term, the location alone (venues), and the location as
// venue words of a document. Words reach here normalized (normalizeText), so quoting is safe.
import { prefixLengthMin } from "./search-query.ts";

/** A tsquery word: only letters and digits reach here (normalizeText), so quoting is safe. */
export const plainWord = /^[\p{L}\p{N}]+$/u;

function tsWord(word: string, prefix: boolean): string {
  if (!plainWord.test(word)) throw new Error("a query word must be letters and digits only");
  return `'${word}'${prefix ? ":*" : ""}`;
}

export interface WordAlternatives {
  word: string;
  /** The word itself is indexed. */
  exact: boolean;
  /** Some indexed word starts with it (3 letters or more). */
  prefix: boolean;
  /** For an unknown word: the nearest indexed words within the allowed edits. */
  alternatives: string[];
}

/**
 * Every query word must match: a known word as itself ("live" does not also find "liverpool", and a
 * whole-word lookup is far cheaper than a prefix scan), a word that only begins indexed words as a
 * prefix ("tay" finds "taylor"), an unknown word as one of its near words ("swfit" finds "swift").
 */
export function termQueryText(words: WordAlternatives[]): string {
  return words
    .map(({ word, exact, prefix, alternatives }) => {
      if (exact) return tsWord(word, false);
      if (prefix && word.length >= prefixLengthMin) return tsWord(word, true);
      // The word itself stays an option: it may have entered the index since it was looked up.
      const options = [word, ...alternatives].map((option) => tsWord(option, false));
      return options.length === 1 ? options[0] : `(${options.join(" | ")})`;
    })
    .join(" & ");
}

/** Location words must all match venue name, city or country; a word of 3+ letters may be a prefix. */
export const locationQueryText = (words: string[]): string =>
  words.map((word) => tsWord(word, word.length >= prefixLengthMin)).join(" & ");

/**
 * Location words among a document's venue words (its B-weighted part): a known word whole, else as
 * a prefix (no typo tolerance for places).
 */
export const venueWordsQueryText = (words: WordAlternatives[]): string =>
  words
    .map(({ word, exact, prefix }) => {
      const asPrefix = !exact && prefix && word.length >= prefixLengthMin;
      return `${tsWord(word, asPrefix)}${asPrefix ? "" : ":"}B`;
    })
    .join(" & ");
