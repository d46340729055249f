// Generated catalog and query mix for the search benchmark: performers, venues in real cities,
// events over two years (a few in the past), all made by Postgres itself with generate_series.
import type pg from "pg";
import type { SearchParams } from "../indexer/search-query.ts";
import { seededRandom } from "../domain/random.ts";

export const cities: [city: string, country: string, lat: number, lng: number][] = [
  ["London", "United Kingdom", 51.507, -0.128],
  ["Manchester", "United Kingdom", 53.48, -2.242],
  ["Glasgow", "United Kingdom", 55.864, -4.252],
  ["Dublin", "Ireland", 53.35, -6.26],
  ["Paris", "France", 48.857, 2.352],
  ["Lyon", "France", 45.764, 4.836],
  ["Marseille", "France", 43.297, 5.37],
  ["Berlin", "Germany", 52.52, 13.405],
  ["Hamburg", "Germany", 53.551, 9.994],
  ["Munich", "Germany", 48.135, 11.582],
  ["Cologne", "Germany", 50.938, 6.96],
  ["Amsterdam", "Netherlands", 52.368, 4.904],
  ["Rotterdam", "Netherlands", 51.924, 4.478],
  ["Brussels", "Belgium", 50.85, 4.352],
  ["Antwerp", "Belgium", 51.219, 4.402],
  ["Madrid", "Spain", 40.417, -3.704],
  ["Barcelona", "Spain", 41.385, 2.173],
  ["Valencia", "Spain", 39.47, -0.376],
  ["Seville", "Spain", 37.389, -5.984],
  ["Lisbon", "Portugal", 38.722, -9.139],
  ["Porto", "Portugal", 41.158, -8.629],
  ["Rome", "Italy", 41.903, 12.496],
  ["Milan", "Italy", 45.464, 9.19],
  ["Naples", "Italy", 40.852, 14.268],
  ["Vienna", "Austria", 48.208, 16.373],
  ["Zurich", "Switzerland", 47.377, 8.541],
  ["Geneva", "Switzerland", 46.204, 6.143],
  ["Prague", "Czechia", 50.075, 14.438],
  ["Warsaw", "Poland", 52.23, 21.012],
  ["Krakow", "Poland", 50.065, 19.945],
  ["Budapest", "Hungary", 47.498, 19.04],
  ["Copenhagen", "Denmark", 55.676, 12.568],
  ["Stockholm", "Sweden", 59.329, 18.069],
  ["Oslo", "Norway", 59.914, 10.752],
  ["Helsinki", "Finland", 60.17, 24.938],
  ["Athens", "Greece", 37.984, 23.728],
  ["Istanbul", "Turkey", 41.008, 28.978],
  ["New York", "United States", 40.713, -74.006],
  ["Los Angeles", "United States", 34.052, -118.244],
  ["Chicago", "United States", 41.878, -87.63],
  ["Houston", "United States", 29.76, -95.37],
  ["Austin", "United States", 30.267, -97.743],
  ["Nashville", "United States", 36.163, -86.781],
  ["Atlanta", "United States", 33.749, -84.388],
  ["Miami", "United States", 25.762, -80.192],
  ["Seattle", "United States", 47.606, -122.332],
  ["San Francisco", "United States", 37.775, -122.419],
  ["Las Vegas", "United States", 36.17, -115.14],
  ["Boston", "United States", 42.36, -71.059],
  ["Toronto", "Canada", 43.653, -79.383],
  ["Montreal", "Canada", 45.502, -73.567],
  ["Vancouver", "Canada", 49.283, -123.121],
  ["Mexico City", "Mexico", 19.433, -99.133],
  ["Sao Paulo", "Brazil", -23.551, -46.633],
  ["Rio de Janeiro", "Brazil", -22.907, -43.173],
  ["Buenos Aires", "Argentina", -34.604, -58.382],
  ["Santiago", "Chile", -33.449, -70.669],
  ["Tokyo", "Japan", 35.676, 139.65],
  ["Osaka", "Japan", 34.694, 135.502],
  ["Seoul", "South Korea", 37.567, 126.978],
  ["Singapore", "Singapore", 1.352, 103.82],
  ["Sydney", "Australia", -33.869, 151.209],
  ["Melbourne", "Australia", -37.814, 144.963],
  ["Auckland", "New Zealand", -36.849, 174.763],
  ["Cape Town", "South Africa", -33.925, 18.424],
];

