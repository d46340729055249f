// k6 version of `npm run rush`: an on-sale through the real flow over HTTP and Socket.IO.
// Each iteration is one fan: dev token -> join the waiting room -> poll until admitted -> load the
// seat map and follow its deltas on a WebSocket (Socket.IO framing by hand, lib/socket-io.ts) ->
// pick seats (some ask for 2-4) -> reserve (pick again on 409) -> pay (some declined cards, some
// abandon and let the hold lapse). Thresholds on reserve/confirm p99 and the error rate.
// Run: `k6 run loadtest/k6/rush.ts` (k6 >= 1.0 runs TypeScript); see loadtest/k6/README.md.
import http, { type RefinedResponse, type ResponseType } from "k6/http";
import { check, sleep } from "k6";
import { Counter, Rate, Trend } from "k6/metrics";
import { clearTimeout, setTimeout } from "k6/timers";
import { WebSocket } from "k6/websockets";
import type { QueueStatus, SeatMapAnswer } from "@marquee/client/types";
import { SeatMap, type SeatDelta } from "./lib/seat-map.ts";
import { connectPacket, decodePacket, emitPacket, pongPacket, socketUrl } from "./lib/socket-io.ts";

const baseUrl = __ENV.BASE_URL || "http://127.0.0.1:3000";
const seats = Number(__ENV.SEATS || 2_000);
const users = Number(__ENV.USERS || 20_000);
const presaleSeconds = Number(__ENV.PRESALE_SECONDS || 20);
const arrivalSeconds = Number(__ENV.ARRIVAL_SECONDS || 60);
const maxActiveShoppers = Number(__ENV.MAX_ACTIVE_SHOPPERS || 400);
const waitingRoomWaitMaxSeconds = Number(__ENV.WAITING_ROOM_WAIT_MAX_SECONDS || 600);
const groupShare = 0.3;
const declineShare = 0.05;
const abandonShare = 0.08;
const reserveAttemptsMax = 6;

export const options = {
  scenarios: {
    fans: {
      executor: "constant-arrival-rate",
      rate: Math.max(1, Math.ceil(users / arrivalSeconds)),
      timeUnit: "1s",
      duration: `${arrivalSeconds}s`,
      preAllocatedVUs: Number(__ENV.VUS || 500),
      maxVUs: Number(__ENV.VUS_MAX || 5_000),
      gracefulStop: `${waitingRoomWaitMaxSeconds}s`,
    },
  },
  thresholds: {
    "http_req_duration{name:reserve}": [`p(99)<${__ENV.RESERVE_P99_MS || 1_000}`],
    "http_req_duration{name:confirm}": [`p(99)<${__ENV.CONFIRM_P99_MS || 2_000}`],
    // 409 (seat taken) and 402 (declined card) are answers, not failures.
    http_req_failed: [`rate<${__ENV.FAILED_RATE_MAX || 0.01}`],
    server_errors: [`rate<${__ENV.SERVER_ERROR_RATE_MAX || 0.001}`],
    checks: ["rate>0.99"],
  },
};

http.setResponseCallback(http.expectedStatuses(200, 201, 402, 409));

const reserveLatency = new Trend("reserve_ms", true);
const confirmLatency = new Trend("confirm_ms", true);
const serverErrors = new Rate("server_errors");
const seatsSold = new Counter("seats_sold");
const soldOut = new Counter("sold_out");
const seatDeltas = new Counter("seat_deltas");

type Response = RefinedResponse<ResponseType | undefined>;

function json(
  method: "GET" | "POST",
  path: string,
  body: unknown,
  headers: Record<string, string>,
  name: string,
) {
  const response: Response = http.request(
    method,
    `${baseUrl}${path}`,
    body === null ? null : JSON.stringify(body),
    {
      headers: { "content-type": "application/json", ...headers },
      tags: { name },
      timeout: "20s",
    },
  );
  serverErrors.add(response.status === 0 || response.status >= 500);
  return response;
}

const bodyOf = (response: Response): any => {
  try {
    return response.json();
  } catch {
    return null;
  }
};

function retryAfterSeconds(response: Response): number {
  const value = Number(response.headers["Retry-After"]);
  return Number.isFinite(value) && value > 0 ? Math.min(value, 10) : 1;
}

function devToken(userId: string, role: "user" | "admin"): string {
  const response = json("POST", "/auth/token", { userId, role }, {}, "token");
  check(response, { "token issued": (r) => r.status === 200 });
  return bodyOf(response)?.token;
}

function stadiumSections(count: number) {
  const sections = [];
  for (let index = 0, left = count; left > 0; index++) {
    const rows = [];
    for (let row = 1; row <= 20 && left > 0; row++) {
      const size = Math.min(50, left);
      rows.push({ label: String(row), seats: size });
      left -= size;
    }
    sections.push({ name: `Section ${101 + index}`, priceCents: 9_900 + 1_000 * (index % 5), rows });
  }
  return sections;
}

