// The payment provider seen by the confirm saga. A real provider (Stripe, Adyen...) implements the
// same three calls; every call is idempotent by payment id, so a retried or recovered step never
// charges or refunds twice.

export interface ChargeRequest {
  paymentId: string;
  amountCents: number;
  /** The client's payment token (`paymentDetails.token`). */
  token: string;
}

export type ChargeResult =
  | {
      status: "captured";
      providerRef: string;
      /** Simulation only: the booking step after this capture must fail (tok_fail_after_capture). */
      failBookingStep?: boolean;
    }
  | { status: "declined"; reason: string };

export interface PaymentProvider {
  readonly name: string;
  charge(request: ChargeRequest): Promise<ChargeResult>;
  refund(paymentId: string, providerRef: string | null): Promise<void>;
  /** What the provider knows of a payment whose outcome we lost (crash): null when it never saw it. */
  lookup(paymentId: string): Promise<ChargeResult | null>;
}

/** Rejects when `work` takes longer than `timeoutMs` (the work itself is not cancelled). */
export function withTimeout<T>(work: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${timeoutMs} ms`)), timeoutMs);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
