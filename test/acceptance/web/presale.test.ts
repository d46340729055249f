// A fan with a presale code (issue 18): before the general sale, the event page shows the presale
// window in the venue's zone and a code field; without a code or with a wrong one the page says why,
// with the right one best available holds seats and goes on to checkout.
import { expect } from "chai";
import type { Browser, Page } from "playwright-core";
import { startSystem, dropDatabase, type TestSystem } from "../../support/system.ts";
import {
  ensureWebBuilt,
  launchBrowser,
  newContext,
  screenshot,
  signIn,
  waitForText,
  watchErrors,
} from "../../support/browser.ts";

describe("web UI: a presale code on an event before its sale (headless Chromium)", function () {
  this.timeout(120_000);
  let system: TestSystem;
  let browser: Browser;
  let eventId: string;
  let code: string;

  before(async () => {
    await ensureWebBuilt();
    system = await startSystem();
    const admin = await system.token("admin-presale", "admin");
    const venue = await system.request("POST", "/admin/venues", {
      token: admin,
      body: {
        name: "Wembley Arena",
        city: "London",
        country: "United Kingdom",
        lat: 51.558,
        lng: -0.282,
        timeZone: "Europe/London",
      },
    });
    const event = await system.request("POST", "/admin/events", {
      token: admin,
      body: {
        name: "Fan Club Night",
        type: "concert",
        venueId: venue.body.id,
        startsAt: new Date(Date.now() + 30 * 86_400_000).toISOString(),
        onSaleAt: new Date(Date.now() + 2 * 86_400_000).toISOString(),
        sections: [{ name: "Floor", priceCents: 4_000, rows: [{ label: "1", seats: 10 }] }],
      },
    });
    eventId = event.body.event.id;
    const presale = await system.request("POST", `/admin/events/${eventId}/presales`, {
      token: admin,
      body: {
        name: "Fan club",
        startsAt: new Date(Date.now() - 60_000).toISOString(),
        endsAt: new Date(Date.now() + 3_600_000).toISOString(),
        codeCount: 1,
      },
    });
    expect(presale.status).to.equal(201);
    code = presale.body.codes[0];
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await system?.stop();
    if (system) await dropDatabase(system.databaseUrl);
  });

  async function newYorkPage(): Promise<Page> {
    const context = await newContext(browser, system.baseUrl, {
      timezoneId: "America/New_York",
      locale: "en-US",
    });
    return context.newPage();
  }

  it("shows the window in London time, explains a missing or wrong code, and holds seats with the right one", async () => {
    const page = await newYorkPage();
    const errors = watchErrors(page);
    await signIn(page, "club-fan", `/events/${eventId}`);
    await page.locator("#presale-notice:not([hidden])").waitFor();
    const notice = (await page.locator("#presale-notice").textContent()) ?? "";
    expect(notice).to.contain("Fan club: from");
    expect(notice).to.match(/London time/);
    await screenshot(page, "presale-notice");

    await page.locator("#best-available").click();
    await waitForText(page, "#event-message", /not on sale/);

    await page.getByLabel("Presale code").fill("AAAA-CCCC-DDDD-EE");
    await page.getByRole("button", { name: "Use code" }).click();
    await waitForText(page, "#presale-code-status", /will be sent/);
    await page.locator("#best-available").click();
    await waitForText(page, "#event-message", /presale code is not valid/);

    await page.getByLabel("Presale code").fill(code.toLowerCase());
    await page.getByRole("button", { name: "Use code" }).click();
    await page.locator("#best-available").click();
    await page.getByRole("heading", { name: "Checkout" }).waitFor();
    await screenshot(page, "presale-code-checkout");
    expect(errors).to.deep.equal([]);
    await page.context().close();
  });
});
