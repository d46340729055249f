// The waiting room in headless Chromium: a shopper is admitted and taken back to the seat map, where
// reserve sends the admission token; a second shopper waits with position and ETA and goes in
// automatically when the first one has bought; an invalid token gets a clear message; before the
// sale opens the page explains the lottery. Screenshots go to test-artifacts/screenshots/.
import { expect } from "chai";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { startSystem, dropDatabase, type TestSystem } from "../../support/system.ts";
import { createEventFixture } from "../../support/catalog.ts";
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
import { cellColors } from "../../../gateway/web/app/seatmap/palette.ts";

const sections = [{ name: "Pit", priceCents: 9_000, rows: [{ label: "1", seats: 10 }] }];

describe("web UI waiting room (headless Chromium)", function () {
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
  const hashOf = (page: Page): Promise<string> => page.evaluate(() => (globalThis as any).location.hash);

  before(async function () {
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

  it("admits one shopper at a time, each going straight back to the seat map", async function () {
    const fixture = await createEventFixture(system, {
      name: "Hot Sale",
      waitingRoom: { enabled: true, maxActiveShoppers: 1, admitPerMinute: 600 },
      extra: { sections },
    });
    const first = await newPage();
    const second = await newPage();
    const eventHash = `#/events/${fixture.eventId}`;

    // First shopper: the event page points to the waiting room; joining admits at once (capacity is free).
    await signIn(first, "first", `/events/${fixture.eventId}`);
    await first.locator("canvas.seat-map[data-rendered-seats]").waitFor();
    expect(await first.locator("#reserve").textContent()).to.equal("Join the waiting room to buy");
    await first.getByRole("link", { name: "Join the waiting room" }).first().click();
    await first.getByRole("heading", { name: "Waiting room" }).waitFor();
    await first.waitForFunction((hash) => (globalThis as any).location.hash === hash, eventHash, {
      timeout: 20_000,
    });
    await first.locator("canvas.seat-map[data-rendered-seats]").waitFor();

    // Second shopper waits behind them, with a position and an estimate.
    await signIn(second, "second", `/events/${fixture.eventId}/queue`);
    await waitForText(second, "#queue-position", /Your place in line: 1 \(you are next\)/, 20_000);
    await waitForText(second, "#queue-eta", /Estimated wait: /);
    await screenshot(second, "waiting-room");

    // The first shopper reserves with their admission token and buys.
    const reserveRequest = first.waitForRequest((request) => request.url().endsWith("/booking/reserve"));
    const seat = await findSeatOfColor(first, cellColors.available);
    await first.locator("canvas.seat-map").click({ position: seat! });
    await first.locator("#reserve").click();
    expect((await reserveRequest).headers()["x-admission-token"])
      .to.be.a("string")
      .and.not.equal("");
    await first.getByRole("heading", { name: "Checkout" }).waitFor();
    await first.locator("#pay").click();
    await first.getByRole("heading", { name: "Booking confirmed" }).waitFor({ timeout: 15_000 });

    // Now the second shopper is let in and taken to the seat map without doing anything.
    await second.waitForFunction((hash) => (globalThis as any).location.hash === hash, eventHash, {
      timeout: 30_000,
    });
    await second.locator("canvas.seat-map[data-rendered-seats]").waitFor();
    const reserved = second.waitForResponse((response) => response.url().endsWith("/booking/reserve"));
    const free = await findSeatOfColor(second, cellColors.available);
    await second.locator("canvas.seat-map").click({ position: free! });
    await second.locator("#reserve").click();
    expect((await reserved).status()).to.equal(200);
    await second.getByRole("heading", { name: "Checkout" }).waitFor();
    expect(await hashOf(second)).to.equal(`#/checkout/${fixture.eventId}`);
  });

  it("explains an admission that is not valid and offers the waiting room", async () => {
    const fixture = await createEventFixture(system, {
      name: "Guarded Sale",
      waitingRoom: { enabled: true },
      extra: { sections },
    });
    const page = await newPage();
    await signIn(page, "sneaky", `/events/${fixture.eventId}`);
    await page.locator("canvas.seat-map[data-rendered-seats]").waitFor();
    // A token that the server did not issue for this user and event.
    await page.evaluate((eventId) => {
      (globalThis as any).sessionStorage.setItem(
        `marquee.admission.${eventId}`,
        JSON.stringify({ sneaky: "forged.admission.token" }),
      );
    }, fixture.eventId);
    await page.reload();
    await page.locator("canvas.seat-map[data-rendered-seats]").waitFor();
    const seat = await findSeatOfColor(page, cellColors.available);
    await page.locator("canvas.seat-map").click({ position: seat! });
    await page.locator("#reserve").click();
    await waitForText(page, "#event-message", /waiting room/);
    expect(await page.locator("#event-message").getAttribute("data-code")).to.equal("ADMISSION_REQUIRED");
    await page.locator("#event-message").getByRole("link", { name: "Join the waiting room" }).waitFor();
    await screenshot(page, "event-admission-required");
  });

  it("explains the lottery to people who join before the sale opens", async () => {
    const fixture = await createEventFixture(system, {
      name: "Future Sale",
      onSaleAt: new Date(Date.now() + 86_400_000).toISOString(),
      waitingRoom: { enabled: true },
      extra: { sections },
    });
    const page = await newPage();
    await signIn(page, "early", `/events/${fixture.eventId}`);
    await page.locator("canvas.seat-map[data-rendered-seats]").waitFor();
    await page.getByRole("link", { name: "Join the waiting room" }).first().click();
    await waitForText(page, "#queue-position", /has not opened yet.*random place/, 15_000);
    await screenshot(page, "waiting-room-before-sale");
  });
});