/** Creates the event (or uses EVENT_ID), on sale PRESALE_SECONDS after the test starts. */
export function setup(): { eventId: string } {
  if (__ENV.EVENT_ID) return { eventId: __ENV.EVENT_ID };
  const admin = { authorization: `Bearer ${devToken("k6-admin", "admin")}` };
  const venue = bodyOf(
    json("POST", "/admin/venues", { name: "k6 Arena", city: "Lisbon", country: "Portugal" }, admin, "admin"),
  );
  const performer = bodyOf(
    json("POST", "/admin/performers", { name: "k6 Headliner", genre: "pop" }, admin, "admin"),
  );
  const created = json(
    "POST",
    "/admin/events",
    {
      name: "k6 rush",
      type: "concert",
      venueId: venue?.id,
      performerIds: [performer?.id],
      startsAt: new Date(Date.now() + 90 * 86_400_000).toISOString(),
      onSaleAt: new Date(Date.now() + presaleSeconds * 1_000).toISOString(),
      sections: stadiumSections(seats),
      waitingRoom: { enabled: true, maxActiveShoppers, admitPerMinute: 60_000, tokenTtlSeconds: 120 },
    },
    admin,
    "admin",
  );
  if (!check(created, { "event created": (r) => r.status === 201 }))
    throw new Error(`event: ${created.status} ${created.body}`);
  return { eventId: bodyOf(created).event.id };
}

/** Joins the waiting room and polls until admitted; null when the wait runs out. */
function waitForAdmission(eventId: string, auth: Record<string, string>): string | null {
  const deadline = Date.now() + waitingRoomWaitMaxSeconds * 1_000;
  let response = json("POST", `/events/${eventId}/queue`, {}, auth, "join");
  while (Date.now() < deadline) {
    const answer: QueueStatus | null = bodyOf(response);
    if (response.status === 200 && answer?.status === "admitted") return answer.admissionToken ?? "";
    if (response.status === 503 || response.status === 429) sleep(retryAfterSeconds(response));
    else if (response.status !== 200) return null;
    else sleep(Math.min(5, Math.max(0.5, Number(answer?.estimatedWaitSeconds ?? 1) / 4)));
    response = json("GET", `/events/${eventId}/queue`, null, auth, "poll");
  }
  return null;
}

function loadMap(eventId: string): SeatMap {
  const response = json("GET", `/events/${eventId}/tickets`, null, {}, "seatMap");
  const body: SeatMapAnswer | null = bodyOf(response);
  return new SeatMap(body?.tickets ?? [], body?.version ?? 0);
}

/** Reserve (pick again on 409), then pay, be declined, or walk away. */
function shop(eventId: string, map: SeatMap, headers: Record<string, string>): void {
  const quantity = Math.random() < groupShare ? 2 + Math.floor(Math.random() * 3) : 1;
  let held: string[] | null = null;
  for (let attempt = 0; attempt < reserveAttemptsMax && !held; attempt++) {
    const ticketIds = map.pick(quantity);
    if (!ticketIds) {
      soldOut.add(1);
      return;
    }
    const response = json("POST", "/booking/reserve", { ticketIds }, headers, "reserve");
    reserveLatency.add(response.timings.duration);
    check(response, { "reserve answered by the contract": (r) => [200, 409, 429, 503].includes(r.status) });
    if (response.status === 200) held = bodyOf(response).ticketIds;
    else if (response.status === 409)
      map.mark(bodyOf(response)?.error?.details?.ticketIds ?? ticketIds, "reserved");
    else if (response.status === 503 || response.status === 429) sleep(retryAfterSeconds(response));
    else return;
  }
  if (!held) return;
  sleep(0.3 + Math.random() * 1.2); // think
  const roll = Math.random();
  if (roll < abandonShare) return; // the hold lapses by itself
  const token = roll < abandonShare + declineShare ? "tok_decline" : "tok_ok";
  const key = `k6-${__VU}-${__ITER}-${Date.now()}`;
  for (let retry = 0; retry < 5; retry++) {
    const response = json(
      "POST",
      "/booking/confirm",
      { ticketIds: held, paymentDetails: { token } },
      { ...headers, "idempotency-key": key },
      "confirm",
    );
    confirmLatency.add(response.timings.duration);
    check(response, { "confirm answered by the contract": (r) => [201, 402, 409, 503].includes(r.status) });
    if (response.status === 201) seatsSold.add(held.length);
    if (response.status !== 503) return;
    sleep(retryAfterSeconds(response)); // same key: never charged twice
  }
}

export default function fan(data: { eventId: string }): void {
  const { eventId } = data;
  const userId = `k6-fan-${__VU}-${__ITER}`;
  const auth = { authorization: `Bearer ${devToken(userId, "user")}` };
  const admissionToken = waitForAdmission(eventId, auth);
  if (admissionToken === null) return;
  const headers: Record<string, string> = admissionToken
    ? { ...auth, "x-admission-token": admissionToken }
    : auth;
  let map = loadMap(eventId);

  // Follow the seat deltas while shopping; shop once the subscription is acknowledged.
  const socket = new WebSocket(socketUrl(baseUrl));
  const giveUp = setTimeout(() => socket.close(), 120_000);
  socket.onmessage = (event) => {
    const packet = decodePacket(String(event?.data ?? ""));
    switch (packet.kind) {
      case "open":
        socket.send(connectPacket);
        break;
      case "ping":
        socket.send(pongPacket);
        break;
      case "connected":
        socket.send(emitPacket("subscribe", { eventId }, 1));
        break;
      case "ack":
        if (packet.id !== 1) break;
        setTimeout(() => {
          shop(eventId, map, headers);
          socket.close();
        }, 50);
        break;
      case "event":
        if (packet.name !== "seats") break;
        seatDeltas.add(1);
        if (!map.apply(packet.data as SeatDelta)) map = loadMap(eventId);
        break;
    }
  };
  socket.onclose = () => clearTimeout(giveUp);
  socket.onerror = () => {
    serverErrors.add(true);
    clearTimeout(giveUp);
  };
}
