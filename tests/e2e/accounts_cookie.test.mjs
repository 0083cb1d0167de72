// The session cookie lives as long as the session may (issue #11, item
// 5): its Max-Age comes from the session_max_days setting, read by the
// statement that makes the session, so changing the setting changes the
// cookie of the next login, sign-up or password change.
import { test } from "node:test";
import assert from "node:assert/strict";
import { post, sql, Jar, newUser, login, setting } from "./lib.mjs";

const maxAge = (r) => {
	const c = r.headers.getSetCookie().find((x) =>
	    x.startsWith("ms_session="));
	assert.ok(c, "a session cookie was set");
	const m = c.match(/;\s*Max-Age=(\d+)/i);
	return m ? Number(m[1]) : null;
};

test("the session cookie's Max-Age follows session_max_days", async () => {
	const saved = sql("SELECT value FROM site_settings " +
	    "WHERE key = 'session_max_days'") || "180";
	try {
		setting("session_max_days", "7");
		const username = `ck${process.pid % 100000}_${Date.now() % 100000}`;
		const password = "Kx9-mPq2-vL7-zzT";
		const signup = await post("/signup", { jar: new Jar(),
		    body: { username, password, display_name: "Cookie" } });
		assert.equal(signup.status, 201, signup.text);
		assert.equal(maxAge(signup), 7 * 86400, "sign-up");

		const r7 = await post("/login", { jar: new Jar(),
		    body: { username, password } });
		assert.equal(r7.status, 200, r7.text);
		assert.equal(maxAge(r7), 7 * 86400, "login");

		setting("session_max_days", "30");
		const r30 = await post("/login", { jar: new Jar(),
		    body: { username, password } });
		assert.equal(r30.status, 200);
		assert.equal(maxAge(r30), 30 * 86400, "login after the change");

		// A password change makes a new session: the same lifetime.
		const me = await login(username, password);
		const changed = await post("/settings", { jar: me.jar,
		    csrf: me.csrf, body: { current_password: password,
		    new_password: "Zr4-wQe8-bN1-yyK" } });
		assert.equal(changed.status, 200, changed.text);
		assert.equal(maxAge(changed), 30 * 86400, "password change");

		// The session itself ends when the cookie does.
		assert.equal(sql("SELECT round(extract(epoch FROM " +
		    "max(s.expires_at) - now()) / 86400) FROM sessions s " +
		    `JOIN users u ON u.id = s.user_id WHERE u.username = '${username}'`),
		    "30");
	} finally {
		setting("session_max_days", saved);
	}
});
