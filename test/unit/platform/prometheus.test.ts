// /metrics without host identity (issue 16 item 4): Moleculer's OS and process metrics name the
// host, its addresses and MACs, the user, home directory, kernel, arguments and pid; none of it may
// be rendered, and node ids no longer carry the host name.
import { expect } from "chai";
import os from "node:os";
import Moleculer from "moleculer";
import { brokerOptions } from "../../../moleculer.config.ts";
import { loadConfig } from "../../../platform/config.ts";
import { defaultNodeId } from "../../../platform/node-id.ts";
import { renderMetrics, withoutHostName } from "../../../platform/prometheus.ts";

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
/** `text` as a whole word (`vm` in `vm-12`, not in `vmware`). */
const word = (text: string) => new RegExp(`(^|[^A-Za-z0-9])${escape(text)}($|[^A-Za-z0-9])`, "i");
const labelValues = (text: string): string[] =>
  [...text.matchAll(/="((?:[^"\\]|\\.)*)"/g)].map((match) => match[1].replace(/\\(.)/g, "$1"));

describe("Prometheus text without host identity", function () {
  let broker: Moleculer.ServiceBroker;
  let text: string;

  before(async function () {
    broker = new Moleculer.ServiceBroker(brokerOptions(loadConfig({ LOG_LEVEL: "warn", NAMESPACE: "m" })));
    broker.createService({ name: "probe", actions: { hello: () => "hi" } });
    await broker.start();
    await broker.call("probe.hello");
    // Moleculer collects its OS and process metrics as it starts (the first test shows they are there).
    text = renderMetrics(broker);
  });
  after(() => broker.stop());

  it("still renders the useful metrics (process memory, requests)", () => {
    expect(text).to.match(/^nodejs_heap_size_used_bytes\{/m);
    expect(text).to.match(/^moleculer_request_total\{.*action="probe\.hello"/m);
  });

  it("renders no host name, address, MAC, user, home directory, kernel, argument or pid", () => {
    const values = labelValues(text);
    expect(values.length).to.be.greaterThan(20);
    expect(text, "host name").to.not.match(word(os.hostname()));
    const interfaces = Object.values(os.networkInterfaces()).flatMap((list) => list ?? []);
    for (const { address, mac } of interfaces) {
      expect(values, `address ${address}`).to.not.include(address);
      expect(values, `MAC ${mac}`).to.not.include(mac);
    }
    expect(text, "any MAC").to.not.match(/([0-9a-f]{2}:){5}[0-9a-f]{2}/i);
    const user = os.userInfo();
    expect(values, "user name").to.not.include(user.username);
    expect(values, "home directory").to.not.include(user.homedir);
    expect(values, "kernel").to.not.include(os.release());
    for (const argument of process.argv) expect(values, `argument ${argument}`).to.not.include(argument);
    expect(values, "pid").to.not.include(String(process.pid));
    expect(values, "ppid").to.not.include(String(process.ppid));
    expect(text).to.not.match(
      /^(os_hostname|os_user_|os_network_|process_arguments|process_pid|process_ppid|os_release)/m,
    );
  });

  it("names the node without the host name or pid when NODE_ID is unset", () => {
    expect(broker.nodeID).to.not.match(word(os.hostname()));
    expect(broker.nodeID).to.not.include(String(process.pid));
    expect(defaultNodeId(["api", "catalog"])).to.match(/^api\+catalog-[0-9a-f]{12}$/);
    expect(defaultNodeId(["api"])).to.not.equal(defaultNodeId(["api"]));
  });

  it("drops any sample whose labels name the host, keeping the rest", () => {
    const rendered = [
      "# HELP a_total A",
      'a_total{node="web-7-1234"} 1',
      'a_total{node="web-70"} 2',
      'a_total{node="other"} 3',
      "b 4",
    ].join("\n");
    expect(withoutHostName(rendered, "web-7").split("\n")).to.deep.equal([
      "# HELP a_total A",
      'a_total{node="web-70"} 2',
      'a_total{node="other"} 3',
      "b 4",
    ]);
  });
});
