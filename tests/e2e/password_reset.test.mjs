// Password reset links (issue 12, item 5; app/reset.c,
// migrations/0011_accounts.sql): staff issue a one-time link at
// /admin/users/{username}/reset, shown once, stored hashed, valid for 24
// hours, audited; the member sets a new password with it and every
// session of theirs ends.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { get, post, sql, login, newUser, postAs, getAs, visitorForm,
    BASE } from "./lib.mjs";

const NEW_PW = "Pw-8a106bc598434338";
const sha256 = (s) => createHash("sha256").update(s).digest("hex");
let staff, admin;

before(async () => {
	staff = await login("staff1");
	admin = await login("admin");
});

async function issue(who, username, reason = "forgot it at the desk") {
	const r = await postAs(who, `/admin/users/${username}/reset`, {
	    body: { reason } });
	assert.equal(r.status, 201, r.text);
	return r.data.reset;
}

function auditRows(target, action) {
	return sql(`SELECT coalesce(u.username, '-') || ' ' ||
	    coalesce(a.reason, '-') FROM audit_log a
	    LEFT JOIN users u ON u.id = a.actor_id
	    WHERE a.target = '${target}' AND a.action = '${action}'
	    ORDER BY a.id`).split("\n").filter((x) => x);
}

test("staff issue a link: shown once, stored hashed, audited", async () => {
	const m = await newUser({ verified: true });
	const before = Date.now();
	const reset = await issue(staff, m.username);
	assert.equal(reset.username, m.username);
	assert.match(reset.url, /^\/reset\/[A-Za-z0-9_-]{43}$/);
	assert.equal(reset.link, BASE + reset.url, "an absolute link to hand over");
	const hours = (Date.parse(reset.expires_at) - before) / 3600e3;
	assert.ok(hours > 23.9 && hours < 24.1, `valid 24 hours: ${hours}`);
	const secret = reset.url.slice("/reset/".length);
	assert.equal(sql(`SELECT count(*) FROM password_resets
	    WHERE token_hash = '${sha256(secret)}'`), "1", "its hash is stored");
	assert.equal(sql(`SELECT count(*) FROM password_resets
	    WHERE token_hash LIKE '%${secret.slice(0, 20)}%'`), "0",
	    "never the secret");
	assert.deepEqual(auditRows(m.username, "password_reset.issue"),
	    ["staff1 forgot it at the desk"]);
	const audit = await getAs(staff, "/admin/audit");
	const e = audit.data.entries.find((x) => x.target === m.username);
	assert.equal(e.action, "password_reset.issue");
	assert.equal(e.actor, "staff1");
	// Staff's list of the user offers it, as a form.
	const page = await getAs(staff, `/admin/users?q=${m.username}`,
	    { json: false });
	assert.match(page.text, new RegExp(
	    `action="/admin/users/${m.username}/reset"`));
	// From the form: the page shows the link once.
	const html = await post(`/admin/users/${m.username}/reset`, {
	    jar: staff.jar, json: false, form: { csrf: staff.csrf } });
	assert.equal(html.status, 201);
	const link = html.text.match(/<code class="secret reset-link">([^<]+)</)[1];
	assert.match(link, /\/reset\/[A-Za-z0-9_-]{43}$/);
	assert.ok(!html.text.includes(secret), "the earlier link is not shown again");
});

