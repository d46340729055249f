// The payment provider a node uses, chosen by PAYMENT_PROVIDER (platform/config.ts). A real
// provider (Stripe, Adyen...) is added here under its name, and to the names the config accepts.
import type { PaymentProviderName } from "../../platform/config.ts";
import type { PaymentProvider } from "./provider.ts";
import { SimulatedPaymentProvider } from "./simulated-provider.ts";

interface ProviderOptions {
  /** The simulated provider's charges kept in this file (tests that kill a node); null: in memory. */
  simulatedLedger?: string | null;
}

const providers: Record<PaymentProviderName, (options: ProviderOptions) => PaymentProvider> = {
  simulated: (options) => new SimulatedPaymentProvider(options.simulatedLedger ?? null),
};

export const createPaymentProvider = (
  name: PaymentProviderName,
  options: ProviderOptions = {},
): PaymentProvider => providers[name](options);
