// Compression of a rendered seat map, once per version and coding (then sent to every reader as
// is). Levels measured on this machine (loadtest BENCHMARKS.md): a 20,000-seat Ticket list (2.2 MB)
// is 129 KB with gzip 6 in 20 ms and 83 KB with br 4 in 15 ms; a 100,000-seat one (11 MB) takes
// 79 ms with gzip 6 against 32 ms with gzip 4 (672 KB) and 57 ms with br 4 (421 KB). The compact
// form (100,000 seats, 100 KB, a third taken at random) is 20.2 KB with gzip 6 in 9 ms and 21.3 KB
// with br 5 in 4 ms. So: the default levels for small texts, faster ones past compressFastBytesMin.
import { promisify } from "node:util";
import { brotliCompress, constants, gzip } from "node:zlib";
import type { ContentEncoding } from "../domain/content-encoding.ts";

const gzipAsync = promisify(gzip);
const brotliAsync = promisify(brotliCompress);

/** Texts past this size are compressed at the faster levels. */
export const compressFastBytesMin = 256 * 1024;

/** The bytes in `encoding` (not identity), compressed in libuv's pool, off the event loop. */
export function compress(encoding: Exclude<ContentEncoding, "identity">, bytes: Buffer): Promise<Buffer> {
  const large = bytes.length > compressFastBytesMin;
  if (encoding === "gzip") return gzipAsync(bytes, { level: large ? 4 : 6 });
  return brotliAsync(bytes, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: large ? 4 : 5,
      [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
      [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length,
    },
  });
}
