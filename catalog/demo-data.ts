// The demo catalog seeded by `npm start` into an empty database: real venues in real cities (with
// their coordinates), made-up performers, a few hundred events over the coming months across types,
// and one 50,000-seat stadium show with its waiting room on. Each venue has its real time zone and each
// event its country's currency, priced in it and starting at a local evening. Deterministic (seeded
// random numbers), dated from the clock, written in one transaction with bulk statements.
import type { Database } from "../platform/database.ts";
import { transaction } from "../platform/database.ts";
import { newId } from "../domain/ids.ts";
import { countSeats, normalizeWaitingRoom, type SectionInput } from "../domain/event.ts";
import { ticketsPerUserDefault } from "../domain/limits.ts";
import { insertEvents, type NewEvent } from "./catalog.repository.ts";
import { seededRandom } from "../domain/random.ts";
import { currencyOfCountry } from "./money-and-zones.ts";
import { zonedTime } from "./zoned-time.ts";

type VenueKind = "club" | "theatre" | "arena" | "stadium";

interface DemoVenue {
  name: string;
  city: string;
  country: string;
  lat: number;
  lng: number;
  kind: VenueKind;
}

export const demoVenues: DemoVenue[] = [
  {
    name: "Wembley Stadium",
    city: "London",
    country: "United Kingdom",
    lat: 51.556,
    lng: -0.2796,
    kind: "stadium",
  },
  { name: "The O2", city: "London", country: "United Kingdom", lat: 51.503, lng: 0.0032, kind: "arena" },
  {
    name: "Royal Albert Hall",
    city: "London",
    country: "United Kingdom",
    lat: 51.5009,
    lng: -0.1774,
    kind: "theatre",
  },
  {
    name: "O2 Academy Brixton",
    city: "London",
    country: "United Kingdom",
    lat: 51.4652,
    lng: -0.1149,
    kind: "club",
  },
  {
    name: "Madison Square Garden",
    city: "New York",
    country: "United States",
    lat: 40.7505,
    lng: -73.9934,
    kind: "arena",
  },
  {
    name: "Carnegie Hall",
    city: "New York",
    country: "United States",
    lat: 40.7651,
    lng: -73.9799,
    kind: "theatre",
  },
  {
    name: "Comedy Cellar",
    city: "New York",
    country: "United States",
    lat: 40.7302,
    lng: -74.0005,
    kind: "club",
  },
  {
    name: "MetLife Stadium",
    city: "East Rutherford",
    country: "United States",
    lat: 40.8135,
    lng: -74.0745,
    kind: "stadium",
  },
  {
    name: "Hollywood Bowl",
    city: "Los Angeles",
    country: "United States",
    lat: 34.1122,
    lng: -118.3391,
    kind: "arena",
  },
  {
    name: "The Comedy Store",
    city: "Los Angeles",
    country: "United States",
    lat: 34.0955,
    lng: -118.3865,
    kind: "club",
  },
  {
    name: "SoFi Stadium",
    city: "Inglewood",
    country: "United States",
    lat: 33.9535,
    lng: -118.3392,
    kind: "stadium",
  },
  {
    name: "The Fillmore",
    city: "San Francisco",
    country: "United States",
    lat: 37.784,
    lng: -122.433,
    kind: "club",
  },
  {
    name: "Chase Center",
    city: "San Francisco",
    country: "United States",
    lat: 37.768,
    lng: -122.3877,
    kind: "arena",
  },
  {
    name: "United Center",
    city: "Chicago",
    country: "United States",
    lat: 41.8807,
    lng: -87.6742,
    kind: "arena",
  },
  {
    name: "The Chicago Theatre",
    city: "Chicago",
    country: "United States",
    lat: 41.8855,
    lng: -87.6274,
    kind: "theatre",
  },
  {
    name: "Red Rocks Amphitheatre",
    city: "Morrison",
    country: "United States",
    lat: 39.6654,
    lng: -105.2057,
    kind: "arena",
  },
  {
    name: "Ryman Auditorium",
    city: "Nashville",
    country: "United States",
    lat: 36.1612,
    lng: -86.7785,
    kind: "theatre",
  },
  {
    name: "Scotiabank Arena",
    city: "Toronto",
    country: "Canada",
    lat: 43.6435,
    lng: -79.3791,
    kind: "arena",
  },
  { name: "Bell Centre", city: "Montreal", country: "Canada", lat: 45.4961, lng: -73.5693, kind: "arena" },
  {
    name: "Estadio Azteca",
    city: "Mexico City",
    country: "Mexico",
    lat: 19.3029,
    lng: -99.1505,
    kind: "stadium",
  },
  {
    name: "Teatro Colón",
    city: "Buenos Aires",
    country: "Argentina",
    lat: -34.6011,
    lng: -58.3833,
    kind: "theatre",
  },
  { name: "Accor Arena", city: "Paris", country: "France", lat: 48.8386, lng: 2.3785, kind: "arena" },
  { name: "L'Olympia", city: "Paris", country: "France", lat: 48.8702, lng: 2.3283, kind: "theatre" },
  {
    name: "Stade de France",
    city: "Saint-Denis",
    country: "France",
    lat: 48.9245,
    lng: 2.3601,
    kind: "stadium",
  },
  { name: "Uber Arena", city: "Berlin", country: "Germany", lat: 52.5053, lng: 13.443, kind: "arena" },
  {
    name: "Berliner Philharmonie",
    city: "Berlin",
    country: "Germany",
    lat: 52.51,
    lng: 13.37,
    kind: "theatre",
  },
  { name: "Olympiastadion", city: "Berlin", country: "Germany", lat: 52.5147, lng: 13.2395, kind: "stadium" },
  { name: "Ziggo Dome", city: "Amsterdam", country: "Netherlands", lat: 52.3128, lng: 4.9372, kind: "arena" },
  { name: "Paradiso", city: "Amsterdam", country: "Netherlands", lat: 52.3623, lng: 4.8837, kind: "club" },
  {
    name: "Concertgebouw",
    city: "Amsterdam",
    country: "Netherlands",
    lat: 52.3563,
    lng: 4.8791,
    kind: "theatre",
  },
  { name: "Palau Sant Jordi", city: "Barcelona", country: "Spain", lat: 41.3634, lng: 2.1527, kind: "arena" },
  {
    name: "Spotify Camp Nou",
    city: "Barcelona",
    country: "Spain",
    lat: 41.3809,
    lng: 2.1228,
    kind: "stadium",
  },
  { name: "WiZink Center", city: "Madrid", country: "Spain", lat: 40.424, lng: -3.6718, kind: "arena" },
  { name: "Teatro Real", city: "Madrid", country: "Spain", lat: 40.4184, lng: -3.7108, kind: "theatre" },
  {
    name: "Coliseu dos Recreios",
    city: "Lisbon",
    country: "Portugal",
    lat: 38.7155,
    lng: -9.1413,
    kind: "theatre",
  },
  { name: "MEO Arena", city: "Lisbon", country: "Portugal", lat: 38.7685, lng: -9.094, kind: "arena" },
  {
    name: "Estádio da Luz",
    city: "Lisbon",
    country: "Portugal",
    lat: 38.7527,
    lng: -9.1847,
    kind: "stadium",
  },
  { name: "Teatro alla Scala", city: "Milan", country: "Italy", lat: 45.4674, lng: 9.1895, kind: "theatre" },
  { name: "Unipol Forum", city: "Milan", country: "Italy", lat: 45.4097, lng: 9.1467, kind: "arena" },
  {
    name: "Wiener Staatsoper",
    city: "Vienna",
    country: "Austria",
    lat: 48.2031,
    lng: 16.3691,
    kind: "theatre",
  },
  { name: "Royal Arena", city: "Copenhagen", country: "Denmark", lat: 55.6254, lng: 12.5736, kind: "arena" },
  { name: "3Arena", city: "Dublin", country: "Ireland", lat: 53.3475, lng: -6.2286, kind: "arena" },
  { name: "Vicar Street", city: "Dublin", country: "Ireland", lat: 53.3427, lng: -6.2779, kind: "club" },
  {
    name: "Sydney Opera House",
    city: "Sydney",
    country: "Australia",
    lat: -33.8568,
    lng: 151.2153,
    kind: "theatre",
  },
  {
    name: "Melbourne Cricket Ground",
    city: "Melbourne",
    country: "Australia",
    lat: -37.82,
    lng: 144.9834,
    kind: "stadium",
  },
  { name: "Tokyo Dome", city: "Tokyo", country: "Japan", lat: 35.7056, lng: 139.7519, kind: "stadium" },
  { name: "Nippon Budokan", city: "Tokyo", country: "Japan", lat: 35.6933, lng: 139.7498, kind: "arena" },
];

