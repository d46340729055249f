// A fan on a sold-out event (issue 18): the event page offers "Join the waiting list"; once joined it
// shows the place; a seat that comes back is offered live (the Socket.IO `waitlist` push, no reload)
// with its countdown and a button to pay that goes on to checkout with the offered seat.
import { expect } from "chai";
import type { Browser } from "playwright-core";
import { startSystem, dropDatabase, type TestSystem } from "../../support/system.ts";
import { createEventFixture, type EventFixture } from "../../support/catalog.ts";
import {
  ensureWebBuilt,
  launchBrowser,
  newContext,
  screenshot,
  signIn,
  waitForText,
  watchErrors,
} from "../../support/browser.ts";

describe("web UI: the waiting list of a sold-out event (headless Chromium)", function () {
  this.timeout(120_000);
  let system: TestSystem;
  let browser: Browser;
  let fixture: EventFixture;
  let holder: string;

  before(async () => {
    await ensureWebBuilt();
    system = await startSystem();
    fixture = await createEventFixture(system, { seats: 2, name: "Last Two Seats" });
    holder = await system.token("holder");
    const held = await system.request("POST", "/booking/reserve", {
      token: holder,
      body: { ticketIds: fixture.ticketIds },
    });
    expect(held.status).to.equal(200);
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await system?.stop();
    if (system) await dropDatabase(system.databaseUrl);
  });

  it("joins, is offered a returned seat live with a countdown, and pays for it at checkout", async () => {
    const context = await newContext(browser, system.baseUrl);
    const page = await context.newPage();
    const errors = watchErrors(page);
    await signIn(page, "waiting-fan", `/events/${fixture.eventId}`);
    await page.locator("#waitlist:not([hidden])").waitFor();
    await page.getByLabel("Seats wanted").selectOption("1");
    await page.getByRole("button", { name: "Join the waiting list" }).click();
    await waitForText(page, "#waitlist-status", /number 1 on the waiting list/);
    await screenshot(page, "waitlist-waiting");

    const released = await system.request("POST", "/booking/release", {
      token: holder,
      body: { ticketIds: [fixture.ticketIds[1]] },
    });
    expect(released.status).to.equal(200);
    await waitForText(page, "#waitlist-status", /1 seat is held for you/);
    expect((await page.locator("#waitlist-countdown").textContent()) ?? "").to.match(/^\d+:\d\d$/);
    await screenshot(page, "waitlist-offer");
    await page.getByRole("button", { name: "Pay for these seats" }).click();
    await page.getByRole("heading", { name: "Checkout" }).waitFor();
    expect(errors).to.deep.equal([]);
    await context.close();
  });
});