const firstNames = (
  "taylor ed billie harry ariana olivia dua adele bruno lady beyonce rihanna drake kendrick travis post " +
  "justin selena shawn camila doja lizzo miley katie sam lewis james george florence amy elton paul " +
  "freddie david bruce tina stevie diana whitney mariah celine shakira karol bad peso rosalia anitta " +
  "maria sofia lucas mateo emma noah liam ava mia ella leo jack oscar arthur alfie lily grace chloe " +
  "ruby isla poppy freya evie daisy max felix anna clara ida elsa nora hugo luca marco giulia chiara " +
  "pablo diego carmen lucia ines joao pedro tiago beatriz yuki haruto sakura min jisoo lisa jennie rose"
).split(" ");
const lastNames = (
  "swift sheeran eilish styles grande rodrigo lipa bruno mars gaga knowles fenty graham lamar scott malone " +
  "bieber gomez mendes cabello cat perry smith capaldi blunt ezra welch winehouse john mccartney mercury " +
  "bowie springsteen turner wonder ross houston carey dion ripoll uribe pluma vila alves ferreira silva " +
  "santos costa rossi bianchi romano garcia martinez lopez gonzalez rodriguez fernandez muller schmidt " +
  "schneider fischer weber meyer wagner becker hoffmann dubois martin bernard thomas petit durand leroy " +
  "moreau nowak kowalski wisniewski johansson andersson karlsson nilsson larsen hansen jensen nielsen " +
  "tanaka suzuki takahashi watanabe kim lee park choi jung kang cho yoon jang lim han oh seo shin kwon"
).split(" ");
const tourWords = (
  "live|world tour|unplugged|the eras tour|greatest hits|anniversary show|farewell tour|acoustic night|" +
  "in concert|summer festival|stadium tour|arena tour|late show|christmas special|grand final|cup match|" +
  "comedy special|family show|opera gala|ballet evening|symphony night|jazz session|dj set|club night"
).split("|");
const venueWords = (
  "royal|grand|national|olympic|city|central|riverside|harbour|crystal|golden|silver|victoria|metropolitan|" +
  "union|liberty|phoenix|apollo|paramount|empire|palace|forum|atlas|orion|aurora|summit|horizon|pioneer"
).split("|");
const venueKinds = "arena|stadium|hall|theatre|club|center|dome|park|opera house|amphitheatre".split("|");
export const eventTypes = [
  "concert",
  "concert",
  "concert",
  "theatre",
  "sport",
  "comedy",
  "festival",
  "family",
];
const descriptionWords = (
  "an unforgettable night of music with special guests and a spectacular light show for all ages " +
  "tickets sell fast doors open early seated and standing areas available food and drinks on site " +
  "the legendary performer returns with new songs and classic favourites in an intimate setting"
).split(" ");

export const benchPerformers = 20_000;
export const benchVenues = 2_000;

/**
 * Fills an empty, migrated database with `events` events. Capture triggers are bypassed for the
 * bulk load (session_replication_role = replica; a superuser setting): the index is then built by
 * the reindex, as one would after any bulk import.
 */
