// Formatting of money, times and waits for display. Pure (no DOM).

/** The contract has money in integer cents and no currency; the demo shows US dollars. */
const money = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD" });

export const formatMoney = (cents: number): string => money.format(cents / 100);

export function formatDateTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
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
