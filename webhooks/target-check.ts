// Where a webhook may post. With NODE_ENV=production (and no WEBHOOK_ALLOW_PRIVATE=true) a target
// whose host is, or resolves to, an address that is not globally reachable (private, loopback,
// link-local, unique-local, CGNAT, multicast, reserved; IPv4 inside IPv6 included) is refused: an
// admin token must not turn Marquee into a probe of its own network. Checked at registration and
// again at every connection (the host's DNS may change after it was registered: rebinding).
import { BlockList, isIP } from "node:net";
import dns from "node:dns";
import type { LookupFunction } from "node:net";
import { webhookDnsTimeoutMs, webhookUrlLengthMax } from "../domain/limits.ts";

const blocked = new BlockList();
const ipv4Ranges: [string, number][] = [
  ["0.0.0.0", 8], // "this network"
  ["10.0.0.0", 8], // private
  ["100.64.0.0", 10], // carrier-grade NAT
  ["127.0.0.0", 8], // loopback
  ["169.254.0.0", 16], // link-local (cloud metadata services live here)
  ["172.16.0.0", 12], // private
  ["192.0.0.0", 24], // IETF protocol assignments
  ["192.0.2.0", 24], // documentation
  ["192.168.0.0", 16], // private
  ["198.18.0.0", 15], // benchmarking
  ["198.51.100.0", 24], // documentation
  ["203.0.113.0", 24], // documentation
  ["224.0.0.0", 4], // multicast
  ["240.0.0.0", 4], // reserved, broadcast
];
const ipv6Ranges: [string, number][] = [
  ["::", 128], // unspecified
  ["::1", 128], // loopback
  ["100::", 64], // discard
  ["2001:db8::", 32], // documentation
  ["fc00::", 7], // unique local
  ["fe80::", 10], // link-local
  ["fec0::", 10], // site-local (deprecated)
  ["ff00::", 8], // multicast
];
for (const [network, prefix] of ipv4Ranges) blocked.addSubnet(network, prefix, "ipv4");
for (const [network, prefix] of ipv6Ranges) blocked.addSubnet(network, prefix, "ipv6");

/** The eight 16-bit groups of an IPv6 address (a trailing dotted IPv4 part included); null if not one. */
function ipv6Groups(address: string): number[] | null {
  let text = address.split("%")[0];
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const bytes = dotted[1].split(".").map(Number);
    text = `${text.slice(0, -dotted[1].length)}${((bytes[0] << 8) | bytes[1]).toString(16)}:${((bytes[2] << 8) | bytes[3]).toString(16)}`;
  }
  const [head, tail] = text.includes("::") ? text.split("::") : [text, null];
  const part = (s: string) => (s === "" ? [] : s.split(":").map((group) => parseInt(group, 16)));
  const first = part(head);
  const last = tail === null ? [] : part(tail);
  const missing = 8 - first.length - last.length;
  if (missing < 0 || (tail === null && missing !== 0)) return null;
  const groups = [...first, ...new Array(missing).fill(0), ...last];
  return groups.every((group) => Number.isInteger(group) && group >= 0 && group <= 0xffff) ? groups : null;
}

