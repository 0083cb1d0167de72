// /healthz answers 503 when the database goes away.  A second server is
// started against its own database, which is then dropped under it, so
// the main test server is not disturbed.  (File name sorts last.)
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { tmpdir } from "node:os";
import path from "node:path";
import { DB, ROOT, sql, startServer } from "./lib.mjs";
import { WORKER_EXIT } from "./workers.mjs";

test("GET /healthz is 503 when the database is unreachable", async () => {
	const name = `mk_down_${process.pid}`;
	sql(`DROP DATABASE IF EXISTS ${name}`);
	sql(`CREATE DATABASE ${name}`);
	const url = DB.replace(/dbname=\S+/, `dbname=${name}`);
	const m = spawnSync(`${ROOT}/build/migrate`, [url, `${ROOT}/migrations`]);
	assert.equal(m.status, 0);
	const run = mkdtempSync(path.join(tmpdir(), "mk-run-"));
	const srv = await startServer(url, run);
	try {
		const base = `http://127.0.0.1:${srv.port}`;
		const up = await fetch(`${base}/healthz`);
		assert.equal(up.status, 200);
		// This server's one worker opened and set up its whole pool
		// (pgsql_conn_max, 8) before its first request, not during
		// (app/db.c, db_pool_warm): one healthz would have needed one.
		assert.equal(sql(`SELECT count(*) FROM pg_stat_activity
		    WHERE datname = '${name}'`), "8");

		sql(`DROP DATABASE ${name} WITH (FORCE)`);
		for (let i = 0; i < 3; i++) {
			const down = await fetch(`${base}/healthz`);
			assert.equal(down.status, 503, `try ${i}`);
			assert.deepEqual(await down.json(),
			    { status: "unavailable" });
		}
		// Other pages fail cleanly too, and the worker lives on.
		const page = await fetch(`${base}/`, {
		    headers: { accept: "application/json" } });
		assert.equal(page.status, 503);
		assert.equal((await page.json()).error.code, "unavailable");
		assert.doesNotMatch(srv.output(), WORKER_EXIT);
	} finally {
		await srv.stop();
		rmSync(run, { recursive: true });
	}
});
