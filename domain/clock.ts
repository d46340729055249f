// Time is injected so hold expiry and admission can be tested with a simulated clock.
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock that moves only when told: for unit tests and deterministic simulation. */
export class ManualClock implements Clock {
  constructor(private current = Date.parse("2027-01-01T00:00:00Z")) {}
  now(): number {
    return this.current;
  }
  advance(ms: number): void {
    this.current += ms;
  }
  set(ms: number): void {
    this.current = ms;
  }
}
