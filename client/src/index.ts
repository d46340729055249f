// @marquee/client: a typed client of the Marquee API. REST types are generated from the OpenAPI
// document (api-types.ts, `npm run client:types`); the helpers do what every client must get right.
export * from "./types.ts";
export { ApiError, retryAfterSeconds, type ApiErrorFacts, type TransportErrorCode } from "./errors.ts";
export { systemClock, type Clock } from "./clock.ts";
export {
  MarqueeClient,
  defaultTimeoutMs,
  type ApiAnswer,
  type ClientOptions,
  type RequestOptions,
} from "./http.ts";
export { confirmBooking, newIdempotencyKey, type ConfirmOptions, type ConfirmResult } from "./confirm.ts";
export {
  SeatMap,
  compactStatusCodes,
  seatStatuses,
  type CompactSnapshot,
  type DeltaOutcome,
  type SeatBoardState,
  type SeatPlace,
} from "./seat-map.ts";
export { SeatSync, bufferedFramesMax, type SeatSyncOptions } from "./seat-sync.ts";
export { waitForAdmission, type AdmissionOptions } from "./waiting-room.ts";
export {
  connectRealtime,
  followSeats,
  type ClientToServerEvents,
  type FollowOptions,
  type MarqueeSocket,
  type RealtimeOptions,
  type ServerToClientEvents,
} from "./realtime.ts";
