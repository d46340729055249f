// The node's log output (LOG_FORMAT): `json`, one pino object a line for log shippers, or `pretty`,
// pino-pretty for a person at a terminal (the default when stdout is one): time, level, module and
// message on one line, the facts of a line after it. Both are written synchronously, so the last
// lines before an exit (a stop, a start that failed) are never lost.
import type { BrokerOptions } from "moleculer";
import pinoPretty from "pino-pretty";
import type { Config } from "./config.ts";

type LogSettings = Pick<Config, "logLevel" | "logFormat" | "transporter">;

/** The line's prefix: the node when several share a terminal (`npm run cluster`), then the module. */
function messageFormat(severalNodes: boolean): string {
  return `${severalNodes ? "{if nodeID}[{nodeID}] {end}" : ""}{if mod}{mod}: {end}{msg}`;
}

/** pino-pretty as the pino destination (in this thread: no transport worker to flush at exit). */
function prettyDestination(settings: Pick<LogSettings, "transporter">, colorize: boolean) {
  return pinoPretty({
    colorize,
    sync: true,
    singleLine: true,
    translateTime: "SYS:HH:MM:ss.l",
    ignore: "pid,hostname,nodeID,ns,mod,svc",
    messageFormat: messageFormat(settings.transporter !== null),
  });
}

/** Moleculer's `logger` option for the node's settings. */
export function loggerOptions(settings: LogSettings): BrokerOptions["logger"] {
  const pino: Record<string, unknown> = { options: { base: null } };
  if (settings.logFormat === "pretty")
    pino.destination = prettyDestination(settings, process.stdout.isTTY === true);
  return { type: "Pino", options: { level: settings.logLevel, pino } };
}