/** The IANA time zone of each demo city. */
const demoTimeZones: Record<string, string> = {
  London: "Europe/London",
  "New York": "America/New_York",
  "East Rutherford": "America/New_York",
  Chicago: "America/Chicago",
  Nashville: "America/Chicago",
  Morrison: "America/Denver",
  "Los Angeles": "America/Los_Angeles",
  Inglewood: "America/Los_Angeles",
  "San Francisco": "America/Los_Angeles",
  Toronto: "America/Toronto",
  Montreal: "America/Toronto",
  "Mexico City": "America/Mexico_City",
  "Buenos Aires": "America/Argentina/Buenos_Aires",
  Paris: "Europe/Paris",
  "Saint-Denis": "Europe/Paris",
  Berlin: "Europe/Berlin",
  Amsterdam: "Europe/Amsterdam",
  Barcelona: "Europe/Madrid",
  Madrid: "Europe/Madrid",
  Lisbon: "Europe/Lisbon",
  Milan: "Europe/Rome",
  Vienna: "Europe/Vienna",
  Copenhagen: "Europe/Copenhagen",
  Dublin: "Europe/Dublin",
  Sydney: "Australia/Sydney",
  Melbourne: "Australia/Melbourne",
  Tokyo: "Asia/Tokyo",
};

