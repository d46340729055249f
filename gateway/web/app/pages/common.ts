// Pieces every page uses: the message box (visible and announced), retry-after countdowns on buttons,
// and the page contract (a page renders into a root and returns its cleanup).
import { alertMessage, announce } from "../announce.ts";
import { ApiError, toApiError } from "../api.ts";
import { h } from "../dom.ts";
import { describeError, type MessageContext } from "../messages.ts";

/** A page draws itself into `root` and returns what stops its timers and subscriptions. */
export type Cleanup = () => void;

export type MessageTone = "info" | "success" | "error";

export class MessageBox {
  readonly element: HTMLDivElement;

  constructor(id: string) {
    this.element = h("div", { id, class: "message", hidden: true });
  }

  show(text: string, tone: MessageTone = "info", ...actions: HTMLElement[]): void {
    this.element.hidden = false;
    this.element.className = `message message-${tone}`;
    this.element.dataset.tone = tone;
    this.element.replaceChildren(h("p", {}, text), ...actions);
    if (tone === "error") alertMessage(text);
    else announce(text);
  }

  error(error: unknown, context?: MessageContext, ...actions: HTMLElement[]): ApiError {
    const apiError = toApiError(error);
    this.element.dataset.code = apiError.code;
    this.show(describeError(apiError, context), "error", ...actions);
    return apiError;
  }

  clear(): void {
    this.element.hidden = true;
    this.element.replaceChildren();
    delete this.element.dataset.code;
  }
}

/** 503 OVERLOADED or 429 RATE_LIMITED: the server asks to come back later (after its Retry-After). */
export const isTryLater = (error: ApiError): boolean =>
  error.code === "OVERLOADED" || error.code === "RATE_LIMITED";

/**
 * After 429/503 with Retry-After, keeps a button disabled and counting down until a retry may help.
 * Returns the cleanup that stops the countdown.
 */
export function holdOffButton(button: HTMLButtonElement, seconds: number, label: string): Cleanup {
  let remaining = Math.max(1, Math.ceil(seconds));
  button.disabled = true;
  button.textContent = `${label} (wait ${remaining} s)`;
  const timer = window.setInterval(() => {
    remaining -= 1;
    if (remaining > 0) {
      button.textContent = `${label} (wait ${remaining} s)`;
      return;
    }
    window.clearInterval(timer);
    button.disabled = false;
    button.textContent = label;
  }, 1_000);
  return () => window.clearInterval(timer);
}

export function loading(text = "Loading…"): HTMLElement {
  return h("p", { class: "loading", role: "status" }, text);
}

export function link(href: string, text: string, attributes: Record<string, string> = {}): HTMLAnchorElement {
  return h("a", { href: `#${href}`, ...attributes }, text);
}

/** Moves focus to a page's heading so screen-reader and keyboard users start at the top of the new page. */
export function focusHeading(root: HTMLElement): void {
  const heading = root.querySelector("h1");
  if (heading) {
    heading.setAttribute("tabindex", "-1");
    heading.focus({ preventScroll: true });
  }
}
