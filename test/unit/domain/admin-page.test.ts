// Admin list paging: strict `limit`, opaque cursors that decode only as this list wrote them.
import { expect } from "chai";
import { encodeCursor, pageOf, readAdminPage } from "../../../domain/admin-page.ts";
import { adminPageDefault, adminPageMax } from "../../../domain/limits.ts";
import { MarqueeError } from "../../../domain/errors.ts";

const fieldOf = (work: () => unknown): string | undefined => {
  try {
    work();
  } catch (error) {
    expect(error).to.be.instanceOf(MarqueeError);
    expect((error as MarqueeError).code).to.equal("VALIDATION_ERROR");
    return (error as MarqueeError).details?.field as string;
  }
  return undefined;
};

describe("admin pages: limit and cursor", () => {
  it("defaults and bounds limit, refusing anything but a plain integer in range", () => {
    expect(readAdminPage({})).to.deep.equal({ limit: adminPageDefault, after: null });
    expect(readAdminPage({ limit: "" }).limit).to.equal(adminPageDefault);
    expect(readAdminPage({ limit: "1" }).limit).to.equal(1);
    expect(readAdminPage({ limit: String(adminPageMax) }).limit).to.equal(adminPageMax);
    for (const limit of ["0", "01", String(adminPageMax + 1), "-1", "1.0", " 1", "1e2", "0x1"])
      expect(
        fieldOf(() => readAdminPage({ limit })),
        limit,
      ).to.equal("limit");
  });

  it("reads back the cursors it writes and refuses others", () => {
    const after = { createdAtMicros: "1796644464749123", id: "vn_abc" };
    expect(readAdminPage({ cursor: encodeCursor(after) }).after).to.deep.equal(after);
    const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
    for (const cursor of [
      "!",
      `${encodeCursor(after)}=`,
      encode(["1", "vn_abc", "x"]),
      encode([1, "vn_abc"]),
      encode(["01", "vn_abc"]),
      encode(["1", "vn abc"]),
      encode({ createdAtMicros: "1", id: "vn_abc" }),
      Buffer.from("not json").toString("base64url"),
    ])
      expect(
        fieldOf(() => readAdminPage({ cursor })),
        cursor,
      ).to.equal("cursor");
  });

  it("cuts a page at limit and points the next cursor after its last row", () => {
    const rows = [1, 2, 3].map((n) => ({ micros: String(n), id: `r${n}` }));
    const key = (row: { micros: string; id: string }) => ({ createdAtMicros: row.micros, id: row.id });
    const page = pageOf(rows, 2, key);
    expect(page.items).to.deep.equal(rows.slice(0, 2));
    expect(readAdminPage({ cursor: page.nextCursor! }).after).to.deep.equal({
      createdAtMicros: "2",
      id: "r2",
    });
    expect(pageOf(rows, 3, key).nextCursor).to.equal(null);
  });
});
