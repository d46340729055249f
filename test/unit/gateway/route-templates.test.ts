// Request paths to route templates, the label of the gateway's HTTP metrics: never the raw URL.
import { expect } from "chai";
import { gatewayRoutes } from "../../../gateway/routes.ts";
import {
  aliasTemplates,
  createRouteMatcher,
  rawRouteTemplates,
  unmatchedRoute,
} from "../../../gateway/route-templates.ts";

describe("route templates", () => {
  const templates = [...aliasTemplates(gatewayRoutes(() => {})), ...rawRouteTemplates];
  const routeOf = createRouteMatcher(templates);

  it("are the routes table's aliases under their route's path, parameters in braces", () => {
    expect(templates).to.include.members([
      "/events/{eventId}",
      "/events/{eventId}/tickets",
      "/events/search",
      "/booking/reserve",
      "/admin/events/{eventId}",
      "/admin/performers",
      "/events/{eventId}/updates",
      "/metrics",
    ]);
  });

  it("match a path to its template, literal segments first, the query string ignored", () => {
    expect(routeOf("/events/ev_123")).to.equal("/events/{eventId}");
    expect(routeOf("/events/ev_123/tickets?format=compact")).to.equal("/events/{eventId}/tickets");
    expect(routeOf("/events/search?term=x")).to.equal("/events/search");
    expect(routeOf("/events/ev_1/updates")).to.equal("/events/{eventId}/updates");
    expect(routeOf("/admin/events/ev_9")).to.equal("/admin/events/{eventId}");
    expect(routeOf("/assets/app-ABCDEFGH.js")).to.equal("/assets/{asset}");
    expect(routeOf("/")).to.equal("/");
    expect(routeOf("/health/ready")).to.equal("/health/ready");
  });

  it("give every other path one label value", () => {
    for (const path of [
      "/nope",
      "/events/ev_1/nope",
      "/events/",
      "/events//tickets",
      "",
      "*",
      "/admin/events/a/b",
    ])
      expect(routeOf(path), path).to.equal(unmatchedRoute);
  });
});
