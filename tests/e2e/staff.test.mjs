// Staff: verification, roles, suspensions and the audit log.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { DB, get, sql, login, newUser, postAs, getAs } from "./lib.mjs";

const RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$/;

// A few days ahead: the server's "today" is the site's (Asia/Shanghai),
// which is a day ahead of UTC for eight hours of every UTC day.
function soon() {
	const d = new Date(Date.now() + 3 * 86400e3);
	return d.toISOString().slice(0, 10);
}

test("staff verify a member; the audit log records who, what, whom, why",
    async () => {
	const u = await newUser();
	const staff = await login("staff1");
	const r = await postAs(staff, `/admin/users/${u.username}`, {
	    body: { verified: true, reason: "出示读者证" } });
	assert.equal(r.status, 200, r.text);
	assert.equal(r.data.user.verified, true);
	const s = await get("/session", { jar: u.jar });
	assert.equal(s.data.user.verified, true);
	const audit = await getAs(staff, "/admin/audit");
	const e = audit.data.entries.find((x) => x.target === u.username);
	assert.ok(e, "entry for the target");
	assert.equal(e.actor, "staff1");
	assert.equal(e.action, "verify");
	assert.equal(e.reason, "出示读者证");
	assert.match(e.at, RFC3339);
	const again = await postAs(staff, `/admin/users/${u.username}`, {
	    body: { verified: true } });
	assert.equal(again.data.changed, false, "no change, no new entry");
});

test("changing the real name or card asks for verification again",
    async () => {
	for (const change of [{ reader_card: "NEW-1" }, { real_name: "新名字" }]) {
		const u = await newUser({ verified: true });
		const before = await postAs(u, "/projects", { body: {
		    title: "改资料之前" } });
		assert.equal(before.status, 201, "verified: may post");
		const r = await postAs(u, "/settings", { body: change });
		assert.equal(r.status, 200);
		assert.equal(r.data.user.verified, false);
		const s = await get("/session", { jar: u.jar });
		assert.equal(s.data.user.verified, false, "the session sees it");
		const next = await postAs(u, "/projects", { body: {
		    title: "改资料之后" } });
		assert.equal(next.status, 403, JSON.stringify(change));
		assert.equal(next.data.error.code, "verification_required");
		const reply = await postAs(u, `${before.data.project.url}/comments`,
		    { body: { body: "评论" } });
		assert.equal(reply.status, 403);
		assert.equal(reply.data.error.code, "verification_required");
		// Settings themselves stay open to the member.
		assert.equal((await postAs(u, "/settings", { body: {
		    bio: "还能改简介" } })).status, 200);
	}
});

test("only admins grant staff or admin, or change staff", async () => {
	const u = await newUser({ verified: true });
	const staff = await login("staff1");
	const admin = await login("admin");
	const mentor = await postAs(staff, `/admin/users/${u.username}`, {
	    body: { role: "mentor", reason: "teaches Arduino" } });
	assert.equal(mentor.status, 200);
	assert.equal(mentor.data.user.role, "mentor");
	const up = await postAs(staff, `/admin/users/${u.username}`, {
	    body: { role: "staff" } });
	assert.equal(up.status, 403);
	assert.equal(up.data.error.code, "forbidden");
	const onAdmin = await postAs(staff, "/admin/users/admin", {
	    body: { verified: false } });
	assert.equal(onAdmin.status, 403);
	const byAdmin = await postAs(admin, `/admin/users/${u.username}`, {
	    body: { role: "staff", reason: "new librarian" } });
	assert.equal(byAdmin.status, 200);
	assert.equal(byAdmin.data.user.role, "staff");
	const bad = await postAs(admin, `/admin/users/${u.username}`, {
	    body: { role: "king" } });
	assert.equal(bad.status, 422);
	assert.ok(bad.data.error.fields.role);
	const missing = await postAs(admin, "/admin/users/no_such_person", {
	    body: { verified: true } });
	assert.equal(missing.status, 404);
	const audit = await getAs(admin, "/admin/audit");
	assert.ok(audit.data.entries.some((e) => e.action === "role" &&
	    e.target === u.username && e.actor === "admin"));
});

test("the last admin cannot be demoted", async () => {
	sql("UPDATE users SET role = 'member' WHERE role = 'admin' AND " +
	    "username <> 'admin'");
	const admin = await login("admin");
	const r = await postAs(admin, "/admin/users/admin", {
	    body: { role: "member" } });
	assert.equal(r.status, 409);
	const users = (await getAs(admin, "/admin/users?q=admin")).data.users;
	assert.equal(users.find((u) => u.username === "admin").role, "admin");
});

// Hold a share lock on rows of users in a transaction of its own until
// release() is called: requests that lock those rows wait meanwhile.
async function holdRows(where) {
	const psql = spawn("psql", ["-XAtq", "-v", "ON_ERROR_STOP=1", DB]);
	let out = "";
	psql.stdout.on("data", (d) => { out += d; });
	psql.stdin.write(`BEGIN; SELECT id FROM users WHERE ${where}
	    FOR SHARE; SELECT 'held';\n`);
	for (let i = 0; i < 100 && !out.includes("held"); i++)
		await new Promise((r) => setTimeout(r, 50));
	assert.match(out, /held/, "the lock is held");
	return () => new Promise((resolve) => {
		psql.on("exit", resolve);
		psql.stdin.end("COMMIT;\n");
	});
}

