// Admin actions creating performers and venues.
import type { Context, ServiceSchema } from "moleculer";
import type { Database } from "../platform/database.ts";
import { validationError } from "../domain/errors.ts";
import { newId } from "../domain/ids.ts";
import { performerRecord, venueRecord } from "./catalog.repository.ts";
import { created } from "./reply-meta.ts";
import { createPerformerSchema, createVenueSchema } from "./schemas.ts";
import { checkTimeZone } from "./money-and-zones.ts";

interface VenueParams {
  name: string;
  city: string;
  country: string;
  lat?: number;
  lng?: number;
  timeZone?: string;
}

export function performerVenueActions(db: Database): ServiceSchema["actions"] {
  return {
    createPerformer: {
      openapi: { summary: "Create a performer" },
      params: createPerformerSchema,
      async handler(ctx: Context<{ name: string; genre?: string }, any>) {
        const id = newId("pf");
        const { rows } = await db.query(
          "INSERT INTO performers (id, name, genre) VALUES ($1, $2, $3) RETURNING *",
          [id, ctx.params.name, ctx.params.genre ?? null],
        );
        created(ctx, `/admin/performers/${id}`);
        return performerRecord(rows[0]);
      },
    },

    createVenue: {
      openapi: { summary: "Create a venue" },
      params: createVenueSchema,
      async handler(ctx: Context<VenueParams, any>) {
        const { name, city, country, lat, lng, timeZone = "UTC" } = ctx.params;
        if ((lat === undefined) !== (lng === undefined))
          throw validationError(lat === undefined ? "lat" : "lng", "lat and lng go together");
        checkTimeZone("timeZone", timeZone);
        const { rows } = await db.query(
          `INSERT INTO venues (id, name, city, country, lat, lng, time_zone) VALUES ($1, $2, $3, $4, $5, $6, $7)
           RETURNING *`,
          [newId("vn"), name, city, country, lat ?? null, lng ?? null, timeZone],
        );
        created(ctx, `/admin/venues/${rows[0].id}`);
        return venueRecord(rows[0]);
      },
    },
  };
}
