// Migrations (issue "Platform foundation", item 2) and the server's
// schema check, against real databases in the test cluster.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync, spawn } from "node:child_process";
import { mkdtempSync, writeFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { DB, ROOT, sql, startServer } from "./lib.mjs";

const MIGRATE = `${ROOT}/build/migrate`;
let seq = 0;

// A fresh, empty database in the test cluster; returns its URL.
function freshDb() {
	const name = `mk_mig_${process.pid}_${++seq}`;
	sql(`DROP DATABASE IF EXISTS ${name}`);
	sql(`CREATE DATABASE ${name}`);
	return DB.replace(/dbname=\S+/, `dbname=${name}`);
}

function migrate(url, dir) {
	return spawnSync(MIGRATE, [url, dir], { encoding: "utf8" });
}

function dirWith(files) {
	const dir = mkdtempSync(path.join(tmpdir(), "mk-mig-"));
	for (const [name, body] of Object.entries(files))
		writeFileSync(path.join(dir, name), body);
	return dir;
}

test("migrations apply in order, once each, recorded with their names",
    () => {
	const url = freshDb();
	const dir = dirWith({
		"0002_b.sql": "INSERT INTO t VALUES (2);",
		"0001_a.sql": "CREATE TABLE t (v int); INSERT INTO t VALUES (1);",
		"0010_c.sql": "INSERT INTO t VALUES (10);",
		"README": "not a migration",
	});
	const first = migrate(url, dir);
	assert.equal(first.status, 0, first.stderr);
	assert.equal(sql("SELECT string_agg(v::text, ',' ORDER BY v) FROM t",
	    url), "1,2,10");
	assert.equal(sql("SELECT string_agg(version || ':' || name, ',' " +
	    "ORDER BY version) FROM schema_migrations", url),
	    "1:0001_a.sql,2:0002_b.sql,10:0010_c.sql");
	const second = migrate(url, dir);
	assert.equal(second.status, 0);
	assert.match(second.stdout, /0 applied/);
	assert.equal(sql("SELECT count(*) FROM t", url), "3", "not re-run");
	rmSync(dir, { recursive: true });
});

test("a failing migration rolls back whole and stops the run", () => {
	const url = freshDb();
	const dir = dirWith({
		"0001_ok.sql": "CREATE TABLE ok (v int);",
		"0002_bad.sql": "CREATE TABLE half (v int);\nSELECT nosuchcol FROM ok;",
		"0003_after.sql": "CREATE TABLE after (v int);",
	});
	const r = migrate(url, dir);
	assert.notEqual(r.status, 0);
	assert.match(r.stderr, /0002_bad\.sql/, "names the file");
	assert.equal(sql("SELECT to_regclass('half') IS NULL", url), "t",
	    "nothing of the failed migration remains");
	assert.equal(sql("SELECT to_regclass('after') IS NULL", url), "t",
	    "later migrations did not run");
	assert.equal(sql("SELECT string_agg(version::text, ',') " +
	    "FROM schema_migrations", url), "1");
	rmSync(dir, { recursive: true });
});

test("concurrent runs wait on the advisory lock and apply each once",
    async () => {
	const url = freshDb();
	const dir = dirWith({
		"0001_slow.sql": "CREATE TABLE runs (v int); " +
		    "SELECT pg_sleep(0.5); INSERT INTO runs VALUES (1);",
		"0002_next.sql": "INSERT INTO runs VALUES (2);",
	});
	const run = () => new Promise((resolve) => {
		const p = spawn(MIGRATE, [url, dir]);
		p.on("exit", resolve);
	});
	const codes = await Promise.all([run(), run(), run()]);
	assert.deepEqual(codes, [0, 0, 0]);
	assert.equal(sql("SELECT string_agg(v::text, ',' ORDER BY v) FROM runs",
	    url), "1,2");
	rmSync(dir, { recursive: true });
});

test("the project's own migrations apply to an empty database", () => {
	const url = freshDb();
	const r = migrate(url, `${ROOT}/migrations`);
	assert.equal(r.status, 0, r.stderr);
	const files = readdirSync(`${ROOT}/migrations`)
	    .filter((f) => /^\d{4}_.*\.sql$/.test(f));
	assert.equal(sql("SELECT count(*) FROM schema_migrations", url),
	    String(files.length));
});

test("the server refuses to start against a database that is behind",
    async () => {
	const url = freshDb();
	const run = mkdtempSync(path.join(tmpdir(), "mk-run-"));
	const none = await startServer(url, run);
	await new Promise((r) => setTimeout(r, 300));
	assert.notEqual(none.exitCode(), null, "exited");
	assert.notEqual(none.exitCode(), 0);
	assert.match(none.output(), /schema_migrations|migrate/);
	await none.stop();

	// Migrated to 0 of N: a schema_migrations table that is behind.
	execFileSync("psql", ["-Xq", url, "-c",
	    "CREATE TABLE schema_migrations (version int PRIMARY KEY, " +
	    "name text, applied_at timestamptz DEFAULT now())"]);
	const behind = await startServer(url, run);
	await new Promise((r) => setTimeout(r, 300));
	assert.notEqual(behind.exitCode(), null, "exited");
	assert.match(behind.output(), /schema is at version 0 but this build needs \d+/);
	await behind.stop();
	rmSync(run, { recursive: true });
});