test("the member sets a new password with the link, once; " +
    "every session ends", async () => {
	const m = await newUser({ verified: true });
	const phone = await login(m.username, m.password);
	const reset = await issue(staff, m.username);

	const v = await visitorForm(reset.url);
	assert.equal(v.page.status, 200);
	assert.ok(v.page.text.includes(`@${m.username}`), "whose link it is");
	assert.match(v.csrf, /^[A-Za-z0-9_-]{43}$/);
	const noToken = await post(reset.url, { json: false, form: {
	    password: NEW_PW, password_confirm: NEW_PW } });
	assert.equal(noToken.status, 403, "the visitor's CSRF token is needed");
	const mismatch = await post(reset.url, { jar: v.jar, json: false, form: {
	    csrf: v.csrf, password: NEW_PW, password_confirm: NEW_PW + "x" } });
	assert.equal(mismatch.status, 422);
	assert.match(mismatch.text, /两次输入的密码不一致/);
	const weak = await post(reset.url, { jar: v.jar, form: {
	    csrf: v.csrf, password: "password1", password_confirm: "password1" } });
	assert.equal(weak.status, 422, "the sign-up rules");
	assert.ok(weak.data.error.fields.password);
	const mine = await post(reset.url, { jar: v.jar, form: { csrf: v.csrf,
	    password: `x${m.username}x` } });
	assert.equal(mine.status, 422, "not the username");

	const ok = await post(reset.url, { jar: v.jar, json: false, form: {
	    csrf: v.csrf, password: NEW_PW, password_confirm: NEW_PW } });
	assert.equal(ok.status, 303, ok.text.slice(0, 300));
	assert.equal(ok.headers.get("location"), "/login?reset=1");
	const notice = await get("/login?reset=1&lang=en", { json: false });
	assert.match(notice.text, /Your password was changed/);

	for (const who of [m, phone])
		assert.equal((await get("/session", { jar: who.jar })).data.user,
		    null, "every session ended");
	const old = await post("/login", { body: { username: m.username,
	    password: m.password } });
	assert.equal(old.status, 401, "the old password is gone");
	await login(m.username, NEW_PW);

	const again = await get(reset.url);
	assert.equal(again.status, 404, "used: the link is dead");
	const twice = await post(reset.url, { body: { password: "Another-pw-42x" } });
	assert.equal(twice.status, 404);
	await login(m.username, NEW_PW);
	assert.deepEqual(auditRows(m.username, "password_reset.use"),
	    [`${m.username} -`], "the use is audited too");
});

test("a link expires after 24 hours", async () => {
	const m = await newUser({ verified: true });
	const reset = await issue(staff, m.username);
	const hash = sha256(reset.url.slice("/reset/".length));
	assert.equal(sql(`SELECT extract(epoch FROM expires_at - created_at)
	    FROM password_resets WHERE token_hash = '${hash}'`), "86400.000000");
	sql(`UPDATE password_resets SET expires_at = now() - interval '1 second'
	    WHERE token_hash = '${hash}'`);
	const page = await get(reset.url, { json: false });
	assert.equal(page.status, 404);
	assert.match(page.text, /链接有误、已被使用或已过期/);
	const r = await post(`${reset.url}?lang=en`, { body: {
	    password: NEW_PW } });
	assert.equal(r.status, 404);
	assert.match(r.data.error.message, /has expired/);
	await login(m.username, m.password);
});

test("a wrong token is 404", async () => {
	const wrong = "/reset/" + "A".repeat(43);
	assert.equal((await get(wrong)).status, 404);
	assert.equal((await get(wrong, { json: false })).status, 404);
	assert.equal((await post(wrong, { body: { password: NEW_PW } })).status,
	    404);
	assert.equal((await get("/reset/short")).status, 404);
});

test("a JSON client without cookies resets as before", async () => {
	const m = await newUser({ verified: true });
	const reset = await issue(staff, m.username);
	const r = await post(reset.url, { body: { password: NEW_PW } });
	assert.equal(r.status, 200, r.text);
	assert.equal(r.data.user.username, m.username);
	await login(m.username, NEW_PW);
});

test("a new link ends the earlier one", async () => {
	const m = await newUser({ verified: true });
	const first = await issue(staff, m.username);
	const second = await issue(staff, m.username);
	assert.equal((await get(first.url)).status, 404);
	assert.equal((await get(second.url)).status, 200);
});

test("only staff issue links; only admins for staff and admins", async () => {
	const m = await newUser({ verified: true });
	const member = await login("maker1");
	const r = await postAs(member, `/admin/users/${m.username}/reset`,
	    { body: {} });
	assert.equal(r.status, 403);
	const mentor = await login("mentor1");
	assert.equal((await postAs(mentor, `/admin/users/${m.username}/reset`,
	    { body: {} })).status, 403);
	const s2 = await newUser({ verified: true, role: "staff" });
	const denied = await postAs(staff, `/admin/users/${s2.username}/reset`,
	    { body: {} });
	assert.equal(denied.status, 403);
	assert.equal(denied.data.error.code, "forbidden");
	const allowed = await issue(admin, s2.username);
	assert.match(allowed.url, /^\/reset\//);
	const none = await postAs(staff, "/admin/users/nobody_at_all/reset",
	    { body: {} });
	assert.equal(none.status, 404);
	const noCsrf = await post(`/admin/users/${m.username}/reset`, {
	    jar: staff.jar, body: {} });
	assert.equal(noCsrf.status, 403, "staff's session needs its CSRF token");
	assert.equal(sql(`SELECT count(*) FROM password_resets r JOIN users u
	    ON u.id = r.user_id WHERE u.username = '${m.username}'`), "0");
});
