// The booking flows in headless Chromium against a real Marquee node (booking core, real-time):
// two shoppers see each other's reservations live, a full purchase with every dev payment token,
// seat taken while the live connection is down, hold expiry, and rate limiting with Retry-After.
// Screenshots of checkout, confirmation and my bookings go to test-artifacts/screenshots/.
import { expect } from "chai";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { startSystem, dropDatabase, type TestSystem } from "../../support/system.ts";
import { createEventFixture, type EventFixture } from "../../support/catalog.ts";
import {
  colorAt,
  ensureWebBuilt,
  findSeatOfColor,
  launchBrowser,
  legendCount,
  newContext,
  screenshot,
  signIn,
  waitForText,
  watchErrors,
} from "../../support/browser.ts";
import { cellColors } from "../../../gateway/web/app/seatmap/palette.ts";

const sections = [
  {
    name: "Floor",
    priceCents: 5_000,
    rows: [
      { label: "A", seats: 10 },
      { label: "B", seats: 10 },
    ],
  },
  { name: "Balcony", priceCents: 3_000, rows: [{ label: "1", seats: 10 }] },
];

async function openEvent(page: Page, eventId: string, userId: string | null): Promise<void> {
  if (userId) await signIn(page, userId, `/events/${eventId}`);
  else await page.goto(`/#/events/${eventId}`);
  await page.locator("canvas.seat-map[data-rendered-seats]").waitFor();
}

async function waitUntilLive(page: Page): Promise<void> {
  await page.locator('#live-indicator[data-state="live"]').waitFor();
}

/** Clicks the first available seat and returns where it is on the canvas. */
async function pickSeat(page: Page): Promise<{ x: number; y: number }> {
  const seat = await findSeatOfColor(page, cellColors.available);
  if (!seat) throw new Error("no available seat on the map");
  await page.locator("canvas.seat-map").click({ position: seat });
  await page.waitForFunction(() => (globalThis as any).document.querySelector("#selection li:not(.empty)"));
  return seat;
}

async function reserveAndCheckout(page: Page): Promise<void> {
  await page.locator("#reserve").click();
  await page.getByRole("heading", { name: "Checkout" }).waitFor();
}

async function pay(page: Page, token: string): Promise<void> {
  await page.locator(`input[name="token"][value="${token}"]`).check();
  await page.locator("#pay").click();
}

const tokenOf = (page: Page): Promise<string> =>
  page.evaluate(() => (globalThis as any).localStorage.getItem("marquee.token"));

