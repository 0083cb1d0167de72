// Staff at the desk (issue 12, items 6 and 7): verifying a class at once
// (POST /admin/verify), a POST rate limit that fits desk work, keyset
// pages and filters on /admin/users and /mod/queue, and role, licence
// and category names in the reader's language wherever they are shown.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { get, sql, login, newUser, postAs, getAs, setting } from "./lib.mjs";

const TAG = `d${process.pid % 1000}${Date.now() % 100000}`;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
let staff;

// A class: members who signed up and entered their real name and card
// at /settings, as the desk expects them to.
async function member(i, card = `${TAG}-C${i}`) {
	const u = await newUser({ display_name: `班级${TAG} ${i}` });
	const r = await postAs(u, "/settings", { body: {
	    real_name: `学生 ${i}`, reader_card: card } });
	assert.equal(r.status, 200, r.text);
	return { ...u, card };
}

async function members(n, from = 0) {
	const out = [];
	for (let i = 0; i < n; i += 10) {
		out.push(...await Promise.all(Array.from({ length:
		    Math.min(10, n - i) }, (_, j) => member(from + i + j))));
	}
	return out;
}

// Wait, when need, so that `need` seconds of the current rate-limit
// window (a calendar minute of the database's clock) are left.
async function freshWindow(need) {
	const sec = Number(sql("SELECT floor(extract(epoch FROM " +
	    "clock_timestamp()))::bigint % 60"));
	if (60 - sec < need)
		await sleep((60 - sec) * 1000 + 300);
}

before(async () => {
	staff = await login("staff1");
});

// ------------------------------------------------------------------
// Item 6: verifying a class

let klass;

