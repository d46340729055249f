// Builds the web UI with esbuild: one bundle of gateway/web/app (TypeScript + socket.io-client) and
// its stylesheet under dist/assets with content-hashed names, and dist/index.html that names them.
// `npm run build:web` (run by `npm start`); tests call buildWeb() directly.
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import * as esbuild from "esbuild";
import { webBuildDirectory } from "./site.ts";

const appEntry = fileURLToPath(new URL("./app/main.ts", import.meta.url));

export interface WebBuild {
  directory: string;
  scriptPath: string;
  stylePath: string;
  bytes: number;
}

const escapeAttribute = (value: string) => value.replace(/&/g, "&amp;").replace(/"/g, "&quot;");

function page(scriptPath: string, stylePath: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Marquee</title>
<link rel="stylesheet" href="${escapeAttribute(stylePath)}">
<script type="module" src="${escapeAttribute(scriptPath)}"></script>
</head>
<body>
<noscript>Marquee needs JavaScript to show seat maps and take bookings.</noscript>
<div id="app"></div>
</body>
</html>
`;
}

export async function buildWeb(directory: string = webBuildDirectory): Promise<WebBuild> {
  const assets = path.join(directory, "assets");
  // Old hashed files would otherwise pile up; the page is swapped in last, atomically.
  await rm(assets, { recursive: true, force: true });
  await mkdir(assets, { recursive: true });
  const result = await esbuild.build({
    entryPoints: { app: appEntry },
    bundle: true,
    format: "esm",
    platform: "browser",
    target: ["chrome111", "firefox115", "safari16"],
    minify: true,
    sourcemap: "linked",
    entryNames: "[name]-[hash]",
    assetNames: "[name]-[hash]",
    outdir: assets,
    metafile: true,
    legalComments: "none",
    logLevel: "warning",
    tsconfig: fileURLToPath(new URL("./app/tsconfig.json", import.meta.url)),
  });
  let scriptPath = "";
  let stylePath = "";
  let bytes = 0;
  for (const [output, info] of Object.entries(result.metafile.outputs)) {
    const name = path.basename(output);
    if (!name.endsWith(".map")) bytes += info.bytes;
    if (info.entryPoint && name.endsWith(".js")) scriptPath = `/assets/${name}`;
    if (name.endsWith(".css")) stylePath = `/assets/${name}`;
  }
  if (!scriptPath || !stylePath) throw new Error("web build produced no script or no stylesheet");
  const temporary = path.join(directory, `index.html.${process.pid}.tmp`);
  await writeFile(temporary, page(scriptPath, stylePath));
  await rename(temporary, path.join(directory, "index.html"));
  return { directory, scriptPath, stylePath, bytes };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const startedMs = performance.now();
  const build = await buildWeb();
  console.log(
    `web UI built in ${Math.round(performance.now() - startedMs)} ms: ${build.scriptPath}, ${build.stylePath} ` +
      `(${Math.round(build.bytes / 1024)} KiB) in ${path.relative(process.cwd(), build.directory)}`,
  );
}
