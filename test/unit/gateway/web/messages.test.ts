import { expect } from "chai";
import { publicErrorCodes } from "../../../../domain/errors.ts";
import {
  describeError,
  isRetryable,
  networkErrorCode,
  timeoutErrorCode,
} from "../../../../gateway/web/app/messages.ts";
import { formatCountdown, formatWait } from "../../../../gateway/web/app/format.ts";

describe("web UI error messages", () => {
  const generic = describeError({ code: "SOMETHING_NEW", status: 500, message: "x" });

  it("has a specific message for every error code of the catalogue and for network failures", () => {
    for (const code of [
      ...publicErrorCodes.filter((code) => code !== "INTERNAL_ERROR"),
      networkErrorCode,
      timeoutErrorCode,
    ]) {
      const text = describeError({ code, status: 400, message: "field x is wrong" });
      expect(text, code).to.be.a("string").and.not.equal(generic);
    }
  });

  it("names the seats that were taken and the Retry-After wait", () => {
    const labels: Record<string, string> = { "ev.1": "Floor, row 1, seat 2" };
    const taken = describeError(
      { code: "TICKET_UNAVAILABLE", status: 409, message: "", details: { ticketIds: ["ev.1"] } },
      { seatLabel: (id) => labels[id] },
    );
    expect(taken).to.contain("Floor, row 1, seat 2").and.contain("taken");
    expect(describeError({ code: "OVERLOADED", status: 503, message: "", retryAfterSeconds: 3 })).to.contain(
      "3 seconds",
    );
    expect(
      describeError({ code: "RATE_LIMITED", status: 429, message: "", retryAfterSeconds: 1 }),
    ).to.contain("1 second");
    expect(
      describeError({ code: "PAYMENT_REFUNDED", status: 409, message: "", details: { paymentId: "pay_1" } }),
    )
      .to.contain("refunded")
      .and.contain("pay_1");
    expect(describeError({ code: "PAYMENT_DECLINED", status: 402, message: "" })).to.contain("declined");
    expect(describeError({ code: "HOLD_EXPIRED", status: 409, message: "" })).to.contain("expired");
    expect(
      describeError({
        code: "TICKET_LIMIT_REACHED",
        status: 409,
        message: "",
        details: { ticketsPerUserMax: 4, taken: 3 },
      }),
    )
      .to.contain("at most 4 tickets")
      .and.contain("already hold or have booked 3");
    expect(describeError({ code: "ADMISSION_REQUIRED", status: 403, message: "" })).to.contain(
      "waiting room",
    );
  });

  it("knows which errors a retry may cure", () => {
    expect(["OVERLOADED", "RATE_LIMITED", networkErrorCode].every(isRetryable)).to.equal(true);
    expect(["TICKET_UNAVAILABLE", "PAYMENT_DECLINED", "HOLD_EXPIRED"].some(isRetryable)).to.equal(false);
  });

  it("formats countdowns and waits", () => {
    expect(formatCountdown(125)).to.equal("2:05");
    expect(formatCountdown(3725)).to.equal("1:02:05");
    expect(formatCountdown(-4)).to.equal("0:00");
    expect(formatCountdown(0.2)).to.equal("0:01");
    expect(formatWait(20)).to.equal("less than a minute");
    expect(formatWait(180)).to.equal("about 3 minutes");
    expect(formatWait(7200)).to.equal("about 2 hours");
  });

  it("explains why a presale code was refused, by its reason", () => {
    const texts = ["unknown", "not_started", "ended", "used_up", "holds_full", "mixed", undefined].map(
      (reason) =>
        describeError({
          code: "PRESALE_CODE_INVALID",
          status: 403,
          message: "",
          ...(reason ? { details: { reason } } : {}),
        }),
    );
    expect(new Set(texts).size).to.equal(texts.length);
    expect(texts[3]).to.contain("used");
    expect(texts[6]).to.contain("presale code");
  });
});
