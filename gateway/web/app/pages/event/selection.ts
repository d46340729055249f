// The selection panel: the seats chosen on the map with their total, the reserve button (whose label
// says what stands before reserving) and picking a seat on or off.
import { announce } from "../../announce.ts";
import { h } from "../../dom.ts";
import { formatMoney, plural, seatLabel } from "../../format.ts";
import type { SeatLegend } from "./legend.ts";
import { reserveGate, type EventPageContext } from "./context.ts";
import type { ReserveActions } from "./reserve.ts";

export interface SelectionParts {
  legend: SeatLegend;
  /** The line describing the seat under the pointer or cursor. */
  seatInfo: HTMLElement;
  actions: ReserveActions;
}

export class SelectionPanel {
  readonly list = h("ul", { id: "selection", class: "selection", "aria-label": "Selected seats" });
  readonly total = h("p", { id: "selection-total", class: "total" });
  readonly reserveButton = h("button", { type: "button", id: "reserve", class: "primary" }, "Reserve");

  constructor(
    private readonly page: EventPageContext,
    private readonly parts: SelectionParts,
  ) {
    this.reserveButton.addEventListener("click", () => {
      void parts.actions.reserve(
        { ticketIds: page.seats.selectedTicketIds() },
        this.reserveButton,
        "Reserve",
      );
    });
  }

  /** The panel, with the best-available controls under the reserve button. */
  element(bestAvailable: HTMLElement): HTMLElement {
    return h(
      "aside",
      { class: "selection-panel", "aria-label": "Your selection" },
      h("h2", {}, "Your seats"),
      this.list,
      this.total,
      this.reserveButton,
      bestAvailable,
      h(
        "p",
        { class: "hint" },
        `Up to ${this.page.selectionMax} seats per reservation. `,
        plural(this.page.seats.board.size, "seat"),
        " in total.",
      ),
    );
  }

  render(): void {
    const { seats } = this.page;
    const items = [...seats.selected].map((index) => this.item(index));
    this.list.replaceChildren(
      ...(items.length ? items : [h("li", { class: "empty" }, "No seats selected yet.")]),
    );
    const sum = [...seats.selected].reduce(
      (cents, index) => cents + seats.board.tickets[index].priceCents,
      0,
    );
    this.total.textContent = seats.selected.size
      ? `${plural(seats.selected.size, "seat")} · ${formatMoney(sum, seats.currency)}`
      : "";
    // A button counting down its Retry-After keeps its countdown.
    if (!this.parts.actions.isHeldOff(this.reserveButton)) this.renderReserveButton();
    this.parts.legend.update(seats.counts());
  }

  toggle(index: number): void {
    const { seats, selectionMax, message } = this.page;
    const label = seats.label(index);
    if (seats.selected.has(index)) {
      seats.selected.delete(index);
      announce(`Unselected ${label}. ${plural(seats.selected.size, "seat")} selected.`);
    } else if (seats.board.status[index] !== 0) {
      announce(seats.mine.has(index) ? `${label} is already yours.` : `${label} is not available.`);
      return;
    } else if (seats.selected.size >= selectionMax) {
      message.show(`You can reserve at most ${selectionMax} seats at a time.`, "info");
      return;
    } else {
      seats.selected.add(index);
      announce(`Selected ${label}. ${plural(seats.selected.size, "seat")} selected.`);
    }
    this.page.view.invalidate([index]);
    this.parts.seatInfo.textContent = seats.describe(index);
    this.render();
  }

  /** Seats others took while they were selected here are dropped from the selection, with a note. */
  onSeatsChanged(changed: number[]): void {
    const lost = this.page.seats.settle(changed);
    this.page.view.invalidate(changed);
    if (lost.length) {
      this.page.message.show(
        `${lost.length === 1 ? `Seat ${lost[0]} was` : `Seats ${lost.join("; ")} were`} just taken by someone else.`,
        "error",
      );
    }
    this.render();
  }

  private item(index: number): HTMLElement {
    const ticket = this.page.seats.board.tickets[index];
    const remove = h(
      "button",
      { type: "button", class: "link", "aria-label": `Remove ${seatLabel(ticket)}` },
      "Remove",
    );
    remove.addEventListener("click", () => this.toggle(index));
    return h(
      "li",
      {},
      `${seatLabel(ticket)} · ${formatMoney(ticket.priceCents, this.page.seats.currency)} `,
      remove,
    );
  }

  private renderReserveButton(): void {
    const size = this.page.seats.selected.size;
    const gate = reserveGate(this.page);
    this.reserveButton.textContent =
      gate === "signin"
        ? "Sign in to reserve"
        : gate === "queue"
          ? "Join the waiting room to buy"
          : size
            ? `Reserve ${plural(size, "seat")}`
            : "Reserve";
    this.reserveButton.disabled = this.parts.actions.busy || (gate === null && size === 0);
  }
}
