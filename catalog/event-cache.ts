// The non-seat part of GET /events/:id (event, venue, performers) cached in Redis for a short TTL.
// Dropped by the catalog on its own writes and by the search indexer after every change it sees
// (venue and performer renames included); the TTL bounds a missed invalidation.
export const eventDetailsCacheKey = (eventId: string): string => `catalog:event:${eventId}`;
