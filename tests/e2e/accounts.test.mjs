// Accounts, sessions, CSRF, API tokens, settings (docs/api.md#accounts;
// docs/architecture.md#security-baseline).
import { test } from "node:test";
import assert from "node:assert/strict";
import { get, post, sql, Jar, login, newUser, postAs, getAs,
    DEMO_PASSWORD, visitorForm, metricSum } from "./lib.mjs";

const GOOD_PW = "Kx9-mPq2-vL7-zzT";
let seq = 0;
const uname = (p = "acc") => `${p}${process.pid % 10000}x${++seq}`;

test("sign-up creates an unverified member and a session", async () => {
	const jar = new Jar();
	const username = uname();
	const r = await post("/signup", { jar, body: { username,
	    password: GOOD_PW, display_name: "小明 Ming", email: "m@example.org" } });
	assert.equal(r.status, 201);
	assert.equal(r.data.user.username, username);
	assert.equal(r.data.user.role, "member");
	assert.equal(r.data.user.verified, false);
	assert.match(r.data.csrf_token, /^[A-Za-z0-9_-]{43}$/);
	const cookie = r.headers.getSetCookie().find((c) =>
	    c.startsWith("ms_session="));
	assert.match(cookie, /HttpOnly/);
	assert.match(cookie, /SameSite=Lax/);
	assert.match(cookie, /Path=\//);
	assert.doesNotMatch(cookie, /Secure/, "plain HTTP in tests");
	const s = await get("/session", { jar });
	assert.equal(s.data.user.username, username);
	assert.equal(s.data.csrf_token, r.data.csrf_token);
	// Only a hash of the token is stored.
	const token = jar.cookies.get("ms_session");
	assert.equal(sql(`SELECT count(*) FROM sessions WHERE token_hash = '${token}'`), "0");
	assert.equal(sql(`SELECT count(*) FROM sessions s JOIN users u ON
	    u.id = s.user_id WHERE u.username = '${username}'`), "1");
	assert.match(sql(`SELECT password_hash FROM users WHERE username = '${username}'`),
	    /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/, "Argon2id, 19 MiB, t=2");
});

test("anonymous GET /session says so, with a visitor's token", async () => {
	const r = await get("/session");
	assert.equal(r.status, 200);
	assert.equal(r.data.user, null);
	assert.equal(r.data.locale, "zh-CN");
	assert.match(r.data.csrf_token, /^[A-Za-z0-9_-]{43}$/);
});

test("sign-up refuses bad usernames, passwords and fields", async () => {
	const base = { password: GOOD_PW, display_name: "X" };
	const cases = [
		[{ ...base, username: "ab" }, "username"],
		[{ ...base, username: "a b c" }, "username"],
		[{ ...base, username: "x".repeat(33) }, "username"],
		[{ ...base, username: "名字名字" }, "username"],
		[{ ...base, username: "bad-dash" }, "username"],
		[{ ...base, username: uname(), password: "password" }, "password"],
		[{ ...base, username: uname(), password: "12345678" }, "password"],
		[{ ...base, username: uname(), password: "Ab1-xyz" }, "password"],
		[{ ...base, username: uname(), password: "Ab1-".repeat(33) }, "password"],
		[{ ...base, username: uname(), display_name: "" }, "display_name"],
		[{ ...base, username: uname(), display_name: "长".repeat(51) }, "display_name"],
		[{ ...base, username: uname(), display_name: "a\u0007b" }, "display_name"],
		[{ ...base, username: uname(), email: "not-an-email" }, "email"],
		[{ password: GOOD_PW, display_name: "X" }, "username"],
	];
	for (const [body, field] of cases) {
		const r = await post("/signup", { body });
		assert.equal(r.status, 422, JSON.stringify(body).slice(0, 80));
		assert.equal(r.data.error.code, "invalid");
		assert.ok(r.data.error.fields[field], `field ${field}: ${r.text}`);
		assert.match(r.data.error.fields[field], /[\u4e00-\u9fff]/,
		    "message in Chinese");
	}
	const en = await post("/signup?lang=en", { body: { ...base,
	    username: uname(), password: "password" } });
	assert.match(en.data.error.fields.password, /common|simple/);
});

test("usernames are unique ignoring case", async () => {
	const u = uname("case");
	const a = await post("/signup", { body: { username: u.toUpperCase(),
	    password: GOOD_PW, display_name: "A" } });
	assert.equal(a.status, 201);
	assert.equal(a.data.user.username, u, "stored lower-case");
	const b = await post("/signup", { body: { username: u,
	    password: GOOD_PW, display_name: "B" } });
	assert.equal(b.status, 409);
	assert.equal(b.data.error.code, "conflict");
	assert.ok(b.data.error.fields.username);
});

test("ten identical sign-ups at once create one account", async () => {
	const username = uname("race");
	const rs = await Promise.all(Array.from({ length: 10 }, () =>
	    post("/signup", { body: { username, password: GOOD_PW,
	    display_name: "Racer" } })));
	const statuses = rs.map((r) => r.status).sort();
	assert.deepEqual(statuses, [201, 409, 409, 409, 409, 409, 409, 409,
	    409, 409]);
	assert.equal(sql(`SELECT count(*) FROM users WHERE lower(username) = '${username}'`), "1");
});

test("login: right, wrong and unknown, each with a new token", async () => {
	const u = await newUser();
	const first = await login(u.username, u.password);
	const second = await login(u.username, u.password);
	assert.notEqual(first.jar.cookies.get("ms_session"),
	    second.jar.cookies.get("ms_session"), "a new token every login");
	assert.notEqual(first.csrf, second.csrf);
	const wrong = await post("/login", { body: { username: u.username,
	    password: "not-the-password" } });
	assert.equal(wrong.status, 401);
	assert.equal(wrong.data.error.code, "invalid_credentials");
	const unknown = await post("/login", { body: {
	    username: "no_such_user_here", password: "whatever-123" } });
	assert.equal(unknown.status, 401);
	assert.equal(unknown.data.error.message, wrong.data.error.message,
	    "the same answer: no account enumeration");
	const missing = await post("/login", { body: { username: u.username } });
	assert.equal(missing.status, 422);
	const caseless = await post("/login", { body: {
	    username: u.username.toUpperCase(), password: u.password } });
	assert.equal(caseless.status, 200);
});

test("logout ends the session on the server", async () => {
	const me = await login("maker2");
	const token = me.jar.cookies.get("ms_session");
	const saved = new Jar();
	saved.cookies.set("ms_session", token);
	const r = await postAs(me, "/logout");
	assert.equal(r.status, 200);
	assert.equal(me.jar.cookies.has("ms_session"), false, "cookie cleared");
	const s = await get("/session", { jar: saved });
	assert.equal(s.data.user, null, "the old token is dead");
	const settings = await get("/settings", { jar: saved });
	assert.equal(settings.status, 401);
	assert.equal(settings.data.error.code, "login_required");
});

test("POSTs with a cookie need the CSRF token", async () => {
	const me = await login("maker1");
	const none = await post("/settings", { jar: me.jar,
	    body: { display_name: "创客一号" } });
	assert.equal(none.status, 403);
	assert.equal(none.data.error.code, "csrf_failed");
	const bad = await post("/settings", { jar: me.jar, csrf: "x".repeat(43),
	    body: { display_name: "创客一号" } });
	assert.equal(bad.status, 403);
	const header = await postAs(me, "/settings", {
	    body: { display_name: "创客一号" } });
	assert.equal(header.status, 200);
	const field = await post("/settings", { jar: me.jar, form: {
	    csrf: me.csrf, display_name: "创客一号" } });
	assert.equal(field.status, 200, "form field csrf");
	const other = await login("maker2");
	const swapped = await post("/settings", { jar: me.jar, csrf: other.csrf,
	    body: { display_name: "创客一号" } });
	assert.equal(swapped.status, 403, "another session's token");
});

test("cross-site POSTs are refused by Origin and Sec-Fetch-Site", async () => {
	const me = await login("maker1");
	const origin = await postAs(me, "/settings", { body: {},
	    headers: { origin: "http://evil.example" } });
	assert.equal(origin.status, 403);
	assert.equal(origin.data.error.code, "csrf_failed");
	const site = await postAs(me, "/settings", { body: {},
	    headers: { "sec-fetch-site": "cross-site" } });
	assert.equal(site.status, 403);
	const same = await postAs(me, "/settings", { body: {},
	    headers: { "sec-fetch-site": "same-origin",
	    origin: new URL(process.env.BASE_URL).origin } });
	assert.equal(same.status, 200);
	const loginX = await post("/login", { body: { username: "maker1",
	    password: DEMO_PASSWORD }, headers: { origin: "http://evil.example" } });
	assert.equal(loginX.status, 403, "login CSRF");
});

test("API tokens: shown once, stored hashed, usable without CSRF, revocable",
    async () => {
	const me = await login("maker1");
	const r = await postAs(me, "/settings/tokens", { body: { name: "script" } });
	assert.equal(r.status, 201);
	const { id, name, secret } = r.data.token;
	assert.equal(name, "script");
	assert.match(secret, /^ms_[A-Za-z0-9_-]{43}$/);
	assert.equal(sql(`SELECT count(*) FROM sessions WHERE token_hash LIKE '%${secret.slice(3, 20)}%'`), "0");
	const auth = { authorization: `Bearer ${secret}` };
	const s = await get("/session", { headers: auth });
	assert.equal(s.data.user.username, "maker1");
	const w = await post("/settings", { headers: auth,
	    body: { display_name: "创客一号" } });
	assert.equal(w.status, 200, "no CSRF token needed with a bearer token");
	const list = await getAs(me, "/settings");
	assert.ok(list.data.tokens.some((t) => t.id === id && !("secret" in t)));
	const del = await postAs(me, `/settings/tokens/${id}/delete`);
	assert.equal(del.status, 200);
	const after = await get("/settings", { headers: auth });
	assert.equal(after.status, 401);
	const again = await postAs(me, `/settings/tokens/${id}/delete`);
	assert.equal(again.status, 404);
	const bogus = await get("/session", { headers: {
	    authorization: "Bearer ms_" + "A".repeat(43) } });
	assert.equal(bogus.data.user, null);
});

test("sessions are listed in settings and can be revoked", async () => {
	const u = await newUser();
	const phone = await login(u.username, u.password);
	const laptop = await login(u.username, u.password);
	const list = await getAs(laptop, "/settings");
	const sessions = list.data.sessions;
	assert.ok(sessions.length >= 3);
	assert.equal(sessions.filter((s) => s.current).length, 1);
	// The phone's own settings page marks its session as current.
	const phoneHash = (await getAs(phone, "/settings")).data.sessions
	    .find((s) => s.current).id;
	assert.ok(sessions.some((s) => s.id === phoneHash && !s.current),
	    "the laptop lists the phone's session");
	const r = await postAs(laptop, `/settings/sessions/${phoneHash}/delete`);
	assert.equal(r.status, 200);
	assert.equal((await get("/session", { jar: phone.jar })).data.user, null);
	assert.ok((await get("/session", { jar: laptop.jar })).data.user);
	const other = await login("maker2");
	const theirs = await postAs(other, `/settings/sessions/${phoneHash}/delete`);
	assert.equal(theirs.status, 404, "not someone else's session");
});

test("a password change checks the old one and ends other sessions",
    async () => {
	const u = await newUser();
	const other = await login(u.username, u.password);
	const wrong = await postAs(u, "/settings", { body: {
	    current_password: "wrong-wrong-wrong", new_password: "N3w-pass-word-9" } });
	assert.equal(wrong.status, 422);
	assert.ok(wrong.data.error.fields.current_password);
	const weak = await postAs(u, "/settings", { body: {
	    current_password: u.password, new_password: "password1" } });
	assert.equal(weak.status, 422);
	assert.ok(weak.data.error.fields.new_password);
	const ok = await postAs(u, "/settings", { body: {
	    current_password: u.password, new_password: "N3w-pass-word-9" } });
	assert.equal(ok.status, 200, ok.text);
	assert.match(ok.data.csrf_token, /^[A-Za-z0-9_-]{43}$/);
	assert.equal((await get("/session", { jar: other.jar })).data.user, null,
	    "the other session ended");
	const me = (await get("/session", { jar: u.jar })).data;
	assert.equal(me.user.username, u.username, "this client has a new one");
	assert.equal(me.csrf_token, ok.data.csrf_token);
	const old = await post("/login", { body: { username: u.username,
	    password: u.password } });
	assert.equal(old.status, 401);
	await login(u.username, "N3w-pass-word-9");
});

test("sessions expire when idle and at their absolute end", async () => {
	const a = await newUser();
	sql(`UPDATE sessions SET last_seen_at = now() - interval '31 days'
	    WHERE user_id = ${a.user.id}`);
	assert.equal((await get("/session", { jar: a.jar })).data.user, null);
	const b = await newUser();
	sql(`UPDATE sessions SET expires_at = now() - interval '1 second'
	    WHERE user_id = ${b.user.id}`);
	assert.equal((await get("/session", { jar: b.jar })).data.user, null);
});

test("settings: profile fields, Markdown bio made safe, language",
    async () => {
	const u = await newUser();
	const r = await postAs(u, "/settings", { body: {
	    display_name: "  新名字  ", bio: "**hi** <script>alert(1)</script>\n" +
	    "[x](javascript:alert(1))", locale: "en", real_name: "王小明",
	    reader_card: "R123" } });
	assert.equal(r.status, 200, r.text);
	assert.equal(r.data.user.display_name, "新名字", "trimmed");
	assert.match(r.data.user.bio_html, /<strong>hi<\/strong>/);
	assert.doesNotMatch(r.data.user.bio_html, /<script|javascript:/);
	const page = await getAs(u, "/settings", { json: false,
	    headers: { "accept-language": "zh-CN" } });
	assert.match(page.text, /<html lang="en">/, "the user's language wins");
	const forced = await getAs(u, "/settings?lang=zh-CN", { json: false });
	assert.match(forced.text, /<html lang="zh-CN">/, "?lang wins over it");
	const home = await getAs(u, "/", { json: false,
	    headers: { "accept-language": "zh-CN" } });
	assert.match(home.text, /<html lang="en">/,
	    "public pages too (viewer resolved in their statement)");
	assert.match(home.text, new RegExp(`href="/u/${u.username}"`));
	const long = await postAs(u, "/settings", { body: {
	    reader_card: "9".repeat(33) } });
	assert.equal(long.status, 422);
	assert.ok(long.data.error.fields.reader_card);
});

test("real name, card and email are shown only to the user and staff",
    async () => {
	const pub = await get("/u/maker1");
	assert.equal(pub.status, 200);
	assert.equal(pub.data.user.username, "maker1");
	const text = JSON.stringify(pub.data);
	for (const secret of ["陈一", "R0000001", "maker1@demo.invalid",
	    "real_name", "reader_card", "email"])
		assert.ok(!text.includes(secret), `JSON hides ${secret}`);
	const html = await get("/u/maker1", { json: false });
	for (const secret of ["陈一", "R0000001", "maker1@demo.invalid"])
		assert.ok(!html.text.includes(secret), `HTML hides ${secret}`);
	const other = await login("maker2");
	const theirs = await getAs(other, "/u/maker1");
	assert.ok(!JSON.stringify(theirs.data).includes("R0000001"));
	const self = await getAs(await login("maker1"), "/settings");
	assert.equal(self.data.user.reader_card, "R0000001");
	const staff = await getAs(await login("staff1"), "/admin/users?q=R0000001");
	assert.equal(staff.data.users[0].username, "maker1");
	assert.equal(staff.data.users[0].real_name, "陈一");
	assert.equal((await get("/u/nobody_here")).status, 404);
});

test("HTML forms: log in redirects, errors show the form again", async () => {
	const { jar, csrf } = await visitorForm("/login");
	const ok = await post("/login", { jar, json: false, form: {
	    csrf, username: "maker1", password: DEMO_PASSWORD, next: "/settings" } });
	assert.equal(ok.status, 303);
	assert.equal(ok.headers.get("location"), "/settings");
	assert.ok(jar.cookies.get("ms_session"));
	const v = await visitorForm("/login");
	const evil = await post("/login", { jar: v.jar, json: false, form: {
	    csrf: v.csrf, username: "maker1", password: DEMO_PASSWORD,
	    next: "//evil.example/x" } });
	assert.equal(evil.headers.get("location"), "/", "no open redirect");
	const bad = await post("/login", { jar: v.jar, json: false, form: {
	    csrf: v.csrf, username: "maker1<b>", password: "nope-nope" } });
	assert.equal(bad.status, 401);
	assert.match(bad.text, /用户名或密码错误/);
	assert.match(bad.text, /value="maker1&lt;b&gt;"/, "typed value, escaped");
	assert.doesNotMatch(bad.text, /nope-nope/, "never the password");
	const s = await visitorForm("/signup");
	const sign = await post("/signup", { jar: s.jar, json: false, form: {
	    csrf: s.csrf, username: "x", password: "short", display_name: "" } });
	assert.equal(sign.status, 422);
	assert.match(sign.text, /class="problem"/);
	const anon = await get("/settings", { json: false });
	assert.equal(anon.status, 303);
	assert.equal(anon.headers.get("location"), "/login?next=/settings");
});

// Counted by each server process: added up over all (two behind the
// proxy, where /metrics is not served through it).
const orphans = () => metricSum("makerspace_jobs_orphaned_total");

test("a client that leaves during password hashing: the job ends alone",
    async () => {
	// app/rq.c: the request is freed while the job thread still hashes
	// its password; the job's memory outlives it and is freed when the
	// job comes back (counted), and the worker carries on.
	const { connect } = await import("node:net");
	const url = new URL(process.env.BASE_URL);
	const before = await orphans();
	const body = JSON.stringify({ username: "nobody-here",
	    password: "Wrong-password-9" });
	for (let i = 0; i < 4; i++) {
		const s = connect(Number(url.port), url.hostname);
		await new Promise((ok) => s.on("connect", ok));
		s.write(`POST /login HTTP/1.1\r\nHost: x\r\n` +
		    `Content-Type: application/json\r\n` +
		    `Accept: application/json\r\n` +
		    `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
		// Long enough for the request to reach the job thread, well
		// inside one Argon2id hash (tens of milliseconds).
		await new Promise((ok) => setTimeout(ok, 8));
		s.destroy();
	}
	let after = before;
	for (let i = 0; i < 50 && after === before; i++) {
		await new Promise((ok) => setTimeout(ok, 50));
		after = await orphans();
	}
	assert.ok(after > before, "a job outlived its request");
	const r = await login("maker1");
	assert.ok(r.jar.header().includes("ms_session"));
});
