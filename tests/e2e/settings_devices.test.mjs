// Signed-in devices in settings (issue 12 item 14): each login session
// named from its User-Agent in the reader's language, and "sign out all
// other devices" (POST /settings/sessions/others/delete): every other
// login session of the user ends, the asking one and the API tokens stay,
// nobody else's session is touched, and it is in the audit log.
import { test } from "node:test";
import assert from "node:assert/strict";

import { Jar, get, getAs, login, newUser, post, postAs, request, sql }
    from "./lib.mjs";

const UA = {
	android: "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 " +
	    "(KHTML, like Gecko) Chrome/126.0.6478.71 Mobile Safari/537.36",
	wechat: "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) " +
	    "AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 " +
	    "MicroMessenger/8.0.49(0x18003130) NetType/WIFI Language/zh_CN",
	mac: "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) " +
	    "AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 " +
	    "Safari/605.1.15",
};

// A login from a device: { jar, csrf }.
async function loginFrom(u, ua) {
	const jar = new Jar();
	const r = await request("POST", "/login", { jar, headers:
	    { "user-agent": ua }, body: { username: u.username,
	    password: u.password } });
	assert.equal(r.status, 200, r.text);
	return { jar, csrf: r.data.csrf_token };
}

function sessionCount(uid) {
	return Number(sql(`SELECT count(*) FROM sessions WHERE user_id = ${uid}
	    AND kind = 'session'`));
}

test("settings name each signed-in device in the reader's language",
    async () => {
	const u = await newUser();
	const devs = {};
	for (const [k, ua] of Object.entries(UA))
		devs[k] = await loginFrom(u, ua);
	const en = await getAs(devs.android, "/settings?lang=en");
	assert.equal(en.status, 200);
	const mine = en.data.sessions.find((s) => s.current);
	assert.equal(mine.device, "Chrome on Android");
	const names = en.data.sessions.map((s) => s.device).sort();
	for (const n of ["Chrome on Android", "WeChat on iPhone",
	    "Safari on Mac"])
		assert.ok(names.includes(n), `${n} in ${names}`);
	// The sign-up's session came from node's fetch: no device known.
	assert.ok(names.includes("Unknown device"), names.join("|"));
	assert.equal(en.data.other_sessions, en.data.sessions.length - 1);
	// The User-Agent itself is still there for programs.
	assert.equal(mine.user_agent, UA.android);

	const zh = await getAs(devs.wechat, "/settings?lang=zh-CN");
	assert.equal(zh.data.sessions.find((s) => s.current).device,
	    "iPhone 上的微信");
	assert.ok(zh.data.sessions.some((s) => s.device ===
	    "Android 上的 Chrome"));
	// The page shows the names, not the raw strings.
	const html = await getAs(devs.mac, "/settings?lang=en",
	    { json: false });
	assert.match(html.text, /<span class="device-name"[^>]*>Safari on Mac<\/span>/);
	assert.match(html.text, /action="\/settings\/sessions\/others\/delete"/);
});

test("sign out all other devices: the others end, this one and the API " +
    "tokens stay, nobody else's, audited", async () => {
	const u = await newUser();
	const bystander = await newUser();
	const here = await loginFrom(u, UA.mac);
	const phone = await loginFrom(u, UA.android);
	const wechat = await loginFrom(u, UA.wechat);
	const tok = await postAs(here, "/settings/tokens",
	    { body: { name: "script" } });
	assert.equal(tok.status, 201);
	const bearer = { authorization: `Bearer ${tok.data.token.secret}` };
	const before = sessionCount(u.user.id);
	assert.equal(before, 4, "sign-up and three logins");
	const others = sessionCount(bystander.user.id);

	// Without the CSRF token nothing happens.
	const forged = await post("/settings/sessions/others/delete",
	    { jar: here.jar, body: {} });
	assert.equal(forged.status, 403);
	assert.equal(forged.data.error.code, "csrf_failed");
	assert.equal(sessionCount(u.user.id), before);

	const r = await postAs(here, "/settings/sessions/others/delete",
	    { body: {} });
	assert.equal(r.status, 200, r.text);
	assert.equal(r.data.ended, 3);
	assert.equal(sessionCount(u.user.id), 1);
	assert.equal((await getAs(here, "/settings")).status, 200,
	    "this device stays signed in");
	for (const gone of [phone, wechat, u])
		assert.equal((await getAs(gone, "/settings")).status, 401,
		    "the other devices are signed out");
	assert.equal((await get("/settings", { headers: bearer })).status, 200,
	    "API tokens stay");
	assert.equal(sessionCount(bystander.user.id), others,
	    "nobody else's sessions");
	assert.equal((await getAs(bystander, "/settings")).status, 200);

	// In the audit log, for staff.
	const row = sql(`SELECT action || ' ' || target || ' ' ||
	    (details ->> 'sessions_ended') FROM audit_log
	    WHERE actor_id = ${u.user.id} AND target_user_id = ${u.user.id}`);
	assert.equal(row, `sessions.end_others ${u.username} 3`);
	const staff = await login("staff1");
	const audit = await getAs(staff, "/admin/audit");
	assert.ok(audit.data.entries.some((e) => e.action ===
	    "sessions.end_others" && e.target === u.username),
	    "staff see it at /admin/audit");

	// Again: nothing left to end, still audited, still 200.
	const again = await postAs(here, "/settings/sessions/others/delete",
	    { body: {} });
	assert.equal(again.status, 200);
	assert.equal(again.data.ended, 0);
});

test("sign out all other devices from a browser form goes back to the " +
    "list; from a program with an API token it ends every login",
    async () => {
	const u = await newUser();
	const here = await loginFrom(u, UA.mac);
	const form = await post("/settings/sessions/others/delete", {
	    jar: here.jar, json: false, form: { csrf: here.csrf },
	    headers: { origin: process.env.BASE_URL } });
	assert.equal(form.status, 303);
	assert.equal(form.headers.get("location"), "/settings#sessions");
	assert.equal(sessionCount(u.user.id), 1);

	const tok = await postAs(here, "/settings/tokens",
	    { body: { name: "cron" } });
	const bearer = { authorization: `Bearer ${tok.data.token.secret}` };
	const r = await post("/settings/sessions/others/delete",
	    { headers: bearer, body: {} });
	assert.equal(r.status, 200, r.text);
	assert.equal(r.data.ended, 1, "a token is no login: all of them end");
	assert.equal(sessionCount(u.user.id), 0);
	assert.equal((await getAs(here, "/settings")).status, 401);
	assert.equal((await get("/settings", { headers: bearer })).status,
	    200, "the token itself stays");
	// Visitors are asked to log in.
	assert.equal((await post("/settings/sessions/others/delete",
	    { body: {} })).status, 401);
});