test("a class of 60 lines with mixed errors: each line answered, every " +
    "verified member audited like a single verification", async () => {
	klass = await members(49);
	const ok = klass.slice(0, 43);
	const [already1, already2] = klass.slice(43, 45);
	const [sameCardA, sameCardB] = klass.slice(45, 47);
	const [cardIsName, nameOwner] = klass.slice(47, 49);
	const incomplete = await Promise.all([newUser(), newUser()]);
	// Two verified already (by a single verification); two share a card;
	// one's card is another's username.
	for (const u of [already1, already2]) {
		const r = await postAs(staff, `/admin/users/${u.username}`, {
		    body: { verified: true } });
		assert.equal(r.status, 200, r.text);
	}
	await postAs(sameCardB, "/settings", { body: {
	    reader_card: sameCardA.card } });
	await postAs(cardIsName, "/settings", { body: {
	    reader_card: nameOwner.username } });

	// 43 names (by username, '@username', card, in other cases) and 17
	// lines that cannot be verified, blank lines between.
	const lines = [];
	const want = [];
	ok.forEach((u, i) => {
		const forms = [u.username, `@${u.username}`, u.card,
		    u.card.toLowerCase(), `  ${u.username.toUpperCase()}\t`];
		lines.push(forms[i % forms.length]);
		want.push(["verified", u.username]);
	});
	const bad = [
		["nobody_" + TAG, "unknown"], [`${TAG}-NOCARD`, "unknown"],
		["@", "unknown"],
		[already1.username, "already_verified"],
		[already2.card, "already_verified"],
		[ok[0].card, "duplicate"], [ok[1].username, "duplicate"],
		[sameCardA.card, "ambiguous"],
		[nameOwner.username, "ambiguous"],
		["mentor1", "not_member"], ["staff1", "not_member"],
		["admin", "not_member"],
		[incomplete[0].username, "incomplete"],
		[incomplete[1].username, "incomplete"],
		["nobody2_" + TAG, "unknown"],
		[ok[2].username.toUpperCase(), "duplicate"],
		[`${TAG}-C999`, "unknown"],
	];
	for (const [line, error] of bad) {
		lines.push(line);
		want.push(["error", error]);
	}
	assert.equal(lines.length, 60);
	// A blank line after every tenth: line numbers are the pasted ones.
	const text = lines.map((l, i) => (i % 10 === 9 ? `${l}\r\n` : l))
	    .join("\n");
	const numbers = [];
	text.split("\n").forEach((l, i) => {
		if (l.trim() !== "")
			numbers.push(i + 1);
	});

	const reason = `三年级二班 ${TAG}`;
	const r = await postAs(staff, "/admin/verify", { body: {
	    lines: text, reason } });
	assert.equal(r.status, 200, r.text);
	assert.equal(r.data.results.length, 60);
	assert.equal(r.data.verified, 43);
	assert.equal(r.data.failed, 17);
	r.data.results.forEach((res, i) => {
		assert.equal(res.line, numbers[i], `result ${i}`);
		assert.equal(res.input, lines[i].trim(), `line ${res.line}`);
		if (want[i][0] === "verified") {
			assert.equal(res.status, "verified", JSON.stringify(res));
			assert.equal(res.error, null);
			assert.equal(res.user.username, want[i][1]);
		} else {
			assert.equal(res.status, "error", JSON.stringify(res));
			assert.equal(res.error, want[i][1],
			    `line ${res.line} ${lines[i]}`);
		}
	});

	// The members can now create content; the others still cannot.
	const verified = await getAs(ok[7], "/session");
	assert.equal(verified.data.user.verified, true);
	const t = await postAs(ok[7], "/projects", { body: {
	    title: "验证之后", status: "draft" } });
	assert.equal(t.status, 201, t.text);
	const no = await postAs(incomplete[0], "/projects", { body: {
	    title: "还不行", status: "draft" } });
	assert.equal(no.status, 403);
	assert.equal(no.data.error.code, "verification_required");
	for (const u of [sameCardA, sameCardB, nameOwner])
		assert.equal((await getAs(u, "/session")).data.user.verified,
		    false, u.username);

	// Every one of the 43 in the audit log: who, what, whom, why.
	const entries = [];
	for (let cursor = ""; entries.length < 400;) {
		const a = await getAs(staff, `/admin/audit${cursor}`);
		entries.push(...a.data.entries);
		if (!a.data.next_cursor || a.data.entries.some((e) =>
		    e.target === already1.username))
			break;
		cursor = `?cursor=${a.data.next_cursor}`;
	}
	const mine = entries.filter((e) => e.reason === reason);
	assert.equal(mine.length, 43);
	assert.deepEqual(new Set(mine.map((e) => e.target)),
	    new Set(ok.map((u) => u.username)));
	for (const e of mine) {
		assert.equal(e.actor, "staff1");
		assert.equal(e.action, "verify");
		assert.equal(e.details.bulk, true);
	}

	// Again: every line is now an error, nothing more is audited.
	const again = await postAs(staff, "/admin/verify", { body: {
	    lines: ok.map((u) => u.username).join("\n"), reason } });
	assert.equal(again.data.verified, 0);
	assert.ok(again.data.results.every((x) =>
	    x.error === "already_verified"));
});

test("bulk verification as a page: results and errors in the reader's " +
    "language; bad lists are refused with a message", async () => {
	const [a] = await members(1, 100);
	const page = await getAs(staff, "/admin/verify", { json: false });
	assert.equal(page.status, 200);
	const csrf = page.text.match(/name="csrf" value="([^"]+)"/)[1];
	const r = await postAs(staff, "/admin/verify", { json: false, form: {
	    csrf, lines: `${a.username}\nnobody_${TAG}\n<b>x</b>` } });
	assert.equal(r.status, 200, r.text);
	assert.match(r.text, /已认证 1 人/);
	assert.match(r.text, /没有用户使用这个用户名或读者证号/);
	assert.match(r.text, /&lt;b&gt;x&lt;\/b&gt;/, "lines come back escaped");
	assert.ok(!r.text.includes("<b>x</b>"));
	const en = await postAs(staff, "/admin/verify?lang=en", { json: false,
	    form: { csrf, lines: `${a.username}\nmentor1` } });
	assert.match(en.text, /Already verified\./);
	assert.match(en.text, /Mentors, staff and admins count as verified/);

	const empty = await postAs(staff, "/admin/verify", { body: {
	    lines: " \n\n\t" } });
	assert.equal(empty.status, 422);
	assert.ok(empty.data.error.fields.lines);
	const long = await postAs(staff, "/admin/verify", { body: {
	    lines: `ok\n${"x".repeat(65)}` } });
	assert.equal(long.status, 422);
	assert.match(long.data.error.fields.lines, /2/);
	const many = await postAs(staff, "/admin/verify", { body: {
	    lines: Array.from({ length: 501 }, (_, i) => `n${i}`)
	    .join("\n") } });
	assert.equal(many.status, 422);
	assert.match(many.data.error.fields.lines, /500/);
	// A JSON client may send the lines as an array.
	const [b] = await members(1, 101);
	const arr = await postAs(staff, "/admin/verify", { body: {
	    lines: [b.username, ""] } });
	assert.equal(arr.status, 200, arr.text);
	assert.equal(arr.data.verified, 1);

	const maker = await newUser({ verified: true });
	const refused = await postAs(maker, "/admin/verify", { body: {
	    lines: a.username } });
	assert.equal(refused.status, 403);
});

