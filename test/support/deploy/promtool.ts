// promtool (Debian package `prometheus`; CI installs it): checks of the rules, the scrape config and
// the metrics text. Tests skip, saying so, where it is missing.
import { execFile, spawnSync } from "node:child_process";

export const promtoolMissing =
  spawnSync("promtool", ["--version"], { stdio: "ignore" }).status === 0
    ? null
    : "promtool is not installed (Debian package `prometheus`): the promtool checks are skipped";

/** Runs `promtool <args>` with `input` on stdin (`check metrics` reads it); the exit code and its output. */
export function promtool(args: string[], options: { cwd?: string; input?: string } = {}) {
  return new Promise<{ code: number; output: string }>((resolve) => {
    const child = execFile(
      "promtool",
      args,
      { cwd: options.cwd, timeout: 30_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
        resolve({ code, output: stdout + stderr });
      },
    );
    child.stdin!.end(options.input ?? "");
  });
}
