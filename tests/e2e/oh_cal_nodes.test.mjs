// Reminders are sent by the servers themselves, each exactly once, however
// many processes look for them (app/oh_cal.c, oh_reminders_send() in
// migrations/0015_oh_calendar.sql): two more server processes of two
// workers each join the one under test on the same database, every worker
// ticking each second and taking two reminders at a time, so the claims
// interleave.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { spawn, spawnSync } from "node:child_process";
import { tmpdir } from "node:os";
import path from "node:path";
import { DB, ROOT, sql, setting, serverLog, startServer } from "./lib.mjs";
import { WORKER_EXIT } from "./workers.mjs";
import { newMentor, newMaker, newSlot, book, makeDue, remindersDone }
    from "./oh_cal.mjs";

// "oh_cal: N reminders sent" lines of one process's output, added up.
function sentIn(text) {
	let n = 0;
	for (const m of text.matchAll(/oh_cal: (\d+) reminders sent/g))
		n += Number(m[1]);
	return n;
}

test("two server processes on one database: each reminder is sent " +
    "exactly once", async () => {
	const mentor = await newMentor();
	const slot = await newSlot(mentor, { capacity: 12, time: "18:00" });
	const ids = [];
	for (let i = 0; i < 12; i++)
		ids.push((await book(await newMaker(), slot)).id);
	assert.equal(Number(sql(`SELECT count(*) FROM oh_reminders
	    WHERE booking_id IN (${ids.join(",")})`)), 24);

	const nodes = [];
	const mark = serverLog().length;
	setting("reminder_batch", "2");
	try {
		for (const n of [1, 2]) {
			const dir = mkdtempSync(path.join(tmpdir(), `mk-ohcal-${n}-`));
			const srv = await startServer(DB, dir,
			    { MAKERSPACE_REMINDER_SECONDS: "1" }, 2);
			assert.equal(srv.exitCode(), null, srv.output());
			nodes.push(srv);
		}
		makeDue(ids);
		await remindersDone(ids, 30000);
		// A last tick of every worker finds nothing more to send.
		await new Promise((r) => setTimeout(r, 1500));
	} finally {
		sql("DELETE FROM site_settings WHERE key = 'reminder_batch'");
		for (const srv of nodes)
			await srv.stop();
	}

	const per = sql(`SELECT count(*) FROM notifications
	    WHERE type IN ('oh_reminder_24h', 'oh_reminder_1h')
	    AND url IN (${ids.map((i) => `'/bookings/${i}'`).join(",")})
	    GROUP BY url, type`).split("\n").map(Number);
	assert.equal(per.length, 24, "every booking got both reminders");
	assert.ok(per.every((n) => n === 1), `exactly once each: ${per}`);
	assert.equal(sql(`SELECT string_agg(DISTINCT outcome, ',')
	    FROM oh_reminders WHERE booking_id IN (${ids.join(",")})`), "sent");

	// What the processes say they sent adds up to the same 24, and the
	// work was shared.
	const counts = [sentIn(serverLog().slice(mark)),
	    ...nodes.map((n) => sentIn(n.output()))];
	assert.equal(counts.reduce((a, b) => a + b, 0), 24, `${counts}`);
	assert.ok(counts.filter((c) => c > 0).length >= 2,
	    `more than one process sent reminders: ${counts}`);
	for (const srv of nodes)
		assert.doesNotMatch(srv.output(), /worker .* died|SIGSEGV/);
});

test("claims racing head-on: eight connections claim at once and hold " +
    "their claims open a moment, each reminder still exactly once",
    async () => {
	const mentor = await newMentor();
	const slot = await newSlot(mentor, { capacity: 15, time: "17:00" });
	const ids = [];
	for (let i = 0; i < 15; i++)
		ids.push((await book(await newMaker(), slot)).id);
	// The server under test takes one at a time meanwhile.
	setting("reminder_batch", "1");
	// Due in two seconds: every connection is started and waiting.
	sql(`UPDATE oh_reminders SET due_at = now() + interval '2 seconds'
	    WHERE booking_id IN (${ids.join(",")})`);
	// Each round claims two and keeps its transaction open 50 ms: a
	// claim that did not lock its rows would be seen unsent by the
	// others and sent again.
	const rounds = Array.from({ length: 15 }, () => ["-c", "BEGIN", "-c",
	    "SELECT oh_reminders_send(2)", "-c", "SELECT pg_sleep(0.05)",
	    "-c", "COMMIT"]).flat();
	let outs;
	try {
		outs = await Promise.all(Array.from({ length: 8 }, () =>
		    new Promise((resolve, reject) => {
			const p = spawn("psql", ["-XAtq", "-v", "ON_ERROR_STOP=1",
			    DB, "-c", "SELECT pg_sleep(1.95)", ...rounds]);
			let out = "";
			p.stdout.on("data", (d) => { out += d; });
			p.stderr.on("data", (d) => { out += d; });
			p.on("exit", (code) => code === 0 ? resolve(out) :
			    reject(new Error(out)));
		})));
		await remindersDone(ids);
	} finally {
		sql("DELETE FROM site_settings WHERE key = 'reminder_batch'");
	}
	const per = sql(`SELECT count(*) FROM notifications
	    WHERE type IN ('oh_reminder_24h', 'oh_reminder_1h')
	    AND url IN (${ids.map((i) => `'/bookings/${i}'`).join(",")})
	    GROUP BY url, type`).split("\n").map(Number);
	assert.equal(per.length, 30);
	assert.ok(per.every((n) => n === 1), `exactly once each: ${per}`);
	const byConn = outs.map((o) => o.split("\n").map(Number)
	    .reduce((a, b) => a + (b || 0), 0));
	assert.ok(byConn.filter((n) => n > 0).length >= 2,
	    `the connections shared the work: ${byConn}`);
});

test("the reminders' timer outlives its database: it says so once, the " +
    "worker lives and still answers", async () => {
	const name = `mk_ohcal_${process.pid}`;
	sql(`DROP DATABASE IF EXISTS ${name}`);
	sql(`CREATE DATABASE ${name}`);
	const url = DB.replace(/dbname=\S+/, `dbname=${name}`);
	assert.equal(spawnSync(`${ROOT}/build/migrate`, [url,
	    `${ROOT}/migrations`]).status, 0);
	const run = mkdtempSync(path.join(tmpdir(), "mk-ohcal-down-"));
	const srv = await startServer(url, run,
	    { MAKERSPACE_REMINDER_SECONDS: "1" });
	try {
		const base = `http://127.0.0.1:${srv.port}`;
		await new Promise((r) => setTimeout(r, 1500));
		sql(`DROP DATABASE ${name} WITH (FORCE)`);
		await new Promise((r) => setTimeout(r, 4000));
		const h = await fetch(`${base}/healthz`);
		assert.equal(h.status, 503);
		assert.doesNotMatch(srv.output(), WORKER_EXIT);
		const said = srv.output().match(/oh_cal: reminders:/g) || [];
		assert.ok(said.length >= 1 && said.length <= 2,
		    `logged ${said.length} times:\n${srv.output()}`);
	} finally {
		await srv.stop();
		rmSync(run, { recursive: true });
	}
});