// Wait until n statements wait for a lock (or give up after 5 s).
async function waiting(n, like) {
	for (let i = 0; i < 100; i++) {
		if (Number(sql(`SELECT count(*) FROM pg_stat_activity
		    WHERE wait_event_type = 'Lock' AND query LIKE '${like}'`)) >= n)
			return true;
		await new Promise((r) => setTimeout(r, 50));
	}
	return false;
}

// Two admins, the only ones, demote at the same moment: each other, or
// each themselves.  Both requests reach the database and wait on the
// same rows, then go at once.
async function demoteAtOnce(targets) {
	const a = await newUser({ verified: true, role: "admin" });
	const b = await newUser({ verified: true, role: "admin" });
	const others = sql(`SELECT string_agg(id::text, ',') FROM users
	    WHERE role = 'admin' AND id NOT IN (${a.user.id}, ${b.user.id})`);
	sql(`UPDATE users SET role = 'staff' WHERE id IN (${others})`);
	try {
		const release = await holdRows(`id IN (${a.user.id}, ${b.user.id})`);
		const [ta, tb] = targets(a, b);
		const both = Promise.all([
			postAs(a, `/admin/users/${ta.username}`, { body: {
			    role: "staff", reason: "降级" } }),
			postAs(b, `/admin/users/${tb.username}`, { body: {
			    role: "staff", reason: "降级" } }),
		]);
		const queued = await waiting(2, "%admin_user_update%");
		await release();
		const rs = await both;
		assert.ok(queued, "both requests waited on the rows");
		return { rs, admins: sql(`SELECT count(*) FROM users
		    WHERE role = 'admin'`) };
	} finally {
		sql(`UPDATE users SET role = 'admin' WHERE id IN (${others})`);
		sql(`UPDATE users SET role = 'member'
		    WHERE id IN (${a.user.id}, ${b.user.id})`);
	}
}

test("two admins demoting themselves or each other at the same moment " +
    "leave one admin", async () => {
	for (const targets of [(a, b) => [a, b], (a, b) => [b, a]]) {
		const { rs, admins } = await demoteAtOnce(targets);
		const texts = rs.map((r) => `${r.status} ${r.text}`).join("\n");
		assert.equal(admins, "1", texts);
		const ok = rs.filter((r) => r.status === 200);
		const no = rs.filter((r) => r.status !== 200);
		assert.equal(ok.length, 1, texts);
		assert.ok([403, 409].includes(no[0].status), texts);
		assert.match(no[0].data.error.message, /管理员/);
	}
});

test("suspension: needs a future date and a reason, stops writes, lifts",
    async () => {
	const admin = await login("admin");
	const target = await newUser({ verified: true, role: "staff" });
	const noReason = await postAs(admin, `/admin/users/${target.username}`,
	    { body: { suspended_until: soon() } });
	assert.equal(noReason.status, 422);
	assert.ok(noReason.data.error.fields.reason);
	const past = await postAs(admin, `/admin/users/${target.username}`,
	    { body: { suspended_until: "2001-01-01", reason: "x" } });
	assert.equal(past.status, 422);
	const junk = await postAs(admin, `/admin/users/${target.username}`,
	    { body: { suspended_until: "next tuesday", reason: "x" } });
	assert.equal(junk.status, 422);
	assert.ok(junk.data.error.fields.suspended_until);

	const r = await postAs(admin, `/admin/users/${target.username}`, {
	    body: { suspended_until: soon(), reason: "spam in the board" } });
	assert.equal(r.status, 200, r.text);
	assert.match(r.data.user.suspended_until, RFC3339);

	// A suspended staff member cannot act as staff...
	const act = await postAs(target, "/admin/users/maker2", {
	    body: { verified: true } });
	assert.equal(act.status, 403);
	assert.equal(act.data.error.code, "suspended");
	assert.match(act.data.error.suspended_until, RFC3339);
	assert.equal(act.data.error.reason, "spam in the board");
	assert.ok(act.data.error.message.includes(
	    act.data.error.suspended_until), "the message says until when");
	// ...but can still log out and edit their own settings.
	const own = await postAs(target, "/settings", { body: { bio: "sorry" } });
	assert.equal(own.status, 200);

	const lift = await postAs(admin, `/admin/users/${target.username}`, {
	    body: { suspended_until: "", reason: "appeal accepted" } });
	assert.equal(lift.status, 200);
	assert.equal(lift.data.user.suspended_until, null);
	const after = await postAs(target, "/admin/users/maker2", {
	    body: { verified: true } });
	assert.equal(after.status, 200);
	const actions = (await getAs(admin, "/admin/audit")).data.entries
	    .filter((e) => e.target === target.username).map((e) => e.action);
	assert.ok(actions.includes("suspend") && actions.includes("unsuspend"));
});

test("staff user search: username, display name, real name, card; LIKE-safe",
    async () => {
	const staff = await login("staff1");
	for (const q of ["maker1", "创客一号", "陈一", "R0000001"]) {
		const r = await getAs(staff, `/admin/users?q=${encodeURIComponent(q)}`);
		assert.equal(r.status, 200);
		assert.ok(r.data.users.some((u) => u.username === "maker1"), q);
	}
	for (const q of ["%", "_", "\\", "'", "%_%"]) {
		const r = await getAs(staff, `/admin/users?q=${encodeURIComponent(q)}`);
		assert.equal(r.status, 200, q);
		assert.ok(!r.data.users.some((u) => u.username === "maker1"),
		    `${q} is literal`);
	}
	const html = await getAs(staff, "/admin/users?q=maker1", { json: false });
	assert.match(html.text, /陈一/);
	assert.match(html.text, /name="csrf" value="[A-Za-z0-9_-]{43}"/);
});
