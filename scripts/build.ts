// `npm run build`: the production build in dist/ (or the directory given), run by
// `node --enable-source-maps dist/main.js` (`npm run start:prod`, the image) with no TypeScript loader:
//   dist/**/*.js + .js.map     the product compiled by tsc (tsconfig.build.json, type-checked)
//   dist/migrations/           the SQL files platform/migrate.ts reads next to itself
//   dist/gateway/web/dist/     the web UI bundle gateway/web/site.ts serves next to itself
//   dist/package.json          {"type": "module"}, so dist/ runs wherever it is copied
import { execFile } from "node:child_process";
import { cp, mkdir, readdir, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { buildWeb } from "../gateway/web/build.ts";

const projectRoot = fileURLToPath(new URL("../", import.meta.url));
/** tsc on the whole product takes ~10 s on one core; a build stuck for minutes is broken. */
const compileTimeoutMs = 300_000;

export interface BuildResult {
  outDir: string;
  compileMs: number;
  webMs: number;
}

export interface BuildOptions {
  /** false: emit without type-checking (`npm run typecheck` checks; tests build this way, faster). */
  typeCheck?: boolean;
}

export async function build(
  outDir: string = path.join(projectRoot, "dist"),
  options: BuildOptions = {},
): Promise<BuildResult> {
  outDir = path.resolve(outDir);
  await refuseToOverwrite(outDir);
  // Files of deleted or renamed modules must not linger in a build.
  await rm(outDir, { recursive: true, force: true });
  await mkdir(outDir, { recursive: true });
  const compileStartedMs = performance.now();
  await compile(outDir, options.typeCheck ?? true);
  const compileMs = Math.round(performance.now() - compileStartedMs);
  await cp(path.join(projectRoot, "migrations"), path.join(outDir, "migrations"), { recursive: true });
  const webStartedMs = performance.now();
  await buildWeb(path.join(outDir, "gateway/web/dist"));
  const webMs = Math.round(performance.now() - webStartedMs);
  await writeFile(path.join(outDir, "package.json"), `${JSON.stringify({ type: "module" })}\n`);
  return { outDir, compileMs, webMs };
}

/** The build starts by deleting outDir: only an earlier build or an empty directory may be there. */
async function refuseToOverwrite(outDir: string): Promise<void> {
  const relative = path.relative(outDir, projectRoot);
  if (relative === "" || !relative.startsWith(".."))
    throw new Error(`refusing to build into ${outDir}: it holds the project`);
  const entries = await readdir(outDir).catch(() => [] as string[]);
  if (entries.length > 0 && !(entries.includes("main.js") && entries.includes("package.json")))
    throw new Error(`refusing to build into ${outDir}: it is not empty and holds no earlier build`);
}

/** tsc -p tsconfig.build.json into outDir; a type error fails the build with tsc's report. */
function compile(outDir: string, typeCheck: boolean): Promise<void> {
  const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
  const args = [
    tsc,
    "-p",
    path.join(projectRoot, "tsconfig.build.json"),
    "--outDir",
    outDir,
    "--pretty",
    "false",
  ];
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      typeCheck ? args : [...args, "--noCheck"],
      { cwd: projectRoot, timeout: compileTimeoutMs, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (!error) return resolve();
        const reason = error.killed ? `timed out after ${compileTimeoutMs} ms` : `failed (${error.code})`;
        reject(new Error(`tsc ${reason}:\n${stdout}${stderr}`));
      },
    );
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const result = await build(process.argv[2]);
  console.log(
    `built ${path.relative(process.cwd(), result.outDir) || "."}: compiled in ${result.compileMs} ms, ` +
      `web UI in ${result.webMs} ms; run it with node --enable-source-maps ${path.join(path.relative(process.cwd(), result.outDir), "main.js")}`,
  );
}
