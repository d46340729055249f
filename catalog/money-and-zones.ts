// Currencies and time zones as the catalog accepts them: ISO 4217 codes and IANA zone names checked
// against the lists the runtime's ICU knows (what a browser's Intl can also format), and an event's
// default currency from its venue's country (a country name in English, or its ISO 3166 code).
import countryToCurrency from "country-to-currency";
import { validationError } from "../domain/errors.ts";

/** Prices of events created without one and with a venue in an unknown country. */
export const fallbackCurrency = "USD";

const currencies = new Set(Intl.supportedValuesOf("currency"));
// ICU lists canonical zone names only; "UTC" is the one alias worth accepting.
const timeZones = new Set([...Intl.supportedValuesOf("timeZone"), "UTC"]);

export const isCurrency = (value: string): boolean => currencies.has(value);
export const isTimeZone = (value: string): boolean => timeZones.has(value);

export function checkCurrency(field: string, value: string): string {
  if (!isCurrency(value))
    throw validationError(field, `${field} must be an ISO 4217 currency code, e.g. GBP`);
  return value;
}

export function checkTimeZone(field: string, value: string): string {
  if (!isTimeZone(value))
    throw validationError(field, `${field} must be an IANA time zone, e.g. Europe/London, or UTC`);
  return value;
}

const byCountryCode = countryToCurrency as Record<string, string>;

/** Lower-cased English country names (and a few common short forms) -> ISO 3166 alpha-2 code. */
const countryCodes: Map<string, string> = (() => {
  const names = new Intl.DisplayNames(["en"], { type: "region" });
  const codes = new Map<string, string>();
  for (const code of Object.keys(byCountryCode)) {
    const name = names.of(code);
    if (name && name !== code) codes.set(name.toLowerCase(), code);
    codes.set(code.toLowerCase(), code);
  }
  const aliases: [string, string][] = [
    ["uk", "GB"],
    ["great britain", "GB"],
    ["england", "GB"],
    ["scotland", "GB"],
    ["wales", "GB"],
    ["northern ireland", "GB"],
    ["usa", "US"],
    ["united states of america", "US"],
    ["america", "US"],
    ["czech republic", "CZ"],
    ["korea", "KR"],
    ["holland", "NL"],
  ];
  for (const [alias, code] of aliases) codes.set(alias, code);
  return codes;
})();

/** The usual currency of a venue's country, or USD when the country is not recognised. */
export function currencyOfCountry(country: string): string {
  const code = countryCodes.get(country.trim().toLowerCase());
  const currency = code ? byCountryCode[code] : undefined;
  return currency && isCurrency(currency) ? currency : fallbackCurrency;
}