test("the staff menu and /admin/users lead to the bulk page", async () => {
	const users = await getAs(staff, "/admin/users", { json: false });
	assert.match(users.text, /href="\/admin\/verify"/);
	const home = await getAs(staff, "/", { json: false });
	assert.match(home.text, /<nav class="main-nav"[\s\S]*href="\/admin\/users"[\s\S]*<\/nav>/);
	const maker = await login("maker1");
	const mh = await getAs(maker, "/", { json: false });
	assert.ok(!mh.text.includes('href="/admin/users"'),
	    "members do not see the staff link");
});

// ------------------------------------------------------------------
// Item 6: the rate limit for staff

test("100 single verifications in a minute are not rate limited for " +
    "staff; a member's 61st POST in a minute is", async () => {
	const desk = await newUser({ verified: true, role: "staff" });
	const maker = await newUser({ verified: true });
	const pool = klass.slice(0, 20);
	await freshWindow(40);
	const t0 = Date.now();
	for (let round = 0; round < 5; round++) {
		// Test setup: the same 20 people come to the desk again.
		sql(`UPDATE users SET verified_at = NULL WHERE id IN
		    (${pool.map((u) => u.user.id).join(",")})`);
		for (const [i, u] of pool.entries()) {
			const r = await postAs(desk, `/admin/users/${u.username}`,
			    { body: { verified: true, reason: "desk" } });
			assert.equal(r.status, 200,
			    `verification ${round * 20 + i + 1}: ${r.text}`);
			assert.equal(r.data.changed, true);
		}
	}
	const statuses = [];
	for (let i = 0; i < 61; i++) {
		const r = await postAs(maker, "/notifications/read", {
		    body: {} });
		statuses.push(r.status);
	}
	assert.ok(Date.now() - t0 < 60000, "all within one window");
	assert.deepEqual(statuses.slice(0, 60), Array(60).fill(200));
	assert.equal(statuses[60], 429);
});

test("staff_posts_per_minute is the staff's own setting", async () => {
	const desk = await newUser({ verified: true, role: "staff" });
	const maker = await newUser({ verified: true });
	const [u] = klass;
	try {
		setting("staff_posts_per_minute", 3);
		setting("posts_per_minute", 1000);
		await freshWindow(20);
		const st = [];
		for (let i = 0; i < 4; i++) {
			st.push((await postAs(desk, `/admin/users/${u.username}`,
			    { body: { verified: true } })).status);
		}
		assert.deepEqual(st, [200, 200, 200, 429]);
		for (let i = 0; i < 5; i++) {
			const r = await postAs(maker, "/notifications/read",
			    { body: {} });
			assert.equal(r.status, 200, "members: posts_per_minute");
		}
	} finally {
		setting("staff_posts_per_minute", 300);
		setting("posts_per_minute", 60);
	}
	assert.equal(sql("SELECT value FROM site_settings " +
	    "WHERE key = 'staff_posts_per_minute'"), "300");
});

// ------------------------------------------------------------------
// Item 7: /admin/users, keyset pages and filters

async function usersPages(query) {
	const seen = [];
	let url = `/admin/users?${query}`;
	let pages = 0;
	const between = [];
	for (;;) {
		const r = await getAs(staff, url);
		assert.equal(r.status, 200, r.text);
		assert.ok(r.data.users.length <= 50);
		seen.push(...r.data.users);
		pages++;
		if (pages === 1)
			between.push(...await members(3, 200));
		if (!r.data.next_cursor)
			break;
		url = `/admin/users?${query}&cursor=${r.data.next_cursor}`;
	}
	return { seen, pages, between };
}

