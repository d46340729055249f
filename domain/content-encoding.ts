// Content negotiation of an answer's coding from the request's Accept-Encoding (RFC 9110 12.5.3):
// pure string work, shared by the gateway (answers it compresses itself) and the catalog (seat maps
// compressed once per version).

export type ContentEncoding = "br" | "gzip" | "identity";

/** The weight of each coding an Accept-Encoding header names (`*` included). */
function codingWeights(header: string | undefined): Map<string, number> {
  const weights = new Map<string, number>();
  for (const item of (header ?? "").split(",")) {
    const [coding, ...parameters] = item.split(";").map((part) => part.trim().toLowerCase());
    if (!coding) continue;
    const q = parameters.find((parameter) => parameter.startsWith("q="));
    const weight = q === undefined ? 1 : Number(q.slice(2));
    weights.set(coding, Number.isFinite(weight) ? Math.min(Math.max(weight, 0), 1) : 0);
  }
  return weights;
}

/**
 * The coding to answer with among `offered` (the server's order of preference breaks ties): the
 * one the client weighs most, or identity when it accepts none of them.
 */
export function preferredEncoding(
  header: string | undefined,
  offered: readonly ContentEncoding[],
): ContentEncoding {
  const weights = codingWeights(header);
  let best: ContentEncoding = "identity";
  let bestWeight = 0;
  for (const coding of offered) {
    const weight = weights.get(coding) ?? weights.get("*") ?? 0;
    if (weight > bestWeight) {
      best = coding;
      bestWeight = weight;
    }
  }
  return best;
}