describe("web UI booking flows (headless Chromium)", function () {
  this.timeout(90_000);
  let system: TestSystem;
  let browser: Browser;
  let contexts: BrowserContext[] = [];
  let errors: string[][] = [];

  const newPage = async (): Promise<Page> => {
    const context = await newContext(browser, system.baseUrl);
    contexts.push(context);
    const page = await context.newPage();
    errors.push(watchErrors(page));
    return page;
  };

  before(async () => {
    await ensureWebBuilt();
    system = await startSystem();
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await system?.stop();
    if (system) await dropDatabase(system.databaseUrl);
  });
  afterEach(async () => {
    for (const context of contexts) await context.close();
    contexts = [];
    expect(errors.flat(), "uncaught errors in the pages").to.deep.equal([]);
    errors = [];
  });

  it("shows a seat reserved in one browser as reserved in another within a second", async function () {
    const fixture = await createEventFixture(system, { name: "Two Browsers", extra: { sections } });
    const alice = await newPage();
    const bob = await newPage();
    await openEvent(alice, fixture.eventId, "alice");
    await openEvent(bob, fixture.eventId, "bob");
    await Promise.all([waitUntilLive(alice), waitUntilLive(bob)]);
    const seat = await pickSeat(alice);
    const reserved = alice.waitForResponse((response) => response.url().endsWith("/booking/reserve"));
    await alice.locator("#reserve").click();
    expect((await reserved).status()).to.equal(200);
    const answeredMs = Date.now();
    // Same viewport, same layout: the seat is at the same place on Bob's canvas.
    await bob.waitForFunction(
      () =>
        (globalThis as any).document.querySelector('.legend .count[data-kind="reserved"]')?.textContent ===
        "1",
      undefined,
      { timeout: 1_000 },
    );
    const seenMs = Date.now() - answeredMs;
    await bob.waitForTimeout(50); // the repaint is on the next animation frame
    expect(await colorAt(bob, seat)).to.equal(cellColors.reserved);
    expect(await legendCount(bob, "available")).to.equal(29);
    console.log(`      the other browser saw the reservation ${seenMs} ms after the reserve answer`);
    // Alice sees it as hers.
    await alice.getByRole("heading", { name: "Checkout" }).waitFor();
    await alice.goBack();
    await alice.locator("canvas.seat-map[data-rendered-seats]").waitFor();
    await alice.waitForFunction(
      () =>
        (globalThis as any).document.querySelector('.legend .count[data-kind="mine"]')?.textContent === "1",
    );
    expect(await colorAt(alice, seat)).to.equal(cellColors.mine);
    await screenshot(bob, "event-live-reserved");

    // Alice pays; Bob sees the seat turn booked.
    await alice.locator("#hold-notice a").click();
    await alice.locator("#pay").click();
    await alice.getByRole("heading", { name: "Booking confirmed" }).waitFor({ timeout: 15_000 });
    await bob.waitForFunction(
      () =>
        (globalThis as any).document.querySelector('.legend .count[data-kind="booked"]')?.textContent === "1",
    );
    await bob.waitForTimeout(50);
    expect(await colorAt(bob, seat)).to.equal(cellColors.booked);
  });

  it("buys a seat end to end: checkout with countdown, payment, confirmation and my bookings", async function () {
    const fixture = await createEventFixture(system, { name: "Full Purchase", extra: { sections } });
    const buyer = await newPage();
    await openEvent(buyer, fixture.eventId, "buyer");
    await pickSeat(buyer);
    await reserveAndCheckout(buyer);
    await waitForText(buyer, "#countdown", /held for \d+:\d\d/);
    await waitForText(buyer, "#checkout-seats", /Floor, row A, seat 1 · €50\.00/);
    await screenshot(buyer, "checkout");

    const keys: string[] = [];
    buyer.on("request", (request) => {
      if (request.url().endsWith("/booking/confirm")) keys.push(request.headers()["idempotency-key"]);
    });
    // Declined: the message says so, the hold is kept, and Pay works again with another card.
    await pay(buyer, "tok_decline");
    await waitForText(buyer, "#checkout-message", /declined/);
    expect(await buyer.locator("#pay").isEnabled()).to.equal(true);
    // Slow: the page says it is processing, then confirms.
    await pay(buyer, "tok_slow");
    await waitForText(buyer, "#checkout-message", /Processing/);
    await buyer.getByRole("heading", { name: "Booking confirmed" }).waitFor({ timeout: 15_000 });
    expect(keys).to.have.length(2);
    expect(keys[0]).to.match(/^[0-9a-f]{32}$/);
    expect(keys[1]).to.not.equal(keys[0]);
    await waitForText(buyer, ".booking .seats", /Floor, row A, seat 1/);
    await waitForText(buyer, ".booking .amount", /€50\.00/);
    expect(await buyer.locator(".booking-status").textContent()).to.equal("confirmed");
    await screenshot(buyer, "confirmation");

    await buyer.getByRole("link", { name: "My bookings" }).first().click();
    // The confirmation page shows a `.booking` too: wait for the list's own.
    await buyer.locator("#bookings .booking").first().waitFor();
    expect(await buyer.locator("#bookings .booking").count()).to.equal(1);
    await waitForText(buyer, "#bookings", /Full Purchase/);
    await screenshot(buyer, "bookings");
  });

  it("lets the engine pick the best seats and goes to checkout with them", async function () {
    const fixture = await createEventFixture(system, { name: "Best Available", extra: { sections } });
    const page = await newPage();
    await openEvent(page, fixture.eventId, "picky");
    await page.getByLabel("Number of seats for best available").selectOption("2");
    await page.getByLabel("Section for best available").selectOption("Floor");
    const answer = page.waitForResponse((response) => response.url().endsWith("/booking/reserve"));
    await page.getByRole("button", { name: "Find best seats" }).click();
    const response = await answer;
    expect(response.status()).to.equal(200);
    await page.getByRole("heading", { name: "Checkout" }).waitFor();
    // Two side by side in the first row of the first section, nearest its middle (seats 5 and 6 of 10).
    await waitForText(
      page,
      "#checkout-seats",
      /Floor, row A, seat 5 .*Floor, row A, seat 6|Floor, row A, seat 6 .*Floor, row A, seat 5/s,
    );
  });

  it("explains a payment that was captured and then refunded", async function () {
    const fixture = await createEventFixture(system, { name: "Refund", extra: { sections } });
    const page = await newPage();
    await openEvent(page, fixture.eventId, "refundee");
    await pickSeat(page);
    await reserveAndCheckout(page);
    await pay(page, "tok_fail_after_capture");
    await waitForText(page, "#checkout-message", /refunded/, 15_000);
    expect(await page.locator("#checkout-message").getAttribute("data-code")).to.equal("PAYMENT_REFUNDED");
    await screenshot(page, "checkout-refunded");
  });

  it("says which seat was taken when the live connection was down and the reserve is refused", async function () {
    const fixture = await createEventFixture(system, { name: "Seat Taken", extra: { sections } });
    const page = await newPage();
    // This browser cannot reach the real-time endpoint (as behind a proxy that drops it): the page
    // falls back to polling and can be out of date when its user presses Reserve.
    await page.context().route("**/socket.io/**", (route) => route.abort());
    await openEvent(page, fixture.eventId, "late");
    await page.locator('#live-indicator[data-state="polling"]').waitFor();
    await pickSeat(page);
    const rival = await system.token("rival");
    const taken = await system.request("POST", "/booking/reserve", {
      token: rival,
      body: { ticketId: fixture.ticketIds[0] },
    });
    expect(taken.status).to.equal(200);
    await page.locator("#reserve").click();
    await waitForText(page, "#event-message", /Seat Floor, row A, seat 1 was just taken by someone else/);
    expect(await legendCount(page, "selected")).to.equal(0);
    await screenshot(page, "event-seat-taken");
  });
});