test("/admin/users: 50 a page, newest first, every page walked once " +
    "even with sign-ups in between; filters", async () => {
	// klass (49) + 2 + 3 more of the class, all named 班级<TAG>.
	const q = encodeURIComponent(`班级${TAG}`);
	const page1 = (await getAs(staff, `/admin/users?q=${q}`)).data;
	assert.equal(page1.users.length, 50);
	assert.ok(page1.next_cursor);
	const total = page1.count;
	assert.ok(total > 50 && total < 100, `${total}`);
	const { seen, pages, between } = await usersPages(`q=${q}`);
	assert.equal(pages, 2);
	const ids = seen.map((u) => u.id);
	assert.equal(new Set(ids).size, ids.length, "no user twice");
	assert.equal(ids.length, total, "no user skipped");
	assert.deepEqual([...ids].sort((a, b) => b - a), ids, "newest first");
	assert.ok(!between.some((u) => ids.includes(u.user.id)),
	    "sign-ups after page 1 are newer than any page");
	const after = (await getAs(staff, `/admin/users?q=${q}`)).data;
	assert.equal(after.count, total + 3);
	assert.equal(after.users[0].id,
	    Math.max(...between.map((u) => u.user.id)), "newest first");

	// Filters, with the search.
	const unv = await getAs(staff, `/admin/users?q=${q}&verified=no`);
	assert.ok(unv.data.users.length > 0);
	assert.ok(unv.data.users.every((u) => !u.verified));
	const ver = await getAs(staff, `/admin/users?q=${q}&verified=yes`);
	assert.ok(ver.data.count >= 43);
	assert.ok(ver.data.users.every((u) => u.verified));
	assert.equal(ver.data.count + unv.data.count, after.count);
	const staffOnly = await getAs(staff, "/admin/users?role=staff");
	assert.ok(staffOnly.data.users.some((u) => u.username === "staff1"));
	assert.ok(staffOnly.data.users.every((u) => u.role === "staff"));
	const mentors = await getAs(staff, "/admin/users?role=mentor");
	assert.ok(mentors.data.users.every((u) => u.role === "mentor"));
	const s = klass[48];
	const admin = await login("admin");
	const until = new Date(Date.now() + 3 * 86400e3).toISOString()
	    .slice(0, 10);
	await postAs(admin, `/admin/users/${s.username}`, { body: {
	    suspended_until: until, reason: "test" } });
	const susp = await getAs(staff, `/admin/users?q=${q}&suspended=yes`);
	assert.deepEqual(susp.data.users.map((u) => u.username), [s.username]);
	const notSusp = await getAs(staff, `/admin/users?q=${q}&suspended=no`);
	assert.equal(notSusp.data.count, after.count - 1);

	// The page's next link keeps the search and filters.
	const html = await getAs(staff, `/admin/users?q=${q}&role=member`,
	    { json: false });
	const next = html.text.match(/rel="next" href="([^"]+)"/);
	assert.ok(next, "a link to the next page");
	const nextUrl = next[1].replaceAll("&amp;", "&");
	assert.match(nextUrl, /role=member/);
	assert.match(nextUrl, new RegExp(`q=${q}`));
	const p2 = await getAs(staff, nextUrl);
	assert.equal(p2.status, 200, p2.text);
	assert.ok(p2.data.users.every((u) => u.role === "member"));
	assert.equal(p2.data.users.length, after.count - 50);
	assert.match(html.text, /<option value="member" selected>/);

	for (const bad of ["role=king", "verified=maybe", "cursor=abc",
	    "suspended=2", "cursor=1.2"]) {
		const r = await getAs(staff, `/admin/users?${bad}`);
		assert.equal(r.status, 400, bad);
	}
});

// ------------------------------------------------------------------
// Item 7: /mod/queue, keyset pages and filters

let poster, words;
const held = [];
const replies = [];

async function heldReply(t, i) {
	const r = await postAs(poster, `${t.url}/posts`, { body: {
	    body: `第 ${i} 条 ${TAG}词 内容` } });
	assert.equal(r.status, 201, r.text);
	assert.equal(r.data.post.status, "pending");
	held.push(r.data.post.id);
	replies.push(r.data.post.id);
	return r.data.post.id;
}

