// Behind a reverse proxy (README "Deployment"; app/proxy.c): run by
// tests/proxy.sh with BASE_URL at nginx, which balances two server
// processes (NODE_URLS), connects to them from 127.0.0.2 (the one trusted
// proxy) and appends the client's address to X-Forwarded-For.  The tests
// connect to nginx from different loopback addresses (127.0.0.3, .4, …),
// which stand for different people on the internet.
import { test } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { BASE, DB, NODES, sql, login, newUser, setting, startServer,
    DEMO_PASSWORD } from "../e2e/lib.mjs";

const A = "127.0.0.3";
const B = "127.0.0.4";

const DEFAULTS = { login_failures_per_address_hour: 2000,
    signups_per_address_hour: 1000 };

// Run fn with a site setting lowered, then put the default back.
async function withSetting(key, value, fn) {
	setting(key, value);
	try {
		await fn();
	} finally {
		setting(key, DEFAULTS[key]);
	}
}

// One request from a chosen local address.  opts: body (sent as JSON),
// headers, cookie.  Resolves { status, headers, text, data, cookie }.
function from(address, method, url, opts = {}) {
	const u = new URL(url, BASE);
	const body = opts.body === undefined ? undefined :
	    JSON.stringify(opts.body);
	const headers = { accept: "application/json", ...(opts.headers || {}) };
	if (body !== undefined) {
		headers["content-type"] = "application/json";
		headers["content-length"] = Buffer.byteLength(body);
	}
	if (opts.cookie)
		headers.cookie = opts.cookie;
	return new Promise((resolve, reject) => {
		const req = http.request({ host: u.hostname, port: u.port,
		    path: u.pathname + u.search, method, headers,
		    localAddress: address, agent: false }, (res) => {
			let text = "";
			res.setEncoding("utf8");
			res.on("data", (d) => { text += d; });
			res.on("end", () => {
				let data = null;
				try { data = JSON.parse(text); } catch { /* */ }
				const cookie = (res.headers["set-cookie"] || [])
				    .map((c) => c.split(";")[0]).join("; ");
				resolve({ status: res.statusCode,
				    headers: res.headers, text, data, cookie });
			});
		});
		req.on("error", reject);
		req.end(body);
	});
}

const failures = (ip) => Number(sql(`SELECT coalesce(sum(n), 0) FROM
    rate_counters WHERE key = 'login_fail:ip:${ip}'`));

test("each client behind the proxy has its own failed-login limit, " +
    "counted under its own address", async () => {
	sql(`DELETE FROM rate_counters
	    WHERE key LIKE 'login_fail:ip:127.0.0.%'`);
	const u = await newUser();
	await withSetting("login_failures_per_address_hour", 3, async () => {
		for (let i = 0; i < 3; i++) {
			const r = await from(A, "POST", "/login", { body: {
			    username: u.username,
			    password: `wrong-${i}-password` } });
			assert.equal(r.status, 401, r.text);
		}
		assert.equal(failures(A), 3,
		    "counted under the client's address");
		assert.equal(failures("127.0.0.2"), 0, "not under the proxy's");

		const a = await from(A, "POST", "/login", { body: {
		    username: u.username, password: u.password } });
		assert.equal(a.status, 429, "A is over its limit: " + a.text);
		assert.equal(a.data.error.code, "rate_limited");

		const b = await from(B, "POST", "/login", { body: {
		    username: u.username, password: u.password } });
		assert.equal(b.status, 200, "B is not: " + b.text);
		// The session records where B logged in from.
		const s = await from(B, "GET", "/settings",
		    { cookie: b.cookie });
		assert.equal(s.status, 200, s.text);
		const mine = s.data.sessions.find((x) => x.current);
		assert.equal(mine.ip, B);
	});
});

