// Rate limits: counters in PostgreSQL, 429 with Retry-After and a message
// saying when to try again.  Settings are lowered for a test and put back.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import { BASE, DEMO_PASSWORD, get, post, sql, login, newUser, postAs,
    setting } from "./lib.mjs";

const DEFAULTS = { login_burst_failures: 10,
    login_failures_per_account_hour: 100, signups_per_address_hour: 1000,
    posts_per_minute: 60, login_failures_per_address_hour: 2000 };

// POST /login from another loopback address (Kore accepts from any
// 127.x): the server sees `addr` as the client's address.
function loginFrom(addr, username, password) {
	const url = new URL(BASE + "/login");
	const data = JSON.stringify({ username, password });
	return new Promise((resolve, reject) => {
		const req = http.request({ host: url.hostname, port: url.port,
		    path: url.pathname, method: "POST", localAddress: addr,
		    headers: { "content-type": "application/json",
		    accept: "application/json",
		    "content-length": Buffer.byteLength(data) } }, (res) => {
			let text = "";
			res.setEncoding("utf8");
			res.on("data", (d) => { text += d; });
			res.on("end", () => {
				let json = null;
				try { json = JSON.parse(text); } catch { /* HTML */ }
				resolve({ status: res.statusCode, text, data: json,
				    retryAfter: Number(res.headers["retry-after"]) });
			});
		});
		req.on("error", reject);
		req.end(data);
	});
}
after(() => {
	for (const [k, v] of Object.entries(DEFAULTS))
		setting(k, v);
});

function assertLimited(r) {
	assert.equal(r.status, 429, r.text);
	assert.equal(r.data.error.code, "rate_limited");
	const wait = Number(r.headers.get("retry-after"));
	assert.ok(wait >= 1, "Retry-After in seconds");
	assert.equal(r.data.error.retry_after, wait);
	assert.match(r.data.error.message, /\d/, "the message says when");
	return wait;
}

test("a burst of wrong passwords locks the account for a while", async () => {
	const u = await newUser();
	for (let i = 0; i < 10; i++) {
		const r = await post("/login", { body: { username: u.username,
		    password: `wrong-${i}-password` } });
		assert.equal(r.status, 401, `try ${i}`);
	}
	const locked = await post("/login", { body: { username: u.username,
	    password: u.password } });
	const wait = assertLimited(locked);
	assert.ok(wait <= 30, "the first lock is short");
	const en = await post("/login?lang=en", { body: {
	    username: u.username, password: u.password } });
	assert.match(en.data.error.message, /try again in \d+ seconds/);
	sql(`UPDATE login_throttle SET locked_until = now() WHERE
	    username = '${u.username}'`);
	await login(u.username, u.password);
	assert.equal(sql(`SELECT count(*) FROM login_throttle WHERE
	    username = '${u.username}'`), "0", "success clears the burst");
});

test("failed logins per account per hour are capped", async () => {
	setting("login_burst_failures", 1000);
	setting("login_failures_per_account_hour", 3);
	const u = await newUser();
	for (let i = 0; i < 3; i++) {
		const r = await post("/login", { body: { username: u.username,
		    password: "wrong-wrong" } });
		assert.equal(r.status, 401);
	}
	const r = await post("/login", { body: { username: u.username,
	    password: u.password } });
	const wait = assertLimited(r);
	assert.ok(wait <= 3600);
	// Another account from the same address is not affected.
	await login("maker2");
});

test("failed logins per address per hour are capped, for every account",
    async () => {
	const a = await newUser();
	const b = await newUser();
	await login(a.username, a.password);
	// The tests before this one failed logins from this address: with
	// the cap at 1 one more failure is certainly over it.
	setting("login_failures_per_address_hour", 1);
	try {
		const fail = await post("/login", { body: { username: a.username,
		    password: "wrong-wrong-wrong" } });
		assert.ok([401, 429].includes(fail.status), String(fail.status));
		const right = await post("/login", { body: { username: b.username,
		    password: b.password } });
		assert.ok(assertLimited(right) <= 3600,
		    "another account, the right password: refused too");
		const en = await post("/login?lang=en", { body: {
		    username: a.username, password: a.password } });
		assertLimited(en);
		assert.match(en.data.error.message, /try again/i);
	} finally {
		setting("login_failures_per_address_hour", 2000);
	}
	await login(b.username, b.password);
});

test("sign-ups per address are limited", async () => {
	const n = Number(sql(`SELECT coalesce(max(n), 0) FROM rate_counters
	    WHERE key LIKE 'signup:%' AND window_start > now() - interval '1 hour'`));
	setting("signups_per_address_hour", n + 1);
	await newUser();
	const r = await post("/signup", { body: { username: `lim${Date.now() % 1e6}`,
	    password: "Kx9-mPq2-vL7-zzT", display_name: "L" } });
	assertLimited(r);
	setting("signups_per_address_hour", 1000);
});

