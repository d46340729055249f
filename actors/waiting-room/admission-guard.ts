// The check the booking reserve path makes: on an event whose waiting room is on, the caller must
// present an unexpired admission token issued to them for that event (header X-Admission-Token,
// copied by the gateway into ctx.meta.admissionToken). Needs no Redis: the token is verified by its
// signature and the settings come from a short in-memory cache of `catalog.event`. The admission it
// answers goes with the reserve command to the event's actor, which decides whether it is still
// active (domain/seat-state/admission.ts: spent once its holds end, at most maxActiveShoppers holders).
import type { Clock } from "../../domain/clock.ts";
import { developmentAuthSecret, type Config } from "../../platform/config.ts";
import { MarqueeError } from "../../domain/errors.ts";
import {
  createAdmissionTokens,
  type AdmissionClaims,
  type AdmissionRefusal,
  type AdmissionTokens,
} from "./admission-token.ts";
import { catalogEventFetcher, createEventSettingsCache, type EventSettingsCache } from "./event-settings.ts";

const refusalMessages: Record<AdmissionRefusal, string> = {
  missing: "This event has a waiting room: send the admission token (X-Admission-Token) you got from it",
  malformed: "The admission token is not valid",
  bad_signature: "The admission token is not valid",
  wrong_event: "The admission token is for another event",
  wrong_user: "The admission token was issued to another user",
  expired: "The admission token has expired: join the waiting room again",
};

export interface AdmissionGuard {
  /**
   * The caller's admission to `eventId` (its verified claims), or null when the event has no waiting
   * room; throws 403 ADMISSION_REQUIRED without a valid token. Unknown events pass (null: the booking
   * core answers those with its own 404).
   */
  requireAdmission(
    eventId: string,
    userId: string,
    admissionToken: string | undefined,
  ): Promise<AdmissionClaims | null>;
}

export function createAdmissionGuardFrom(
  settings: EventSettingsCache,
  tokens: AdmissionTokens,
  clock: Clock,
): AdmissionGuard {
  return {
    async requireAdmission(eventId, userId, admissionToken) {
      const event = await settings.get(eventId);
      if (!event || !event.waitingRoom.enabled) return null;
      const check = tokens.verify(admissionToken, { eventId, userId, nowMs: clock.now() });
      if (!check.ok)
        throw new MarqueeError("ADMISSION_REQUIRED", refusalMessages[check.reason], { reason: check.reason });
      return check.claims;
    },
  };
}

/**
 * The secret admission tokens are signed with. With only a JWKS URL configured, AUTH_SECRET would be
 * the public development secret, and anyone could mint tokens: refuse to run like that in production.
 */
export function admissionSecret(config: Pick<Config, "authSecret" | "production">): string {
  if (config.production && config.authSecret === developmentAuthSecret)
    throw new Error("AUTH_SECRET must be set in production: it signs waiting-room admission tokens");
  return config.authSecret;
}

/**
 * The guard for a service: `call` is the service's broker call (e.g. `(a, p) => this.broker.call(a, p)`).
 * One guard per service instance (it owns a bounded cache).
 */
export function createAdmissionGuard(
  call: (action: string, params: unknown) => Promise<unknown>,
  config: Pick<Config, "authSecret" | "production">,
  clock: Clock,
): AdmissionGuard {
  return createAdmissionGuardFrom(
    createEventSettingsCache(catalogEventFetcher(call)),
    createAdmissionTokens(admissionSecret(config)),
    clock,
  );
}
