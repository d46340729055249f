// The NATS transporter, made safe against a packet over the server's max_payload. nats.js throws such a
// publish synchronously (MAX_PAYLOAD_EXCEEDED); Moleculer's transit only catches rejected promises,
// so the throw escaped as an unhandled rejection and stopped the whole node. Here it becomes a
// rejection: transit logs it ("Unable to send ... response") and the caller's request times out.
import Moleculer from "moleculer";
import type { BrokerOptions } from "moleculer";
import { natsPingIntervalMs, natsReconnectWaitMs } from "../domain/limits.ts";

const NatsTransporter = Moleculer.Transporters.NATS as unknown as new (options: unknown) => {
  send(topic: string, data: Buffer, meta: unknown): Promise<void>;
};

export class BoundedNatsTransporter extends NatsTransporter {
  override send(topic: string, data: Buffer, meta: unknown): Promise<void> {
    try {
      return super.send(topic, data, meta);
    } catch (error) {
      return Promise.reject(error);
    }
  }
}

/**
 * The NATS client's options for a TRANSPORTER of one URL or several (one NATS cluster, separated by
 * commas; Moleculer hands nats.js every server of the list). nats.js reconnects for ever, to the next
 * server of the list (and those the cluster announces) at once when its server goes, to the same one
 * after natsReconnectWaitMs; a server that stops answering pings is left after two intervals.
 */
export function natsOptions(url: string) {
  return {
    url,
    reconnectTimeWait: natsReconnectWaitMs,
    pingInterval: natsPingIntervalMs,
    maxPingOut: 2,
  };
}

/** Moleculer's `transporter` option for a TRANSPORTER setting (only NATS URLs are wrapped). */
export function transporterOption(url: string | null): BrokerOptions["transporter"] {
  if (!url) return undefined;
  if (!/^nats:\/\//i.test(url)) return url;
  return new BoundedNatsTransporter(natsOptions(url)) as unknown as BrokerOptions["transporter"];
}
