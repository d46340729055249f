// The web UI in headless Chromium against a real Marquee node: sign-in, search, the event page's seat
// map (drawn by section and row, legend), keyboard and pointer selection. Screenshots of each page go
// to test-artifacts/screenshots/.
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

describe("web UI pages (headless Chromium)", function () {
  this.timeout(60_000);
  let system: TestSystem;
  let browser: Browser;
  let fixture: EventFixture;
  let context: BrowserContext;
  let page: Page;
  let pageErrors: string[];

  before(async () => {
    await ensureWebBuilt();
    system = await startSystem();
    fixture = await createEventFixture(system, {
      name: "Lisbon Lights",
      extra: {
        sections: [
          {
            name: "Floor",
            priceCents: 5_000,
            rows: [
              { label: "A", seats: 12 },
              { label: "B", seats: 12 },
            ],
          },
          { name: "Balcony", priceCents: 3_000, rows: [{ label: "1", seats: 10 }] },
        ],
      },
    });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await system?.stop();
    if (system) await dropDatabase(system.databaseUrl);
  });
  beforeEach(async () => {
    context = await newContext(browser, system.baseUrl);
    page = await context.newPage();
    pageErrors = watchErrors(page);
  });
  afterEach(async () => {
    await context.close();
    expect(pageErrors, "uncaught errors in the page").to.deep.equal([]);
  });

  const openEvent = async () => {
    await page.goto(`/#/events/${fixture.eventId}`);
    await page.locator('canvas.seat-map[data-rendered-seats="34"]').waitFor();
  };

  it("signs in as a dev user, keeps the token across reloads and signs out", async () => {
    await page.goto("/");
    await page.getByRole("link", { name: "Sign in" }).click();
    await page.getByLabel("User id").fill("alice");
    await screenshot(page, "signin");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.locator("#signed-in-as").filter({ hasText: "Signed in as alice" }).waitFor();
    const token = await page.evaluate(() => (globalThis as any).localStorage.getItem("marquee.token"));
    expect(token).to.match(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    await page.reload();
    await page.locator("#signed-in-as").filter({ hasText: "alice" }).waitFor();
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByRole("link", { name: "Sign in" }).waitFor();
    expect(await page.evaluate(() => (globalThis as any).localStorage.getItem("marquee.token"))).to.equal(
      null,
    );
  });

  it("refuses a malformed user id with a clear message", async () => {
    await page.goto("/#/signin");
    await page.getByLabel("User id").fill("not a valid id!");
    await page.getByRole("button", { name: "Sign in" }).click();
    await waitForText(page, "#signin-message", /letters, digits/);
    expect(await page.locator("#signed-in-as").count()).to.equal(0);
  });

  it("searches with term, location, date and type from labelled fields", async () => {
    await page.goto("/");
    await page.getByLabel("What").fill("Lisbon Lights");
    await page.getByLabel("Where").fill("Lisbon");
    await page.getByLabel("When").fill("2030-01-02");
    await page.getByLabel("Type").selectOption("concert");
    const searched = page.waitForRequest((request) => request.url().includes("/events/search?"));
    await page.getByRole("button", { name: "Search" }).click();
    const url = new URL((await searched).url());
    expect(Object.fromEntries(url.searchParams)).to.include({
      term: "Lisbon Lights",
      location: "Lisbon",
      date: "2030-01-02",
      type: "concert",
    });
    expect(await page.evaluate(() => (globalThis as any).location.hash)).to.contain("term=Lisbon+Lights");
    // Either an answer (results or none) or a clear message: never a silent blank page.
    await page.waitForFunction(() => {
      const document = (globalThis as any).document;
      return (
        document.querySelector("#search-summary")?.textContent ||
        !document.querySelector("#search-message")?.hidden
      );
    });
    await screenshot(page, "search");
  });

  it("finds the event by term and location and opens it from the results", async function () {
    // The index follows the database by change data capture: allow it a few seconds to catch up.
    let found = false;
    for (let attempt = 0; attempt < 30 && !found; attempt += 1) {
      await page.goto(
        `/#/search?term=${encodeURIComponent("lisbon lights")}&location=Lisbon&attempt=${attempt}`,
      );
      await page.waitForFunction(() => {
        const document = (globalThis as any).document;
        return (
          document.querySelector("#search-summary")?.textContent ||
          !document.querySelector("#search-message")?.hidden
        );
      });
      found = (await page.locator("#search-results a", { hasText: "Lisbon Lights" }).count()) > 0;
      if (!found) await page.waitForTimeout(500);
    }
    expect(found, "the event appears in the results").to.equal(true);
    await waitForText(page, "#search-results", /Test Arena, Lisbon, Portugal/);
    await screenshot(page, "search-results");
    await page.locator("#search-results a", { hasText: "Lisbon Lights" }).first().click();
    await page.locator('canvas.seat-map[data-rendered-seats="34"]').waitFor();
  });

  it("draws the seat map by section and row with a legend, without a DOM node per seat", async () => {
    await openEvent();
    await page.getByRole("heading", { name: "Lisbon Lights" }).waitFor();
    expect(await legendCount(page, "available")).to.equal(34);
    expect(await legendCount(page, "reserved")).to.equal(0);
    expect(await legendCount(page, "booked")).to.equal(0);
    expect(await legendCount(page, "mine")).to.equal(0);
    const legend = await page.getByRole("list", { name: "Seat map legend" }).textContent();
    for (const label of ["Available", "Reserved", "Booked", "Mine"]) expect(legend).to.contain(label);
    expect(await findSeatOfColor(page, cellColors.available)).to.not.equal(null);
    expect(await findSeatOfColor(page, cellColors.reserved)).to.equal(null);
    const nodes = await page.evaluate(() => (globalThis as any).document.querySelectorAll("*").length);
    expect(nodes).to.be.below(300);
    await screenshot(page, "event");
  });

  it("moves a focus cursor with the arrow keys and toggles seats with Space and Enter", async () => {
    await signIn(page, "bob", `/events/${fixture.eventId}`);
    await page.locator('canvas.seat-map[data-rendered-seats="34"]').waitFor();
    const map = page.getByRole("application", { name: /Seats for Lisbon Lights/ });
    await map.focus();
    await waitForText(page, "#seat-cursor", /^Floor, row A, seat 1, €50\.00, available$/);
    await page.keyboard.press("ArrowRight");
    await waitForText(page, "#seat-cursor", /^Floor, row A, seat 2,/);
    await page.keyboard.press("Space");
    await waitForText(page, "#selection", /Floor, row A, seat 2/);
    await waitForText(page, "#live-status", /Selected Floor, row A, seat 2\. 1 seat selected/);
    await page.keyboard.press("ArrowDown");
    await waitForText(page, "#seat-cursor", /^Floor, row B, seat 2,/);
    await page.keyboard.press("Enter");
    await waitForText(page, "#selection-total", /2 seats · €100\.00/);
    expect(await page.locator("#reserve").textContent()).to.equal("Reserve 2 seats");
    await page.keyboard.press("End");
    await waitForText(page, "#seat-cursor", /^Floor, row B, seat 12,/);
    await page.keyboard.press("ArrowRight");
    await waitForText(page, "#seat-cursor", /^Balcony, row 1, seat 1, €30\.00, available$/);
    await page.keyboard.press("PageUp");
    await waitForText(page, "#seat-cursor", /^Floor, row A, seat 1,/);
    await page.keyboard.press("ArrowDown");
    await page.keyboard.press("ArrowRight");
    await waitForText(page, "#seat-cursor", /^Floor, row B, seat 2, €50\.00, selected$/);
    await page.keyboard.press(" ");
    await waitForText(page, "#live-status", /Unselected Floor, row B, seat 2/);
    expect(await legendCount(page, "selected")).to.equal(1);
    // The selection's controls are labelled buttons.
    await page.getByRole("button", { name: "Remove Floor, row A, seat 2" }).click();
    expect(await legendCount(page, "selected")).to.equal(0);
    await screenshot(page, "event-keyboard");
  });

  it("selects a seat with the pointer by hit-testing the canvas", async () => {
    await openEvent();
    const map = page.locator("canvas.seat-map");
    const seat = await findSeatOfColor(page, cellColors.available);
    expect(seat).to.not.equal(null);
    await map.click({ position: seat! });
    await page.waitForFunction(() => (globalThis as any).document.querySelector("#selection li:not(.empty)"));
    // Repainted on the next frame: the same cell now has the "selected" colour.
    await page.waitForTimeout(50);
    expect(await colorAt(page, seat!)).to.equal(cellColors.selected);
    expect(await legendCount(page, "selected")).to.equal(1);
    await map.click({ position: seat! });
    await page.waitForTimeout(50);
    expect(await colorAt(page, seat!)).to.equal(cellColors.available);
  });

  it("sends a signed-out visitor to sign in, then back to the event", async () => {
    await openEvent();
    await page
      .locator("canvas.seat-map")
      .click({ position: (await findSeatOfColor(page, cellColors.available))! });
    const reserve = page.locator("#reserve");
    expect(await reserve.textContent()).to.equal("Sign in to reserve");
    await reserve.click();
    await page.getByLabel("User id").fill("carol");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.locator('canvas.seat-map[data-rendered-seats="34"]').waitFor();
    expect(await page.evaluate(() => (globalThis as any).location.hash)).to.equal(
      `#/events/${fixture.eventId}`,
    );
  });

  it("gives every control on every page an accessible name", async () => {
    const unnamed =
      /^\s*- (button|link|textbox|searchbox|combobox|radio|checkbox|application|spinbutton)(\s*\[[^\]]*\])*:?\s*$/;
    await signIn(page, "erin", "/");
    for (const path of [
      "/",
      "/signin",
      `/events/${fixture.eventId}`,
      "/bookings",
      `/checkout/${fixture.eventId}`,
    ]) {
      await page.goto(`/#${path}`);
      await page.waitForTimeout(300);
      if (path.startsWith("/events/")) await page.locator("canvas.seat-map[data-rendered-seats]").waitFor();
      const tree = await page.locator("body").ariaSnapshot();
      const offenders = tree.split("\n").filter((line) => unnamed.test(line));
      expect(offenders, `${path}:\n${tree}`).to.deep.equal([]);
    }
  });

  it("shows a clear page for an unknown event and for an unknown address", async () => {
    await page.goto("/#/events/ev_doesnotexist");
    await waitForText(page, "#event-message", /could not find/);
    await page.goto("/#/no/such/page");
    await page.getByRole("heading", { name: "Page not found" }).waitFor();
  });

  it("sends signed-out visitors of my bookings to sign in, and shows checkout without a hold", async () => {
    await page.goto("/#/bookings");
    await page.getByRole("heading", { name: "Sign in" }).waitFor();
    await signIn(page, "dave", `/checkout/${fixture.eventId}`);
    await waitForText(page, "#no-hold", /no seats on hold/);
  });
});
