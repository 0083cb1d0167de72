// Bounded CPU and memory per request (issue 10, item 2; app/rq.c,
// app/form.c, app/jobs.c): a body larger than its page takes is refused
// before it is read (no CPU, no memory spent on it), a stranger's body
// is never parsed, JSON bodies are bounded by size and shape, and the job
// thread's queue is bounded (503 with Retry-After, the worker lives).
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { DB, post, newUser, postAs, startServer, workerPids, procStats }
    from "./lib.mjs";
import { WORKER_EXIT } from "./workers.mjs";

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const TICK_MS = 10;	// /proc CPU times are in 1/100 s

let member;

before(async () => {
	member = await newUser({ verified: true });
});

// CPU time of the server's workers so far, in ms.
function workerCpuMs() {
	return workerPids().reduce((t, p) => t + procStats(p).cpu, 0) * TICK_MS;
}

test("a body over its page's limit is 413 too_large, unread, and costs " +
    "the worker next to nothing", async () => {
	const pids = workerPids();
	// 12 MiB of JSON to /login: 1.5 s of CPU and 260 MB each before,
	// and the worker kept ~227 MB afterwards.
	const huge = JSON.stringify({ username: "maker1",
	    password: "x".repeat(12 * 1024 * 1024 - 64) });
	const mem0 = pids.map((p) => procStats(p));
	const cpu0 = workerCpuMs();
	const t0 = performance.now();
	const hostile = Array.from({ length: 4 }, () => post("/login",
	    { body: huge }));
	const real = post("/login", { body: { username: member.username,
	    password: member.password } });
	const r = await real;
	const realMs = performance.now() - t0;
	const rs = await Promise.all(hostile);
	for (const h of rs) {
		assert.equal(h.status, 413, h.text.slice(0, 200));
		assert.equal(h.data.error.code, "too_large");
		assert.match(h.data.error.message, /256 KiB/);
	}
	assert.equal(r.status, 200, r.text);
	assert.ok(realMs < 3000, `a real login took ${realMs.toFixed(0)} ms`);
	const cpu = workerCpuMs() - cpu0;
	assert.ok(cpu < 1500, `4 hostile bodies cost the workers ${cpu} ms ` +
	    "of CPU");
	await sleep(200);
	pids.forEach((p, i) => {
		const s = procStats(p);
		const peak = (s.hwm - Math.max(mem0[i].hwm, mem0[i].rss)) / 1024;
		const kept = (s.rss - mem0[i].rss) / 1024;
		assert.ok(peak < 48, `worker ${p}: peak +${peak.toFixed(0)} MB`);
		assert.ok(kept < 32, `worker ${p}: kept +${kept.toFixed(0)} MB`);
	});

	// Just over the limit, in English; every POST route but uploads.
	const over = "a=" + "x".repeat(256 * 1024);
	const en = await postAs(member, "/preview?lang=en", { raw: over,
	    headers: { "content-type": "application/x-www-form-urlencoded" } });
	assert.equal(en.status, 413);
	assert.match(en.data.error.message, /at most 256 KiB/);
	// Uploads take megabytes: the same body is an image problem there.
	const form = new FormData();
	form.append("photo", new Blob([Buffer.alloc(300 * 1024, 0x41)]),
	    "a.jpg");
	const up = await postAs(member, "/uploads", { multipart: form });
	assert.equal(up.status, 415, up.text);
	assert.deepEqual(workerPids(), pids, "no worker restarted");
});

