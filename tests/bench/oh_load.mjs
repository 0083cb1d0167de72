// tests/bench/oh_load.mjs: office hours under load (issue 13, "Speed
// and load"), on the data of tests/bench/data_oh.sql.
//
//   BASE=http://127.0.0.1:PORT DATABASE_URL=... COOKIE=ms_session=...
//       node tests/bench/oh_load.mjs race|latency
//
// race: 50 makers book the last seat of a slot at once, 20 times (one
// slot of ohb_race a round, 50 racers of their own each).  Every round
// must end with exactly one of them confirmed and 49 waitlisted, every
// answer 201, and the database must agree (one seat holder per seat).
//
// latency: the p99 of POST /office-hours/slots/{id}/book, one booking
// at a time (ohb_booker_n books a seat of ohb_load's slots), first on an
// idle server, then while wrk keeps 64 connections loading
// GET /office-hours as maker1 (goal: at most 3 x the idle p99).
//
// Each prints one line; the exit status is 1 when the goal is missed.
import { execFileSync, spawn } from "node:child_process";

const BASE = process.env.BASE;
const DB = process.env.DATABASE_URL;
const COOKIE = process.env.COOKIE || "";
const CONNS = Number(process.env.OH_LOAD_CONNS || 64);
const ROUNDS = 20;
const RACERS = 50;
const PER_PHASE = 300;

const now = () => Number(process.hrtime.bigint()) / 1e6;
const sql = (q) => execFileSync("psql", ["-XAtq", "-v", "ON_ERROR_STOP=1",
    DB, "-c", q], { encoding: "utf8" }).trim();

/* The API token data_oh.sql made for racer or booker n. */
function token(kind, n) {
	return `ms_ohbench${kind[0]}${String(n).padStart(35, "0")}`;
}

function slotsOf(mentor) {
	return sql("SELECT s.id FROM oh_slots s JOIN users u " +
	    `ON u.id = s.mentor_id WHERE u.username = '${mentor}' ` +
	    "ORDER BY s.starts_at").split("\n").map(Number);
}

async function book(kind, n, slot) {
	const t0 = now();
	const r = await fetch(`${BASE}/office-hours/slots/${slot}/book`, {
		method: "POST", headers: { accept: "application/json",
		"content-type": "application/json",
		authorization: `Bearer ${token(kind, n)}` },
		body: JSON.stringify({ question: `Bench question of ${kind} ` +
		    `${n}: how do I go on?` }) });
	const body = await r.json().catch(() => ({}));
	return { status: r.status, ms: now() - t0,
	    booking: body.booking || null };
}

async function race() {
	const slots = slotsOf("ohb_race");
	let ok = 0, bad = [];
	let confirmed = 0, waitlisted = 0, s5xx = 0, other = 0;
	for (let round = 0; round < ROUNDS; round++) {
		const slot = slots[round];
		const all = [];
		for (let i = 1; i <= RACERS; i++)
			all.push(book("racer", round * RACERS + i, slot));
		const res = await Promise.all(all);
		let c = 0, w = 0;
		for (const x of res) {
			if (x.status >= 500)
				s5xx++;
			else if (x.status !== 201)
				other++;
			else if (x.booking.status === "confirmed")
				c++;
			else if (x.booking.status === "waitlisted")
				w++;
		}
		const db = sql("SELECT count(*) FILTER (WHERE status = " +
		    "'confirmed') || ' ' || count(*) FILTER (WHERE status = " +
		    `'waitlisted') FROM oh_bookings WHERE slot_id = ${slot}`);
		confirmed += c;
		waitlisted += w;
		if (c === 1 && w === RACERS - 1 && db === `3 ${RACERS - 1}`)
			ok++;
		else
			bad.push(`round ${round + 1}: ${c} confirmed, ${w} ` +
			    `waitlisted, database ${db}`);
	}
	console.log(`oh_last_seat_race: ${ROUNDS} rounds of ${RACERS} ` +
	    `simultaneous bookings of the last seat: ${ok} rounds right ` +
	    `(1 confirmed, ${RACERS - 1} waitlisted); in all ${confirmed} ` +
	    `confirmed, ${waitlisted} waitlisted, ${s5xx} 5xx, ${other} ` +
	    `other${bad.length ? "; " + bad.join("; ") : ""}`);
	return ok === ROUNDS && s5xx === 0 && other === 0;
}

function pct(sorted, p) {
	return sorted[Math.min(sorted.length - 1,
	    Math.floor(sorted.length * p / 100))];
}

/*
 * PER_PHASE bookings one after the other, from booker first on; at most
 * two minutes (a slow server ends the phase early: fewer samples).
 */
async function phase(slots, first) {
	const ms = [];
	const t0 = now();
	let bad = 0;
	for (let i = 0; i < PER_PHASE && now() - t0 < 120000; i++) {
		const n = first + i;
		const x = await book("booker", n, slots[(n - 1) % slots.length]);
		if (x.status !== 201)
			bad++;
		ms.push(x.ms);
	}
	ms.sort((a, b) => a - b);
	return { p50: pct(ms, 50), p99: pct(ms, 99), bad, n: ms.length };
}

async function latencyRun() {
	const slots = slotsOf("ohb_load");
	const idle = await phase(slots, 1);
	const wrk = spawn("wrk", ["-t2", `-c${CONNS}`, "-d600s",
	    "-H", "accept: text/html", "-H", `cookie: ${COOKIE}`,
	    `${BASE}/office-hours`], { stdio: "ignore" });
	await new Promise((r) => setTimeout(r, 1500));
	const load = await phase(slots, PER_PHASE + 1);
	wrk.kill("SIGINT");
	const ratio = load.p99 / idle.p99;
	const ok = ratio <= 3 && idle.bad === 0 && load.bad === 0;
	console.log(`oh_booking_p99: idle p50 ${idle.p50.toFixed(1)} ms, ` +
	    `p99 ${idle.p99.toFixed(1)} ms; under ${CONNS} connections of ` +
	    `GET /office-hours p50 ${load.p50.toFixed(1)} ms, p99 ` +
	    `${load.p99.toFixed(1)} ms: ${ratio.toFixed(2)} x idle ` +
	    `(goal <= 3 x); not 201: ${idle.bad + load.bad}` +
	    ` (${idle.n} and ${load.n} bookings)`);
	return ok;
}

const what = process.argv[2];
const run = what === "race" ? race : what === "latency" ? latencyRun : null;
if (run === null) {
	console.error("usage: oh_load.mjs race|latency");
	process.exit(2);
}
run().then((ok) => { process.exitCode = ok ? 0 : 1; }).catch((e) => {
	console.error(`oh_load ${what}: ${e.message}`);
	process.exit(1);
});