export async function generateCatalog(client: pg.ClientBase, events: number): Promise<void> {
  await client.query("SET statement_timeout = 0");
  await client.query("SET session_replication_role = replica");
  await client.query("SELECT setseed(0.42)");
  await client.query(
    `INSERT INTO performers (id, name, genre)
     SELECT 'pf' || i,
            CASE WHEN i = 1 THEN 'Taylor Swift'
                 ELSE initcap(($1::text[])[1 + (i::bigint * 7919) % cardinality($1::text[])] || ' '
                      || ($2::text[])[1 + (i::bigint * 104729 / 7) % cardinality($2::text[])]) END,
            'pop'
     FROM generate_series(1, $3::int) AS i`,
    [firstNames, lastNames, benchPerformers],
  );
  await client.query(
    `INSERT INTO venues (id, name, city, country, lat, lng)
     SELECT 'vn' || i,
            initcap(($1::text[])[1 + (i * 31) % cardinality($1::text[])] || ' ' || ($2::text[])[1 + i % cardinality($2::text[])]),
            c.city, c.country, c.lat + (random() - 0.5) * 0.2, c.lng + (random() - 0.5) * 0.2
     FROM generate_series(1, $3::int) AS i
     JOIN unnest($4::text[], $5::text[], $6::float8[], $7::float8[]) WITH ORDINALITY AS c(city, country, lat, lng, n)
       ON c.n = 1 + i % $8::int`,
    [
      venueWords,
      venueKinds,
      benchVenues,
      cities.map((c) => c[0]),
      cities.map((c) => c[1]),
      cities.map((c) => c[2]),
      cities.map((c) => c[3]),
      cities.length,
    ],
  );
  // Event i features performer p(i); a fifth of them a second one. Start times: 30 days ago to 2 years ahead.
  await client.query(
    `INSERT INTO events (id, name, description, type, venue_id, starts_at, on_sale_at, sections, ticket_count)
     SELECT 'ev' || lpad(i::text, 8, '0'),
            p.name || ' | ' || initcap(($1::text[])[1 + (i * 13) % cardinality($1::text[])]),
            ($2::text[])[1 + i % 7] || ' ' || ($2::text[])[1 + (i * 3) % cardinality($2::text[])] || ' '
              || ($2::text[])[1 + (i * 11) % cardinality($2::text[])] || ' ' || ($2::text[])[1 + (i * 17) % cardinality($2::text[])],
            ($3::text[])[1 + (i * 5) % cardinality($3::text[])],
            'vn' || (1 + (i::bigint * 48271) % $4::int),
            date_trunc('hour', now()) + ((random() * 760 - 30) * interval '1 day'),
            now() - interval '60 days', '[]', 0
     FROM generate_series(1, $5::int) AS i
     JOIN performers p ON p.id = 'pf' || (1 + (i::bigint * 2654435761) % $6::bigint)`,
    [tourWords, descriptionWords, eventTypes, benchVenues, events, benchPerformers],
  );
  await client.query(
    `INSERT INTO event_performers (event_id, performer_id, position)
     SELECT 'ev' || lpad(i::text, 8, '0'), 'pf' || (1 + (i::bigint * 2654435761) % $2::bigint), 0 FROM generate_series(1, $1::int) AS i
     UNION ALL
     SELECT 'ev' || lpad(i::text, 8, '0'), 'pf' || (1 + (i::bigint * 40503 + 7) % $2::bigint), 1
     FROM generate_series(1, $1::int) AS i WHERE i % 5 = 0 AND (i::bigint * 40503 + 7) % $2::bigint <> (i::bigint * 2654435761) % $2::bigint`,
    [events, benchPerformers],
  );
  await client.query("SET session_replication_role = DEFAULT");
  await client.query("ANALYZE performers, venues, events, event_performers");
}

/** One adjacent transposition in the longest word: the kind of typo people make. */
function typo(text: string, next: () => number): string {
  const words = text.split(" ");
  const longest = words.reduce((a, b) => (b.length > a.length ? b : a));
  const at = 1 + Math.floor(next() * (longest.length - 2));
  const swapped = longest.slice(0, at) + longest[at + 1] + longest[at] + longest.slice(at + 2);
  return words.map((word) => (word === longest ? swapped : word)).join(" ");
}

const day = (offsetDays: number) => new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);

export interface MixQuery {
  kind: string;
  params: SearchParams;
}

/**
 * The query mix: what people type into a ticket site's search box, weighted. Performer names are
 * drawn from the performers actually generated.
 */
export function queryMix(count: number, performerNames: string[], seed = 7): MixQuery[] {
  const next = seededRandom(seed); // every run asks the same questions
  const pick = <T>(items: T[]): T => items[Math.floor(next() * items.length)];
  const mix: [number, string, () => SearchParams][] = [
    [25, "performer", () => ({ term: pick(performerNames) })],
    [10, "performer with a typo", () => ({ term: typo(pick(performerNames).toLowerCase(), next) })],
    [10, "one name", () => ({ term: pick(performerNames).split(" ")[next() < 0.5 ? 0 : 1] })],
    [
      15,
      "performer in a city",
      () => ({ term: pick(performerNames).split(" ")[1], location: pick(cities)[0] }),
    ],
    [10, "city and dates", () => ({ location: pick(cities)[0], from: day(7), to: day(37) })],
    [10, "type on a day", () => ({ type: pick(eventTypes), date: day(1 + Math.floor(next() * 60)) })],
    [
      10,
      "near me",
      () => {
        const [, , lat, lng] = pick(cities);
        return { lat: String(lat), lng: String(lng), radiusKm: "25", type: pick(eventTypes) };
      },
    ],
    [5, "show kind in a country", () => ({ term: pick(tourWords), location: pick(cities)[1] })],
    [5, "browse page 3", () => ({ location: pick(cities)[0], limit: "20", offset: "40" })],
  ];
  const total = mix.reduce((sum, [weight]) => sum + weight, 0);
  const queries: MixQuery[] = [];
  for (let i = 0; i < count; i++) {
    let roll = next() * total;
    for (const [weight, kind, make] of mix) {
      roll -= weight;
      if (roll < 0) {
        queries.push({ kind, params: make() });
        break;
      }
    }
  }
  return queries;
}