test("a JSON body is at most 256 KiB, also where bodies may be large",
    async () => {
	// /uploads takes 12 MiB, but not of JSON (photos are multipart).
	const r = await postAs(member, "/uploads", { body: { caption:
	    "x".repeat(300 * 1024) } });
	assert.equal(r.status, 413, r.text.slice(0, 200));
	assert.equal(r.data.error.code, "too_large");
	// Deeper than a form, or more values than it has fields: 400 at
	// once (the parser refuses before building anything).
	const deep = `{"title":${"[".repeat(100000)}${"]".repeat(100000)}}`;
	const d = await postAs(member, "/projects", { body: deep });
	assert.equal(d.status, 400);
	const many = `{"tags":[${Array(60000).fill("1").join(",")}]}`;
	const m = await postAs(member, "/projects", { body: many });
	assert.equal(m.status, 400);
});

test("the Origin and the session are checked before the body is parsed",
    async () => {
	const broken = "{\"username\": ";	// malformed: 400 if parsed
	// Another site's page posting: refused without reading the body.
	const o = await post("/login", { body: broken,
	    headers: { origin: "http://evil.example" } });
	assert.equal(o.status, 403, o.text);
	assert.equal(o.data.error.code, "csrf_failed");
	// A page for members, no session at all.
	const n = await post("/topics", { body: broken });
	assert.equal(n.status, 401, n.text);
	assert.equal(n.data.error.code, "login_required");
	// A session cookie that is no session: resolved first, then 401.
	const f = await post("/topics", { body: broken, headers: { cookie:
	    "ms_session=" + "A".repeat(43) } });
	assert.equal(f.status, 401, f.text);
	// Someone the page lets in gets the body read, and its problem.
	const ok = await postAs(member, "/topics", { body: broken });
	assert.equal(ok.status, 400);
	assert.equal(ok.data.error.code, "bad_request");
});

// A server of one worker of its own: the job queue is that worker's.
async function ownServer(t) {
	const dir = mkdtempSync(path.join(tmpdir(), "mkt-limits-"));
	const srv = await startServer(DB, dir);
	t.after(async () => {
		await srv.stop();
		rmSync(dir, { recursive: true, force: true });
	});
	assert.equal(srv.exitCode(), null, srv.output());
	const [pid] = workerPids(srv.proc.pid);
	return { srv, base: `http://127.0.0.1:${srv.port}`, pid };
}

test("a full job queue answers 503 busy with Retry-After; the worker " +
    "lives and serves on", async (t) => {
	const { srv, base, pid } = await ownServer(t);
	const who = await newUser();
	const login = () => fetch(base + "/login", { method: "POST",
	    headers: { "content-type": "application/json",
	    accept: "application/json" }, body: JSON.stringify({
	    username: who.username, password: who.password }) })
	    .then(async (r) => ({ status: r.status, retry:
	    r.headers.get("retry-after"), data: await r.json() }));
	// Each login hashes (Argon2id, 19 MiB) in the one job thread.
	const rs = await Promise.all(Array.from({ length: 150 }, login));
	const busy = rs.filter((r) => r.status === 503);
	const fine = rs.filter((r) => r.status === 200);
	assert.equal(busy.length + fine.length, 150,
	    JSON.stringify(rs.filter((r) => r.status !== 503 &&
	    r.status !== 200).slice(0, 2)));
	assert.ok(busy.length > 0, "some logins were refused");
	assert.ok(fine.length >= 32, `${fine.length} logins went through`);
	for (const b of busy) {
		assert.equal(b.data.error.code, "busy");
		assert.ok(Number(b.retry) >= 1 && Number(b.retry) <= 60,
		    `Retry-After ${b.retry}`);
		assert.equal(b.data.error.retry_after, Number(b.retry));
		assert.match(b.data.error.message, /\d/);
	}
	assert.deepEqual(workerPids(srv.proc.pid), [pid], "same worker");
	const again = await login();
	assert.equal(again.status, 200, "and it serves on");
	const m = await (await fetch(base + "/metrics")).text();
	assert.match(m, /makerspace_jobs_refused_total \d+/);
	assert.ok(Number(m.match(/makerspace_jobs_refused_total (\d+)/)[1]) >=
	    busy.length);
	assert.doesNotMatch(srv.output(), WORKER_EXIT);
});
