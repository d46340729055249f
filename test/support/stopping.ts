// Helpers of the clean-stop tests: a process group started like an operator would (`npm start`,
// `npm run cluster`), its output, and checks that every process of it is gone and its port free.
import { spawn, type ChildProcess } from "node:child_process";
import net from "node:net";
import { createHttpClient, type HttpClient } from "./system.ts";
import { createEventFixture } from "./catalog.ts";

export interface ProcessGroup {
  child: ChildProcess;
  output(): string;
  /** Resolves with the leader's exit code (or signal name). */
  exited: Promise<number | string>;
  /** Whether any process of the group still runs. */
  alive(): boolean;
  /** SIGKILL to the whole group (cleanup). */
  killAll(): void;
}

/** `npm <args>` in a process group of its own (detached), output captured. */
export function startGroup(args: string[], env: Record<string, string>): ProcessGroup {
  const child = spawn("npm", args, {
    env: { ...process.env, LOG_FORMAT: "json", ...env },
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (chunk) => (output += chunk));
  child.stderr!.on("data", (chunk) => (output += chunk));
  const exited = new Promise<number | string>((resolve) =>
    child.once("exit", (code, signal) => resolve(code ?? signal ?? "unknown")),
  );
  const alive = () => {
    try {
      process.kill(-child.pid!, 0);
      return true;
    } catch {
      return false;
    }
  };
  return {
    child,
    output: () => output,
    exited,
    alive,
    killAll: () => {
      if (alive()) process.kill(-child.pid!, "SIGKILL");
    },
  };
}

export async function waitForOutput(group: ProcessGroup, pattern: RegExp, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pattern.test(group.output())) {
    if (group.child.exitCode !== null)
      throw new Error(`exited ${group.child.exitCode}:\n${group.output().slice(-3000)}`);
    if (Date.now() > deadline)
      throw new Error(`no ${pattern} within ${timeoutMs} ms:\n${group.output().slice(-3000)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Waits until no process of the group runs; resolves with how long that took. */
export async function waitGone(group: ProcessGroup, timeoutMs: number): Promise<number> {
  const started = Date.now();
  while (group.alive()) {
    if (Date.now() - started > timeoutMs) return Number.POSITIVE_INFINITY;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return Date.now() - started;
}

export async function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "0.0.0.0", () => server.close(() => resolve(true)));
  });
}

/**
 * Starts a confirm that takes ~2 s (payment token tok_slow) and resolves once it is in flight: a
 * held ticket of a fresh event, confirmed with an Idempotency-Key.
 */
export async function slowConfirm(
  baseUrl: string,
): Promise<{ answer: Promise<{ status: number; body: any }> }> {
  const client: HttpClient = createHttpClient(baseUrl);
  const event = await createEventFixture(client, { seats: 2 });
  const token = await client.token("stopping-shopper");
  const held = await client.request("POST", "/booking/reserve", {
    token,
    body: { ticketId: event.ticketIds[0] },
  });
  if (held.status !== 200) throw new Error(`reserve: ${held.status} ${JSON.stringify(held.body)}`);
  const answer = client.request("POST", "/booking/confirm", {
    token,
    body: { ticketIds: [event.ticketIds[0]], paymentDetails: { token: "tok_slow" } },
    headers: { "Idempotency-Key": "stop-test-key-0001" },
    timeoutMs: 20_000,
  });
  // In the payment provider's ~2 s by now.
  await new Promise((resolve) => setTimeout(resolve, 500));
  return { answer };
}
