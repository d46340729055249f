// "Or let us pick": how many seats and, optionally, which section; the server picks the best ones.
import { h } from "../../dom.ts";
import type { EventPageContext } from "./context.ts";
import type { ReserveActions } from "./reserve.ts";

const buttonLabel = "Find best seats";

export function bestAvailable(page: EventPageContext, actions: ReserveActions): HTMLElement {
  const quantity = h(
    "select",
    { id: "best-quantity", "aria-label": "Number of seats for best available" },
    Array.from({ length: page.selectionMax }, (_, index) =>
      h("option", { value: String(index + 1) }, String(index + 1)),
    ),
  );
  const sectionNames = [...new Set(page.seats.board.tickets.map((ticket) => ticket.section))];
  const section = h(
    "select",
    { id: "best-section", "aria-label": "Section for best available" },
    h("option", { value: "" }, "Any section"),
    sectionNames.map((name) => h("option", { value: name }, name)),
  );
  const button = h("button", { type: "button", id: "best-available" }, buttonLabel);
  button.addEventListener("click", () => {
    const body: Record<string, unknown> = { eventId: page.eventId, quantity: Number(quantity.value) };
    if (section.value) body.section = section.value;
    void actions.reserve(body, button, buttonLabel);
  });
  return h(
    "div",
    { class: "best-available" },
    h("h3", {}, "Or let us pick"),
    h("label", { for: "best-quantity" }, "Seats "),
    quantity,
    " ",
    section,
    " ",
    button,
  );
}
