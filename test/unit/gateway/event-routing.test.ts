// The gateway picks a booking call's node again by the request's params (moleculer-web picked it with
// its own context, which names no event); other calls keep moleculer-web's choice.
import { expect } from "chai";
import type { ServiceBroker } from "moleculer";
import { routeToEventOwner, type RoutedRequest } from "../../../gateway/event-routing.ts";

/** A broker whose strategy answers `pick(params)`, noting what it was asked. */
function brokerPicking(pick: (params: unknown) => unknown) {
  const asked: { action: string; params: unknown }[] = [];
  const broker = {
    findNextActionEndpoint(action: string, _opts: unknown, ctx: { params: unknown }) {
      asked.push({ action, params: ctx.params });
      return pick(ctx.params);
    },
  } as unknown as ServiceBroker;
  return { broker, asked };
}

const request = (action: string, params: unknown): RoutedRequest => ({
  $action: { name: action },
  $params: params,
  $endpoint: "moleculer-web's choice",
});

describe("gateway/event-routing: a booking call goes to its event's owner", () => {
  it("picks the endpoint of a booking call by the event its params name", () => {
    const { broker, asked } = brokerPicking((params: any) => `owner of ${JSON.stringify(params)}`);
    const byIds = request("booking.reserve", { ticketIds: ["ev_a.1", "ev_a.2"] });
    routeToEventOwner(broker, byIds);
    expect(byIds.$endpoint).to.equal('owner of {"ticketIds":["ev_a.1","ev_a.2"]}');
    const best = request("booking.reserve", { eventId: "ev_a", quantity: 2 });
    routeToEventOwner(broker, best);
    expect(best.$endpoint).to.equal('owner of {"eventId":"ev_a","quantity":2}');
    const confirm = request("booking.confirm", { ticketId: "ev_a.1", paymentDetails: { token: "t" } });
    routeToEventOwner(broker, confirm);
    expect(asked.map((item) => item.action)).to.deep.equal([
      "booking.reserve",
      "booking.reserve",
      "booking.confirm",
    ]);
  });

  it("keeps moleculer-web's choice for other actions, calls naming no event, and no endpoint", () => {
    const { broker, asked } = brokerPicking(() => "picked");
    const untouched = [
      request("catalog.getTickets", { eventId: "ev_a" }),
      request("waiting-room.join", { eventId: "ev_a" }),
      request("booking.listBookings", {}),
      request("booking.reserve", { ticketIds: ["ev_a.1", "ev_b.1"] }),
      request("booking.release", { ticketId: "junk" }),
      { $params: { eventId: "ev_a" }, $endpoint: "moleculer-web's choice" },
    ];
    for (const req of untouched) routeToEventOwner(broker, req);
    expect(asked).to.deep.equal([]);
    expect(untouched.map((req) => req.$endpoint)).to.deep.equal(
      untouched.map(() => "moleculer-web's choice"),
    );

    const unavailable = brokerPicking(() => new Error("Service 'booking.reserve' is not available."));
    const req = request("booking.reserve", { ticketId: "ev_a.1" });
    routeToEventOwner(unavailable.broker, req);
    expect(unavailable.asked).to.have.length(1);
    expect(req.$endpoint).to.equal("moleculer-web's choice");
  });
});
