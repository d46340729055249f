// The event page: details, the live seat map with its legend, seat selection (pointer or keyboard),
// reserve (chosen seats or best available) and the way on to checkout or the waiting room.
import { announce } from "../announce.ts";
import { api, toApiError, type ApiError } from "../api.ts";
import { h, replaceChildren } from "../dom.ts";
import { formatDateTime, formatMoney, plural, seatLabel } from "../format.ts";
import { subscribeSeats } from "../realtime.ts";
import { checkoutPath, eventPath, navigate, queuePath, signInPath } from "../router.ts";
import { currentUser } from "../session.ts";
import {
  addToHold,
  getAdmissionToken,
  getHold,
  holdExpiresAtMs,
  rememberEvent,
  setAdmissionToken,
} from "../store.ts";
import { SeatBoard, type SeatSnapshot, type TicketView } from "../seatmap/board.ts";
import { cellColors, legendLabels, type CellKind } from "../seatmap/palette.ts";
import { SeatSync } from "../seatmap/sync.ts";
import { SeatMapView } from "../seatmap/view.ts";
import { ticketsPerRequestMax } from "../../../../domain/limits.ts";
import { fetchMyBookings } from "./bookings.ts";
import { MessageBox, focusHeading, holdOffButton, link, loading, type Cleanup } from "./common.ts";

export interface EventDetails {
  event: {
    id: string;
    name: string;
    description?: string;
    type?: string;
    startsAt: string;
    onSaleAt?: string;
    waitingRoom?: { enabled: boolean };
    ticketsPerUserMax?: number;
  };
  venue?: { name: string; city: string; country: string };
  performers?: { id: string; name: string }[];
  tickets: TicketView[];
  version: number;
}

/** Without live updates the page refetches the seat map this often. */
const pollIntervalMs = 10_000;
/** A connection that has not come up within this long is reported as down (and polling starts). */
const connectGraceMs = 3_000;

interface ReserveAnswer {
  ticketIds: string[];
  expiresAt: string;
  eventId: string;
}

