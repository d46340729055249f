// A 100,000-seat map in headless Chromium from the layout and the compact form (issue 15): the page
// asks for `GET /events/:id?format=compact` and `/layout`, never the Ticket list, paints every seat on
// one canvas with the statuses the server has, and follows deltas. Figures (bytes, load, draw) are
// printed, not asserted.
import { expect } from "chai";
import type { Browser } from "playwright-core";
import { startSystem, dropDatabase, type TestSystem } from "../../support/system.ts";
import { createEventFixture, type EventFixture } from "../../support/catalog.ts";
import {
  ensureWebBuilt,
  launchBrowser,
  legendCount,
  newContext,
  watchErrors,
} from "../../support/browser.ts";

const sections = Array.from({ length: 20 }, (_, section) => ({
  name: `Stand ${String(section + 1)}`,
  priceCents: 3_000 + section * 250,
  rows: Array.from({ length: 50 }, (_, row) => ({ label: String(row + 1), seats: 100 })),
}));

describe("web UI with a 100,000-seat map from the compact form (headless Chromium)", function () {
  this.timeout(180_000);
  let system: TestSystem;
  let browser: Browser;
  let fixture: EventFixture;

  before(async () => {
    await ensureWebBuilt();
    system = await startSystem();
    fixture = await createEventFixture(system, { name: "Hundred Thousand", extra: { sections } });
    expect(fixture.ticketIds).to.have.length(100_000);
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await system?.stop();
    if (system) await dropDatabase(system.databaseUrl);
  });

  it("loads layout + compact map, paints 100,000 seats with the server's statuses, follows deltas", async () => {
    const fan = await system.token("compact-fan");
    const held = [fixture.ticketIds[0], fixture.ticketIds[54_321]];
    expect(
      (await system.request("POST", "/booking/reserve", { token: fan, body: { ticketIds: held } })).status,
    ).to.equal(200);

    const context = await newContext(browser, system.baseUrl);
    const page = await context.newPage();
    const errors = watchErrors(page);
    const seatRequests: { url: string; bytes: number }[] = [];
    page.on("response", async (response) => {
      if (!/\/events\//.test(response.url())) return;
      const sizes = await response
        .request()
        .sizes()
        .catch(() => null);
      seatRequests.push({ url: response.url(), bytes: sizes?.responseBodySize ?? -1 });
    });
    const startedMs = Date.now();
    await page.goto(`/#/events/${fixture.eventId}`);
    await page.locator('canvas.seat-map[data-rendered-seats="100000"]').waitFor({ timeout: 120_000 });
    const loadMs = Date.now() - startedMs;
    expect(await legendCount(page, "reserved")).to.equal(2);
    expect(await legendCount(page, "available")).to.equal(99_998);
    const renderMs = await page.locator("canvas.seat-map").getAttribute("data-render-ms");

    const paths = seatRequests.map((request) => new URL(request.url).pathname + new URL(request.url).search);
    expect(paths).to.include(`/events/${fixture.eventId}?format=compact`);
    expect(paths).to.include(`/events/${fixture.eventId}/layout`);
    expect(
      paths.filter((path) => path.endsWith("/tickets") || path === `/events/${fixture.eventId}`),
    ).to.deep.equal([]);

    // A delta repaints: one more hold shows without a reload.
    await page.locator('#live-indicator[data-state="live"]').waitFor();
    const other = await system.token("compact-other");
    const answer = await system.request("POST", "/booking/reserve", {
      token: other,
      body: { ticketId: fixture.ticketIds[99_999] },
    });
    expect(answer.status).to.equal(200);
    await page.waitForFunction(
      () =>
        (globalThis as any).document.querySelector('.legend .count[data-kind="reserved"]')?.textContent ===
        "3",
      undefined,
      { timeout: 30_000 },
    );
    console.log(
      `      100,000 seats: page to drawn map ${loadMs} ms, full canvas draw ${renderMs} ms; ` +
        seatRequests
          .map((request) => `${new URL(request.url).pathname.split("/").pop()} ${request.bytes} B`)
          .join(", "),
    );
    await context.close();
    expect(errors).to.deep.equal([]);
  });
});
