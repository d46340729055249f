// A buyer in New York looks at a Wembley show (issue 19, contract v1.1 "Money and time for buyers"):
// prices in pounds (the event's currency, from the venue's country), the time in London's zone and
// labelled as such, section prices beside the seat map and the stage marker, in search results and
// on the event page through checkout.
import { expect } from "chai";
import type { Browser, Page } from "playwright-core";
import { startSystem, dropDatabase, type TestSystem } from "../../support/system.ts";
import { eventually } from "../../support/eventually.ts";
import { cellColors } from "../../../gateway/web/app/seatmap/palette.ts";
import {
  ensureWebBuilt,
  findSeatOfColor,
  launchBrowser,
  newContext,
  screenshot,
  signIn,
  waitForText,
  watchErrors,
} from "../../support/browser.ts";

// 19:00 UTC in July is 20:00 British Summer Time (and 15:00 in New York, where the viewer is).
const startsAt = "2027-07-10T19:00:00.000Z";

describe("web UI: GBP prices and London times on a Wembley event (headless Chromium)", function () {
  this.timeout(120_000);
  let system: TestSystem;
  let browser: Browser;
  let eventId: string;

  before(async () => {
    await ensureWebBuilt();
    system = await startSystem();
    const admin = await system.token("admin-wembley", "admin");
    const venue = await system.request("POST", "/admin/venues", {
      token: admin,
      body: {
        name: "Wembley Stadium",
        city: "London",
        country: "United Kingdom",
        lat: 51.556,
        lng: -0.2796,
        timeZone: "Europe/London",
      },
    });
    const event = await system.request("POST", "/admin/events", {
      token: admin,
      body: {
        name: "Quillfeather Live at Wembley",
        type: "concert",
        venueId: venue.body.id,
        startsAt,
        onSaleAt: new Date(Date.now() - 3_600_000).toISOString(),
        stage: { label: "Stage" },
        sections: [
          { name: "Pitch Standing", priceCents: 8_950, rows: [{ label: "1", seats: 12 }] },
          { name: "Upper Tier", priceCents: 2_500, rows: [{ label: "1", seats: 12 }] },
        ],
      },
    });
    expect(event.status).to.equal(201);
    expect(event.body.event.currency).to.equal("GBP");
    eventId = event.body.event.id;
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await system?.stop();
    if (system) await dropDatabase(system.databaseUrl);
  });

  async function newYorkPage(): Promise<Page> {
    // The viewer's own zone is not London's: the page must not show their clock as the event's.
    const context = await newContext(browser, system.baseUrl, {
      timezoneId: "America/New_York",
      locale: "en-US",
    });
    return context.newPage();
  }

  it("search results show the London time, the price from in pounds and the seats left", async () => {
    await eventually(async () => {
      const answer = await system.request("GET", "/events/search?term=quillfeather");
      return answer.body.results?.length ? true : undefined;
    });
    const page = await newYorkPage();
    const errors = watchErrors(page);
    await page.goto(`/#/search?term=quillfeather`);
    const result = page.locator(".result").filter({ hasText: "Quillfeather Live at Wembley" });
    await result.waitFor();
    const text = (await result.textContent()) ?? "";
    expect(text).to.contain("20:00 BST, London time");
    expect(text).to.contain("From £25.00");
    expect(text).to.contain("24 seats left");
    expect(text).to.not.contain("$");
    expect(errors).to.deep.equal([]);
    await page.context().close();
  });

  it("the event page shows London time, section prices in pounds and the stage; checkout in pounds", async () => {
    const page = await newYorkPage();
    const errors = watchErrors(page);
    await signIn(page, "wembley-fan", `/events/${eventId}`);
    await page.locator("canvas.seat-map[data-rendered-seats]").waitFor();

    expect(await page.locator("#event-time").textContent()).to.match(/, 20:00 BST, London time$/);
    expect(await page.locator("#event-time").getAttribute("datetime")).to.equal(startsAt);
    const prices = page.locator("#section-prices li");
    expect(await prices.allTextContents()).to.deep.equal(["Pitch Standing £89.50", "Upper Tier £25.00"]);
    expect((await page.locator("#stage-marker").textContent())?.trim()).to.equal("Stage");

    const seat = await findSeatOfColor(page, cellColors.available);
    if (!seat) throw new Error("no available seat on the map");
    await page.locator("canvas.seat-map").click({ position: seat });
    await waitForText(page, "#selection-total", /^1 seat · £89\.50$/);
    await waitForText(page, "#seat-info", /£89\.50/);
    await screenshot(page, "wembley-gbp-london-time");

    await page.locator("#reserve").click();
    await page.getByRole("heading", { name: "Checkout" }).waitFor();
    await waitForText(page, "#checkout-seats", /£89\.50/);
    expect(await page.locator("#pay").textContent()).to.equal("Pay £89.50");
    expect(await page.locator("body").textContent()).to.not.contain("$");
    expect(errors).to.deep.equal([]);
    await page.context().close();
  });
});
