// The e-ticket code: signed with the event's private key, read and verified with its public key
// alone; any change to the payload or signature, another key, or a second spelling is refused.
import { generateKeyPairSync } from "node:crypto";
import { expect } from "chai";
import { readTicketCode, signTicketCode, verifyTicketCode } from "../../../../actors/tickets/ticket-code.ts";
import { ticketCodeLengthMax } from "../../../../domain/limits.ts";

const pair = () => generateKeyPairSync("ed25519");
const claim = { eventId: "ev_abc123", ordinal: 42, bookingId: "bk_xyz789" };

describe("ticket code (Ed25519, offline verification)", () => {
  const keys = pair();
  const code = signTicketCode(claim, keys.privateKey);

  it("reads back the claim of a code its event's public key verifies", () => {
    const read = readTicketCode(code);
    expect(read?.claim).to.deep.equal(claim);
    expect(verifyTicketCode(read!, keys.publicKey)).to.deep.equal(claim);
    expect(Buffer.from(code.split(".")[0], "base64url").toString()).to.equal("1|ev_abc123|42|bk_xyz789");
    expect(code.length).to.be.below(160); // fits a small QR code
  });

  it("refuses a code verified with another event's key", () => {
    expect(verifyTicketCode(readTicketCode(code)!, pair().publicKey)).to.equal(null);
  });

  it("refuses every single-character change of the code", () => {
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let refused = 0;
    for (let at = 0; at < code.length; at++) {
      if (code[at] === ".") continue;
      const replacement = alphabet[(alphabet.indexOf(code[at]) + 17) % alphabet.length];
      const altered = code.slice(0, at) + replacement + code.slice(at + 1);
      const read = readTicketCode(altered);
      expect(read === null || verifyTicketCode(read, keys.publicKey) === null, altered).to.equal(true);
      refused++;
    }
    expect(refused).to.equal(code.length - 1);
  });

  it("refuses malformed codes: wrong shape, version, ids, lengths, non-canonical base64url", () => {
    const [payload, signature] = code.split(".");
    const encode = (text: string) => Buffer.from(text).toString("base64url");
    const bad = [
      "",
      payload,
      `${payload}.${signature}.x`,
      `${payload}=.${signature}`,
      `${encode("2|ev_abc123|42|bk_xyz789")}.${signature}`,
      `${encode("1|ev abc|42|bk_xyz789")}.${signature}`,
      `${encode("1|ev_abc123|042|bk_xyz789")}.${signature}`,
      `${encode("1|ev_abc123|42|bk_xyz789|")}.${signature}`,
      `${encode("1|ev_abc123|42|bk_xyz789\n")}.${signature}`,
      `${payload}.${signature.slice(0, -1)}`,
      `${"A".repeat(301)}.${signature}`,
    ];
    for (const each of bad) expect(readTicketCode(each), each).to.equal(null);
  });

  it("reads the code of the longest ids it signs, within the code length limit", () => {
    const long = { eventId: "e".repeat(100), ordinal: 9_999_999, bookingId: "b".repeat(100) };
    const longCode = signTicketCode(long, keys.privateKey);
    expect(longCode.length).to.be.at.most(ticketCodeLengthMax);
    expect(verifyTicketCode(readTicketCode(longCode)!, keys.publicKey)).to.deep.equal(long);
  });

  it("signs only ids of the id pattern", () => {
    expect(() => signTicketCode({ ...claim, bookingId: "bk|x" }, keys.privateKey)).to.throw();
  });
});
