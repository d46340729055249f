// The audit's presale checks (issue 18): a code never makes more bookings than its uses, and a use is
// a booking of the code's own event.
export const presaleChecks: { name: string; sql: string }[] = [
  {
    name: "a presale code makes at most usesPerCode bookings",
    sql: `SELECT c.event_id, c.id AS code_id, p.uses_per_code, count(*) AS bookings
          FROM presale_uses u JOIN presale_codes c ON c.id = u.code_id JOIN presales p ON p.id = c.presale_id
          WHERE ($1::text IS NULL OR u.event_id = $1)
          GROUP BY c.event_id, c.id, p.uses_per_code HAVING count(*) > p.uses_per_code`,
  },
  {
    name: "a presale use is a booking of its code's event",
    sql: `SELECT u.event_id, u.booking_id, c.event_id AS code_event_id
          FROM presale_uses u JOIN presale_codes c ON c.id = u.code_id
          WHERE ($1::text IS NULL OR u.event_id = $1) AND c.event_id <> u.event_id`,
  },
];