/**
 * Roughly what a US cent buys in each demo currency, so a price reads as a local one: in the minor
 * unit of the currency (JPY has none: 1.5 yen to the cent).
 */
const minorUnitsPerUsCent: Record<string, number> = {
  USD: 1,
  GBP: 0.8,
  EUR: 0.9,
  DKK: 7,
  CAD: 1.4,
  AUD: 1.5,
  MXN: 18,
  ARS: 1_000,
  JPY: 1.5,
};
const localPrice = (usCents: number, currency: string): number =>
  Math.max(100, Math.round((usCents * (minorUnitsPerUsCent[currency] ?? 1)) / 100) * 100);

/** Where the stage is drawn on the seat map, by the kind of show. */
const stageOf = (type: string, name: string) => ({
  label: type !== "sports" ? "Stage" : /FC|Rovers|Costa|Union/.test(name) ? "Pitch" : "Court",
});

// Made-up names, so the demo never suggests that a real artist plays somewhere.
const musicians: [string, string][] = [
  ["Aurora Skies", "pop"],
  ["The Midnight Owls", "indie"],
  ["Nova Harbor", "pop"],
  ["Velvet Static", "rock"],
  ["Lucia Marenco", "latin"],
  ["Kites Over Kyoto", "electronic"],
  ["The Paper Lanterns", "folk"],
  ["Ironwood", "metal"],
  ["DJ Solstice", "electronic"],
  ["Marcus Bell Quartet", "jazz"],
  ["Saffron Road", "country"],
  ["Echo & the Tidewater", "rock"],
  ["Juno Vega", "pop"],
  ["The Glass Orchard", "indie"],
  ["Kid Meridian", "hip-hop"],
  ["Lena Hartmann", "singer-songwriter"],
  ["Neon Cathedral", "electronic"],
  ["The Rusty Compass", "folk"],
  ["Obsidian Crown", "metal"],
  ["Maya Okafor", "soul"],
  ["The Northern Parallels", "rock"],
  ["Tomás Ribeiro Trio", "jazz"],
  ["Blue Fjord", "indie"],
  ["Rae Calloway", "r&b"],
  ["Silver Prairie", "country"],
  ["Static Bloom", "pop"],
  ["Orchestra of the Lakes", "classical"],
  ["Philharmonia Nova", "classical"],
];
const comedians: [string, string][] = [
  ["Priya Castellanos", "comedy"],
  ["Dan O'Rourke", "comedy"],
  ["Hannah Lindqvist", "comedy"],
  ["Sam Adeyemi", "comedy"],
  ["The Improv Collective", "comedy"],
];
const companies: [string, string][] = [
  ["Lantern Street Theatre Company", "theatre"],
  ["The Open Stage Players", "theatre"],
  ["Compagnie du Quai", "theatre"],
  ["Grand Opera Ensemble", "opera"],
  ["Northern Ballet Company", "dance"],
];
const teams: [string, string][] = [
  ["Harbor City FC", "football"],
  ["Redhill Rovers", "football"],
  ["Atlético Costa", "football"],
  ["Union Valley", "football"],
  ["Metro Comets", "basketball"],
  ["Lakeside Kings", "basketball"],
  ["Capital Hawks", "basketball"],
  ["Summit Bears", "basketball"],
];