test("a client cannot pick its address with its own X-Forwarded-For",
    async () => {
	sql(`DELETE FROM rate_counters WHERE key LIKE 'login_fail:ip:%'`);
	const u = await newUser();
	await withSetting("login_failures_per_address_hour", 2, async () => {
		for (const spoof of ["198.51.100.7", `${B}, 198.51.100.8`]) {
			const r = await from(A, "POST", "/login", { body: {
			    username: u.username, password: "wrong-wrong-pw" },
			    headers: { "x-forwarded-for": spoof } });
			assert.equal(r.status, 401, r.text);
		}
		assert.equal(failures(A), 2,
		    "nginx appended A; A is the client");
		assert.equal(failures("198.51.100.7") +
		    failures("198.51.100.8") + failures(B), 0,
		    "the client's own entries count for nothing");
		// A fresh address in the header does not get A a new limit.
		const r = await from(A, "POST", "/login", { body: {
		    username: u.username, password: u.password },
		    headers: { "x-forwarded-for": "203.0.113.99" } });
		assert.equal(r.status, 429, r.text);
		const ok = await from(B, "POST", "/login", { body: {
		    username: u.username, password: u.password } });
		assert.equal(ok.status, 200, ok.text);
	});
});

test("sign-ups per address count the forwarded client", async () => {
	sql(`DELETE FROM rate_counters WHERE key LIKE 'signup:127.0.0.%'`);
	const tag = `${process.pid % 1000}${Date.now() % 100000}`;
	const signup = (who, n) => from(who, "POST", "/signup", { body: {
	    username: `px${tag}${n}`, password: "Kx9-mPq2-vL7-zzT",
	    display_name: "P" } });
	await withSetting("signups_per_address_hour", 1, async () => {
		assert.equal((await signup(A, 1)).status, 201);
		assert.equal((await signup(A, 2)).status, 429);
		assert.equal((await signup(B, 3)).status, 201,
		    "B has its own limit");
	});
});

test("X-Forwarded-For from a peer that is not a trusted proxy is ignored",
    async () => {
	// The nodes trust 127.0.0.2 only; this test talks to one directly
	// from 127.0.0.1.
	sql(`DELETE FROM rate_counters WHERE key LIKE 'login_fail:ip:%'`);
	const u = await newUser();
	const r = await from("127.0.0.1", "POST", `${NODES[0]}/login`, {
	    body: { username: u.username, password: "wrong-wrong-pw" },
	    headers: { "x-forwarded-for": "198.51.100.9" } });
	assert.equal(r.status, 401, r.text);
	assert.equal(failures("127.0.0.1"), 1, "counted under the peer");
	assert.equal(failures("198.51.100.9"), 0, "the header is ignored");
});

