// Answers of the presale routes (issue 18): an admin's new presale with its codes (shown once), an
// organiser's list with the bookings the codes made, the public windows of an event's page.
import type { JsonSchema } from "../json-schema.ts";
import type { RouteAnswers } from "../route-answers.ts";
import { closedObject, count, dateTime, ref } from "./common.ts";

const window = {
  name: { type: "string" },
  startsAt: dateTime,
  endsAt: { ...dateTime, description: "The window is [startsAt, endsAt)" },
};

export const presaleSchemas: Record<string, JsonSchema> = {
  NewPresale: closedObject({
    id: { type: "string" },
    ...window,
    usesPerCode: { type: "integer", minimum: 1, description: "Bookings each code may make" },
    codes: {
      type: "array",
      items: { type: "string", minLength: 10 },
      description: "Shown only in this answer (Marquee keeps a hash of each): send one as X-Presale-Code",
    },
  }),
  PresaleList: closedObject({
    presales: {
      type: "array",
      items: closedObject({
        id: { type: "string" },
        ...window,
        usesPerCode: { type: "integer", minimum: 1 },
        codeCount: count,
        bookings: { ...count, description: "Bookings made with this presale's codes" },
        codesUsedUp: { ...count, description: "Codes with no booking left" },
        codesUsed: {
          type: "array",
          description: "The codes that made a booking, most used first, named by their first symbols",
          items: closedObject({ hint: { type: "string" }, uses: { ...count, minimum: 1 } }),
        },
      }),
    },
  }),
  PresaleWindows: closedObject({
    presales: { type: "array", items: closedObject(window) },
  }),
};

export const presaleRouteAnswers: Record<string, RouteAnswers> = {
  "catalog.createPresale": {
    status: 201,
    description: "The presale and its codes (this is the only time the codes are shown)",
    schema: ref("NewPresale"),
    headers: ["Location"],
  },
  "catalog.listPresales": {
    status: 200,
    description: "The event's presales and the bookings their codes made (never the codes)",
    schema: ref("PresaleList"),
  },
  "catalog.publicPresales": {
    status: 200,
    description: "The event's presale windows, earliest first: a code opens the sale in one of them",
    schema: ref("PresaleWindows"),
  },
};
