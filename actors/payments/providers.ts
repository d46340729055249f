// The payment provider a node uses, chosen by PAYMENT_PROVIDER (platform/config.ts). A real
// provider (Stripe, Adyen...) is added here under its name, and to the names the config accepts.
import type { PaymentProviderName } from "../../platform/config.ts";
import type { PaymentProvider } from "./provider.ts";
import { SimulatedPaymentProvider } from "./simulated-provider.ts";

const providers: Record<PaymentProviderName, () => PaymentProvider> = {
  simulated: () => new SimulatedPaymentProvider(),
};

export const createPaymentProvider = (name: PaymentProviderName): PaymentProvider => providers[name]();
