// An event's times as given by an admin: parsed strictly, and the sale opening no later than the start.
import { validationError } from "../domain/errors.ts";

export function parseTime(field: string, value: string): Date {
  const date = new Date(value);
  // Date rolls impossible days over (2027-02-31 becomes March 3rd): check the calendar day too.
  const [year, month, day] = value.slice(0, 10).split("-").map(Number);
  const calendarDay = new Date(Date.UTC(year, month - 1, day));
  if (
    Number.isNaN(date.getTime()) ||
    calendarDay.getUTCFullYear() !== year ||
    calendarDay.getUTCMonth() !== month - 1 ||
    calendarDay.getUTCDate() !== day
  )
    throw validationError(field, `${field} is not a valid time`);
  return date;
}

export function checkOnSaleBeforeStart(onSaleAt: Date, startsAt: Date): void {
  if (onSaleAt.getTime() > startsAt.getTime())
    throw validationError("onSaleAt", "onSaleAt must not be after startsAt");
}
