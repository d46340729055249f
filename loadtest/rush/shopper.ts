// One admitted virtual user: follows the seat map live, picks seats, reserves (picking again on 409),
// then pays, is declined, or abandons the hold and lets it lapse.
import { randomUUID } from "node:crypto";
import { io, type Socket } from "socket.io-client";
import type { HttpClient } from "./http-client.ts";
import { retryAfterMs } from "./http-client.ts";
import type { RunRecorder } from "./recorder.ts";
import type { SeatMirror } from "./seat-mirror.ts";

export interface ShopperBehaviour {
  /** Share of shoppers that load the full seat map over HTTP (the rest use the shared live mirror). */
  mapFetchShare: number;
  /** Share of shoppers that ask for 2-4 seats together. */
  groupShare: number;
  /** Share of groups that ask the engine for the best available seats instead of picking. */
  bestAvailableShare: number;
  declineShare: number;
  abandonShare: number;
  thinkTimeMs: [number, number];
  reserveAttemptsMax: number;
  /**
   * How long a shopper who finds every seat held (none booked-out yet) watches the map for seats
   * coming back, from abandoned holds lapsing or declined payers giving up, before leaving.
   */
  returnsWaitMs: number;
}

export const defaultBehaviour: ShopperBehaviour = {
  mapFetchShare: 0.05,
  groupShare: 0.3,
  bestAvailableShare: 0.25,
  declineShare: 0.05,
  abandonShare: 0.08,
  thinkTimeMs: [300, 1_500],
  reserveAttemptsMax: 6,
  returnsWaitMs: 60_000,
};

export interface ShopperContext {
  http: HttpClient;
  baseUrl: string;
  eventId: string;
  mirror: SeatMirror;
  recorder: RunRecorder;
  behaviour: ShopperBehaviour;
  random: () => number;
  /** Sockets open at once are bounded by the number of shoppers at once. */
  connectSockets: boolean;
  onSold(count: number): void;
}

export type ShopperOutcome = "bought" | "declined" | "abandoned" | "soldOut" | "failed";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function shop(
  userId: string,
  token: string,
  admissionToken: string | null,
  context: ShopperContext,
): Promise<ShopperOutcome> {
  const { http, eventId, mirror, recorder, behaviour, random } = context;
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  if (admissionToken) headers["x-admission-token"] = admissionToken;
  let socket: Socket | null = null;
  try {
    if (context.connectSockets) socket = await subscribe(context, token);
    if (random() < behaviour.mapFetchShare) {
      const map = await http.request("GET", `/events/${eventId}/tickets?format=compact`);
      recorder.record("seatMap", map.status, map.latencyMs);
    }

    // Reserve: pick from the live map, pick again on 409.
    const group = random() < behaviour.groupShare;
    let quantity = group ? 2 + Math.floor(random() * 3) : 1;
    let held: string[] | null = null;
    const watchUntil = Date.now() + behaviour.returnsWaitMs;
    for (let attempt = 0; attempt < behaviour.reserveAttemptsMax && !held; attempt++) {
      // Nothing free on the map: leave when all is booked, else watch for seats coming back.
      while (mirror.availableCount() === 0) {
        if (mirror.reservedCount() === 0 || Date.now() > watchUntil) return "soldOut";
        await sleep(250);
      }
      // Late in the sale a group takes what is left: fewer seats, or seats apart.
      quantity = Math.min(quantity, mirror.availableCount());
      const useBestAvailable = group && random() < behaviour.bestAvailableShare;
      let body: Record<string, unknown>;
      if (useBestAvailable) {
        body = { eventId, quantity };
      } else {
        const ticketIds = mirror.pick(quantity, group, random) ?? mirror.pick(quantity, false, random);
        if (!ticketIds) {
          await sleep(200);
          continue;
        }
        body = ticketIds.length === 1 ? { ticketId: ticketIds[0] } : { ticketIds };
      }
      const answer = await http.request("POST", "/booking/reserve", body, headers);
      recorder.record("reserve", answer.status, answer.latencyMs);
      if (answer.status === 200) {
        held = answer.body.ticketIds;
        for (const ticketId of held!) mirror.mark(ticketId, "reserved");
      } else if (answer.status === 409 && answer.body?.error?.code === "TICKET_UNAVAILABLE") {
        for (const ticketId of answer.body.error.details?.ticketIds ?? []) mirror.mark(ticketId, "reserved");
      } else if (answer.status === 503 || answer.status === 429) {
        await sleep(retryAfterMs(answer));
      } else {
        return "failed";
      }
    }
    if (!held) return mirror.availableCount() === 0 ? "soldOut" : "failed";

    const [thinkMin, thinkMax] = behaviour.thinkTimeMs;
    await sleep(thinkMin + random() * (thinkMax - thinkMin));
    const roll = random();
    if (roll < behaviour.abandonShare) {
      // Half release at once, half walk away and let the hold lapse.
      if (random() < 0.5) {
        const answer = await http.request("POST", "/booking/release", { ticketIds: held }, headers);
        recorder.record("release", answer.status, answer.latencyMs);
      }
      return "abandoned";
    }
    let paymentToken = roll < behaviour.abandonShare + behaviour.declineShare ? "tok_decline" : "tok_ok";
    for (let attempt = 0; attempt < 4; attempt++) {
      const idempotencyKey = randomUUID();
      let answer;
      // Retrying with the same key is safe: the same answer, never a second charge.
      for (let retry = 0; retry < 5; retry++) {
        answer = await http.request(
          "POST",
          "/booking/confirm",
          { ticketIds: held, paymentDetails: { token: paymentToken } },
          { ...headers, "idempotency-key": idempotencyKey },
        );
        recorder.record("confirm", answer.status, answer.latencyMs);
        if (answer.status !== 503 && answer.status !== 0) break;
        await sleep(retryAfterMs(answer));
      }
      if (answer!.status === 201) {
        context.onSold(held.length);
        return "bought";
      }
      if (answer!.status === 402 && random() < 0.5) {
        paymentToken = "tok_ok"; // another card
        continue;
      }
      return answer!.status === 402 ? "declined" : "failed";
    }
    return "failed";
  } finally {
    socket?.disconnect();
  }
}

/** A shopper's own Socket.IO subscription: it loads the fan-out like a real browser does. */
function subscribe(context: ShopperContext, token: string): Promise<Socket> {
  const socket = io(context.baseUrl, {
    transports: ["websocket"],
    auth: { token },
    reconnection: false,
    timeout: 10_000,
  });
  return new Promise((resolve) => {
    const done = () => resolve(socket);
    const timer = setTimeout(done, 5_000);
    socket.on("connect", () => {
      socket.timeout(5_000).emit("subscribe", { eventId: context.eventId }, () => {
        clearTimeout(timer);
        done();
      });
    });
    socket.on("connect_error", () => {
      clearTimeout(timer);
      done();
    });
  });
}
