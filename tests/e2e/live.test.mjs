// Live updates (docs/api.md#get-live, docs/architecture.md#live-updates): a
// WebSocket subscribed to a topic or the board hears about new posts,
// topics and edits, exactly once whichever of the two workers holds it,
// and only what its user may see; malformed input never hurts the
// server; a dropped LISTEN connection comes back by itself.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import net from "node:net";
import { once } from "node:events";
import WebSocket from "ws";
import { BASE, DB, get, sql, newUser, postAs, serverLog,
    startServer, workerPids, procStats } from "./lib.mjs";
import { WORKER_EXIT } from "./workers.mjs";

const WS_URL = BASE.replace(/^http/, "ws") + "/live";
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// A socket that records every message; who: a logged-in user or null.
async function openLive(who = null, headers = {}, url = WS_URL) {
	if (who)
		headers.cookie = who.jar.header();
	const ws = new WebSocket(url, { headers });
	const live = { ws, msgs: [], closed: false };
	ws.on("message", (data, binary) => {
		live.msgs.push(binary ? { binary: true } :
		    JSON.parse(String(data)));
	});
	ws.on("close", () => { live.closed = true; });
	ws.on("error", () => {});
	await new Promise((resolve, reject) => {
		ws.once("open", resolve);
		ws.once("error", reject);
	});
	return live;
}

// Resolve with the first message matching pred (seen or still to come).
async function waitFor(live, pred, ms = 1000) {
	const t0 = Date.now();
	for (;;) {
		const m = live.msgs.find(pred);
		if (m)
			return m;
		if (Date.now() - t0 > ms)
			throw new Error(`nothing matched within ${ms} ms; got ` +
			    JSON.stringify(live.msgs));
		await sleep(5);
	}
}

// Subscribe and wait for the acknowledgement (from then on it is live).
async function subscribe(live, target) {
	live.ws.send(JSON.stringify({ subscribe: target }));
	await waitFor(live, (m) => m.type === "subscribed" &&
	    m.target === target, 3000);
}

async function newTopic(who, category, title = "实时更新测试 live") {
	const r = await postAs(who, "/topics", { body: { category, title,
	    body: "第一帖 first post" } });
	assert.equal(r.status, 201, r.text);
	return r.data.topic.id;
}

// A reply: { id, number, status, ... }.
async function reply(who, topic, body = "回复 a reply") {
	const r = await postAs(who, `/t/${topic}/posts`, { body: { body } });
	assert.equal(r.status, 201, r.text);
	return r.data.post;
}

async function edit(who, post, body) {
	const r = await postAs(who, `/posts/${post}`, { body: { body } });
	assert.equal(r.status, 200, r.text);
}

const events = (live, post) => live.msgs.filter((m) =>
    m.post_id === post && m.type !== "subscribed");

let staff, member;
before(async () => {
	// Own staff account: its POST counter is not shared with other files.
	staff = await newUser({ verified: true, role: "staff" });
	member = await newUser({ verified: true });
});

test("GET /live without an upgrade is 400 websocket_required", async () => {
	const r = await get("/live");
	assert.equal(r.status, 400);
	assert.equal(r.data.error.code, "websocket_required");
	assert.ok(r.data.error.message.length > 0);
});

