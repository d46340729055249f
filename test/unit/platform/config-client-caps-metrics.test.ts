// The settings of issue 16 items 4 and 5, parsed strictly: per-client caps on live connections,
// METRICS_TOKEN and METRICS_PORT.
import { expect } from "chai";
import {
  socketConnectionsPerClientMaxDefault,
  socketHandshakesPerClientPerSecondDefault,
  sseStreamsPerClientMaxDefault,
} from "../../../domain/limits.ts";
import { loadConfig } from "../../../platform/config.ts";

describe("config: per-client caps and metrics access", () => {
  it("defaults: the caps of domain/limits.ts, metrics open on the public port", () => {
    const config = loadConfig({});
    expect(config.socketConnectionsPerClientMax).to.equal(socketConnectionsPerClientMaxDefault);
    expect(config.socketHandshakesPerClientPerSecond).to.equal(socketHandshakesPerClientPerSecondDefault);
    expect(config.sseStreamsPerClientMax).to.equal(sseStreamsPerClientMaxDefault);
    expect(config.metricsToken).to.equal(null);
    expect(config.metricsPort).to.equal(null);
  });

  it("reads the caps, and refuses anything but a positive integer", () => {
    const config = loadConfig({
      SOCKET_CONNECTIONS_PER_CLIENT_MAX: "7",
      SOCKET_HANDSHAKES_PER_CLIENT_PER_SECOND: "3",
      SSE_STREAMS_PER_CLIENT_MAX: "2",
    });
    expect(config.socketConnectionsPerClientMax).to.equal(7);
    expect(config.socketHandshakesPerClientPerSecond).to.equal(3);
    expect(config.sseStreamsPerClientMax).to.equal(2);
    for (const name of [
      "SOCKET_CONNECTIONS_PER_CLIENT_MAX",
      "SOCKET_HANDSHAKES_PER_CLIENT_PER_SECOND",
      "SSE_STREAMS_PER_CLIENT_MAX",
    ])
      for (const value of ["0", "-1", "1.5", "lots"])
        expect(() => loadConfig({ [name]: value }), `${name}=${value}`).to.throw(name);
  });

  it("reads METRICS_TOKEN: printable, no spaces, long enough", () => {
    expect(loadConfig({ METRICS_TOKEN: "abcdefghijklmnop" }).metricsToken).to.equal("abcdefghijklmnop");
    for (const value of [
      "short",
      "has a space in it!!",
      "tab\there-0123456789",
      "ünïcödé-0123456789",
      "x".repeat(513),
    ])
      expect(() => loadConfig({ METRICS_TOKEN: value }), value).to.throw("METRICS_TOKEN");
  });

  it("reads METRICS_PORT: a port number other than PORT", () => {
    expect(loadConfig({ METRICS_PORT: "9464" }).metricsPort).to.equal(9464);
    for (const value of ["0", "65536", "http", "94.64"])
      expect(() => loadConfig({ METRICS_PORT: value }), value).to.throw("METRICS_PORT");
    expect(() => loadConfig({ METRICS_PORT: "3000" })).to.throw("PORT");
    expect(() => loadConfig({ PORT: "8080", METRICS_PORT: "8080" })).to.throw("METRICS_PORT");
  });
});