const ipv4Of = (high: number, low: number) => `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;

/** The IPv4 address an IPv6 one carries: mapped (::ffff:a.b.c.d), compatible (::a.b.c.d), NAT64, 6to4. */
function embeddedIPv4(address: string): string | null {
  const g = ipv6Groups(address);
  if (!g) return null;
  const zeros = (from: number, to: number) => g.slice(from, to).every((group) => group === 0);
  if (zeros(0, 5) && g[5] === 0xffff) return ipv4Of(g[6], g[7]);
  if (zeros(0, 6)) return ipv4Of(g[6], g[7]);
  if (g[0] === 0x64 && g[1] === 0xff9b && zeros(2, 6)) return ipv4Of(g[6], g[7]);
  if (g[0] === 0x2002) return ipv4Of(g[1], g[2]);
  return null;
}

/** True when `address` (an IP literal) is not a globally reachable unicast address. */
export function isPrivateAddress(address: string): boolean {
  const family = isIP(address.split("%")[0]);
  if (family === 4) return blocked.check(address, "ipv4");
  if (family !== 6) return true; // not an address at all: never a target
  const bare = address.split("%")[0];
  if (blocked.check(bare, "ipv6")) return true;
  const inner = embeddedIPv4(bare);
  return inner !== null && blocked.check(inner, "ipv4");
}

/** The host of a URL as an address or name (IPv6 without its brackets). */
const hostOf = (url: URL): string => url.hostname.replace(/^\[(.*)\]$/, "$1");

/**
 * Lookups in flight, by host name: concurrent deliveries to one host share one. dns.lookup runs on
 * libuv's small thread pool and our timeout only stops the waiting, not the lookup: without sharing,
 * one receiver whose DNS hangs would fill the pool and hold up every other receiver's lookups.
 */
const lookupsInFlight = new Map<string, Promise<dns.LookupAddress[]>>();

/** dns.lookup of every address of `host`, bounded in time. */
function lookupAll(host: string): Promise<dns.LookupAddress[]> {
  const running = lookupsInFlight.get(host);
  if (running) return running;
  const lookup = new Promise<dns.LookupAddress[]>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`DNS lookup timed out after ${webhookDnsTimeoutMs} ms`)),
      webhookDnsTimeoutMs,
    );
    dns.lookup(host, { all: true, verbatim: true }, (error, addresses) => {
      clearTimeout(timer);
      lookupsInFlight.delete(host);
      if (error) reject(error);
      else resolve(addresses);
    });
  });
  lookupsInFlight.set(host, lookup);
  return lookup;
}

/** Why `text` cannot be a webhook URL, or null. Syntax only: http or https, length, a host. */
export function urlProblem(text: string): string | null {
  if (text.length > webhookUrlLengthMax) return `url must be at most ${webhookUrlLengthMax} characters`;
  // The URL parser would quietly drop or encode these; a target is sent exactly as registered.
  if (/[\s\u0000-\u001f\u007f-\u009f]/.test(text)) return "url must not contain spaces or control characters";
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return "url must be an absolute http or https URL";
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return "url must use http or https";
  if (hostOf(url) === "") return "url must name a host";
  return null;
}

/**
 * Why the target of `text` is refused, or null. With `checkAddresses` the host must resolve, and
 * every address it resolves to must be public.
 */
export async function targetProblem(text: string, checkAddresses: boolean): Promise<string | null> {
  const problem = urlProblem(text);
  if (problem || !checkAddresses) return problem;
  const host = hostOf(new URL(text));
  if (isIP(host)) return isPrivateAddress(host) ? "url must not point to a private or local address" : null;
  let addresses: dns.LookupAddress[];
  try {
    addresses = await lookupAll(host);
  } catch {
    return "url's host does not resolve";
  }
  if (addresses.length === 0) return "url's host does not resolve";
  if (addresses.some((entry) => isPrivateAddress(entry.address)))
    return "url must not resolve to a private or local address";
  return null;
}

/**
 * A `lookup` for node:http that refuses to connect to a private address: resolving and checking in
 * the same step as connecting leaves DNS rebinding no window.
 */
export const publicOnlyLookup: LookupFunction = (hostname, options, callback) => {
  lookupAll(hostname).then(
    (addresses) => {
      const refused = addresses.find((entry) => isPrivateAddress(entry.address));
      if (refused || addresses.length === 0) {
        return callback(new Error("target resolves to a private or local address"), "", 0);
      }
      const wanted = options.family === 4 || options.family === 6 ? options.family : 0;
      const usable = addresses.filter((entry) => wanted === 0 || entry.family === wanted);
      if (options.all) return (callback as any)(null, usable);
      const first = usable[0] ?? addresses[0];
      return callback(null, first.address, first.family);
    },
    (error: NodeJS.ErrnoException) => callback(error, "", 0),
  );
};

/** Refuses an IP-literal host (no lookup runs for those) that is private, when addresses are checked. */
export function literalTargetRefused(url: URL): boolean {
  const host = hostOf(url);
  return isIP(host) !== 0 && isPrivateAddress(host);
}