const tourNames = [
  "World Tour",
  "Midnight Lights Tour",
  "Live in Concert",
  "Homecoming Shows",
  "Unplugged",
  "Greatest Hits Live",
  "The Long Road Tour",
  "Neon Nights",
];
const plays = [
  "Hamlet",
  "A Midsummer Night's Dream",
  "The Importance of Being Earnest",
  "Pygmalion",
  "Cyrano de Bergerac",
  "The Seagull",
  "A Doll's House",
  "Twelfth Night",
];
const operas = ["La Traviata", "Carmen", "The Magic Flute", "Tosca", "La Bohème", "The Barber of Seville"];
const ballets = ["The Nutcracker", "Swan Lake", "Giselle", "Coppélia"];
const classicalPrograms = [
  "Beethoven: Symphony No. 9",
  "Mahler: Symphony No. 5",
  "Vivaldi: The Four Seasons",
  "Dvořák: New World Symphony",
];
const comedyShows = ["Work in Progress", "Overthinking It", "Live and Mostly Unrehearsed", "Late Show"];

function rowsOf(count: number, seats: number, prefix = ""): { label: string; seats: number }[] {
  return Array.from({ length: count }, (_, index) => ({ label: `${prefix}${index + 1}`, seats }));
}

/** A seat map per kind of venue (smaller than the real buildings, except the stadium show). */
function seatMap(kind: VenueKind, basePriceCents: number): SectionInput[] {
  const price = (factor: number) => Math.round((basePriceCents * factor) / 100) * 100;
  switch (kind) {
    case "club":
      return [{ name: "General", priceCents: price(1), rows: rowsOf(10, 30) }];
    case "theatre":
      return [
        { name: "Stalls", priceCents: price(1.5), rows: rowsOf(16, 28) },
        { name: "Circle", priceCents: price(1.1), rows: rowsOf(8, 26, "C") },
        { name: "Balcony", priceCents: price(0.7), rows: rowsOf(6, 24, "B") },
      ];
    case "arena":
      return [
        { name: "Floor", priceCents: price(1.8), rows: rowsOf(8, 40) },
        { name: "Lower Tier", priceCents: price(1.2), rows: rowsOf(10, 40, "L") },
        { name: "Upper Tier", priceCents: price(0.8), rows: rowsOf(8, 40, "U") },
      ];
    case "stadium":
      return [
        { name: "North Stand", priceCents: price(1.2), rows: rowsOf(15, 40, "N") },
        { name: "South Stand", priceCents: price(1.2), rows: rowsOf(15, 40, "S") },
        { name: "East Stand", priceCents: price(0.9), rows: rowsOf(10, 40, "E") },
      ];
  }
}

/** The headline show: 20 blocks x 50 rows x 50 seats = 50,000 seats. */
function stadiumShowSections(): SectionInput[] {
  return Array.from({ length: 20 }, (_, block) => ({
    name: `Block ${String.fromCharCode(65 + block)}`,
    priceCents: block < 4 ? 18_500 : block < 12 ? 12_500 : 7_900,
    rows: rowsOf(50, 50),
  }));
}

const typesByKind: Record<VenueKind, string[]> = {
  club: ["concert", "concert", "comedy"],
  theatre: ["theatre", "opera", "classical", "comedy", "dance", "concert"],
  arena: ["concert", "concert", "sports", "comedy", "family"],
  stadium: ["sports", "sports", "concert", "festival"],
};

export interface DemoCatalog {
  venues: {
    id: string;
    name: string;
    city: string;
    country: string;
    lat: number;
    lng: number;
    timeZone: string;
  }[];
  performers: { id: string; name: string; genre: string }[];
  events: NewEvent[];
  /** The 50,000-seat stadium show. */
  headlineEventId: string;
}

export interface DemoOptions {
  /** Events besides the stadium show. */
  eventCount?: number;
  seed?: number;
}

