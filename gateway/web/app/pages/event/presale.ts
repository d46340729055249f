// Presales on the event page: before the sale opens, the presale windows (GET /events/:id/presales)
// in the venue's zone, and a field for a presale code. The code is kept for this tab and sent as
// X-Presale-Code on reserve (reserve.ts); a refused code is explained by messages.ts.
import { api, serverNow } from "../../api.ts";
import { h, replaceChildren } from "../../dom.ts";
import { formatDateTime } from "../../format.ts";

interface PresaleWindow {
  name: string;
  startsAt: string;
  endsAt: string;
}

const storageKey = (eventId: string) => `marquee.presaleCode.${eventId}`;

export function getPresaleCode(eventId: string): string | null {
  try {
    return sessionStorage.getItem(storageKey(eventId));
  } catch {
    return null;
  }
}

function setPresaleCode(eventId: string, code: string | null): void {
  try {
    if (code) sessionStorage.setItem(storageKey(eventId), code);
    else sessionStorage.removeItem(storageKey(eventId));
  } catch {
    // Storage off (private mode): the code lasts as long as the page.
  }
}

/** The header a reserve sends: the tab's presale code, if any. */
export const presaleHeaders = (eventId: string): Record<string, string> => {
  const code = getPresaleCode(eventId);
  return code ? { "X-Presale-Code": code } : {};
};

/**
 * The presale notice of an event not on sale yet: filled in once its windows are read (nothing when
 * it has none still to come, or the sale is open).
 */
export function presaleNotice(eventId: string, onSaleAt: string | undefined, timeZone?: string): HTMLElement {
  const notice = h("div", { class: "notice", id: "presale-notice", hidden: true });
  if (!onSaleAt || Date.parse(onSaleAt) <= serverNow()) return notice;
  api<{ presales: PresaleWindow[] }>("GET", `/events/${encodeURIComponent(eventId)}/presales`)
    .then((answer) => {
      const now = serverNow();
      const open = answer.data.presales.filter((presale) => Date.parse(presale.endsAt) > now);
      if (open.length === 0) return;
      notice.hidden = false;
      replaceChildren(notice, ...presaleParts(eventId, open, onSaleAt, timeZone));
    })
    .catch(() => {
      // No windows to show: the page works without them (a code still works when typed later).
    });
  return notice;
}

function presaleParts(eventId: string, open: PresaleWindow[], onSaleAt: string, timeZone?: string) {
  const windows = open.map((presale) =>
    h(
      "li",
      {},
      `${presale.name}: from ${formatDateTime(presale.startsAt, timeZone)} until ${formatDateTime(presale.endsAt, timeZone)}`,
    ),
  );
  const input = h("input", {
    id: "presale-code",
    name: "presale-code",
    autocomplete: "off",
    spellcheck: "false",
    maxlength: "64",
    value: getPresaleCode(eventId) ?? "",
  });
  const status = h("p", { id: "presale-code-status", "aria-live": "polite" });
  const showStatus = () => {
    const code = getPresaleCode(eventId);
    status.textContent = code
      ? "Your presale code will be sent when you reserve seats."
      : "Have a presale code? Enter it to choose seats before the general sale.";
  };
  const form = h(
    "form",
    { id: "presale-form" },
    h("label", { for: "presale-code" }, "Presale code "),
    input,
    h("button", { type: "submit", class: "button" }, "Use code"),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    setPresaleCode(eventId, input.value.trim() || null);
    showStatus();
  });
  showStatus();
  return [
    h("p", {}, `Presale before the general sale (${formatDateTime(onSaleAt, timeZone)}):`),
    h("ul", {}, windows),
    form,
    status,
  ];
}
