// The built-in simulated provider with the contract's development tokens:
// tok_ok captures; tok_decline declines; tok_slow captures after ~2 s; tok_fail_after_capture
// captures and then makes the booking step fail (the saga must refund). Any other token declines.
// It remembers charges and refunds in memory, keyed by payment id (idempotent like a real one); with a
// ledger file (tests that kill a node) its charges also outlive the process, as a real provider's do.
import { appendFileSync, readFileSync } from "node:fs";
import { newId } from "../../domain/ids.ts";
import type { ChargeRequest, ChargeResult, PaymentProvider } from "./provider.ts";

export const slowTokenDelayMs = 2_000;

export class SimulatedPaymentProvider implements PaymentProvider {
  readonly name = "simulated";
  private readonly charges = new Map<string, ChargeResult>();
  private readonly refunds = new Set<string>();
  /** Times money was actually taken (a replayed charge of the same payment does not count). */
  captureCount = 0;
  refundCount = 0;

  constructor(private readonly ledgerPath: string | null = null) {}

  async charge(request: ChargeRequest): Promise<ChargeResult> {
    const known = this.charges.get(request.paymentId);
    if (known) return known;
    if (request.token === "tok_slow") await new Promise((resolve) => setTimeout(resolve, slowTokenDelayMs));
    const again = this.charges.get(request.paymentId);
    if (again) return again;
    let result: ChargeResult;
    switch (request.token) {
      case "tok_ok":
      case "tok_slow":
        result = { status: "captured", providerRef: newId("sim") };
        break;
      case "tok_fail_after_capture":
        result = { status: "captured", providerRef: newId("sim"), failBookingStep: true };
        break;
      case "tok_decline":
        result = { status: "declined", reason: "card declined (tok_decline)" };
        break;
      default:
        result = { status: "declined", reason: "unknown test token" };
    }
    this.charges.set(request.paymentId, result);
    if (this.ledgerPath)
      appendFileSync(this.ledgerPath, `${JSON.stringify({ paymentId: request.paymentId, result })}\n`);
    if (result.status === "captured") this.captureCount++;
    return result;
  }

  async refund(paymentId: string): Promise<void> {
    if (this.refunds.has(paymentId)) return;
    this.refunds.add(paymentId);
    this.refundCount++;
  }

  async lookup(paymentId: string): Promise<ChargeResult | null> {
    return this.charges.get(paymentId) ?? this.fromLedger(paymentId);
  }

  /** A charge made by an earlier process with the same ledger (the last line for the payment). */
  private fromLedger(paymentId: string): ChargeResult | null {
    if (!this.ledgerPath) return null;
    let text: string;
    try {
      text = readFileSync(this.ledgerPath, "utf8");
    } catch {
      return null; // no charge made yet
    }
    let found: ChargeResult | null = null;
    for (const line of text.split("\n")) {
      if (!line.includes(paymentId)) continue;
      const entry = JSON.parse(line) as { paymentId: string; result: ChargeResult };
      if (entry.paymentId === paymentId) found = entry.result;
    }
    return found;
  }
}