test("/metrics through the proxy: refused to anonymous, given to staff " +
    "and to the metrics token", async () => {
	const anon = await from(A, "GET", "/metrics", { headers: {
	    accept: "text/plain" } });
	assert.equal(anon.status, 404);
	assert.doesNotMatch(anon.text, /makerspace_/);
	// Claiming to be the machine itself changes nothing.
	const spoof = await from("127.0.0.1", "GET", "/metrics", { headers: {
	    accept: "text/plain", "x-forwarded-for": "127.0.0.1" } });
	assert.equal(spoof.status, 404);
	const wrong = await from(A, "GET", "/metrics", { headers: {
	    authorization: "Bearer not-the-metrics-token" } });
	assert.equal(wrong.status, 404);

	const token = await from(A, "GET", "/metrics", { headers: {
	    authorization: `Bearer ${process.env.METRICS_TOKEN}` } });
	assert.equal(token.status, 200);
	assert.match(token.text, /^makerspace_http_requests_total\{/m);

	const staff = await login("staff1", DEMO_PASSWORD);
	const st = await from(A, "GET", "/metrics", { cookie:
	    staff.jar.header() });
	assert.equal(st.status, 200);
	assert.match(st.text, /makerspace_jobs_orphaned_total/);
});

test("/metrics straight from a node on this machine needs nothing, " +
    "unless the request says it was forwarded", async () => {
	for (const node of NODES) {
		const r = await from("127.0.0.1", "GET", `${node}/metrics`);
		assert.equal(r.status, 200, node);
		for (const h of ["x-forwarded-for", "x-real-ip", "forwarded"]) {
			const v = h === "forwarded" ? "for=127.0.0.1" :
			    "127.0.0.1";
			const f = await from("127.0.0.1", "GET",
			    `${node}/metrics`, { headers: { [h]: v } });
			assert.equal(f.status, 404, `${node} with ${h}`);
		}
	}
});

// How many responses a node has counted for a route (its config regex).
async function routeCount(node, route) {
	const r = await from("127.0.0.1", "GET", `${node}/metrics`);
	const name = "makerspace_http_request_duration_seconds_count";
	const line = r.text.split("\n").find((l) => l.startsWith(
	    `${name}{route="${route}"}`));
	return line ? Number(line.split(" ").pop()) : 0;
}

test("both nodes serve through the proxy, and a write made through one " +
    "is seen on the other at once", async () => {
	const staff = await newUser({ verified: true, role: "staff" });
	const csrf = { "x-csrf-token": staff.csrf };
	const cookie = staff.jar.header();
	const listed = async (node, id) => (await from("127.0.0.1", "GET",
	    `${node}/c/general`)).data.topics.some((x) => x.id === id);
	for (const node of NODES)
		assert.equal(await listed(node, 0), false, "warm the list");
	const t = await from(A, "POST", "/topics", { cookie, headers: csrf,
	    body: { category: "general", title: "两台 two nodes",
	    body: "first" } });
	assert.equal(t.status, 201, t.text);
	const topic = t.data.topic.id;
	for (const node of NODES)
		assert.ok(await listed(node, topic), `${node} lists it`);
	const route = "^/t/[0-9]{1,18}$";
	const before = await Promise.all(NODES.map((n) => routeCount(n,
	    route)));
	for (let i = 1; i <= 4; i++) {
		// Each node keeps the page it rendered (app/board.c): warm
		// both, write through the proxy, read both.
		for (const node of NODES)
			assert.equal((await from("127.0.0.1", "GET",
			    `${node}/t/${topic}`)).status, 200);
		const r = await from(A, "POST", `/t/${topic}/posts`, { cookie,
		    headers: csrf, body: { body: `回复 reply ${i}` } });
		assert.equal(r.status, 201, r.text);
		for (const node of NODES) {
			const p = await from("127.0.0.1", "GET",
			    `${node}/t/${topic}`);
			assert.equal(p.data.posts.length, 1 + i,
			    `${node} sees reply ${i}`);
		}
		for (const who of [A, B]) {
			const via = await from(who, "GET", `/t/${topic}`);
			assert.equal(via.data.posts.length, 1 + i);
		}
	}
	const after = await Promise.all(NODES.map((n) => routeCount(n,
	    route)));
	// Each node answered its 8 direct reads and some of the 8 through
	// nginx, which takes turns.
	const proxied = after.map((n, i) => n - before[i] - 8);
	assert.equal(proxied.reduce((x, y) => x + y), 8);
	assert.ok(proxied.every((n) => n > 0), `both nodes: ${proxied}`);
});

test("a malformed trusted-proxy list or metrics token stops the start " +
    "with a message", async () => {
	const cases = [
		["MAKERSPACE_TRUSTED_PROXIES", "127.0.0.1 nginx.local",
		    /MAKERSPACE_TRUSTED_PROXIES: 'nginx\.local' is not/],
		["MAKERSPACE_TRUSTED_PROXIES", "10.0.0.1/8",
		    /MAKERSPACE_TRUSTED_PROXIES: '10\.0\.0\.1\/8'/],
		["MAKERSPACE_METRICS_TOKEN", "short", /MAKERSPACE_METRICS_TOKEN/],
		["MAKERSPACE_METRICS_TOKEN", "long enough but with spaces",
		    /MAKERSPACE_METRICS_TOKEN/],
	];
	for (const [name, value, message] of cases) {
		const run = mkdtempSync(path.join(tmpdir(), "mk-proxy-"));
		process.env[name] = value;
		let s;
		try {
			s = await startServer(DB, run);
		} finally {
			delete process.env[name];
		}
		try {
			assert.notEqual(s.exitCode(), null, `${value}: stopped`);
			assert.match(s.output(), message);
		} finally {
			await s.stop();
			rmSync(run, { recursive: true, force: true });
		}
	}
});
