// Child process of bench-fanout.ts: many lean Socket.IO clients (Engine.IO v4 / Socket.IO v5 spoken
// directly over `ws`, so that thousands fit in one process) subscribed to one event. Each frame is
// timed on arrival; latency per seat version = arrival - the version's commit time (sent by the
// parent as it commits). Only the head of a frame is read (its versions): the gateway is under test,
// not the client's JSON parser.
import { WebSocket } from "ws";

interface Start {
  type: "start";
  url: string;
  eventId: string;
  clients: number;
  connectConcurrency: number;
  format: "full" | "compact";
}
interface Commits {
  type: "commits";
  fromVersion: number;
  times: number[];
}
interface Measure {
  type: "measure";
  on: boolean;
}
interface Report {
  type: "report";
}
type ParentMessage = Start | Commits | Measure | Report;

const bucketMs = 0.5;
const bucketCount = 40_000; // 20 s; beyond lands in the last bucket
const now = () => performance.timeOrigin + performance.now();
const send = (message: unknown) => process.send!(message);

const histogram = new Uint32Array(bucketCount);
let samples = 0;
let framesMeasured = 0;
let framesTotal = 0;
let resyncs = 0;
let gaps = 0;
let measuring = false;
let measureStartedAt = 0;
let measureMs = 0;
let disconnected = 0;
const commitTimes = new Map<number, number>();
/** Frames whose versions' commit times have not arrived yet: [fromVersion, toVersion, receivedAt]. */
const waiting: [number, number, number][] = [];
const sockets: WebSocket[] = [];

const headPattern =
  /^42\["(seats|seatsCompact|resync)",\{"eventId":"[^"]*","(?:fromVersion":(\d+),"toVersion":(\d+)|version":(\d+))/;

function record(fromVersion: number, toVersion: number, receivedAt: number): boolean {
  for (let version = fromVersion + 1; version <= toVersion; version++) {
    if (!commitTimes.has(version)) return false;
  }
  for (let version = fromVersion + 1; version <= toVersion; version++) {
    const latency = receivedAt - commitTimes.get(version)!;
    histogram[Math.min(bucketCount - 1, Math.max(0, Math.floor(latency / bucketMs)))] += 1;
    samples += 1;
  }
  return true;
}

function connect(url: string, eventId: string, format: "full" | "compact"): Promise<void> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${url}/socket.io/?EIO=4&transport=websocket`, {
      perMessageDeflate: false,
      skipUTF8Validation: true,
    });
    let version = -1;
    let subscribed = false;
    ws.on("message", (data: Buffer) => {
      const type = data[0];
      if (type === 0x32 /* "2" ping */) return ws.send("3");
      if (type === 0x30 /* "0" open */) return ws.send("40");
      if (type !== 0x34 /* "4" message */) return;
      if (!subscribed) {
        const text = data.toString();
        if (text.startsWith("40")) return ws.send(`420["subscribe",${JSON.stringify({ eventId, format })}]`);
        if (text.startsWith("430")) {
          const answer = JSON.parse(text.slice(3))[0];
          if (typeof answer?.version !== "number") return reject(new Error(`subscribe failed: ${text}`));
          version = answer.version;
          subscribed = true;
          sockets.push(ws);
          return resolve();
        }
        return;
      }
      const receivedAt = now();
      const head = headPattern.exec(data.toString("latin1", 0, 200));
      if (!head) return;
      if (head[1] === "resync") {
        resyncs += 1;
        version = Number(head[4]);
        return;
      }
      const fromVersion = Number(head[2]);
      const toVersion = Number(head[3]);
      if (fromVersion !== version) gaps += 1;
      version = toVersion;
      framesTotal += 1;
      if (!measuring) return;
      framesMeasured += 1;
      if (!record(fromVersion, toVersion, receivedAt)) waiting.push([fromVersion, toVersion, receivedAt]);
    });
    ws.on("close", () => {
      if (subscribed) disconnected += 1;
      else reject(new Error("closed before subscribing"));
    });
    ws.on("error", (error) => {
      if (!subscribed) reject(error);
    });
  });
}

async function start(message: Start): Promise<void> {
  let next = 0;
  let failed = 0;
  let lastError = "";
  const lane = async () => {
    while (next < message.clients) {
      next += 1;
      try {
        await connect(message.url, message.eventId, message.format);
      } catch (error) {
        failed += 1;
        lastError = String(error);
      }
    }
  };
  await Promise.all(Array.from({ length: message.connectConcurrency }, lane));
  send({ type: "ready", subscribed: sockets.length, failed, lastError });
}

process.on("message", (message: ParentMessage) => {
  switch (message.type) {
    case "start":
      void start(message);
      break;
    case "commits":
      message.times.forEach((time, index) => commitTimes.set(message.fromVersion + index, time));
      for (let index = waiting.length - 1; index >= 0; index--) {
        const [fromVersion, toVersion, receivedAt] = waiting[index];
        if (record(fromVersion, toVersion, receivedAt)) waiting.splice(index, 1);
      }
      break;
    case "measure":
      measuring = message.on;
      if (message.on) measureStartedAt = now();
      else measureMs = now() - measureStartedAt;
      break;
    case "report": {
      const buckets: [number, number][] = [];
      histogram.forEach((count, index) => {
        if (count > 0) buckets.push([index, count]);
      });
      send({
        type: "result",
        clients: sockets.length,
        bucketMs,
        buckets,
        samples,
        unmatched: waiting.length,
        framesMeasured,
        framesTotal,
        measureMs,
        resyncs,
        gaps,
        disconnected,
      });
      for (const ws of sockets) ws.terminate();
      setTimeout(() => process.exit(0), 100);
      break;
    }
  }
});
send({ type: "alive" });
