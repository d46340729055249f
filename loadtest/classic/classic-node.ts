// A Marquee node whose `booking` service runs the classic baseline engine (classic-engine.ts): the
// same entry point as main.ts, with the service replaced through startNode's `services` option.
// `node --import=tsx loadtest/classic/classic-node.ts` (the rush starts its baseline cluster's
// booking nodes with it, see loadtest/cluster.ts `bookingNodeScript`).
import { fileURLToPath } from "node:url";
import { main } from "../../main.ts";
import { classicServices } from "./classic-engine.ts";

/** This script's path, for launchers that spawn it. */
export const classicNodeScript = fileURLToPath(import.meta.url);

if (process.argv[1] && classicNodeScript === process.argv[1]) await main({ services: classicServices });
