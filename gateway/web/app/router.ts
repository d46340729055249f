// Hash routing: `#/path?query`. Every page is addressable (reload and back work) and no server route
// is needed beyond `/`.

export type RouteName = "search" | "signin" | "event" | "queue" | "checkout" | "bookings" | "booking";

export interface Route {
  name: RouteName;
  /** The id in the path, if the route has one. */
  id: string;
  query: URLSearchParams;
  path: string;
}

const routes: [RouteName, RegExp][] = [
  ["search", /^\/(search)?$/],
  ["signin", /^\/signin$/],
  ["event", /^\/events\/([^/]+)$/],
  ["queue", /^\/events\/([^/]+)\/queue$/],
  ["checkout", /^\/checkout\/([^/]+)$/],
  ["bookings", /^\/bookings$/],
  ["booking", /^\/bookings\/([^/]+)$/],
];

export function parseRoute(hash: string): Route | null {
  const raw = hash.replace(/^#/, "") || "/";
  const [path, queryText = ""] = raw.split("?", 2);
  for (const [name, pattern] of routes) {
    const match = pattern.exec(path);
    if (!match) continue;
    let id = "";
    try {
      id = name === "search" ? "" : decodeURIComponent(match[1] ?? "");
    } catch {
      return null;
    }
    return { name, id, query: new URLSearchParams(queryText), path: raw };
  }
  return null;
}

export function navigate(path: string): void {
  if (location.hash === `#${path}`) window.dispatchEvent(new HashChangeEvent("hashchange"));
  else location.hash = path;
}

export const eventPath = (eventId: string) => `/events/${encodeURIComponent(eventId)}`;
export const queuePath = (eventId: string) => `${eventPath(eventId)}/queue`;
export const checkoutPath = (eventId: string) => `/checkout/${encodeURIComponent(eventId)}`;
export const bookingPath = (bookingId: string) => `/bookings/${encodeURIComponent(bookingId)}`;
export const signInPath = (next: string) => `/signin?next=${encodeURIComponent(next)}`;
