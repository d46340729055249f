// Serves the built web UI (gateway/web/dist) as raw routes of the gateway: GET/HEAD `/` (and
// `/index.html`) and `/assets/<name>`. Only single-segment asset names are accepted, so no request can
// reach outside the build folder. Content-hashed assets are cached forever (`immutable`); the page
// itself is revalidated on every load so a new build is picked up at once.
import { createHash } from "node:crypto";
import { readFile, stat } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { MarqueeError } from "../../domain/errors.ts";
import { webFileBytesMax, webFileCacheEntriesMax } from "../../domain/limits.ts";

export const webBuildDirectory = fileURLToPath(new URL("./dist/", import.meta.url));

const contentTypes: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".woff2": "font/woff2",
  ".txt": "text/plain; charset=utf-8",
};
const compressible = new Set([".html", ".js", ".css", ".map", ".json", ".svg", ".txt"]);

/** One path segment, no leading dot: `..`, `/`, `\` and `%` escapes can never match. */
const assetNamePattern = /^[A-Za-z0-9][A-Za-z0-9_-]*(\.[A-Za-z0-9]+)+$/;
/** esbuild's `[name]-[hash]` names: the hash is 8 characters of upper-case base32. */
const hashedNamePattern = /-[A-Z0-9]{8}\.[A-Za-z0-9.]+$/;

const immutableCaching = "public, max-age=31536000, immutable";
const revalidateCaching = "no-cache";

/** The page may only load its own scripts and styles and talk to its own origin. */
const pageSecurityHeaders = {
  "Content-Security-Policy":
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
    "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "no-referrer",
  "X-Frame-Options": "DENY",
};

interface CachedFile {
  modifiedMs: number;
  size: number;
  body: Buffer;
  gzipped: Buffer | null;
  etag: string;
}

export interface WebSite {
  /** Answers the request when it is one of the UI's routes; false lets the gateway route it. */
  handle(req: IncomingMessage, res: ServerResponse): Promise<boolean>;
}

type FileCache = Map<string, CachedFile>;

/** Reads a file of the build, reusing the cached copy while its size and mtime are unchanged. */
async function load(root: string, cache: FileCache, relativePath: string): Promise<CachedFile | null> {
  const fullPath = path.join(root, relativePath);
  // Belt and braces: the name patterns already keep every path inside the root.
  if (!fullPath.startsWith(path.resolve(root) + path.sep)) return null;
  let info;
  try {
    info = await stat(fullPath);
  } catch {
    return null;
  }
  if (!info.isFile()) return null;
  if (info.size > webFileBytesMax) throw new MarqueeError("INTERNAL_ERROR", "Web file too large");
  const cached = cache.get(relativePath);
  if (cached && cached.modifiedMs === info.mtimeMs && cached.size === info.size) return cached;
  const body = await readFile(fullPath);
  const extension = path.extname(relativePath);
  const file: CachedFile = {
    modifiedMs: info.mtimeMs,
    size: info.size,
    body,
    gzipped: compressible.has(extension) && body.length > 1024 ? gzipSync(body) : null,
    etag: `"${createHash("sha256").update(body).digest("base64url").slice(0, 27)}"`,
  };
  if (!cache.has(relativePath) && cache.size >= webFileCacheEntriesMax) {
    cache.delete(cache.keys().next().value!);
  }
  cache.set(relativePath, file);
  return file;
}

/** 304 when the client has this version, else the file (gzipped when the client takes it). */
function send(
  req: IncomingMessage,
  res: ServerResponse,
  relativePath: string,
  file: CachedFile,
  headers: Record<string, string>,
): void {
  const common: Record<string, string> = {
    "Content-Type": contentTypes[path.extname(relativePath)] ?? "application/octet-stream",
    ETag: file.etag,
    Vary: "Accept-Encoding",
    "X-Content-Type-Options": "nosniff",
    ...headers,
  };
  const ifNoneMatch = req.headers["if-none-match"];
  if (ifNoneMatch && ifNoneMatch.split(",").some((tag) => tag.trim() === file.etag)) {
    res.writeHead(304, common);
    res.end();
    return;
  }
  const acceptsGzip = /\bgzip\b/.test(String(req.headers["accept-encoding"] ?? ""));
  const body = acceptsGzip && file.gzipped ? file.gzipped : file.body;
  if (body === file.gzipped) common["Content-Encoding"] = "gzip";
  common["Content-Length"] = String(body.length);
  res.writeHead(200, common);
  res.end(req.method === "HEAD" ? undefined : body);
}

export function createWebSite(root: string = webBuildDirectory): WebSite {
  const cache: FileCache = new Map();
  return {
    async handle(req, res) {
      if (req.method !== "GET" && req.method !== "HEAD") return false;
      const url = (req.url ?? "/").split("?")[0];
      if (url === "/" || url === "/index.html") {
        const file = await load(root, cache, "index.html");
        if (!file) throw new MarqueeError("UNAVAILABLE", "The web UI is not built: run `npm run build:web`");
        send(req, res, "index.html", file, { "Cache-Control": revalidateCaching, ...pageSecurityHeaders });
        return true;
      }
      if (!url.startsWith("/assets/")) return false;
      const name = url.slice("/assets/".length);
      const file = assetNamePattern.test(name) ? await load(root, cache, `assets/${name}`) : null;
      if (!file) throw new MarqueeError("NOT_FOUND", "Not found");
      send(req, res, `assets/${name}`, file, {
        "Cache-Control": hashedNamePattern.test(name) ? immutableCaching : revalidateCaching,
      });
      return true;
    },
  };
}