test("every socket on a topic gets a reply within 1 s, exactly once, " +
    "from every listening process", async () => {
	// Kore's accept lock gives one worker every connection while it is
	// not busy, so the sockets of a test all land on one worker.  A
	// second server (one worker) on the same database stands for the
	// other worker: each process LISTENs and delivers to its own sockets,
	// which is the same rule that keeps workers from sending duplicates.
	const run = mkdtempSync(path.join(tmpdir(), "mk-live-"));
	const other = await startServer(DB, run);
	try {
		const topic = await newTopic(staff, "general");
		const urls = [WS_URL, `ws://127.0.0.1:${other.port}/live`];
		const socks = [];
		for (let i = 0; i < 8; i++) {
			const live = await openLive(i % 4 === 1 ? member : null,
			    {}, urls[i % 2]);
			await subscribe(live, `topic:${topic}`);
			socks.push(live);
		}
		const t0 = Date.now();
		const p = await reply(staff, topic);
		assert.equal(p.status, "published");
		for (const live of socks) {
			const m = await waitFor(live, (x) => x.post_id === p.id,
			    1000);
			assert.deepEqual(m, { type: "post", topic_id: topic,
			    post_id: p.id });
		}
		assert.ok(Date.now() - t0 < 1500, `${Date.now() - t0} ms`);
		await sleep(300);
		for (const live of socks)
			assert.equal(events(live, p.id).length, 1,
			    "exactly one copy");
		for (const live of socks)
			live.ws.close();
		assert.doesNotMatch(other.output(),
		    WORKER_EXIT);
	} finally {
		await other.stop();
		rmSync(run, { recursive: true, force: true });
	}
});

test("a board subscriber gets new topics, not replies; a topic and " +
    "board subscriber gets a new topic once", async () => {
	const board = await openLive();
	await subscribe(board, "board");
	const t = await newTopic(staff, "general", "新话题 board event");
	const m = await waitFor(board, (x) => x.type === "topic" &&
	    x.topic_id === t);
	assert.ok(Number.isInteger(m.post_id));

	const both = await openLive();
	await subscribe(both, "board");
	await subscribe(both, `topic:${t}`);
	const p = await reply(staff, t);
	await waitFor(both, (x) => x.post_id === p.id);
	await sleep(300);
	assert.equal(events(board, p.id).length, 0, "replies are not board " +
	    "events");
	assert.equal(events(both, p.id).length, 1);
	board.ws.close();
	both.ws.close();
});

test("staff-only categories: staff sockets hear, others do not",
    async () => {
	const topic = await newTopic(staff, "staff", "馆员室 staff only");
	const staffSock = await openLive(staff);
	const memberSock = await openLive(member);
	const anonSock = await openLive();
	// A browser page of another site riding on the staff cookie is
	// served as anonymous.
	const foreign = await openLive(staff,
	    { origin: "https://evil.example" });
	const board = await openLive(member);
	for (const s of [staffSock, memberSock, anonSock, foreign])
		await subscribe(s, `topic:${topic}`);
	await subscribe(board, "board");

	const p = await reply(staff, topic);
	await waitFor(staffSock, (x) => x.post_id === p.id);
	const t2 = await newTopic(staff, "staff", "馆员室 second");
	await sleep(500);
	for (const s of [memberSock, anonSock, foreign])
		assert.equal(events(s, p.id).length, 0);
	assert.equal(board.msgs.filter((x) => x.topic_id === t2).length, 0);
	for (const s of [staffSock, memberSock, anonSock, foreign, board])
		s.ws.close();
});

test("a held post makes no event; its approval does", async () => {
	const topic = await newTopic(staff, "general", "待审核 held");
	const newbie = await newUser({ verified: true });
	const live = await openLive();
	await subscribe(live, `topic:${topic}`);
	// Hold for new users is on by default (board_hold_first_posts = 1).
	const p = await reply(newbie, topic, "新人的第一帖 first post");
	assert.equal(p.status, "pending");
	await sleep(500);
	assert.equal(events(live, p.id).length, 0, "nothing while held");

	const r = await postAs(staff, `/mod/posts/${p.id}`, { body: {
	    action: "approve", reason: "ok" } });
	assert.equal(r.status, 200, r.text);
	const m = await waitFor(live, (x) => x.post_id === p.id);
	assert.deepEqual(m, { type: "post", topic_id: topic, post_id: p.id });
	live.ws.close();
});

test("an edit reaches the topic's subscribers as type edit", async () => {
	const topic = await newTopic(staff, "general", "编辑 edit event");
	const p = await reply(staff, topic, "before");
	const live = await openLive();
	await subscribe(live, `topic:${topic}`);
	await edit(staff, p.id, "after 修改");
	const m = await waitFor(live, (x) => x.type === "edit");
	assert.deepEqual(m, { type: "edit", topic_id: topic, post_id: p.id });
	live.ws.close();
});

