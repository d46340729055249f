import { expect } from "chai";
import {
  isPrivateAddress,
  literalTargetRefused,
  publicOnlyLookup,
  targetProblem,
  urlProblem,
} from "../../../webhooks/target-check.ts";

describe("webhook target checks", () => {
  const privateAddresses = [
    "127.0.0.1",
    "127.255.255.254",
    "10.0.0.1",
    "172.16.0.1",
    "172.31.255.255",
    "192.168.0.1",
    "169.254.169.254",
    "100.64.0.1",
    "0.0.0.0",
    "224.0.0.1",
    "255.255.255.255",
    "::",
    "::1",
    "fe80::1",
    "fe80::1%eth0",
    "fd12:3456::1",
    "fc00::1",
    "ff02::1",
    "::ffff:127.0.0.1",
    "::ffff:7f00:1",
    "::ffff:a9fe:a9fe",
    "::ffff:10.0.0.1",
    "::127.0.0.1",
    "64:ff9b::a00:1",
    "2002:c0a8:101::1",
    "not an address",
  ];
  const publicAddresses = [
    "93.184.215.14",
    "8.8.8.8",
    "172.32.0.1",
    "100.128.0.1",
    "2606:4700:4700::1111",
    "::ffff:8.8.8.8",
    "64:ff9b::808:808",
    "2002:808:808::1",
  ];

  for (const address of privateAddresses)
    it(`refuses ${address}`, () => expect(isPrivateAddress(address)).to.equal(true));
  for (const address of publicAddresses)
    it(`accepts ${address}`, () => expect(isPrivateAddress(address)).to.equal(false));

  it("reads URLs: http or https, a host, no spaces, bounded", () => {
    expect(urlProblem("https://hooks.example.com/x?y=1")).to.equal(null);
    expect(urlProblem("http://[::1]:8080/")).to.equal(null);
    expect(urlProblem("ftp://example.com/")).to.match(/http or https/);
    expect(urlProblem("file:///etc/passwd")).to.match(/http or https/);
    expect(urlProblem("https://exa mple.com/")).to.match(/spaces/);
    expect(urlProblem("https://example.com/\n")).to.match(/control/);
    expect(urlProblem("example.com/hook")).to.match(/absolute/);
    expect(urlProblem(`https://example.com/${"a".repeat(2_100)}`)).to.match(/at most/);
  });

  it("refuses IP-literal hosts in every spelling the URL parser accepts", () => {
    for (const url of [
      "http://2130706433/",
      "http://0x7f000001/",
      "http://0177.0.0.1/",
      "http://[::ffff:127.0.0.1]/",
    ])
      expect(literalTargetRefused(new URL(url)), url).to.equal(true);
    expect(literalTargetRefused(new URL("http://93.184.215.14/"))).to.equal(false);
    expect(literalTargetRefused(new URL("http://localhost/"))).to.equal(false); // a name: the lookup checks it
  });

  it("checks addresses only when asked (production), resolving names", async () => {
    expect(await targetProblem("http://127.0.0.1:9/", false)).to.equal(null);
    expect(await targetProblem("http://127.0.0.1:9/", true)).to.match(/private or local/);
    expect(await targetProblem("http://localhost:9/", true)).to.match(/private or local/);
    expect(await targetProblem("http://no-such-host.invalid/", true)).to.match(/does not resolve/);
    expect(await targetProblem("https://93.184.215.14/", true)).to.equal(null);
  });

  it("refuses to connect where a name resolves privately (the delivery-time lookup)", async () => {
    const error = await new Promise<Error | null>((resolve) =>
      publicOnlyLookup("localhost", { family: 0 } as any, (failure) => resolve(failure)),
    );
    expect(error?.message).to.match(/private or local/);
  });
});