/** Builds the demo catalog in memory (no I/O), dated from `now`. */
export function buildDemoCatalog(nowMs: number, options: DemoOptions = {}): DemoCatalog {
  const random = seededRandom(options.seed ?? 2027);
  const pick = <T>(list: T[]): T => list[Math.floor(random() * list.length)];
  const shuffled = <T>(list: T[]): T[] => {
    const copy = [...list];
    for (let index = copy.length - 1; index > 0; index -= 1) {
      const other = Math.floor(random() * (index + 1));
      [copy[index], copy[other]] = [copy[other], copy[index]];
    }
    return copy;
  };
  const dayMs = 86_400_000;
  const venues = demoVenues.map((venue) => ({
    id: newId("vn"),
    ...venue,
    timeZone: demoTimeZones[venue.city] ?? "UTC",
  }));
  const performer = ([name, genre]: [string, string]) => ({ id: newId("pf"), name, genre });
  const groups = {
    musicians: musicians.map(performer),
    comedians: comedians.map(performer),
    companies: companies.map(performer),
    teams: teams.map(performer),
  };
  const performers = [...groups.musicians, ...groups.comedians, ...groups.companies, ...groups.teams];
  const byGenre = (genre: string) => performers.filter((entry) => entry.genre === genre);
  const classicalActs = byGenre("classical");
  const popularActs = groups.musicians.filter((entry) => entry.genre !== "classical");

  // An evening between 18:00 and 21:30 in the venue's time zone, `days` from now.
  const evening = (days: number, timeZone: string) => {
    const day = Math.floor(nowMs / dayMs) + days;
    const minutes = 18 * 60 + Math.floor(random() * 8) * 30;
    return zonedTime(day * dayMs, Math.floor(minutes / 60), minutes % 60, timeZone);
  };

  const events: NewEvent[] = [];
  const addEvent = (
    fields: Omit<NewEvent, "id" | "ticketCount" | "ticketsPerUserMax" | "waitingRoom" | "currency"> & {
      waitingRoom?: boolean;
    },
  ) => {
    const event: NewEvent = {
      ...fields,
      currency: currencyOfCountry(venues.find((venue) => venue.id === fields.venueId)!.country),
      id: newId("ev"),
      ticketCount: countSeats(fields.sections),
      ticketsPerUserMax: ticketsPerUserDefault,
      waitingRoom: normalizeWaitingRoom({ enabled: fields.waitingRoom ?? false }),
    };
    events.push(event);
    return event;
  };

  const wembley = venues.find((venue) => venue.name === "Wembley Stadium")!;
  const headline = addEvent({
    name: "Aurora Skies | The World Tour - London",
    description:
      "The biggest night of the tour: Aurora Skies brings the full stadium show to Wembley. " +
      "Seated throughout; the waiting room opens before the sale.",
    type: "concert",
    venueId: wembley.id,
    performerIds: [groups.musicians[0].id, groups.musicians[12].id],
    startsAt: zonedTime(Math.floor(nowMs / dayMs + 120) * dayMs, 19, 30, wembley.timeZone).toISOString(),
    // Opens for sale shortly after the demo starts, behind the waiting room.
    onSaleAt: new Date(nowMs + 10 * 60_000).toISOString(),
    sections: stadiumShowSections(), // in pence
    stage: { label: "Stage" },
    waitingRoom: true,
  });

  const eventCount = options.eventCount ?? 300;
  for (let index = 0; index < eventCount; index += 1) {
    const venue = pick(venues);
    const type = pick(typesByKind[venue.kind]);
    const startsAt = evening(1 + Math.floor(random() * 180), venue.timeZone);
    // Most events are on sale already; one in eight opens in the coming days.
    const opensLater = random() < 0.125;
    const onSaleAt = opensLater
      ? new Date(Math.min(nowMs + (1 + Math.floor(random() * 14)) * dayMs, startsAt.getTime()))
      : new Date(nowMs - (1 + Math.floor(random() * 30)) * dayMs);
    let name: string;
    let description: string;
    let performerIds: string[];
    let basePriceCents = 4_000 + Math.floor(random() * 8) * 1_000;
    switch (type) {
      case "sports": {
        const sport = pick(["football", "basketball"]);
        const [home, away] = shuffled(byGenre(sport));
        name = `${home.name} vs ${away.name}`;
        description = `${sport === "football" ? "League match" : "Regular season game"} at ${venue.name}.`;
        performerIds = [home.id, away.id];
        break;
      }
      case "comedy": {
        const comedian = pick(groups.comedians);
        name = `${comedian.name}: ${pick(comedyShows)}`;
        description = `Stand-up comedy with ${comedian.name}. Ages 16+.`;
        performerIds = [comedian.id];
        basePriceCents = 2_500 + Math.floor(random() * 4) * 500;
        break;
      }
      case "theatre": {
        const company = pick(byGenre("theatre"));
        const play = pick(plays);
        name = `${play} - ${company.name}`;
        description = `${company.name} stages ${play}. Running time about two and a half hours.`;
        performerIds = [company.id];
        break;
      }
      case "opera": {
        const opera = pick(operas);
        name = `${opera}`;
        description = `${opera}, sung in the original language with surtitles, by the Grand Opera Ensemble.`;
        performerIds = [byGenre("opera")[0].id, pick(classicalActs).id];
        basePriceCents += 4_000;
        break;
      }
      case "dance":
      case "family": {
        const ballet = pick(ballets);
        name = `${ballet}${type === "family" ? " (family matinee)" : ""}`;
        description = `${ballet} by the Northern Ballet Company, with live orchestra.`;
        performerIds = [byGenre("dance")[0].id];
        break;
      }
      case "classical": {
        const orchestra = pick(classicalActs);
        const program = pick(classicalPrograms);
        name = `${orchestra.name} plays ${program}`;
        description = `${program}. ${orchestra.name} in concert.`;
        performerIds = [orchestra.id];
        break;
      }
      case "festival": {
        const lineup = shuffled(popularActs).slice(0, 4);
        name = `${venue.city} Summer Sounds Festival`;
        description = `A day of music with ${lineup.map((act) => act.name).join(", ")} and more.`;
        performerIds = lineup.map((act) => act.id);
        break;
      }
      default: {
        const act = pick(popularActs);
        name = `${act.name} | ${pick(tourNames)}`;
        description = `${act.name} (${act.genre}) live at ${venue.name}, ${venue.city}.`;
        performerIds = [act.id];
        break;
      }
    }
    addEvent({
      name,
      description,
      type,
      venueId: venue.id,
      performerIds,
      startsAt: startsAt.toISOString(),
      onSaleAt: onSaleAt.toISOString(),
      sections: seatMap(venue.kind, localPrice(basePriceCents, currencyOfCountry(venue.country))),
      stage: stageOf(type, name),
      // Big concerts get a waiting room, as a real on-sale would.
      waitingRoom: type === "concert" && venue.kind !== "club" && venue.kind !== "theatre" && random() < 0.3,
    });
  }
  return { venues, performers, events, headlineEventId: headline.id };
}