// A new member's topic: its opening post waits (new_user); its id.
async function heldTopic(who, title) {
	const t = await postAs(who, "/topics", { body: {
	    category: "general", title, body: "开头" } });
	assert.equal(t.status, 201, t.text);
	assert.equal(t.data.topic.status, "pending");
	const id = Number(sql(`SELECT id FROM posts WHERE topic_id =
	    ${t.data.topic.id} AND number = 1`));
	held.push(id);
	return { topic: t.data.topic, first: id };
}

async function queueWalk(query, between) {
	const seen = [];
	let url = `/mod/queue?${query}`;
	let first = null;
	for (let n = 0; n < 100; n++) {
		const r = await getAs(staff, url);
		assert.equal(r.status, 200, r.text);
		assert.ok(r.data.items.length <= 20);
		first ??= r.data;
		seen.push(...r.data.items);
		if (n === 0 && between)
			await between();
		if (!r.data.next_cursor)
			break;
		url = `/mod/queue?${query}${query ? "&" : ""}cursor=${
		    r.data.next_cursor}`;
	}
	return { seen, first };
}

test("/mod/queue: 20 a page, oldest first, every item once even with " +
    "new ones in between; filters by reason and status", async () => {
	setting("board_hold_first_posts", "1");
	setting("board_flag_threshold", "3");
	setting("board_new_seconds_between", "0");
	setting("board_new_posts_per_day", "1000");
	setting("posts_per_minute", "1000");
	words = (await getAs(staff, "/mod/words")).data;
	const w = await postAs(staff, "/mod/words", { body: {
	    block: [...words.block, `${TAG}词`].join("\n"),
	    allow: words.allow.join("\n") } });
	assert.equal(w.status, 200, w.text);
	// The poster's first post waits (new_user) and is approved; then
	// every reply with the blocked word waits (sensitive).
	poster = await newUser({ verified: true });
	const pt = await heldTopic(poster, `队列 ${TAG}`);
	const ok = await postAs(staff, `/mod/posts/${pt.first}`, { body: {
	    action: "approve" } });
	assert.equal(ok.status, 200, ok.text);
	const topic = pt.topic;
	for (let i = 0; i < 25; i++)
		await heldReply(topic, i);
	// Another new member's first topic waits: new_user.
	const newbie = await newUser({ verified: true });
	const opening = (await heldTopic(newbie, `新人 ${TAG}`)).first;
	// A published post of someone else's, flagged once: flags.
	const other = await newUser({ verified: true });
	const flagged = (await heldTopic(other, `被举报 ${TAG}`)).first;
	await postAs(staff, `/mod/posts/${flagged}`, { body: {
	    action: "approve" } });
	const flagger = await newUser({ verified: true });
	const f = await postAs(flagger, `/posts/${flagged}/flag`, { body: {
	    reason: "spam" } });
	assert.equal(f.status, 200, f.text);
	const mine = new Set([...replies, opening, flagged]);

	const all = await getAs(staff, "/mod/queue");
	assert.equal(all.data.items.length, 20);
	assert.ok(all.data.next_cursor);
	const added = [];
	const { seen, first } = await queueWalk("", async () => {
		for (let i = 0; i < 3; i++)
			added.push(await heldReply(topic, 100 + i));
	});
	const ids = seen.map((x) => x.post.id);
	assert.equal(new Set(ids).size, ids.length, "no item twice");
	for (const id of mine)
		assert.ok(ids.includes(id), `item ${id} on some page`);
	for (const id of added)
		assert.ok(ids.includes(id), "new items come on a later page");
	const order = seen.map((x) => [x.queued_at, x.post.id]);
	for (let i = 1; i < order.length; i++) {
		assert.ok(Date.parse(order[i - 1][0]) <= Date.parse(order[i][0]),
		    "oldest first");
	}
	assert.equal(ids.length, first.count + added.length,
	    "the walk saw everything that waits");
	assert.equal(first.matching, first.count);

	const sens = await queueWalk("reason=sensitive");
	assert.ok(sens.seen.every((x) => x.reasons.includes("sensitive")));
	assert.equal(sens.seen.filter((x) => mine.has(x.post.id)).length, 25);
	assert.equal(sens.seen.length, sens.first.matching);
	assert.ok(sens.first.matching < sens.first.count);
	const fl = await queueWalk("reason=flags");
	assert.ok(fl.seen.some((x) => x.post.id === flagged));
	assert.ok(fl.seen.every((x) => x.reasons.includes("flags")));
	const nu = await queueWalk("reason=new_user&status=pending");
	assert.ok(nu.seen.some((x) => x.post.id === opening));
	assert.ok(nu.seen.every((x) => x.reasons.includes("new_user") &&
	    x.status === "pending"));
	const pub = await queueWalk("status=published");
	assert.ok(pub.seen.some((x) => x.post.id === flagged));
	assert.ok(pub.seen.every((x) => x.status === "published"));

	// The page: next link with the filters, actions come back to it.
	const html = await getAs(staff, "/mod/queue?reason=sensitive",
	    { json: false });
	const next = html.text.match(/rel="next" href="([^"]+)"/);
	assert.ok(next, "a link to the next page");
	const nextUrl = next[1].replaceAll("&amp;", "&");
	assert.match(nextUrl, /^\/mod\/queue\?reason=sensitive&cursor=\d+\.\d+$/);
	const p2 = await getAs(staff, nextUrl, { json: false });
	assert.match(p2.text, /<option value="sensitive" selected>/);
	const csrf = p2.text.match(/name="csrf" value="([^"]+)"/)[1];
	const form = p2.text.match(/<form method="post" action="\/mod\/posts\/(\d+)">([\s\S]*?)<\/form>/);
	assert.match(form[2], /name="f_reason" value="sensitive"/);
	const cursor = nextUrl.split("cursor=")[1];
	const back = await postAs(staff, `/mod/posts/${form[1]}`, {
	    json: false, form: { csrf, action: "approve", view: "review",
	    f_reason: "sensitive", f_status: "", f_cursor: cursor } });
	assert.equal(back.status, 303, back.text);
	assert.equal(back.headers.get("location"), nextUrl);
	const other2 = replies.find((id) => String(id) !== form[1]);
	const odd = await postAs(staff, `/mod/posts/${other2}`, {
	    json: false, form: { csrf, action: "approve", view: "review",
	    f_reason: "<x>", f_cursor: "//evil.example" } });
	assert.equal(odd.headers.get("location"), "/mod/queue");

	for (const bad of ["reason=king", "status=deleted", "cursor=abc",
	    "cursor=1", "cursor=.5"]) {
		const r = await getAs(staff, `/mod/queue?${bad}`);
		assert.equal(r.status, 400, bad);
	}
});

