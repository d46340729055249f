// `npm run rush`'s command line: every option read strictly, the sold-out waiting-list phase among them.
import { expect } from "chai";
import { parseRushArguments } from "../../../loadtest/rush/rush-arguments.ts";
import { ArgumentError } from "../../../loadtest/cli-numbers.ts";

describe("rush arguments", () => {
  it("reads the options given and leaves the others to the defaults", () => {
    const parsed = parseRushArguments([
      "--seats",
      "2k",
      "--users",
      "20000",
      "--early-share",
      "0.1",
      "--waitlist-waiters",
      "300",
      "--waitlist-cancellations",
      "20",
      "--no-baseline",
    ]);
    expect(parsed).to.deep.equal({
      options: {
        seats: 2_000,
        users: 20_000,
        earlyShare: 0.1,
        waitlistWaiters: 300,
        waitlistCancellations: 20,
        keepDatabase: false,
      },
      baseline: false,
    });
    expect(parseRushArguments([])).to.deep.equal({ options: { keepDatabase: false }, baseline: true });
  });

  for (const [args, message] of [
    [["--seats", "many"], /--seats "many": not a number/],
    [["--seats", "0"], /--seats "0": must be between 1 and 1,000,000/],
    [["--early-share", "1.5"], /--early-share "1.5": must be between 0 and 1/],
    [["--users", "2.5"], /--users "2.5": must be a whole number/],
    [["--sold-out"], /Unknown option '--sold-out'/],
    [["20000"], /Unexpected argument '20000'/],
    [["--waitlist-cancellations", "5"], /needs --waitlist-waiters/],
    [["--seats", "10", "--waitlist-waiters", "5", "--waitlist-cancellations", "11"], /at most --seats/],
    [["--waitlist-waiters", "50001"], /--waitlist-waiters "50001": must be between 0 and 50,000/],
  ] as const)
    it(`refuses ${args.join(" ")}`, () => {
      expect(() => parseRushArguments([...args])).to.throw(ArgumentError, message);
    });
});
