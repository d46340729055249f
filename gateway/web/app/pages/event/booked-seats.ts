// Seats this user has booked show on the map as theirs too (held seats come from the tab's store).
import { currentUser } from "../../session.ts";
import { fetchMyBookings } from "../bookings.ts";
import type { EventPageContext } from "./context.ts";
import type { SeatLegend } from "./legend.ts";

export function showBookedSeats({ eventId, seats, view }: EventPageContext, legend: SeatLegend): void {
  if (!currentUser()) return;
  fetchMyBookings()
    .then((bookings) => {
      const ids = bookings
        .filter((booking) => booking.eventId === eventId)
        .flatMap((booking) => booking.ticketIds);
      view.invalidate(seats.markMine(ids));
      legend.update(seats.counts());
    })
    .catch(() => {
      // Bookings are a nicety here; the map works without them.
    });
}
