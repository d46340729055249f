// Currencies and time zones as the catalog accepts them, and an event's default currency.
import { expect } from "chai";
import {
  checkCurrency,
  checkTimeZone,
  currencyOfCountry,
  isCurrency,
  isTimeZone,
} from "../../../catalog/money-and-zones.ts";
import { MarqueeError } from "../../../domain/errors.ts";
import { zonedTime, zoneOffsetMs } from "../../../catalog/zoned-time.ts";

describe("currencies and time zones (catalog/money-and-zones.ts, zoned-time.ts)", () => {
  it("knows ISO 4217 codes and IANA zones, refuses look-alikes", () => {
    for (const code of ["GBP", "EUR", "USD", "JPY", "BHD"]) expect(isCurrency(code), code).to.equal(true);
    for (const code of ["XYZ", "gbp", "GB", "", "GBPX"]) expect(isCurrency(code), code).to.equal(false);
    const zones = ["Europe/London", "America/New_York", "Asia/Tokyo", "UTC", "Asia/Kolkata", "Europe/Kyiv"];
    for (const zone of [...zones, "America/Argentina/Buenos_Aires"])
      expect(isTimeZone(zone), zone).to.equal(true);
    const notZones = [
      "Mars/Olympus",
      "Europe/Atlantis",
      "europe/london",
      "GMT+1",
      "",
      "London",
      "US/Eastern",
    ];
    for (const zone of [...notZones, "EST5EDT", "+01:00", "Europe/London/"])
      expect(isTimeZone(zone), zone).to.equal(false);
    expect(() => checkCurrency("currency", "XYZ"))
      .to.throw(MarqueeError)
      .with.property("details")
      .that.deep.equals({ field: "currency" });
    expect(() => checkTimeZone("timeZone", "Mars/Olympus"))
      .to.throw(MarqueeError)
      .with.property("code", "VALIDATION_ERROR");
  });

  it("defaults an event's currency from its venue's country (name or code), else USD", () => {
    const expected: Record<string, string> = {
      "United Kingdom": "GBP",
      UK: "GBP",
      gb: "GBP",
      Portugal: "EUR",
      " portugal ": "EUR",
      Japan: "JPY",
      "United States": "USD",
      USA: "USD",
      Argentina: "ARS",
      Denmark: "DKK",
      Narnia: "USD",
      "": "USD",
    };
    for (const [country, currency] of Object.entries(expected))
      expect(currencyOfCountry(country), country).to.equal(currency);
  });

  it("turns a local wall-clock time into the UTC instant, across summer time", () => {
    const june = Date.parse("2027-06-01T00:00:00Z");
    const january = Date.parse("2027-01-01T00:00:00Z");
    expect(zonedTime(june, 20, 0, "Europe/London").toISOString()).to.equal("2027-06-01T19:00:00.000Z");
    expect(zonedTime(january, 20, 0, "Europe/London").toISOString()).to.equal("2027-01-01T20:00:00.000Z");
    expect(zonedTime(june, 19, 30, "Asia/Tokyo").toISOString()).to.equal("2027-06-01T10:30:00.000Z");
    expect(zonedTime(june, 19, 30, "America/New_York").toISOString()).to.equal("2027-06-01T23:30:00.000Z");
    expect(zoneOffsetMs(june, "UTC")).to.equal(0);
  });
});
