// The route template of a request path (`/events/ev_1/tickets` -> `/events/{eventId}/tickets`), for
// metric labels: a label is never the raw URL (ids would make a series per event), and every path no
// route matches has one label value. Templates come from the routes table (gateway/routes.ts) and the
// raw routes the gateway answers before it.

/** The label of a path no route matches. */
export const unmatchedRoute = "unmatched";

/** Raw routes (answered before moleculer-web routes: health, metrics, SSE, the web UI), as templates. */
export const rawRouteTemplates: readonly string[] = [
  "/health/live",
  "/health/ready",
  "/metrics",
  "/events/{eventId}/updates",
  "/",
  "/index.html",
  "/assets/{asset}",
];

interface RouteTable {
  path?: string;
  aliases?: Record<string, unknown>;
}

/** The templates of moleculer-web routes: each alias's path under its route's, `:id` written `{id}`. */
export function aliasTemplates(routes: readonly RouteTable[]): string[] {
  return routes.flatMap((route) =>
    Object.keys(route.aliases ?? {}).map((alias) => {
      const aliasPath = alias.slice(alias.indexOf(" ") + 1);
      const joined = `${route.path ?? ""}/${aliasPath}`.replace(/\/+/g, "/");
      const withoutSlash = joined.length > 1 ? joined.replace(/\/$/, "") : joined;
      return withoutSlash.replace(/:([A-Za-z0-9_]+)/g, "{$1}");
    }),
  );
}

interface TrieNode {
  literals: Map<string, TrieNode>;
  parameter: TrieNode | null;
  template: string | null;
}

const newNode = (): TrieNode => ({ literals: new Map(), parameter: null, template: null });

/** A matcher of paths (a query string is ignored) to the templates given; literal segments win over parameters. */
export function createRouteMatcher(templates: readonly string[]): (url: string) => string {
  const root = newNode();
  for (const template of templates) {
    let node = root;
    for (const segment of template.split("/").slice(1)) {
      if (segment.startsWith("{")) node = node.parameter ??= newNode();
      else {
        let next = node.literals.get(segment);
        if (!next) node.literals.set(segment, (next = newNode()));
        node = next;
      }
    }
    node.template ??= template;
  }
  const match = (node: TrieNode, segments: string[], index: number): string | null => {
    if (index === segments.length) return node.template;
    const segment = segments[index];
    const literal = node.literals.get(segment);
    const viaLiteral = literal ? match(literal, segments, index + 1) : null;
    if (viaLiteral !== null || !node.parameter || segment === "") return viaLiteral;
    return match(node.parameter, segments, index + 1);
  };
  return (url) => {
    const query = url.indexOf("?");
    const path = query === -1 ? url : url.slice(0, query);
    if (!path.startsWith("/")) return unmatchedRoute;
    return match(root, path.split("/").slice(1), 0) ?? unmatchedRoute;
  };
}
