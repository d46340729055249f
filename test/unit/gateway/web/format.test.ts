// Money in the event's currency with its own decimals, and times in the venue's zone, labelled.
import { expect } from "chai";
import { formatDateTime, formatMoney, zoneCity } from "../../../../gateway/web/app/format.ts";

describe("web UI formatting (gateway/web/app/format.ts)", () => {
  it("formats minor units in the currency's own number of decimals", () => {
    expect(formatMoney(8_950, "GBP")).to.equal("£89.50");
    expect(formatMoney(8_950, "EUR")).to.equal("€89.50");
    expect(formatMoney(8_950, "USD")).to.equal("$89.50");
    expect(formatMoney(8_950, "JPY")).to.equal("¥8,950"); // no minor unit
    expect(formatMoney(8_950, "BHD")).to.match(/^BHD\s8\.950$/); // three decimals
    expect(formatMoney(0, "GBP")).to.equal("£0.00");
  });

  it("shows the number alone without a currency or with a malformed one, the code with an unknown one", () => {
    expect(formatMoney(8_950)).to.equal("89.50");
    expect(formatMoney(8_950, "X1")).to.equal("89.50");
    expect(formatMoney(8_950, "QQQ")).to.match(/^QQQ\s89\.50$/);
  });

  it("shows a time in the venue's zone with the zone's name and city, whatever the viewer's zone", () => {
    const summer = "2027-07-10T19:00:00.000Z";
    const winter = "2027-01-10T19:00:00.000Z";
    expect(formatDateTime(summer, "Europe/London")).to.equal("Sat, 10 Jul 2027, 20:00 BST, London time");
    expect(formatDateTime(winter, "Europe/London")).to.equal("Sun, 10 Jan 2027, 19:00 GMT, London time");
    expect(formatDateTime(summer, "America/New_York")).to.equal("Sat, 10 Jul 2027, 15:00 EDT, New York time");
    expect(formatDateTime(summer, "Asia/Tokyo")).to.equal("Sun, 11 Jul 2027, 04:00 GMT+9, Tokyo time");
    expect(formatDateTime(summer, "UTC")).to.equal("Sat, 10 Jul 2027, 19:00 UTC");
  });

  it("falls back to the viewer's zone without a zone or with one the runtime does not know", () => {
    const viewer = formatDateTime("2027-07-10T19:00:00.000Z");
    expect(formatDateTime("2027-07-10T19:00:00.000Z", "Mars/Olympus")).to.equal(viewer);
    expect(formatDateTime("not a time", "Europe/London")).to.equal("not a time");
  });

  it("names a zone by its city", () => {
    expect(zoneCity("America/Argentina/Buenos_Aires")).to.equal("Buenos Aires");
    expect(zoneCity("UTC")).to.equal("UTC");
  });
});
