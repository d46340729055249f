// E-tickets in the web UI (headless Chromium): a confirmed booking's tickets on the bookings page and
// on its confirmation page, each with its seat and its QR code, fetched with the owner's token; the
// image shown is the QR code of that ticket's signed code. Screenshot in test-artifacts/screenshots/.
import { expect } from "chai";
import type { Browser, Page } from "playwright-core";
import QRCode from "qrcode";
import { dropDatabase, startSystem, type TestSystem } from "../../support/system.ts";
import { createEventFixture } from "../../support/catalog.ts";
import {
  ensureWebBuilt,
  launchBrowser,
  newContext,
  screenshot,
  signIn,
  watchErrors,
} from "../../support/browser.ts";

describe("web UI e-tickets (headless Chromium)", function () {
  this.timeout(90_000);
  let system: TestSystem;
  let browser: Browser;
  let booking: any;

  before(async () => {
    await ensureWebBuilt();
    system = await startSystem();
    browser = await launchBrowser();
    const fixture = await createEventFixture(system, { seats: 10, name: "QR Night" });
    const token = await system.token("ticket-holder");
    const ticketIds = fixture.ticketIds.slice(2, 4);
    expect(
      (await system.request("POST", "/booking/reserve", { token, body: { ticketIds } })).status,
    ).to.equal(200);
    const confirmed = await system.request("POST", "/booking/confirm", {
      token,
      body: { ticketIds, paymentDetails: { token: "tok_ok" } },
      headers: { "Idempotency-Key": "qr-night-0001" },
    });
    expect(confirmed.status).to.equal(201);
    booking = (await system.request("GET", `/bookings/${confirmed.body.booking.id}`, { token })).body;
  });
  after(async () => {
    await browser?.close();
    await system?.stop();
    if (system) await dropDatabase(system.databaseUrl);
  });

  /** The tickets shown: seat label, and the QR image's SVG text once it has loaded. */
  async function shownTickets(page: Page) {
    await page.waitForFunction((count) => {
      const images = [...(globalThis as any).document.querySelectorAll(".ticket img.ticket-qr")];
      return (
        images.length === count && images.every((image: any) => image.complete && image.naturalWidth > 0)
      );
    }, booking.tickets.length);
    return page.$$eval(".ticket", (cards: any[]) =>
      cards.map((card) => ({
        ticketId: card.dataset.ticketId,
        seat: card.querySelector(".ticket-seat").textContent,
        alt: card.querySelector("img").alt,
        svg: ((src: string) =>
          src.startsWith("data:image/svg+xml") ? decodeURIComponent(src.slice(src.indexOf(",") + 1)) : src)(
          card.querySelector("img").src,
        ),
      })),
    );
  }

  const expected = async () =>
    Promise.all(
      booking.tickets.map(async (ticket: any) => ({
        ticketId: ticket.ticketId,
        seat: `Floor, row 1, seat ${ticket.seat}`,
        alt: `QR code of the ticket for Floor, row 1, seat ${ticket.seat}`,
        svg: await QRCode.toString(ticket.code, { type: "svg", errorCorrectionLevel: "M", margin: 2 }),
      })),
    );

  it("shows each ticket's seat and QR code on the bookings page", async () => {
    const context = await newContext(browser, system.baseUrl);
    const page = await context.newPage();
    const errors = watchErrors(page);
    await signIn(page, "ticket-holder", "/bookings");
    await page.getByRole("heading", { name: "My bookings" }).waitFor();
    const card = page.locator(`article.booking[data-booking-id="${booking.id}"]`);
    await card.waitFor();
    expect(await shownTickets(page)).to.deep.equal(await expected());
    // The QR code is drawn: the image has the size it was given.
    const box = await card.locator("img.ticket-qr").first().boundingBox();
    expect(box?.width).to.equal(160);
    await screenshot(page, "e-tickets-bookings");
    expect(errors).to.deep.equal([]);
    await context.close();
  });

  it("shows them on the booking's confirmation page too", async () => {
    const context = await newContext(browser, system.baseUrl);
    const page = await context.newPage();
    const errors = watchErrors(page);
    await signIn(page, "ticket-holder", `/bookings/${booking.id}`);
    await page.getByRole("heading", { name: "Booking confirmed" }).waitFor();
    expect(await shownTickets(page)).to.deep.equal(await expected());
    expect(errors).to.deep.equal([]);
    await context.close();
  });
});
