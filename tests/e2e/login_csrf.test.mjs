// Login CSRF (issue 12, item 4): visitors get a pre-session token bound
// to an ms_pre cookie (app/guard.c), in the login and sign-up forms and
// from GET /session; browser form posts to /login and /signup need it.
// Programs that POST JSON without any cookie keep working
// (docs/api.md#sessions-and-csrf).
import { test } from "node:test";
import assert from "node:assert/strict";
import { get, post, sql, Jar, DEMO_PASSWORD, visitorForm } from "./lib.mjs";

const TOKEN = /^[A-Za-z0-9_-]{43}$/;
let seq = 0;
const uname = () => `lc${process.pid % 10000}x${Date.now() % 100000}x${++seq}`;
const GOOD_PW = "Kx9-mPq2-vL7-zzT";

function preCookie(res) {
	return res.headers.getSetCookie().find((c) => c.startsWith("ms_pre="));
}

test("the login and sign-up forms carry a token bound to a cookie",
    async () => {
	for (const path of ["/login", "/signup"]) {
		const { jar, csrf, page } = await visitorForm(path);
		assert.equal(page.status, 200);
		assert.match(csrf, TOKEN, `${path} has a token`);
		const cookie = preCookie(page);
		assert.match(cookie, /HttpOnly/);
		assert.match(cookie, /SameSite=Lax/);
		assert.match(cookie, /Path=\//);
		assert.notEqual(jar.cookies.get("ms_pre"), csrf,
		    "the token is not the cookie itself");
		const again = await get(path, { jar, json: false });
		assert.equal(preCookie(again), undefined, "the cookie is kept");
		assert.ok(again.text.includes(`value="${csrf}"`), "same token");
	}
});

test("a form login without the token is refused and the form comes back",
    async () => {
	const jar = new Jar();
	const r = await post("/login", { jar, json: false, form: {
	    username: "maker1", password: DEMO_PASSWORD } });
	assert.equal(r.status, 403);
	assert.match(r.text, /安全令牌缺失或已过期/, "the message");
	assert.match(r.text, /<form[^>]*action="\/login"/, "the form again");
	assert.match(r.text, /value="maker1"/, "with what was typed");
	assert.ok(!jar.cookies.has("ms_session"), "not logged in");
	const csrf = r.text.match(/name="csrf" value="([^"]*)"/)[1];
	assert.match(csrf, TOKEN, "a fresh token in the form shown again");
	const json = await post("/login", { form: { username: "maker1",
	    password: DEMO_PASSWORD } });
	assert.equal(json.status, 403);
	assert.equal(json.data.error.code, "csrf_failed");
	// The form shown again works.
	const ok = await post("/login", { jar, json: false, form: { csrf,
	    username: "maker1", password: DEMO_PASSWORD } });
	assert.equal(ok.status, 303);
	assert.ok(jar.cookies.get("ms_session"));
});

test("a form login with the page's token works, url-encoded or multipart",
    async () => {
	const v = await visitorForm("/login");
	const ok = await post("/login", { jar: v.jar, json: false, form: {
	    csrf: v.csrf, username: "maker1", password: DEMO_PASSWORD } });
	assert.equal(ok.status, 303);
	assert.ok(v.jar.cookies.get("ms_session"));

	const m = await visitorForm("/login");
	const fd = new FormData();
	fd.append("username", "maker2");
	fd.append("password", DEMO_PASSWORD);
	const none = await post("/login", { jar: m.jar, json: false,
	    multipart: fd });
	assert.equal(none.status, 403, "multipart without the token");
	fd.append("csrf", m.csrf);
	const mp = await post("/login", { jar: m.jar, json: false,
	    multipart: fd });
	assert.equal(mp.status, 303, "multipart with it");
});

test("a token works only with its own cookie", async () => {
	const a = await visitorForm("/login");
	const b = await visitorForm("/login");
	assert.notEqual(a.csrf, b.csrf);
	const swapped = await post("/login", { jar: a.jar, json: false, form: {
	    csrf: b.csrf, username: "maker1", password: DEMO_PASSWORD } });
	assert.equal(swapped.status, 403);
	const noCookie = await post("/login", { json: false, form: {
	    csrf: a.csrf, username: "maker1", password: DEMO_PASSWORD } });
	assert.equal(noCookie.status, 403, "the token alone is not enough");
	const forged = new Jar();
	forged.cookies.set("ms_pre", a.csrf);
	const f = await post("/login", { jar: forged, json: false, form: {
	    csrf: a.csrf, username: "maker1", password: DEMO_PASSWORD } });
	assert.equal(f.status, 403, "the token is not a cookie value");
});

test("a form sign-up needs the token too", async () => {
	const username = uname();
	const no = await post("/signup", { json: false, form: { username,
	    password: GOOD_PW, display_name: "Form" } });
	assert.equal(no.status, 403);
	assert.equal(sql(`SELECT count(*) FROM users WHERE username = '${username}'`),
	    "0");
	const v = await visitorForm("/signup");
	const ok = await post("/signup", { jar: v.jar, json: false, form: {
	    csrf: v.csrf, username, password: GOOD_PW, display_name: "Form" } });
	assert.equal(ok.status, 303, ok.text.slice(0, 200));
	assert.ok(v.jar.cookies.get("ms_session"));
});

test("JSON login and sign-up without cookies work as before", async () => {
	const r = await post("/login", { body: { username: "maker1",
	    password: DEMO_PASSWORD } });
	assert.equal(r.status, 200);
	assert.match(r.data.csrf_token, TOKEN);
	assert.equal(preCookie(r), undefined, "no visitor cookie for programs");
	const s = await post("/signup", { body: { username: uname(),
	    password: GOOD_PW, display_name: "Json" } });
	assert.equal(s.status, 201);
});

test("GET /session gives a visitor a token that works for JSON login",
    async () => {
	const jar = new Jar();
	const s = await get("/session", { jar });
	assert.equal(s.data.user, null);
	assert.match(s.data.csrf_token, TOKEN);
	assert.ok(jar.cookies.has("ms_pre"));
	const again = await get("/session", { jar });
	assert.equal(again.data.csrf_token, s.data.csrf_token, "stable");
	// A client that holds the cookie must send the token.
	const without = await post("/login", { jar, body: {
	    username: "maker1", password: DEMO_PASSWORD } });
	assert.equal(without.status, 403);
	assert.equal(without.data.error.code, "csrf_failed");
	const wrong = await post("/login", { jar, csrf: "A".repeat(43), body: {
	    username: "maker1", password: DEMO_PASSWORD } });
	assert.equal(wrong.status, 403);
	const ok = await post("/login", { jar, csrf: s.data.csrf_token, body: {
	    username: "maker1", password: DEMO_PASSWORD } });
	assert.equal(ok.status, 200, ok.text);
	assert.ok(jar.cookies.get("ms_session"));
	const field = await post("/login", { jar, body: { csrf: s.data.csrf_token,
	    username: "maker1", password: DEMO_PASSWORD } });
	assert.equal(field.status, 200, "or as the csrf field");
	const me = await get("/session", { jar });
	assert.equal(me.data.user.username, "maker1");
	assert.notEqual(me.data.csrf_token, s.data.csrf_token,
	    "logged in: the session's own token");
});

test("a bearer token's GET /session has no CSRF token", async () => {
	const r = await get("/session", { headers: {
	    authorization: "Bearer ms_" + "A".repeat(43) } });
	assert.equal(r.data.user, null);
	assert.equal(r.data.csrf_token, null);
	assert.equal(preCookie(r), undefined);
});
