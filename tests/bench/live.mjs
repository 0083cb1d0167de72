// tests/bench/live.mjs: post-to-live-delivery latency (issue 5: p99 under
// 250 ms with 1,000 open WebSockets and 20 posts/s).
//
//   BASE=http://127.0.0.1:PORT DATABASE_URL=... node tests/bench/live.mjs
//   LIVE_SOCKETS=1000 LIVE_RATE=20 LIVE_SECONDS=10 (the defaults)
//
// Every socket subscribes to the same topic, the worst case for fan-out:
// each post is one NOTIFY and LIVE_SOCKETS frames (20,000 a second at the
// defaults).  Posts are replies by a staff account made for the run,
// over HTTP, sent open-loop at a fixed rate (staff posts are never held;
// the per-minute POST limit is lifted while it runs).  A post's latency runs from the
// moment its POST is sent to the moment a socket receives its event, so
// it includes the write itself.  Every socket must get every post
// exactly once.  Client and server share the machine: the client's own
// delays count against the server.
import { execFileSync } from "node:child_process";
import WebSocket from "ws";

const BASE = process.env.BASE;
const DB = process.env.DATABASE_URL;
const SOCKETS = Number(process.env.LIVE_SOCKETS || 1000);
const RATE = Number(process.env.LIVE_RATE || 20);
const SECONDS = Number(process.env.LIVE_SECONDS || 10);
const BUDGET_MS = 250;

const now = () => Number(process.hrtime.bigint()) / 1e6;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const sql = (q) => execFileSync("psql", ["-XAtq", "-v", "ON_ERROR_STOP=1",
    DB, "-c", q], { encoding: "utf8" }).trim();

// A staff account of its own: its POST counter (posts_per_minute) is
// left full after the run, which must not hold up staff1 elsewhere.
async function newStaff() {
	const username = `livebench${process.pid}`;
	const r = await fetch(`${BASE}/signup`, { method: "POST",
	    headers: { accept: "application/json",
	    "content-type": "application/json" },
	    body: JSON.stringify({ username, password: "Kx9-mPq2-vL7-zzT",
	    display_name: "live bench" }) });
	if (r.status !== 201)
		throw new Error(`signup: ${r.status} ${await r.text()}`);
	sql(`UPDATE users SET role = 'staff', verified_at = now() ` +
	    `WHERE username = '${username}'`);
	const cookie = r.headers.getSetCookie().map((c) => c.split(";")[0])
	    .join("; ");
	return { cookie, csrf: (await r.json()).csrf_token };
}

function postAs(who, path, body) {
	return fetch(BASE + path, { method: "POST", headers: {
	    accept: "application/json", "content-type": "application/json",
	    cookie: who.cookie, "x-csrf-token": who.csrf },
	    body: JSON.stringify(body) });
}

function setLimit(v) {
	sql("INSERT INTO site_settings (key, value) VALUES " +
	    `('posts_per_minute', '${v}') ON CONFLICT (key) ` +
	    "DO UPDATE SET value = EXCLUDED.value");
}

function pct(sorted, p) {
	if (sorted.length === 0)
		return NaN;
	return sorted[Math.min(sorted.length - 1,
	    Math.floor(sorted.length * p / 100))];
}

async function main() {
	const limit = sql("SELECT value FROM site_settings " +
	    "WHERE key = 'posts_per_minute'");
	setLimit("1000000");
	const staff = await newStaff();
	let r = await postAs(staff, "/topics", { category: "general",
	    title: "live bench", body: "bench" });
	if (r.status !== 201)
		throw new Error(`topic: ${r.status} ${await r.text()}`);
	const topic = (await r.json()).topic.id;

	// post id -> receive times; one array per post, one entry a socket.
	const got = new Map();
	let acks = 0, stray = 0, errors = 0;
	const socks = [];
	const url = BASE.replace(/^http/, "ws") + "/live";
	for (let i = 0; i < SOCKETS; i++) {
		const ws = new WebSocket(url);
		ws.on("message", (data) => {
			const t = now();
			const m = JSON.parse(String(data));
			if (m.type === "subscribed") {
				acks++;
			} else if (m.type === "post") {
				if (!got.has(m.post_id))
					got.set(m.post_id, []);
				got.get(m.post_id).push(t);
			} else {
				stray++;
			}
		});
		ws.on("error", () => { errors++; });
		ws.on("open", () => ws.send(JSON.stringify(
		    { subscribe: `topic:${topic}` })));
		socks.push(ws);
		if (i % 100 === 99)
			await sleep(20);
	}
	const t0 = now();
	while (acks < SOCKETS && now() - t0 < 30000)
		await sleep(20);
	if (acks < SOCKETS)
		throw new Error(`only ${acks} of ${SOCKETS} sockets ` +
		    `subscribed (${errors} errors)`);

	// Open loop: a POST every 1/RATE s whether or not the last answered.
	const sent = new Map();	/* post id -> send time */
	const postMs = [];
	const inflight = [];
	const total = RATE * SECONDS;
	const start = now();
	for (let i = 0; i < total; i++) {
		const due = start + i * 1000 / RATE;
		while (now() < due)
			await sleep(Math.max(0, Math.min(5, due - now())));
		const ts = now();
		inflight.push(postAs(staff, `/t/${topic}/posts`,
		    { body: `bench reply ${i}` }).then(async (res) => {
			if (res.status !== 201)
				throw new Error(`reply: ${res.status} ` +
				    await res.text());
			const p = (await res.json()).post;
			sent.set(p.id, ts);
			postMs.push(now() - ts);
		}));
	}
	await Promise.all(inflight);
	const rate = total / ((now() - start) / 1000);
	await sleep(1000);	/* the last deliveries */

	// lat: from the POST; spread: from the post's first delivery (the
	// fan-out to all sockets, without the write).
	const lat = [], spread = [];
	let missing = 0, dup = 0;
	for (const [id, ts] of sent) {
		const times = got.get(id) || [];
		const first = Math.min(...times);
		missing += Math.max(0, SOCKETS - times.length);
		dup += Math.max(0, times.length - SOCKETS);
		for (const t of times) {
			lat.push(t - ts);
			spread.push(t - first);
		}
	}
	lat.sort((a, b) => a - b);
	spread.sort((a, b) => a - b);
	postMs.sort((a, b) => a - b);
	for (const ws of socks)
		ws.terminate();
	setLimit(limit || "60");

	const p99 = pct(lat, 99);
	console.log(`live_delivery: ${SOCKETS} sockets on one topic, ` +
	    `${rate.toFixed(1)} posts/s for ${SECONDS}s: ` +
	    `${lat.length} deliveries, p50 ${pct(lat, 50).toFixed(1)} ms, ` +
	    `p99 ${p99.toFixed(1)} ms, max ${lat[lat.length - 1].toFixed(1)} ` +
	    `ms; fan-out spread p99 ${pct(spread, 99).toFixed(1)} ms; ` +
	    `missing ${missing}, duplicates ${dup}, other ${stray}, ` +
	    `socket errors ${errors}; ` +
	    `POST p50 ${pct(postMs, 50).toFixed(1)} ms, ` +
	    `p99 ${pct(postMs, 99).toFixed(1)} ms`);
	const ok = p99 < BUDGET_MS && missing === 0 && dup === 0 &&
	    errors === 0;
	console.log(`live_delivery budget (p99 < ${BUDGET_MS} ms, every ` +
	    `socket every post once): ${ok ? "met" : "MISSED"}`);
	process.exitCode = ok ? 0 : 1;
}

main().catch((e) => {
	console.error(`live bench: ${e.message}`);
	process.exit(1);
});