export function eventPage(root: HTMLElement, eventId: string): Cleanup {
  const cleanups: Cleanup[] = [];
  let stopped = false;
  root.replaceChildren(h("h1", {}, "Event"), loading("Loading the event and its seats…"));

  api<EventDetails>("GET", `/events/${encodeURIComponent(eventId)}`)
    .then((answer) => {
      if (!stopped) cleanups.push(renderEvent(root, answer.data));
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

function renderEvent(root: HTMLElement, details: EventDetails): Cleanup {
  const { event } = details;
  const eventId = event.id;
  rememberEvent(eventId, { name: event.name, startsAt: event.startsAt, onSaleAt: event.onSaleAt });
  const cleanups: Cleanup[] = [];
  const message = new MessageBox("event-message");
  const waitingRoomOn = event.waitingRoom?.enabled === true;
  const selectionMax = Math.min(ticketsPerRequestMax, event.ticketsPerUserMax ?? ticketsPerRequestMax);

  let board = new SeatBoard({ version: details.version, tickets: details.tickets });
  const selected = new Set<number>();
  /** Seats this user holds or has booked (by ticket index). */
  const mine = new Set<number>();
  const markMine = (ticketIds: Iterable<string>) => {
    const changed: number[] = [];
    for (const id of ticketIds) {
      const index = board.indexById.get(id);
      if (index !== undefined && !mine.has(index)) {
        mine.add(index);
        changed.push(index);
      }
    }
    return changed;
  };
  markMine(getHold(eventId)?.seats.map((seat) => seat.id) ?? []);

  const ticketLabel = (index: number) => seatLabel(board.tickets[index]);
  const labelOfId = (id: string) => {
    const index = board.indexById.get(id);
    return index === undefined ? undefined : ticketLabel(index);
  };
  const kindOf = (index: number): CellKind => {
    if (selected.has(index)) return "selected";
    const status = board.status[index];
    if (status !== 0 && mine.has(index)) return "mine";
    return board.statusOf(index);
  };
  const describeSeat = (index: number) => {
    const ticket = board.tickets[index];
    const kind = kindOf(index);
    const state = kind === "mine" ? "yours" : kind;
    return `${seatLabel(ticket)}, ${formatMoney(ticket.priceCents)}, ${state}`;
  };

  // --- Legend with live counts -------------------------------------------------------------------
  const legendCounts = new Map<CellKind, HTMLElement>();
  const legendKinds: CellKind[] = ["available", "reserved", "booked", "mine", "selected"];
  const legend = h(
    "ul",
    { class: "legend", "aria-label": "Seat map legend" },
    legendKinds.map((kind) => {
      const count = h("span", { class: "count", "data-kind": kind }, "0");
      legendCounts.set(kind, count);
      const swatch = h("span", { class: `swatch swatch-${kind}`, "aria-hidden": "true" });
      swatch.style.background = cellColors[kind];
      return h("li", { "data-kind": kind }, swatch, `${legendLabels[kind]} `, count);
    }),
  );
  const updateLegend = () => {
    let mineCount = 0;
    for (const index of mine) if (board.status[index] !== 0) mineCount += 1;
    const counts: Record<CellKind, number> = {
      available: board.count("available") - selected.size,
      reserved: board.count("reserved"),
      booked: board.count("booked"),
      mine: mineCount,
      selected: selected.size,
    };
    for (const [kind, element] of legendCounts) element.textContent = counts[kind].toLocaleString("en-US");
  };

  // --- Map ------------------------------------------------------------------------------------------
  const seatInfo = h(
    "p",
    { id: "seat-info", class: "seat-info" },
    "Point at a seat or focus the map and use the arrow keys.",
  );
  const cursorAnnouncer = h("div", { id: "seat-cursor", class: "visually-hidden", "aria-live": "polite" });
  const view = new SeatMapView(
    board,
    {
      kindOf,
      onToggle: toggle,
      onCursor(index) {
        const text = describeSeat(index);
        seatInfo.textContent = text;
        cursorAnnouncer.textContent = text;
      },
      onHover(index) {
        if (index >= 0) seatInfo.textContent = describeSeat(index);
      },
    },
    `Seats for ${event.name}`,
  );
  cleanups.push(() => view.destroy());

  const liveStatus = h(
    "span",
    { id: "live-indicator", class: "live live-connecting" },
    "Connecting to live updates…",
  );
  const zoomOut = h(
    "button",
    { type: "button", class: "icon", "aria-label": "Zoom out of the seat map" },
    "−",
  );
  const zoomIn = h("button", { type: "button", class: "icon", "aria-label": "Zoom in to the seat map" }, "+");
  zoomOut.addEventListener("click", () => view.zoom(-1));
  zoomIn.addEventListener("click", () => view.zoom(1));

  // --- Selection and reserve -----------------------------------------------------------------------
  const selectionList = h("ul", { id: "selection", class: "selection", "aria-label": "Selected seats" });
  const total = h("p", { id: "selection-total", class: "total" });
  const reserveButton = h("button", { type: "button", id: "reserve", class: "primary" }, "Reserve");
  const bestQuantity = h(
    "select",
    { id: "best-quantity", "aria-label": "Number of seats for best available" },
    Array.from({ length: selectionMax }, (_, index) =>
      h("option", { value: String(index + 1) }, String(index + 1)),
    ),
  );
  const sectionNames = [...new Set(board.tickets.map((ticket) => ticket.section))];
  const bestSection = h(
    "select",
    { id: "best-section", "aria-label": "Section for best available" },
    h("option", { value: "" }, "Any section"),
    sectionNames.map((name) => h("option", { value: name }, name)),
  );
  const bestButton = h("button", { type: "button", id: "best-available" }, "Find best seats");

  function renderSelection(): void {
    const items = [...selected].map((index) => {
      const ticket = board.tickets[index];
      const remove = h(
        "button",
        { type: "button", class: "link", "aria-label": `Remove ${seatLabel(ticket)}` },
        "Remove",
      );
      remove.addEventListener("click", () => toggle(index));
      return h("li", {}, `${seatLabel(ticket)} · ${formatMoney(ticket.priceCents)} `, remove);
    });
    selectionList.replaceChildren(
      ...(items.length ? items : [h("li", { class: "empty" }, "No seats selected yet.")]),
    );
    const sum = [...selected].reduce((cents, index) => cents + board.tickets[index].priceCents, 0);
    total.textContent = selected.size ? `${plural(selected.size, "seat")} · ${formatMoney(sum)}` : "";
    if ((holdOffUntilMs.get(reserveButton) ?? 0) > Date.now()) {
      updateLegend();
      return;
    }
    const gate = !currentUser() ? "signin" : waitingRoomOn && !getAdmissionToken(eventId) ? "queue" : null;
    reserveButton.textContent =
      gate === "signin"
        ? "Sign in to reserve"
        : gate === "queue"
          ? "Join the waiting room to buy"
          : selected.size
            ? `Reserve ${plural(selected.size, "seat")}`
            : "Reserve";
    reserveButton.disabled = busy || (gate === null && selected.size === 0);
    updateLegend();
  }

  function toggle(index: number): void {
    const label = ticketLabel(index);
    if (selected.has(index)) {
      selected.delete(index);
      announce(`Unselected ${label}. ${plural(selected.size, "seat")} selected.`);
    } else if (board.status[index] !== 0) {
      announce(mine.has(index) ? `${label} is already yours.` : `${label} is not available.`);
      return;
    } else if (selected.size >= selectionMax) {
      message.show(`You can reserve at most ${selectionMax} seats at a time.`, "info");
      return;
    } else {
      selected.add(index);
      announce(`Selected ${label}. ${plural(selected.size, "seat")} selected.`);
    }
    view.invalidate([index]);
    seatInfo.textContent = describeSeat(index);
    renderSelection();
  }

  /** Seats others took while they were selected here are dropped from the selection, with a note. */
  function onSeatsChanged(changed: number[]): void {
    const lost: string[] = [];
    for (const index of changed) {
      if (selected.has(index) && board.status[index] !== 0) {
        selected.delete(index);
        lost.push(ticketLabel(index));
      }
      if (mine.has(index) && board.status[index] === 0) mine.delete(index);
    }
    view.invalidate(changed);
    if (lost.length) {
      message.show(
        `${lost.length === 1 ? `Seat ${lost[0]} was` : `Seats ${lost.join("; ")} were`} just taken by someone else.`,
        "error",
      );
    }
    renderSelection();
  }

  let busy = false;
  /** Buttons waiting out a Retry-After, until when. */
  const holdOffUntilMs = new Map<HTMLButtonElement, number>();
  const holdOffs: Cleanup[] = [];
  function handleBookingError(error: ApiError, button: HTMLButtonElement, label: string): void {
    if (error.code === "UNAUTHENTICATED") {
      navigate(signInPath(eventPath(eventId)));
      return;
    }
    if (error.code === "ADMISSION_REQUIRED") {
      setAdmissionToken(eventId, null);
      message.error(
        error,
        {},
        h("a", { href: `#${queuePath(eventId)}`, class: "button primary" }, "Join the waiting room"),
      );
      renderSelection();
      return;
    }
    message.error(error, { seatLabel: labelOfId });
    if (error.code === "TICKET_UNAVAILABLE") {
      const taken = Array.isArray(error.details?.ticketIds) ? (error.details.ticketIds as string[]) : [];
      const changed: number[] = [];
      for (const id of taken) {
        const index = board.indexById.get(id);
        if (index !== undefined && selected.delete(index)) changed.push(index);
      }
      view.invalidate(changed);
      renderSelection();
      if (!live) void sync.refetch();
    }
    if (
      (error.code === "OVERLOADED" || error.code === "RATE_LIMITED") &&
      error.retryAfterSeconds !== undefined
    ) {
      holdOffUntilMs.set(button, Date.now() + error.retryAfterSeconds * 1000);
      holdOffs.push(holdOffButton(button, error.retryAfterSeconds, label));
    }
  }

  async function reserve(
    body: Record<string, unknown>,
    button: HTMLButtonElement,
    label: string,
  ): Promise<void> {
    if (!currentUser()) {
      navigate(signInPath(eventPath(eventId)));
      return;
    }
    const admissionToken = getAdmissionToken(eventId);
    if (waitingRoomOn && !admissionToken) {
      navigate(queuePath(eventId));
      return;
    }
    message.clear();
    button.disabled = true;
    busy = true;
    try {
      const answer = await api<ReserveAnswer>("POST", "/booking/reserve", {
        auth: true,
        body,
        headers: admissionToken ? { "X-Admission-Token": admissionToken } : {},
      });
      const held = answer.data.ticketIds.flatMap((id) => {
        const index = board.indexById.get(id);
        if (index === undefined) return [];
        board.setStatus(index, "reserved");
        selected.delete(index);
        const ticket = board.tickets[index];
        return [
          { id, label: seatLabel(ticket), priceCents: ticket.priceCents, expiresAt: answer.data.expiresAt },
        ];
      });
      addToHold(eventId, event.name, held);
      view.invalidate(markMine(answer.data.ticketIds));
      announce(`Reserved ${plural(held.length, "seat")}. Continue to checkout.`);
      navigate(checkoutPath(eventId));
    } catch (error) {
      handleBookingError(toApiError(error), button, label);
    } finally {
      busy = false;
      if ((holdOffUntilMs.get(button) ?? 0) <= Date.now()) button.disabled = false;
      renderSelection();
    }
  }
  reserveButton.addEventListener("click", () => {
    if (!currentUser()) return navigate(signInPath(eventPath(eventId)));
    if (waitingRoomOn && !getAdmissionToken(eventId)) return navigate(queuePath(eventId));
    void reserve(
      { ticketIds: [...selected].map((index) => board.tickets[index].id) },
      reserveButton,
      "Reserve",
    );
  });
  bestButton.addEventListener("click", () => {
    const body: Record<string, unknown> = { eventId, quantity: Number(bestQuantity.value) };
    if (bestSection.value) body.section = bestSection.value;
    void reserve(body, bestButton, "Find best seats");
  });

  // --- Live updates ---------------------------------------------------------------------------------
  const fetchSnapshot = async (): Promise<SeatSnapshot> =>
    (await api<SeatSnapshot>("GET", `/events/${encodeURIComponent(eventId)}/tickets`)).data;
  let sync: SeatSync;
  const startSync = () =>
    new SeatSync({
      board,
      fetchSnapshot,
      onChange(change, snapshot) {
        if (change === "rebuild" && snapshot) {
          // The event's tickets changed: start over with a new board.
          sync.stop();
          board = new SeatBoard(snapshot);
          selected.clear();
          mine.clear();
          markMine(getHold(eventId)?.seats.map((seat) => seat.id) ?? []);
          sync = startSync();
          view.setBoard(board);
          renderSelection();
        } else if (change !== "rebuild") onSeatsChanged(change);
      },
    });
  sync = startSync();
  cleanups.push(() => sync.stop());

  let live = false;
  let pollTimer = 0;
  const setLive = (connected: boolean) => {
    if (connected === live && liveStatus.dataset.state) return;
    live = connected;
    liveStatus.dataset.state = connected ? "live" : "polling";
    liveStatus.className = `live ${connected ? "live-on" : "live-off"}`;
    liveStatus.textContent = connected
      ? "Live: seats update as they change"
      : `Live updates unavailable: refreshing every ${pollIntervalMs / 1000} s`;
    window.clearInterval(pollTimer);
    pollTimer = connected ? 0 : window.setInterval(() => void sync.refetch(), pollIntervalMs);
  };
  const graceTimer = window.setTimeout(() => {
    if (!live) setLive(false);
  }, connectGraceMs);
  const unsubscribe = subscribeSeats(eventId, {
    currentVersion: () => board.version,
    onDelta: (delta) => sync.handleDelta(delta),
    onSubscribed: (version) => sync.handleSubscribed(version),
    onResync: () => void sync.refetch(),
    onConnectionChange: (connected) => {
      if (connected) setLive(true);
      else if (live) setLive(false);
    },
  });
  cleanups.push(
    unsubscribe,
    () => window.clearInterval(pollTimer),
    () => window.clearTimeout(graceTimer),
  );

  // Seats this user has booked show as "mine" too.
  if (currentUser()) {
    fetchMyBookings()
      .then((bookings) => {
        const ids = bookings
          .filter((booking) => booking.eventId === eventId)
          .flatMap((booking) => booking.ticketIds);
        const changed = markMine(ids);
        view.invalidate(changed);
        updateLegend();
      })
      .catch(() => {
        // Bookings are a nicety here; the map works without them.
      });
  }

  // --- Page -----------------------------------------------------------------------------------------
  const hold = getHold(eventId);
  const notices: HTMLElement[] = [];
  if (hold) {
    notices.push(
      h(
        "div",
        { class: "notice", id: "hold-notice" },
        `You are holding ${plural(hold.seats.length, "seat")} until ${new Date(holdExpiresAtMs(hold)).toLocaleTimeString()}. `,
        h("a", { href: `#${checkoutPath(eventId)}`, class: "button primary" }, "Continue to checkout"),
      ),
    );
  }
  if (waitingRoomOn && !getAdmissionToken(eventId)) {
    notices.push(
      h(
        "div",
        { class: "notice", id: "waiting-room-notice" },
        "This sale has a waiting room to keep it fair. Join the queue; when it is your turn you come straight back here to pick seats. ",
        h(
          "a",
          { href: `#${queuePath(eventId)}`, class: "button primary", id: "join-queue" },
          "Join the waiting room",
        ),
      ),
    );
  }
  const venue = details.venue ? `${details.venue.name}, ${details.venue.city}, ${details.venue.country}` : "";
  const performers = (details.performers ?? []).map((performer) => performer.name).join(", ");
  replaceChildren(
    root,
    h("h1", {}, event.name),
    h(
      "p",
      { class: "meta" },
      h("time", { datetime: event.startsAt }, formatDateTime(event.startsAt)),
      venue ? ` · ${venue}` : "",
      performers ? ` · ${performers}` : "",
    ),
    event.description ? h("p", { class: "description" }, event.description) : null,
    ...notices,
    message.element,
    h(
      "div",
      { class: "event-layout" },
      h(
        "section",
        { class: "map-panel", "aria-label": "Seat map" },
        h("div", { class: "map-toolbar" }, legend, h("div", { class: "zoom" }, zoomOut, zoomIn), liveStatus),
        view.element,
        seatInfo,
        cursorAnnouncer,
      ),
      h(
        "aside",
        { class: "selection-panel", "aria-label": "Your selection" },
        h("h2", {}, "Your seats"),
        selectionList,
        total,
        reserveButton,
        h(
          "div",
          { class: "best-available" },
          h("h3", {}, "Or let us pick"),
          h("label", { for: "best-quantity" }, "Seats "),
          bestQuantity,
          " ",
          bestSection,
          " ",
          bestButton,
        ),
        h(
          "p",
          { class: "hint" },
          `Up to ${selectionMax} seats per reservation. `,
          plural(board.size, "seat"),
          " in total.",
        ),
      ),
    ),
  );
  view.build();
  renderSelection();
  focusHeading(root);
  return () => {
    for (const cleanup of holdOffs) cleanup();
    for (const cleanup of cleanups) cleanup();
  };
}
