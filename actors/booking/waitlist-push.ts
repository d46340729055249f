// The Socket.IO `waitlist` messages of a committed turn: each offer made goes to its user, in the shape
// of GET /events/:eventId/waitlist (with the event's id, so a client following several knows which).
import type { ToUser } from "../../domain/messages.ts";
import { ticketId } from "../../domain/ids.ts";
import type { Effect } from "../../domain/seat-state.ts";

export function waitlistPushes(eventId: string, effects: Effect[]): ToUser[] {
  const pushes: ToUser[] = [];
  for (const effect of effects) {
    if (effect.type !== "waitlistOffered") continue;
    const { userId, offer, offerExpiresAt } = effect.entry;
    pushes.push({
      userId,
      event: "waitlist",
      data: {
        eventId,
        status: "offered",
        offer: {
          ticketIds: offer!.map((ordinal) => ticketId(eventId, ordinal)),
          expiresAt: new Date(offerExpiresAt!).toISOString(),
        },
      },
    });
  }
  return pushes;
}