// Two nodes starting together on an empty database must seed once.
const demoSeedLockKey = 7_346_224_002;

export interface DemoSeedResult {
  seeded: boolean;
  venues: number;
  performers: number;
  events: number;
  tickets: number;
  headlineEventId: string | null;
  durationMs: number;
}

/** Seeds the demo catalog when the database has no events; does nothing otherwise. */
export async function seedDemoData(
  db: Database,
  nowMs: number,
  options: DemoOptions = {},
): Promise<DemoSeedResult> {
  const startedAt = Date.now();
  return transaction(db, async (client) => {
    await client.query("SELECT pg_advisory_xact_lock($1)", [demoSeedLockKey]);
    const existing = await client.query("SELECT 1 FROM events LIMIT 1");
    if (existing.rowCount !== 0) {
      return {
        seeded: false,
        venues: 0,
        performers: 0,
        events: 0,
        tickets: 0,
        headlineEventId: null,
        durationMs: Date.now() - startedAt,
      };
    }
    const catalog = buildDemoCatalog(nowMs, options);
    await client.query(
      `INSERT INTO venues (id, name, city, country, lat, lng, time_zone)
       SELECT id, name, city, country, lat, lng, time_zone
       FROM jsonb_to_recordset($1::jsonb)
         AS x(id text, name text, city text, country text, lat float8, lng float8, time_zone text)`,
      [JSON.stringify(catalog.venues.map(({ timeZone, ...venue }) => ({ ...venue, time_zone: timeZone })))],
    );
    await client.query(
      `INSERT INTO performers (id, name, genre)
       SELECT id, name, genre FROM jsonb_to_recordset($1::jsonb) AS x(id text, name text, genre text)`,
      [JSON.stringify(catalog.performers)],
    );
    await insertEvents(client, catalog.events);
    return {
      seeded: true,
      venues: catalog.venues.length,
      performers: catalog.performers.length,
      events: catalog.events.length,
      tickets: catalog.events.reduce((sum, event) => sum + event.ticketCount, 0),
      headlineEventId: catalog.headlineEventId,
      durationMs: Date.now() - startedAt,
    };
  });
}