test("POSTs per user per minute are limited: the 4th of 3 is refused",
    async () => {
	const me = await newUser();
	const other = await newUser();
	// The counter's window is the clock's minute (rate_hit in
	// migrations/0002): start early in one so all four land in it.
	const sec = new Date().getSeconds();
	if (sec > 50)
		await new Promise((r) => setTimeout(r, (61 - sec) * 1000));
	setting("posts_per_minute", 3);
	try {
		const statuses = [];
		for (let i = 0; i < 3; i++) {
			const r = await postAs(me, "/settings", { body: { bio: `${i}` } });
			statuses.push(r.status);
		}
		assert.deepEqual(statuses, [200, 200, 200], "three are allowed");
		const fourth = await postAs(me, "/settings", { body: { bio: "4" } });
		assert.ok(assertLimited(fourth) <= 60);
		const s = await get("/settings", { jar: me.jar, json: true });
		assert.equal(s.data.user.bio, "2", "the refused one changed nothing");
		assert.equal((await postAs(other, "/settings", { body: {
		    bio: "x" } })).status, 200, "another user is not affected");
	} finally {
		setting("posts_per_minute", 60);
	}
});

test("a class of 150 behind one address signs up and logs in", async () => {
	const tag = Date.now() % 1e6;
	const people = Array.from({ length: 150 }, (_, i) => `cls${tag}_${i}`);
	const pw = "Kx9-mPq2-vL7-zzT";
	for (let i = 0; i < people.length; i += 15) {
		const batch = people.slice(i, i + 15);
		const rs = await Promise.all(batch.map((username) =>
		    post("/signup", { body: { username, password: pw,
		    display_name: username } })));
		for (const r of rs)
			assert.equal(r.status, 201, r.text);
	}
	for (let i = 0; i < people.length; i += 15) {
		const rs = await Promise.all(people.slice(i, i + 15).map(
		    (username) => post("/login", { body: { username,
		    password: pw } })));
		for (const r of rs)
			assert.equal(r.status, 200, r.text);
	}
});

test("wrong passwords for admin from one address stop guessing there, " +
    "not admin's login from another", async () => {
	const attacker = "127.0.0.3", owner = "127.0.0.2";
	setting("login_burst_failures", 10);
	setting("login_failures_per_account_hour", 100);
	try {
		for (let i = 0; i < 10; i++) {
			const r = await loginFrom(attacker, "admin",
			    `wrong-${i}-password`);
			assert.equal(r.status, 401, `try ${i}: ${r.text}`);
		}
		for (const pw of ["wrong-again", DEMO_PASSWORD]) {
			const r = await loginFrom(attacker, "admin", pw);
			assert.equal(r.status, 429, r.text);
			assert.ok(r.retryAfter >= 1);
		}
		const mine = await loginFrom(owner, "admin", DEMO_PASSWORD);
		assert.equal(mine.status, 200, mine.text);
		assert.equal(sql(`SELECT s.ip FROM sessions s JOIN users u
		    ON u.id = s.user_id WHERE u.username = 'admin'
		    ORDER BY s.id DESC LIMIT 1`), owner,
		    "the server saw the owner's address");
		const still = await loginFrom(attacker, "admin", DEMO_PASSWORD);
		assert.equal(still.status, 429, "the owner's login does not " +
		    "unlock the guesser");
	} finally {
		sql(`DELETE FROM login_throttle WHERE username = 'admin'`);
		sql(`DELETE FROM rate_counters WHERE key IN
		    ('login_fail:u:admin', 'login_fail:ip:${attacker}')`);
	}
});

test("past the hourly cap per account, only the addresses it logs in " +
    "from may try", async () => {
	setting("login_burst_failures", 1000);
	setting("login_failures_per_account_hour", 3);
	try {
		const u = await newUser();
		const usual = "127.0.0.4";
		assert.equal((await loginFrom(usual, u.username, u.password))
		    .status, 200);
		for (let i = 0; i < 3; i++) {
			const r = await loginFrom(`127.0.0.${5 + i}`, u.username,
			    "wrong-wrong");
			assert.equal(r.status, 401, r.text);
		}
		for (const addr of ["127.0.0.5", "127.0.0.9"]) {
			const r = await loginFrom(addr, u.username, u.password);
			assert.equal(r.status, 429, `${addr}: ${r.text}`);
			assert.equal(r.data.error.code, "rate_limited");
		}
		const mine = await loginFrom(usual, u.username, u.password);
		assert.equal(mine.status, 200, mine.text);
	} finally {
		setting("login_burst_failures", 10);
		setting("login_failures_per_account_hour", 100);
	}
});
