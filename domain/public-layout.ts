// The static part of an event's seat map as the API sends it (`GET /events/:eventId/layout`). No
// imports: the web UI's bundle reads it too.

export interface PublicRow {
  label: string;
  seats: number;
  /** Ordinal of seat 1 of this row: its tickets are `<eventId>.<firstOrdinal + seat - 1>`. */
  firstOrdinal: number;
}

export interface PublicLayout {
  eventId: string;
  currency: string;
  /** Tickets in all: the length of the compact map's `statuses`. */
  ticketCount: number;
  sections: { name: string; priceCents: number; rows: PublicRow[] }[];
  /** Where the stage is, when the event records one: in front of the first section. */
  stage?: PublicStage;
}

export interface PublicStage {
  label: string;
  position: "front";
}
