// The rush's sold-out phase with a waiting list (issue 18): waiting users join the list of a sold-out
// event and follow their own Socket.IO `waitlist` pushes; seats come back (the holders release them
// one by one); each offer is taken (paid with the usual confirm) or left to lapse, and a lapsed offer
// goes on to the next entry. Reports offers made, taken and lapsed, the order offers reached the
// waiting users in, and the time from a seat's return (its release, or the lapse of the offer before)
// to its offer arriving on the user's socket.
import { connectRealtime, type MarqueeSocket } from "../../client/src/index.ts";
import { seededRandom } from "../../domain/random.ts";

export interface PhaseAnswer {
  status: number;
  body: any;
}

export interface WaitlistPhaseOptions {
  baseUrl: string;
  eventId: string;
  request(
    method: string,
    path: string,
    options: { token: string; body?: unknown; headers?: Record<string, string> },
  ): Promise<PhaseAnswer>;
  token(userId: string): Promise<string>;
  /**
   * The seats that come back, one return after the other (`returnGapMs` apart): a holder's release,
   * or an organiser's cancellation of a booking once the event sold out. `giveBack` answers the status.
   */
  returns: { ticketIds: string[]; giveBack(): Promise<number> }[];
  waiters: number;
  /** The share of offers paid for; the others lapse (the event's hold TTL). */
  takeShare: number;
  returnGapMs: number;
  /** The phase ends once every returned seat is booked or this long has passed. */
  timeoutMs: number;
  seed: number;
}

export interface WaitlistPhaseReport {
  joined: number;
  returned: number;
  offersMade: number;
  offersTaken: number;
  offersLapsed: number;
  /** Whether the first offers reached the waiting users in the order they joined. */
  servedInOrder: boolean;
  returnToOfferMs: { count: number; p50: number | null; p99: number | null; max: number | null };
  stillWaiting: number;
}

interface Offer {
  ticketIds: string[];
  expiresAt: string;
}

const quantile = (sorted: number[], q: number): number | null =>
  sorted.length === 0 ? null : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];

export async function runWaitlistPhase(options: WaitlistPhaseOptions): Promise<WaitlistPhaseReport> {
  const phase = new WaitlistPhase(options);
  try {
    const tokens = await phase.connectWaiters();
    await phase.join(tokens);
    const returned = await phase.returnSeats();
    await phase.settle(returned);
    return await phase.report(tokens, returned);
  } finally {
    phase.close();
  }
}

class WaitlistPhase {
  private readonly random: () => number;
  private readonly path: string;
  private readonly returnedAt = new Map<string, number>();
  private readonly latencies: number[] = [];
  private readonly firstOffers: number[] = [];
  private readonly booked = new Set<string>();
  private readonly sockets: MarqueeSocket[] = [];
  private offersMade = 0;
  private offersTaken = 0;
  private offersLapsed = 0;

  constructor(private readonly options: WaitlistPhaseOptions) {
    this.random = seededRandom(options.seed);
    this.path = `/events/${encodeURIComponent(options.eventId)}/waitlist`;
  }

  /** One socket per waiting user, following its own pushes. */
  async connectWaiters(): Promise<string[]> {
    const { options } = this;
    const tokens: string[] = [];
    for (let index = 0; index < options.waiters; index++) {
      const token = await options.token(`waiter-${options.seed}-${index}`);
      tokens.push(token);
      const socket = connectRealtime(options.baseUrl, { token: () => token, transports: ["websocket"] });
      this.sockets.push(socket);
      (socket as unknown as { on(name: string, listener: (data: any) => void): void }).on(
        "waitlist",
        (data) => {
          if (data?.eventId === options.eventId && data.status === "offered")
            void this.onOffer(index, token, data.offer);
        },
      );
      await new Promise<void>((resolve) => socket.once("connect", () => resolve()));
    }
    return tokens;
  }

  /** Joined one after the other: the list's order. */
  async join(tokens: string[]): Promise<void> {
    for (const token of tokens) {
      const joined = await this.options.request("POST", this.path, { token, body: { quantity: 1 } });
      if (joined.status !== 201)
        throw new Error(`join answered ${joined.status}: ${JSON.stringify(joined.body)}`);
    }
  }