describe("web UI hold expiry (headless Chromium)", function () {
  this.timeout(60_000);
  let system: TestSystem;
  let browser: Browser;
  let fixture: EventFixture;

  before(async function () {
    await ensureWebBuilt();
    system = await startSystem({ env: { HOLD_TTL_SECONDS: "3" } });
    fixture = await createEventFixture(system, { name: "Short Holds", extra: { sections } });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await system?.stop();
    if (system) await dropDatabase(system.databaseUrl);
  });

  it("counts the hold down and says when it has expired", async () => {
    const context = await newContext(browser, system.baseUrl);
    const page = await context.newPage();
    const errors = watchErrors(page);
    await openEvent(page, fixture.eventId, "slowpoke");
    await pickSeat(page);
    await reserveAndCheckout(page);
    await waitForText(page, "#countdown-clock", /^0:0[0-3]$/);
    await waitForText(page, "#checkout-message", /hold has expired/, 8_000);
    expect(await page.locator("#pay").isDisabled()).to.equal(true);
    await screenshot(page, "checkout-expired");
    // Back on the map the seat is free again (the lapse is a delta like any other).
    await page.getByRole("link", { name: "Choose seats again" }).click();
    await page.locator("canvas.seat-map[data-rendered-seats]").waitFor();
    await page.waitForFunction(
      () =>
        (globalThis as any).document.querySelector('.legend .count[data-kind="reserved"]')?.textContent ===
        "0",
    );
    await context.close();
    expect(errors).to.deep.equal([]);
  });
});

describe("web UI under a rate limit (headless Chromium)", function () {
  this.timeout(60_000);
  let system: TestSystem;
  let browser: Browser;
  let fixture: EventFixture;

  before(async () => {
    await ensureWebBuilt();
    // A budget that loading the page fits in, over a window longer than the test.
    system = await startSystem({ env: { RATE_LIMIT_PER_WINDOW: "40", RATE_LIMIT_WINDOW_MS: "60000" } });
    fixture = await createEventFixture(system, { name: "Rate Limited", extra: { sections } });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await system?.stop();
    if (system) await dropDatabase(system.databaseUrl);
  });

  it("tells the user when they are rate limited and holds the button for Retry-After", async () => {
    const context = await newContext(browser, system.baseUrl);
    const page = await context.newPage();
    const errors = watchErrors(page);
    await openEvent(page, fixture.eventId, "hasty");
    await pickSeat(page);
    // Use up this user's budget from outside the page, then press Reserve.
    const token = await tokenOf(page);
    let status = 200;
    for (let attempt = 0; attempt < 1_000 && status !== 429; attempt += 1) {
      status = (await system.request("GET", "/bookings", { token })).status;
    }
    expect(status).to.equal(429);
    await page.locator("#reserve").click();
    await waitForText(page, "#event-message", /Too many requests/);
    await waitForText(page, "#reserve", /wait \d+ s/);
    expect(await page.locator("#reserve").isDisabled()).to.equal(true);
    await screenshot(page, "event-rate-limited");
    await context.close();
    expect(errors).to.deep.equal([]);
  });
});
