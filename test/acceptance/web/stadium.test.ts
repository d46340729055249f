// A 50,000-seat stadium in headless Chromium: the map is drawn once on one canvas (no DOM per seat)
// and the keyboard cursor still moves at once. Figures (load, draw, key-to-announcement) are printed,
// not asserted: tests assert behaviour, never wall-clock speed.
import { expect } from "chai";
import type { Browser } from "playwright-core";
import { startSystem, dropDatabase, type TestSystem } from "../../support/system.ts";
import { createEventFixture, type EventFixture } from "../../support/catalog.ts";
import {
  ensureWebBuilt,
  launchBrowser,
  legendCount,
  newContext,
  screenshot,
  waitForText,
  watchErrors,
} from "../../support/browser.ts";

export const stadiumSections = Array.from({ length: 20 }, (_, section) => ({
  name: `Block ${String(section + 101)}`,
  priceCents: 4_000 + section * 500,
  rows: Array.from({ length: 50 }, (_, row) => ({ label: String(row + 1), seats: 50 })),
}));

describe("web UI with a 50,000-seat stadium (headless Chromium)", function () {
  this.timeout(120_000);
  let system: TestSystem;
  let browser: Browser;
  let fixture: EventFixture;

  before(async () => {
    await ensureWebBuilt();
    system = await startSystem();
    fixture = await createEventFixture(system, {
      name: "Stadium Night",
      extra: { sections: stadiumSections },
    });
    expect(fixture.ticketIds).to.have.length(50_000);
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await system?.stop();
    if (system) await dropDatabase(system.databaseUrl);
  });

  it("renders all 50,000 seats on one canvas and keeps keyboard navigation immediate", async () => {
    const context = await newContext(browser, system.baseUrl);
    const page = await context.newPage();
    const errors = watchErrors(page);
    const startedMs = Date.now();
    await page.goto(`/#/events/${fixture.eventId}`);
    await page.locator('canvas.seat-map[data-rendered-seats="50000"]').waitFor({ timeout: 60_000 });
    const loadMs = Date.now() - startedMs;
    expect(await legendCount(page, "available")).to.equal(50_000);
    const nodes = await page.evaluate(() => (globalThis as any).document.querySelectorAll("*").length);
    expect(nodes).to.be.below(300);
    const renderMs = Number(await page.locator("canvas.seat-map").getAttribute("data-render-ms"));

    await page.getByRole("application", { name: /Seats for Stadium Night/ }).focus();
    await waitForText(page, "#seat-cursor", /^Block 101, row 1, seat 1,/);
    const keyStartedMs = Date.now();
    await page.keyboard.press("PageDown");
    await waitForText(page, "#seat-cursor", /^Block 102, row 1, seat 1,/);
    await page.keyboard.press("End");
    await waitForText(page, "#seat-cursor", /^Block 102, row 1, seat 50,/);
    await page.keyboard.press("ArrowDown");
    await waitForText(page, "#seat-cursor", /^Block 102, row 2, seat 50,/);
    await page.keyboard.press("Space");
    await waitForText(page, "#selection", /Block 102, row 2, seat 50/);
    const keysMs = Date.now() - keyStartedMs;
    expect(await legendCount(page, "selected")).to.equal(1);
    await screenshot(page, "stadium");
    console.log(
      `      50,000 seats: page to drawn map ${loadMs} ms, full canvas draw ${renderMs} ms, ` +
        `4 keys to announcements ${keysMs} ms, ${nodes} DOM nodes`,
    );
    await context.close();
    expect(errors).to.deep.equal([]);
  });

  it("repaints only the seats that deltas change while the cursor keeps moving", async function () {
    const context = await newContext(browser, system.baseUrl);
    const page = await context.newPage();
    const errors = watchErrors(page);
    await page.goto(`/#/events/${fixture.eventId}`);
    await page.locator('canvas.seat-map[data-rendered-seats="50000"]').waitFor({ timeout: 60_000 });
    await page.locator('#live-indicator[data-state="live"]').waitFor();
    const canvas = page.locator("canvas.seat-map");
    const fullRenders = await canvas.getAttribute("data-full-renders");

    // The keyboard user first: on focus the cursor goes to the first available seat, which the
    // shoppers below would otherwise race for.
    await page.getByRole("application", { name: /Seats for Stadium Night/ }).focus();
    await waitForText(page, "#seat-cursor", /^Block 101, row 1, seat 1,/);
    // 40 shoppers reserve 10 seats each, spread over the stadium, while the keyboard user moves around.
    const shoppers = await Promise.all(
      Array.from({ length: 40 }, (_, index) => system.token(`fan-${index}`)),
    );
    const reserving = Promise.all(
      shoppers.map(async (token, shopper) => {
        const ticketIds = Array.from({ length: 10 }, (_, seat) => fixture.ticketIds[shopper * 1_237 + seat]);
        const answer = await system.request("POST", "/booking/reserve", { token, body: { ticketIds } });
        expect(answer.status).to.equal(200);
      }),
    );
    for (let step = 0; step < 20; step += 1) await page.keyboard.press("ArrowRight");
    await waitForText(page, "#seat-cursor", /^Block 101, row 1, seat 21,/);
    const startedMs = Date.now();
    await reserving;
    await page.waitForFunction(
      () =>
        (globalThis as any).document.querySelector('.legend .count[data-kind="reserved"]')?.textContent ===
        "400",
      undefined,
      { timeout: 30_000 },
    );
    console.log(
      `      400 reservations on the 50,000-seat map shown ${Date.now() - startedMs} ms after the last answer`,
    );
    expect(await canvas.getAttribute("data-full-renders")).to.equal(fullRenders);
    const cellDraws = Number(await canvas.getAttribute("data-cell-draws"));
    expect(cellDraws).to.be.within(400, 1_000); // the changed cells and the cursor's, not 50,000
    await context.close();
    expect(errors).to.deep.equal([]);
  });
});
