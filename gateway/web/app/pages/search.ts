// Search (GET /events/search): term, location, date and type, kept in the address so a search can be
// bookmarked and Back works. Results link to the event pages.
import { api } from "../api.ts";
import { h } from "../dom.ts";
import { formatDateTime, formatMoney, plural } from "../format.ts";
import { eventPath, navigate } from "../router.ts";
import { rememberEvent } from "../store.ts";
import type { SearchResult } from "../../../../domain/search-result.ts";
import { MessageBox, focusHeading, loading, type Cleanup } from "./common.ts";

const pageSize = 20;
const searchFields = ["term", "location", "date", "type"] as const;
const eventTypes = [
  "concert",
  "sports",
  "theatre",
  "opera",
  "classical",
  "dance",
  "comedy",
  "family",
  "festival",
];

export function searchPage(root: HTMLElement, query: URLSearchParams): Cleanup {
  const results = new SearchResults(query);
  root.replaceChildren(
    h("h1", {}, query.toString() ? "Search results" : "Find an event"),
    searchForm(query),
    results.message.element,
    results.summary,
    results.list,
    results.more,
  );
  focusHeading(root);
  void results.load(false);
  return () => results.stop();
}

/** The labelled fields, filled from the address; searching puts the new terms in the address. */
function searchForm(query: URLSearchParams): HTMLFormElement {
  const field = (name: string, label: string, input: HTMLInputElement | HTMLSelectElement) => {
    input.id = `search-${name}`;
    input.name = name;
    input.value = query.get(name) ?? "";
    return h("div", { class: "field" }, h("label", { for: input.id }, label), input);
  };
  const typeSelect = h(
    "select",
    {},
    h("option", { value: "" }, "Any type"),
    [...new Set([...eventTypes, query.get("type") ?? ""].filter(Boolean))].map((type) =>
      h("option", { value: type }, type[0].toUpperCase() + type.slice(1)),
    ),
  );
  const form = h(
    "form",
    { class: "search-form", role: "search", "aria-label": "Search events" },
    field("term", "What", h("input", { type: "search", placeholder: "Artist, team, show…", maxlength: 200 })),
    field(
      "location",
      "Where",
      h("input", { type: "text", placeholder: "City, country or venue", maxlength: 200 }),
    ),
    field("date", "When", h("input", { type: "date" })),
    field("type", "Type", typeSelect),
    h("button", { type: "submit", class: "primary" }, "Search"),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const params = new URLSearchParams();
    for (const name of searchFields) {
      const value = (form.elements.namedItem(name) as HTMLInputElement).value.trim();
      if (value) params.set(name, value);
    }
    navigate(`/search?${params}`);
  });
  return form;
}

/** The results of the address's search, a page at a time ("More results" appends the next). */
class SearchResults {
  readonly message = new MessageBox("search-message");
  readonly list = h("ol", { id: "search-results", class: "results", "aria-label": "Events found" });
  readonly summary = h("p", { id: "search-summary", class: "summary", "aria-live": "polite" });
  readonly more = h("button", { type: "button", hidden: true }, "More results");
  private offset = 0;
  private stopped = false;

  constructor(private readonly query: URLSearchParams) {
    this.more.addEventListener("click", () => void this.load(true));
  }

  async load(append: boolean): Promise<void> {
    if (!append) this.list.replaceChildren(loading("Searching…"));
    this.message.clear();
    this.more.disabled = true;
    try {
      const answer = await api<{ total: number; results: SearchResult[] }>(
        "GET",
        `/events/search?${this.params()}`,
      );
      if (this.stopped) return;
      if (!append) this.list.replaceChildren();
      for (const result of answer.data.results) this.list.append(resultItem(result));
      this.offset += answer.data.results.length;
      this.summary.textContent =
        answer.data.total === 0
          ? "No events match this search."
          : `${plural(answer.data.total, "event")} found.`;
      this.more.hidden = this.offset >= answer.data.total || answer.data.results.length === 0;
    } catch (error) {
      if (this.stopped) return;
      if (!append) this.list.replaceChildren();
      this.summary.textContent = "";
      this.message.error(error);
    } finally {
      this.more.disabled = false;
    }
  }

  stop(): void {
    this.stopped = true;
  }

  /** The address's search terms and the next page. */
  private params(): URLSearchParams {
    const params = new URLSearchParams();
    for (const name of searchFields) {
      const value = this.query.get(name);
      if (value) params.set(name, value);
    }
    params.set("limit", String(pageSize));
    params.set("offset", String(this.offset));
    return params;
  }
}

function resultItem(result: SearchResult): HTMLElement {
  const href = `#${eventPath(result.id)}`;
  const anchor = h("a", { href }, result.name);
  anchor.addEventListener("click", () =>
    rememberEvent(result.id, {
      name: result.name,
      startsAt: result.startsAt,
      currency: result.currency,
      timeZone: result.venue?.timeZone,
    }),
  );
  const venue = result.venue ? `${result.venue.name}, ${result.venue.city}, ${result.venue.country}` : "";
  return h(
    "li",
    { class: "result" },
    h("h2", {}, anchor),
    h(
      "p",
      { class: "meta" },
      h("time", { datetime: result.startsAt }, formatDateTime(result.startsAt, result.venue?.timeZone)),
      venue ? ` · ${venue}` : "",
      result.type ? ` · ${result.type}` : "",
    ),
    result.performers?.length ? h("p", { class: "performers" }, result.performers.join(", ")) : null,
    offer(result),
  );
}

/** "From £25.00 · 1,234 seats left", or "Sold out". */
function offer(result: SearchResult): HTMLElement | null {
  const parts: string[] = [];
  if (result.seatsAvailable === 0) return h("p", { class: "offer sold-out" }, "Sold out");
  if (result.priceFromCents !== undefined && result.currency)
    parts.push(`From ${formatMoney(result.priceFromCents, result.currency)}`);
  if (result.seatsAvailable !== undefined) parts.push(`${plural(result.seatsAvailable, "seat")} left`);
  return parts.length ? h("p", { class: "offer" }, parts.join(" · ")) : null;
}