test("unsubscribe stops events; subscriptions are capped at 20",
    async () => {
	const topic = await newTopic(staff, "general", "退订 unsubscribe");
	const live = await openLive();
	await subscribe(live, `topic:${topic}`);
	live.ws.send(JSON.stringify({ unsubscribe: `topic:${topic}` }));
	live.ws.send(JSON.stringify({ ping: 1 }));
	await waitFor(live, (x) => x.type === "pong");
	const p = await reply(staff, topic);
	await sleep(400);
	assert.equal(events(live, p.id).length, 0);

	for (let i = 1; i <= 20; i++)
		await subscribe(live, `topic:${1000000 + i}`);
	live.ws.send(JSON.stringify({ subscribe: "topic:2000000" }));
	await waitFor(live, (x) => x.code === "too_many_subscriptions");
	assert.equal(live.closed, false);
	live.ws.close();
});

test("malformed messages are refused and never hurt the server",
    async () => {
	const live = await openLive();
	const bad = ["garbage", "{", "[]", "null", JSON.stringify({}),
	    JSON.stringify({ subscribe: 5 }),
	    JSON.stringify({ subscribe: null }),
	    JSON.stringify({ subscribe: ["board"] }),
	    JSON.stringify({ subscribe: "topic:99999999999999999999" }),
	    JSON.stringify({ subscribe: "topic:abc" }),
	    JSON.stringify({ subscribe: "topic:-1" }),
	    JSON.stringify({ subscribe: "topic:0" }),
	    JSON.stringify({ subscribe: "topic:1 " }),
	    JSON.stringify({ subscribe: "category:x" })];
	for (const m of bad.slice(0, 10))
		live.ws.send(m);
	await sleep(300);
	const errors = live.msgs.filter((m) => m.type === "error");
	assert.equal(errors.length, 10, JSON.stringify(live.msgs));
	assert.ok(errors.slice(5).every((e) => e.code === "bad_target"));
	// More than ten bad messages: the server closes the socket.
	for (const m of bad.slice(10))
		live.ws.send(m);
	await sleep(300);
	assert.equal(live.closed, true, "closed after too many errors");

	const bin = await openLive();
	bin.ws.send(Buffer.from([0, 1, 2, 255]), { binary: true });
	await waitFor(bin, (x) => x.code === "bad_message");
	bin.ws.close();

	// A 1 MB frame (over websocket_maxframe): that socket is closed, the
	// others carry on.
	const big = await openLive();
	const ok = await openLive();
	big.ws.send("x".repeat(1 << 20));
	await sleep(500);
	assert.equal(big.closed, true, "a 1 MB frame closes the socket");
	ok.ws.send(JSON.stringify({ ping: "still here" }));
	await waitFor(ok, (x) => x.type === "pong");
	ok.ws.close();

	for (let i = 0; i < 4; i++)
		assert.equal((await get("/healthz")).status, 200);
	assert.doesNotMatch(serverLog(), WORKER_EXIT);
});

test("the LISTEN connection comes back after it is killed, and events " +
    "flow again", async () => {
	const topic = await newTopic(staff, "general", "重连 reconnect");
	const socks = [];
	for (let i = 0; i < 4; i++) {
		const live = await openLive();
		await subscribe(live, `topic:${topic}`);
		socks.push(live);
	}
	for (const live of socks)
		live.msgs.length = 0;
	const killed = Number(sql(`SELECT count(pg_terminate_backend(pid)) ` +
	    `FROM pg_stat_activity WHERE application_name = ` +
	    `'makerspace-live'`));
	assert.ok(killed >= 1, "each worker with sockets listens");
	// Every subscription is acknowledged again once the worker listens
	// again: the client's cue to fetch what it missed.
	for (const live of socks)
		await waitFor(live, (x) => x.type === "subscribed", 5000);
	const p = await reply(staff, topic);
	for (const live of socks)
		await waitFor(live, (x) => x.post_id === p.id);
	for (const live of socks)
		live.ws.close();
	assert.doesNotMatch(serverLog(), WORKER_EXIT);
});

