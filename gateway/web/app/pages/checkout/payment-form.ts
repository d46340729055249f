// The payment form: the simulated provider's test cards (one radio each, with what it does), Pay and
// Release seats.
import { h } from "../../dom.ts";

export const paymentTokens = [
  { token: "tok_ok", label: "Test card that pays", hint: "Succeeds at once." },
  { token: "tok_slow", label: "Slow test card", hint: "Succeeds after about 2 seconds." },
  {
    token: "tok_decline",
    label: "Test card that is declined",
    hint: "The bank declines; your seats stay held.",
  },
  {
    token: "tok_fail_after_capture",
    label: "Test card charged, then booking fails",
    hint: "Money is taken, the booking cannot complete, and it is refunded automatically.",
  },
] as const;

export interface PaymentForm {
  form: HTMLFormElement;
  payButton: HTMLButtonElement;
  releaseButton: HTMLButtonElement;
}

export function paymentForm(payLabel: string): PaymentForm {
  const payButton = h("button", { type: "submit", id: "pay", class: "primary" }, payLabel);
  const releaseButton = h("button", { type: "button", id: "release" }, "Release seats");
  const form = h(
    "form",
    { class: "card", "aria-label": "Payment" },
    tokenChoices(),
    payButton,
    " ",
    releaseButton,
  );
  return { form, payButton, releaseButton };
}

/** The test card chosen in the form. */
export const chosenToken = (form: HTMLFormElement): string =>
  (form.elements.namedItem("token") as RadioNodeList).value;

function tokenChoices(): HTMLFieldSetElement {
  return h(
    "fieldset",
    { class: "payment" },
    h("legend", {}, "Payment method (development test cards)"),
    paymentTokens.map((choice, index) => {
      const id = `token-${choice.token}`;
      return h(
        "div",
        { class: "choice" },
        h("input", {
          type: "radio",
          name: "token",
          id,
          value: choice.token,
          checked: index === 0,
          "aria-describedby": `${id}-hint`,
        }),
        h("label", { for: id }, choice.label),
        h("span", { class: "hint", id: `${id}-hint` }, ` ${choice.hint}`),
      );
    }),
  );
}
