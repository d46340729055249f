// The seat map rendered as text must be exactly the Ticket list as objects, after any sequence of
// changes (chunks re-rendered only when their statuses changed).
import { expect } from "chai";
import { buildSeatLayout, ticketsFromStatuses } from "../../../domain/seat-layout.ts";
import { SeatMapJson, seatMapChunkSeats } from "../../../domain/seat-map-json.ts";
import { seededRandom } from "../../../domain/random.ts";

const reference = (eventId: string, layout: ReturnType<typeof buildSeatLayout>, statuses: Uint8Array) =>
  JSON.stringify(ticketsFromStatuses(eventId, layout, statuses));

describe("SeatMapJson", () => {
  it("renders exactly the Ticket list, through random changes, on layouts of many shapes", () => {
    for (let seed = 1; seed <= 20; seed++) {
      const random = seededRandom(seed);
      const sections = Array.from({ length: 1 + Math.floor(random() * 4) }, (_, index) => ({
        name: `Sec "${index}" \\ é`, // text that JSON must escape
        priceCents: 1_000 + index,
        rows: Array.from({ length: 1 + Math.floor(random() * 5) }, (_, row) => ({
          label: `R${row}`,
          seats: 1 + Math.floor(random() * seatMapChunkSeats * 0.7),
        })),
      }));
      const layout = buildSeatLayout(sections);
      const map = new SeatMapJson(`ev_${seed}`, layout);
      const statuses = new Uint8Array(layout.total);
      for (let step = 0; step < 12; step++) {
        const changes = Math.floor(random() * 5 ** (step % 4));
        for (let change = 0; change < changes; change++)
          statuses[Math.floor(random() * layout.total)] = Math.floor(random() * 3);
        const text = map.render(statuses);
        expect(text, `seed ${seed} step ${step}`).to.equal(reference(`ev_${seed}`, layout, statuses));
      }
    }
  });

  it("renders an event without seats as an empty list", () => {
    const layout = buildSeatLayout([]);
    expect(new SeatMapJson("ev_empty", layout).render(new Uint8Array(0))).to.equal("[]");
  });

  it("refuses statuses that do not fit the layout, and stays correct after", () => {
    const layout = buildSeatLayout([{ name: "A", priceCents: 100, rows: [{ label: "1", seats: 1_200 }] }]);
    const map = new SeatMapJson("ev_x", layout);
    expect(() => map.render(new Uint8Array(3))).to.throw(/status count/);
    const broken = new Uint8Array(1_200);
    broken[1_100] = 7;
    expect(() => map.render(broken)).to.throw(/unknown status/);
    const statuses = new Uint8Array(1_200).fill(1);
    expect(map.render(statuses)).to.equal(reference("ev_x", layout, statuses));
    statuses[0] = 0;
    expect(map.render(statuses)).to.equal(reference("ev_x", layout, statuses));
  });
});
