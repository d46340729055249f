// Currencies and time zones as the catalog accepts them: ISO 4217 codes and IANA zone names checked
// against the lists the runtime's ICU knows (what a browser's Intl can also format), and an event's
// default currency from its venue's country (a country name in English, or its ISO 3166 code).
import countryToCurrency from "country-to-currency";
import { validationError } from "../domain/errors.ts";

/** Prices of events created without one and with a venue in an unknown country. */
export const fallbackCurrency = "USD";

const currencies = new Set(Intl.supportedValuesOf("currency"));
const timeZones = new Set([...Intl.supportedValuesOf("timeZone"), "UTC"]);
/** An IANA "Area/Location" name, spelt as the database spells it (capitalised parts). */
const zoneNamePattern =
  /^(Africa|America|Antarctica|Arctic|Asia|Atlantic|Australia|Europe|Indian|Pacific)(\/[A-Z][A-Za-z_-]*){1,2}$/;

export const isCurrency = (value: string): boolean => currencies.has(value);

/**
 * ICU lists its canonical names only, some of them older than IANA's current ones (Asia/Calcutta, not
 * Asia/Kolkata; America/Buenos_Aires, not America/Argentina/Buenos_Aires): a current IANA name that
 * ICU knows as an alias is accepted too, as it is given. Lower-case spellings, legacy names (US/Eastern,
 * EST5EDT) and offsets are not.
 */
export function isTimeZone(value: string): boolean {
  if (timeZones.has(value)) return true;
  if (!zoneNamePattern.test(value)) return false;
  try {
    new Intl.DateTimeFormat("en", { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

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