  async returnSeats(): Promise<number> {
    let returned = 0;
    for (const back of this.options.returns) {
      const at = Date.now();
      for (const ticketId of back.ticketIds) this.returnedAt.set(ticketId, at);
      const status = await back.giveBack();
      if (status !== 200) throw new Error(`a return answered ${status}`);
      returned += back.ticketIds.length;
      await new Promise((resolve) => setTimeout(resolve, this.options.returnGapMs));
    }
    return returned;
  }

  async settle(returned: number): Promise<void> {
    const deadline = Date.now() + this.options.timeoutMs;
    while (this.booked.size < returned && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 50));
  }

  async report(tokens: string[], returned: number): Promise<WaitlistPhaseReport> {
    let stillWaiting = 0;
    for (const token of tokens) {
      const entry = await this.options.request("GET", this.path, { token });
      if (entry.body?.status === "waiting") stillWaiting++;
    }
    const sorted = this.latencies.slice().sort((a, b) => a - b);
    const first = this.firstOffers;
    return {
      joined: tokens.length,
      returned,
      offersMade: this.offersMade,
      offersTaken: this.offersTaken,
      offersLapsed: this.offersLapsed,
      servedInOrder: first.every((index, position) => position === 0 || index > first[position - 1]),
      returnToOfferMs: {
        count: sorted.length,
        p50: quantile(sorted, 0.5),
        p99: quantile(sorted, 0.99),
        max: sorted.at(-1) ?? null,
      },
      stillWaiting,
    };
  }

  close(): void {
    for (const socket of this.sockets) socket.close();
  }

  private async onOffer(index: number, token: string, offer: Offer): Promise<void> {
    const arrived = Date.now();
    this.offersMade++;
    if (!this.firstOffers.includes(index)) this.firstOffers.push(index);
    for (const ticketId of offer.ticketIds) {
      const since = this.returnedAt.get(ticketId);
      if (since !== undefined) this.latencies.push(arrived - since);
    }
    if (this.random() < this.options.takeShare) {
      const paid = await this.options.request("POST", "/booking/confirm", {
        token,
        body: { ticketIds: offer.ticketIds, paymentDetails: { token: "tok_ok" } },
        headers: { "Idempotency-Key": `waitlist-${this.options.seed}-${index}-${offer.expiresAt}` },
      });
      if (paid.status === 201) {
        this.offersTaken++;
        for (const ticketId of offer.ticketIds) this.booked.add(ticketId);
        return;
      }
    }
    // Left to lapse: the seats come back at the offer's expiry and go to the next entry.
    this.offersLapsed++;
    for (const ticketId of offer.ticketIds) this.returnedAt.set(ticketId, Date.parse(offer.expiresAt));
  }
}

/** What the rush hands the phase once its event sold out. */
export interface SoldOutRush {
  baseUrl: string;
  eventId: string;
  request(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<PhaseAnswer>;
  issueToken(userId: string, role: "user" | "admin"): Promise<string>;
  waiters: number;
  /** Bookings the organiser cancels, one after the other: their seats are the returns. */
  cancellations: number;
  seed: number;
}

/** The rush's sold-out phase: waiting users, and seats that come back by cancellations. */
export async function runSoldOutWaitlist(rush: SoldOutRush): Promise<WaitlistPhaseReport> {
  const request: WaitlistPhaseOptions["request"] = (method, path, { token, body, headers }) =>
    rush.request(method, path, body, { ...headers, authorization: `Bearer ${token}` });
  const admin = await rush.issueToken("rush-organiser", "admin");
  const page = await request("GET", `/admin/events/${rush.eventId}/bookings?limit=${rush.cancellations}`, {
    token: admin,
  });
  const bookings: { id: string; ticketIds: string[] }[] = page.body?.bookings ?? [];
  return runWaitlistPhase({
    baseUrl: rush.baseUrl,
    eventId: rush.eventId,
    request,
    token: (userId) => rush.issueToken(userId, "user"),
    returns: bookings.map((booking) => ({
      ticketIds: booking.ticketIds,
      giveBack: async () =>
        (
          await request("POST", `/admin/bookings/${booking.id}/cancel`, {
            token: admin,
            body: { reason: "rush: a returned order" },
            headers: { "Idempotency-Key": `rush-cancel-${booking.id}` },
          })
        ).status,
    })),
    waiters: rush.waiters,
    takeShare: 0.7,
    returnGapMs: 100,
    timeoutMs: 60_000,
    seed: rush.seed,
  });
}
