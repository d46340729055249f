// Formatting of money, times and waits for display. Pure (no DOM).

const moneyFormats = new Map<string, Intl.NumberFormat>();

function moneyFormat(currency: string): Intl.NumberFormat | null {
  let format = moneyFormats.get(currency);
  if (!format) {
    try {
      format = new Intl.NumberFormat("en-US", { style: "currency", currency });
    } catch {
      return null; // not a currency this browser knows
    }
    moneyFormats.set(currency, format);
  }
  return format;
}

/**
 * An amount in the minor unit of its event's currency (`priceCents`, `amountCents`), e.g. 2500 GBP ->
 * "£25.00", 2500 JPY -> "¥2,500", 2500 BHD -> "BHD 2.500": the currency's own number of decimals. Without
 * a known currency, the number alone with two decimals.
 */
export function formatMoney(minorUnits: number, currency?: string): string {
  const format = currency ? moneyFormat(currency) : null;
  if (!format) return (minorUnits / 100).toFixed(2);
  const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
  return format.format(minorUnits / 10 ** digits);
}

/** "New York" for America/New_York; "UTC" for UTC. */
export const zoneCity = (timeZone: string): string =>
  timeZone.includes("/") ? timeZone.slice(timeZone.lastIndexOf("/") + 1).replace(/_/g, " ") : timeZone;

function zoneName(date: Date, timeZone: string): string {
  // en-GB names British and Irish summer time (BST, IST), en-US the American zones (EDT, PST);
  // elsewhere both say GMT+n.
  for (const locale of ["en-GB", "en-US"]) {
    const name = new Intl.DateTimeFormat(locale, { timeZone, timeZoneName: "short" })
      .formatToParts(date)
      .find((part) => part.type === "timeZoneName")?.value;
    if (name && !/^(GMT|UTC)[+-]/.test(name)) return name;
  }
  return (
    new Intl.DateTimeFormat("en-GB", { timeZone, timeZoneName: "short" })
      .formatToParts(date)
      .find((part) => part.type === "timeZoneName")?.value ?? timeZone
  );
}

/**
 * A time for display. With the venue's time zone: in that zone and labelled, "Sat 1 Jun 2027, 20:00
 * BST, London time"; without one, in the viewer's zone (as the browser shows it).
 */
export function formatDateTime(iso: string, timeZone?: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  if (timeZone) {
    try {
      const day = date.toLocaleDateString("en-GB", {
        timeZone,
        weekday: "short",
        year: "numeric",
        month: "short",
        day: "numeric",
      });
      const time = date.toLocaleTimeString("en-GB", { timeZone, hour: "2-digit", minute: "2-digit" });
      const zone = zoneName(date, timeZone);
      const city = zoneCity(timeZone);
      return `${day}, ${time} ${zone}${city === zone ? "" : `, ${city} time`}`;
    } catch {
      // A zone this browser does not know: the viewer's own, below.
    }
  }
  return date.toLocaleString("en-US", {
    weekday: "short",
    year: "numeric",
    month: "short",
    day: "numeric",
    hour: "2-digit",
    minute: "2-digit",
  });
}

/** 125 -> "2:05"; 3725 -> "1:02:05". Negative durations show as 0:00. */
export function formatCountdown(seconds: number): string {
  const total = Math.max(0, Math.ceil(seconds));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const rest = String(total % 60).padStart(2, "0");
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, "0")}:${rest}` : `${minutes}:${rest}`;
}

/** A wait in words: "less than a minute", "about 3 minutes", "about 2 hours". */
export function formatWait(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 60) return "less than a minute";
  const minutes = Math.round(seconds / 60);
  if (minutes < 90) return `about ${minutes} minute${minutes === 1 ? "" : "s"}`;
  const hours = Math.round(minutes / 60);
  return `about ${hours} hours`;
}

export const plural = (count: number, one: string, many = `${one}s`): string =>
  `${count.toLocaleString("en-US")} ${count === 1 ? one : many}`;

export const seatLabel = (ticket: { section: string; row: string; seat: number }): string =>
  `${ticket.section}, row ${ticket.row}, seat ${ticket.seat}`;
