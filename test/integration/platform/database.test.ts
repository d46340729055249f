import { expect } from "chai";
import pg from "pg";
import { createPool, ensureDatabase } from "../../../platform/database.ts";
import { dropDatabase, freshDatabaseUrl, postgresUrl } from "../../support/system.ts";

describe("database pool", () => {
  it("survives the server cutting a checked-out connection (no uncaught error; the pool goes on)", async () => {
    const databaseUrl = await freshDatabaseUrl();
    await ensureDatabase(databaseUrl);
    const pool = createPool(databaseUrl, { max: 2 });
    const admin = new pg.Client({ connectionString: `${postgresUrl}/postgres` });
    await admin.connect();
    const uncaught: Error[] = [];
    const onUncaught = (error: Error) => uncaught.push(error);
    // mocha's own handler would fail the test too; this one names the error.
    process.prependListener("uncaughtException", onUncaught);
    try {
      const client = await pool.connect();
      const { rows } = await client.query("SELECT pg_backend_pid() AS pid");
      // As in a transaction between two statements: the server ends the connection under us.
      await admin.query("SELECT pg_terminate_backend($1)", [rows[0].pid]);
      await new Promise((resolve) => setTimeout(resolve, 200));
      const next = await client.query("SELECT 1").then(
        () => null,
        (error: Error) => error,
      );
      expect(next, "a query on the cut connection fails").to.be.instanceOf(Error);
      client.release();
      expect((await pool.query("SELECT 1 AS one")).rows[0].one).to.equal(1);
      expect(uncaught.map((error) => error.message)).to.deep.equal([]);
    } finally {
      process.removeListener("uncaughtException", onUncaught);
      await admin.end();
      await pool.end();
      await dropDatabase(databaseUrl);
    }
  });

  it("never JIT-compiles a statement unless asked (jit: true keeps the server's setting)", async () => {
    const server = new pg.Client({ connectionString: `${postgresUrl}/postgres` });
    await server.connect();
    const byDefault = createPool(`${postgresUrl}/postgres`, { max: 1 });
    const asked = createPool(`${postgresUrl}/postgres`, { max: 1, jit: true });
    try {
      const serverSetting = (await server.query("SHOW jit")).rows[0].jit;
      expect((await byDefault.query("SHOW jit")).rows[0].jit).to.equal("off");
      expect((await asked.query("SHOW jit")).rows[0].jit).to.equal(serverSetting);
    } finally {
      await Promise.all([server.end(), byDefault.end(), asked.end()]);
    }
  });
});
