// `npm run plan -- --events N --tickets-per-event N --peak-users N [...]`: the capacity planner
// (docs/capacity.md). For each question (ticket storage, one Postgres or several, search and its
// cache, booking nodes, gateway nodes for the fan-out, the waiting room's Redis) it prints the
// measured figures it uses with their sources, the arithmetic, and the decision; --json prints the
// same as JSON. Its constants are the benchmarks' results (measurements.ts), never written here.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ArgumentError } from "../cli-numbers.ts";
import { readMeasurements } from "./measurements.ts";
import { parsePlanArguments, planUsage, type PlanInputs } from "./plan-arguments.ts";
import { bookingNodes, postgresNodes, ticketStorage } from "./questions-data.ts";
import { fanoutGateways, searchCapacity, waitingRoomRedis } from "./questions-traffic.ts";
import { formatNumber as n, type Answer } from "./work.ts";

export interface Plan {
  inputs: PlanInputs;
  answers: Answer[];
  /** Commands that would measure every figure still missing. */
  run: string[];
}

const repositoryRoot = fileURLToPath(new URL("../..", import.meta.url));

export function makePlan(inputs: PlanInputs): Plan {
  const measurements = readMeasurements(path.resolve(repositoryRoot, inputs.resultsDirectory));
  const storage = ticketStorage(inputs, measurements);
  const { bytesPerTicket: _bytes, ...storageAnswer } = storage;
  const answers = [
    storageAnswer,
    postgresNodes(inputs, measurements, storage.bytesPerTicket),
    searchCapacity(inputs, measurements),
    bookingNodes(inputs, measurements),
    fanoutGateways(inputs, measurements),
    waitingRoomRedis(inputs, measurements),
  ];
  return { inputs, answers, run: [...new Set(answers.flatMap((answer) => answer.run))] };
}

export function formatPlan(plan: Plan): string {
  const { inputs } = plan;
  const lines = [
    `Capacity plan: ${n(inputs.events)} events x ${n(inputs.ticketsPerEvent)} tickets, ${n(inputs.peakUsers)} peak users, ` +
      `${n(inputs.searchesPerUserPerSec)} searches/user/s, ${n(inputs.hotEvents)} hot event${inputs.hotEvents === 1 ? "" : "s"}, ` +
      `${inputs.nodeCores === null ? "nodes like the machine measured" : `${n(inputs.nodeCores)}-core nodes`}; ` +
      `${n(inputs.soldFraction)} sold, ${n(inputs.ticketsPerBooking)} seat(s) a booking, arrivals over ${n(inputs.arrivalSeconds)} s`,
    `Measurements: ${inputs.resultsDirectory}`,
  ];
  plan.answers.forEach((answer, index) => {
    lines.push("", `${index + 1}. ${answer.question}`);
    for (const step of answer.steps) lines.push(`   ${step}`);
    lines.push(`   => ${answer.decision}`);
  });
  if (plan.run.length > 0)
    lines.push("", `Not measured yet: run ${plan.run.map((command) => `\`${command}\``).join(", ")}`);
  return lines.join("\n");
}

/** The planner's command line: the plan (text or JSON) and the exit code (2: bad arguments). */
export function runPlan(args: string[]): { output: string; exitCode: number } {
  let inputs: PlanInputs | null;
  try {
    inputs = parsePlanArguments(args);
  } catch (error) {
    if (!(error instanceof ArgumentError)) throw error;
    return { output: `plan: ${error.message}\n\n${planUsage}`, exitCode: 2 };
  }
  if (inputs === null) return { output: planUsage, exitCode: 0 };
  const plan = makePlan(inputs);
  return { output: inputs.json ? JSON.stringify(plan, null, 2) : formatPlan(plan), exitCode: 0 };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { output, exitCode } = runPlan(process.argv.slice(2));
  (exitCode === 0 ? process.stdout : process.stderr).write(output + "\n");
  process.exitCode = exitCode;
}