// One masked client frame (a client must mask), text of < 126 bytes.
function clientFrame(text) {
	const p = Buffer.from(text);
	const out = Buffer.alloc(6 + p.length);
	out[0] = 0x81;
	out[1] = 0x80 | p.length;
	out.set([0x12, 0x34, 0x56, 0x78], 2);
	for (let i = 0; i < p.length; i++)
		out[6 + i] = p[i] ^ out[2 + (i & 3)];
	return out;
}

test("a socket that sends subscribes and never reads is closed; the " +
    "worker stays small and alive", async (t) => {
	// A server of one worker of its own, so its memory is this test's.
	const dir = mkdtempSync(path.join(tmpdir(), "mkt-live-q-"));
	const srv = await startServer(DB, dir);
	t.after(async () => {
		await srv.stop();
		rmSync(dir, { recursive: true, force: true });
	});
	const url = `ws://127.0.0.1:${srv.port}/live`;
	const [pid] = workerPids(srv.proc.pid);
	// Its LISTEN connection up: subscriptions are answered from now on.
	const probe = await openLive(null, {}, url);
	await subscribe(probe, "board");
	const rss0 = procStats(pid).rss;

	const sock = net.connect(srv.port, "127.0.0.1");
	await once(sock, "connect");
	let closed = false;
	sock.on("error", () => { closed = true; });
	sock.on("close", () => { closed = true; });
	sock.write("GET /live HTTP/1.1\r\nHost: 127.0.0.1\r\n" +
	    "Upgrade: websocket\r\nConnection: Upgrade\r\n" +
	    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n" +
	    "Sec-WebSocket-Version: 13\r\n\r\n");
	const head = await new Promise((ok) => {
		let got = "";
		const on = (d) => {
			got += d;
			if (!got.includes("\r\n\r\n"))
				return;
			sock.off("data", on);
			sock.pause();	// and never read again
			ok(got);
		};
		sock.on("data", on);
	});
	assert.match(head, /^HTTP\/1\.1 101/);

	// Each 27-byte subscribe asks for a 40-byte answer, never read.
	const batch = Buffer.concat(Array(1024).fill(clientFrame(
	    "{\"subscribe\":\"board\"}")));
	let sent = 0;
	const t0 = Date.now();
	while (!closed && sent < 24e6 && Date.now() - t0 < 20000) {
		if (!sock.write(batch))
			await new Promise((ok) => {
				const done = () => {
					sock.off("drain", done);
					sock.off("close", done);
					ok();
				};
				sock.on("drain", done);
				sock.on("close", done);
				setTimeout(done, 100);
			});
		sent += batch.length;
	}
	for (let i = 0; i < 100 && !closed; i++)
		await sleep(50);
	sock.destroy();
	assert.ok(closed, `the server closed it (after ${sent} bytes)`);
	await sleep(200);
	const grown = (procStats(pid).rss - rss0) / 1024;
	assert.ok(grown < 32, `the worker grew by ${grown.toFixed(0)} MB`);
	assert.deepEqual(workerPids(srv.proc.pid), [pid], "the same worker");
	// The well-behaved socket on the same worker is still served.
	probe.msgs.length = 0;
	probe.ws.send(JSON.stringify({ ping: 1 }));
	await waitFor(probe, (m) => m.type === "pong", 2000);
	probe.ws.close();
	const m = await (await fetch(`http://127.0.0.1:${srv.port}/metrics`))
	    .text();
	assert.ok(Number(m.match(/makerspace_websocket_overflows_total (\d+)/)[1])
	    >= 1, "counted in /metrics");
	assert.doesNotMatch(srv.output(), WORKER_EXIT);
});
