// What the parts of the event page share, and the one rule of who may reserve now.
import { currentUser } from "../../session.ts";
import type { SeatMapView } from "../../seatmap/view.ts";
import { getAdmissionToken } from "../../store.ts";
import type { MessageBox } from "../common.ts";
import type { EventSeats } from "./seats.ts";

export interface EventPageContext {
  eventId: string;
  eventName: string;
  waitingRoomOn: boolean;
  /** Seats one reservation may take (the request limit, or the event's lower per-user limit). */
  selectionMax: number;
  seats: EventSeats;
  message: MessageBox;
  view: SeatMapView;
}

/** The sale has a waiting room and this tab has not been admitted. */
export const needsAdmission = (page: Pick<EventPageContext, "eventId" | "waitingRoomOn">): boolean =>
  page.waitingRoomOn && !getAdmissionToken(page.eventId);

/** What stands before reserving: signing in, then the waiting room; null when nothing does. */
export function reserveGate(page: EventPageContext): "signin" | "queue" | null {
  if (!currentUser()) return "signin";
  return needsAdmission(page) ? "queue" : null;
}
