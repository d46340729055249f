// The event page: details, the live seat map with its legend, seat selection (pointer or keyboard),
// reserve (chosen seats or best available) and the way on to checkout or the waiting room. The parts
// live in event/; this file fetches the event and puts them together.
import { api } from "../api.ts";
import { h, replaceChildren } from "../dom.ts";
import { snapshotFromCompact, type PublicLayout } from "../seatmap/compact.ts";
import { rememberEvent } from "../store.ts";
import { ticketsPerRequestMax } from "../../../../domain/limits.ts";
import { MessageBox, focusHeading, link, loading, type Cleanup } from "./common.ts";
import { bestAvailable } from "./event/best-available.ts";
import { showBookedSeats } from "./event/booked-seats.ts";
import type { EventPageContext } from "./event/context.ts";
import { eventHeader, eventNotices, type EventDetails } from "./event/header.ts";
import { presaleNotice } from "./event/presale.ts";
import { waitlistPanel } from "./event/waitlist.ts";
import { SeatLegend } from "./event/legend.ts";
import { LiveSeats } from "./event/live-seats.ts";
import { seatMapPanel } from "./event/map-panel.ts";
import { sectionHeadings, sectionPrices, stageMarker } from "./event/prices.ts";
import { ReserveActions } from "./event/reserve.ts";
import { EventSeats } from "./event/seats.ts";
import { SelectionPanel } from "./event/selection.ts";

export type { EventDetails };

export function eventPage(root: HTMLElement, eventId: string): Cleanup {
  const cleanups: Cleanup[] = [];
  let stopped = false;
  root.replaceChildren(h("h1", {}, "Event"), loading("Loading the event and its seats…"));

  // The details with the compact map, and the layout (cached by the browser for a day): together
  // what the canvas draws, without a JSON object per seat.
  const path = `/events/${encodeURIComponent(eventId)}`;
  Promise.all([
    api<EventDetails>("GET", `${path}?format=compact`),
    api<PublicLayout>("GET", `${path}/layout`),
  ])
    .then(([details, layout]) => {
      if (!stopped) cleanups.push(renderEvent(root, details.data, layout.data));
    })
    .catch((error) => {
      if (stopped) return;
      const message = new MessageBox("event-message");
      root.replaceChildren(h("h1", {}, "Event"), message.element, h("p", {}, link("/", "Back to search")));
      message.error(error);
    });
  return () => {
    stopped = true;
    for (const cleanup of cleanups) cleanup();
  };
}

function renderEvent(root: HTMLElement, details: EventDetails, layout: PublicLayout): Cleanup {
  const { event } = details;
  // The event's own currency (the layout may be a browser-cached copy from before a change).
  const currency = event.currency ?? layout.currency;
  rememberEvent(event.id, {
    name: event.name,
    startsAt: event.startsAt,
    onSaleAt: event.onSaleAt,
    currency,
    timeZone: details.venue?.timeZone,
  });
  const seats = new EventSeats(event.id, snapshotFromCompact(layout, details), currency);
  const legend = new SeatLegend();
  const live = new LiveSeats(event.id, seats, {
    onSeatsChanged: (changed) => selection.onSeatsChanged(changed),
    onRebuilt: () => {
      map.view.setBoard(seats.board);
      selection.render();
    },
  });
  const map = seatMapPanel({
    seats,
    eventName: event.name,
    legend: legend.element,
    prices: sectionPrices(layout, currency),
    sectionHeading: sectionHeadings(layout, currency),
    stage: stageMarker(layout),
    liveStatus: live.indicator,
    onToggle: (index) => selection.toggle(index),
  });
  const page: EventPageContext = {
    eventId: event.id,
    eventName: event.name,
    waitingRoomOn: event.waitingRoom?.enabled === true,
    selectionMax: Math.min(ticketsPerRequestMax, event.ticketsPerUserMax ?? ticketsPerRequestMax),
    seats,
    message: new MessageBox("event-message"),
    view: map.view,
  };
  const actions = new ReserveActions(page, {
    renderSelection: () => selection.render(),
    refetchSeats: () => live.refetchUnlessLive(),
  });
  const selection = new SelectionPanel(page, { legend, seatInfo: map.seatInfo, actions });
  live.connect();
  showBookedSeats(page, legend);
  const waitlist = waitlistPanel(page);
  replaceChildren(
    root,
    ...eventHeader(details),
    ...eventNotices(page.eventId, page.waitingRoomOn),
    presaleNotice(page.eventId, event.onSaleAt, details.venue?.timeZone),
    page.message.element,
    waitlist.element,
    h("div", { class: "event-layout" }, map.element, selection.element(bestAvailable(page, actions))),
  );
  map.view.build();
  selection.render();
  focusHeading(root);
  return () => {
    actions.stop();
    waitlist.stop();
    map.view.destroy();
    live.stop();
  };
}
