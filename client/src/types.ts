// Names for the generated types (api-types.ts, from the OpenAPI document): the schemas a client
// handles, and the body and answer of each operation by its id (the action's name, e.g. booking.confirm).
import type { components, operations } from "./api-types.ts";

export type { components, operations, paths } from "./api-types.ts";

type Schemas = components["schemas"];

export type ErrorBody = Schemas["Error"];
export type ErrorCode = Schemas["ErrorCode"];
export type Performer = Schemas["Performer"];
export type Venue = Schemas["Venue"];
export type Event = Schemas["Event"];
export type EventPage = Schemas["EventPage"];
export type CompactEventPage = Schemas["CompactEventPage"];
export type Ticket = Schemas["Ticket"];
export type SeatMapAnswer = Schemas["SeatMap"];
export type CompactSeatMap = Schemas["CompactSeatMap"];
export type Layout = Schemas["Layout"];
export type SearchPage = Schemas["SearchPage"];
export type SearchResult = Schemas["SearchResult"];
export type Hold = Schemas["Hold"];
export type Release = Schemas["Release"];
export type Booking = Schemas["Booking"];
export type Confirmation = Schemas["Confirmation"];
export type Payment = Schemas["Payment"];
export type BookingList = Schemas["BookingList"];
export type ETicket = Schemas["ETicket"];
export type CheckIn = Schemas["CheckIn"];
export type TicketKey = Schemas["TicketKey"];
export type QueueStatus = Schemas["QueueStatus"];
export type WaitlistEntry = Schemas["WaitlistEntry"];
/** The Socket.IO `waitlist` push: an entry (the shape of GET /events/{eventId}/waitlist) with its event. */
export type WaitlistPush = WaitlistEntry & { eventId: string };
export type SeatStatus = Schemas["Ticket"]["status"];
export type SeatChange = Schemas["SeatChange"];
export type SeatsFrame = Schemas["SeatsFrame"];
export type SeatsCompactFrame = Schemas["SeatsCompactFrame"];
export type ResyncNotice = Schemas["ResyncNotice"];
export type SubscribeRequest = Schemas["SubscribeRequest"];
export type SubscribeAnswer = Schemas["SubscribeAnswer"];

export type OperationId = keyof operations;

/** The JSON body an operation takes. */
export type RequestBody<Id extends OperationId> = operations[Id] extends {
  requestBody?: { content: { "application/json": infer Body } };
}
  ? Body
  : never;

/** The JSON answer of an operation with that status. */
export type Answer<Id extends OperationId, Status extends number> = operations[Id]["responses"] extends {
  [S in Status]: { content: { "application/json": infer Body } };
}
  ? Body
  : never;

/** The query parameters of an operation. */
export type Query<Id extends OperationId> = operations[Id]["parameters"] extends { query?: infer Q }
  ? NonNullable<Q>
  : never;