after(async () => {
	// Put the lists back and clear what this file left in the queue.
	if (words) {
		await postAs(staff, "/mod/words", { body: {
		    block: words.block.join("\n"),
		    allow: words.allow.join("\n") } });
	}
	for (const id of held) {
		await postAs(staff, `/mod/posts/${id}`, { body: {
		    action: "delete" } });
	}
	setting("board_new_seconds_between", "30");
	setting("board_new_posts_per_day", "10");
	setting("posts_per_minute", "60");
});

// ------------------------------------------------------------------
// Item 7: no raw catalog keys or option values shown

const RAW = new Set(["member", "mentor", "staff", "admin",
    "all-rights-reserved", "general"]);
const KEY = /^[a-z]+(\.[a-z_]+)+$/;

function decode(s) {
	return s.replace(/&lt;/g, "<").replace(/&gt;/g, ">")
	    .replace(/&quot;/g, "\"").replace(/&#39;/g, "'")
	    .replace(/&amp;/g, "&");
}

// The text a reader sees: text nodes outside script, style and head
// (title included), each split at the "·" separators the pages use.
function visibleText(html) {
	const body = html.replace(/<head>[\s\S]*?<\/head>/i, "")
	    .replace(/<(script|style|title)\b[\s\S]*?<\/\1>/gi, "")
	    .replace(/<!--[\s\S]*?-->/g, "");
	const out = [];
	for (const chunk of body.split(/<[^>]*>/)) {
		for (const piece of decode(chunk).split("·")) {
			const t = piece.trim();
			if (t)
				out.push(t);
		}
	}
	return out;
}

function options(html) {
	return [...html.matchAll(/<option value="([^"]*)"[^>]*>([^<]*)<\/option>/g)]
	    .map((m) => ({ value: decode(m[1]), text: decode(m[2]).trim() }));
}

function assertNoRaw(path, html) {
	for (const t of visibleText(html)) {
		assert.ok(!KEY.test(t), `${path}: catalog key shown: ${t}`);
		assert.ok(!RAW.has(t), `${path}: raw value shown: ${t}`);
	}
	for (const [select] of html.matchAll(/<select\b[\s\S]*?<\/select>/g)) {
		const seen = new Set();
		for (const o of options(select)) {
			assert.ok(!seen.has(o.value), `${path}: option ` +
			    `${o.value} twice in one list`);
			seen.add(o.value);
			if (o.value !== "")
				assert.notEqual(o.text, o.value, `${path}: ` +
				    `option ${o.value} shows its raw value`);
		}
	}
}

test("no raw catalog keys, role, licence or category values are shown " +
    "on the staff and form pages, in both languages", async () => {
	const maker = await newUser({ verified: true });
	const p = await postAs(maker, "/projects", { body: {
	    title: `保留权利 ${TAG}`, license: "all-rights-reserved",
	    status: "published" } });
	assert.equal(p.status, 201, p.text);
	const pid = p.data.project.id;
	const paths = ["/admin/users", "/admin/users?role=member&verified=no",
	    "/mod/queue", "/mod/queue?view=hidden", "/admin/verify",
	    "/projects/new", "/topics/new", "/topics/new?category=help",
	    "/settings", `/projects/${pid}`, "/u/staff1", "/u/maker1"];
	for (const lang of ["zh-CN", "en"]) {
		for (const path of paths) {
			const url = `${path}${path.includes("?") ? "&" : "?"}` +
			    `lang=${lang}`;
			const r = await getAs(staff, url, { json: false });
			assert.equal(r.status, 200, url);
			assertNoRaw(url, r.text);
		}
		const own = await getAs(maker, `/projects/${pid}/edit?lang=${lang}`,
		    { json: false });
		assertNoRaw(`edit ${lang}`, own.text);
	}
	const zh = await get(`/projects/${pid}`, { json: false });
	assert.match(zh.text, /保留所有权利/);
	const en = await get(`/projects/${pid}?lang=en`, { json: false });
	assert.match(en.text, /All rights reserved/);
	const users = await getAs(staff, "/admin/users?role=mentor&lang=en",
	    { json: false });
	assert.match(users.text, /@mentor1 · Mentor/);
});

test("forms select the value they stand for: the licence of the project, " +
    "the category asked for, what was sent with an error", async () => {
	const maker = await newUser({ verified: true });
	const p = await postAs(maker, "/projects", { body: {
	    title: `MIT ${TAG}`, license: "MIT", status: "draft" } });
	const edit = await getAs(maker, `/projects/${p.data.project.id}/edit`,
	    { json: false });
	const sel = [...edit.text.matchAll(/<option value="([^"]+)" selected>/g)]
	    .map((m) => m[1]);
	assert.deepEqual(sel, ["MIT"]);
	const fresh = await getAs(maker, "/projects/new", { json: false });
	assert.deepEqual([...fresh.text.matchAll(
	    /<option value="([^"]+)" selected>/g)].map((m) => m[1]),
	    ["CC-BY-4.0"]);
	const csrf = fresh.text.match(/name="csrf" value="([^"]+)"/)[1];
	const bad = await postAs(maker, "/projects", { json: false, form: {
	    csrf, title: "", license: "GPL-3.0-or-later" } });
	assert.equal(bad.status, 422);
	assert.match(bad.text, /<option value="GPL-3.0-or-later" selected>/);
	const topics = await getAs(maker, "/topics/new?category=show-and-tell",
	    { json: false });
	const opts = options(topics.text);
	assert.equal(opts[0].value, "general");
	assert.notEqual(opts[0].text, "general");
	assert.match(topics.text,
	    /<option value="show-and-tell" selected>/);
	assert.equal((topics.text.match(/ selected>/g) || []).length, 1);
});
