// The client's address: the socket's peer, unless that peer is a configured trusted proxy, in which
// case the proxy's `X-Forwarded-For` says who it talked to. A client can write anything into
// X-Forwarded-For, so the header is read only from a trusted peer, and from the right: each proxy
// appends the address it saw, so the rightmost entry that is not itself a trusted proxy is the client.
import type { IncomingMessage } from "node:http";
import { isIP } from "node:net";

/** `::ffff:127.0.0.1` (IPv4 mapped into IPv6) is `127.0.0.1`. */
export function normalizeAddress(address: string): string {
  const trimmed = address.trim().toLowerCase();
  return trimmed.startsWith("::ffff:") && isIP(trimmed.slice(7)) === 4 ? trimmed.slice(7) : trimmed;
}

/** TRUSTED_PROXY may name one address or a comma-separated list of them. */
export function parseTrustedProxies(setting: string | null): Set<string> {
  if (!setting) return new Set();
  return new Set(
    setting
      .split(",")
      .map((entry) => normalizeAddress(entry))
      .filter(Boolean),
  );
}

export function clientAddress(req: IncomingMessage, trustedProxies: Set<string>): string {
  const peer = normalizeAddress(req.socket.remoteAddress ?? "unknown");
  if (!trustedProxies.has(peer)) return peer;
  const header = req.headers["x-forwarded-for"];
  // Node joins repeated X-Forwarded-For headers with ", ".
  const forwarded = (Array.isArray(header) ? header.join(",") : (header ?? ""))
    .split(",")
    .map((entry) => normalizeAddress(entry))
    .filter(Boolean);
  for (let index = forwarded.length - 1; index >= 0; index -= 1) {
    const candidate = forwarded[index];
    if (isIP(candidate) === 0) return peer; // garbage from the client side of the chain: not usable
    if (!trustedProxies.has(candidate)) return candidate;
  }
  return peer;
}

/**
 * The rate-limit bucket of an address. An IPv6 client usually controls a whole /64, so it gets one
 * bucket for the /64 rather than 2^64 of them.
 */
export function addressBucket(address: string): string {
  if (isIP(address) !== 6) return address;
  const [head, tail = ""] = address.split("::");
  const headGroups = head === "" ? [] : head.split(":");
  const tailGroups = tail === "" ? [] : tail.split(":");
  const missing = 8 - headGroups.length - tailGroups.length;
  const groups = address.includes("::")
    ? [...headGroups, ...Array.from({ length: missing }, () => "0"), ...tailGroups]
    : headGroups;
  return `${groups
    .slice(0, 4)
    .map((group) => group.replace(/^0+(?=.)/, ""))
    .join(":")}::/64`;
}
