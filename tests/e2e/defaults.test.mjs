// The board under its default rules.  Other files switch holds and
// new-member limits off to test mentions, notifications, caching and
// search; here the settings are the migrations' own defaults, and one
// story goes through everything a new member meets: held, approved,
// mentioned, searched, fed.  Then the settings no other test moves:
// images per post and leaving "new member" by days and by posts.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { ROOT, get, sql, login, newUser, postAs, getAs, setting }
    from "./lib.mjs";
import { openPage } from "./forms.mjs";

let staff, saved;

// The defaults as the migrations insert them: ('key', 'value') rows of
// every INSERT INTO site_settings (comments dropped first: they may hold
// a semicolon).
function migrationDefaults() {
	const out = {};
	for (const f of readdirSync(`${ROOT}/migrations`).sort()) {
		const src = readFileSync(`${ROOT}/migrations/${f}`, "utf8")
		    .replace(/--[^\n]*/g, "");
		for (const block of src.matchAll(
		    /INSERT INTO site_settings \(key, value\) VALUES([\s\S]*?);/g))
			for (const m of block[1].matchAll(/\('(\w+)', '([^']*)'\)/g))
				out[m[1]] = m[2];
	}
	return out;
}

// The defaults the statements fall back on: setting_int('key', N) in the
// migrations and assets/sql.
function codeDefaults() {
	const out = {};
	for (const dir of ["migrations", "assets/sql"])
		for (const f of readdirSync(`${ROOT}/${dir}`)) {
			const src = readFileSync(`${ROOT}/${dir}/${f}`, "utf8");
			for (const m of src.matchAll(
			    /setting_\w+\('(\w+)',\s*([^)\s]+)\)/g))
				(out[m[1]] ??= new Set()).add(m[2]);
		}
	return out;
}

const DEFAULTS = migrationDefaults();

before(async () => {
	saved = sql("SELECT json_object_agg(key, value) FROM site_settings");
	for (const [k, v] of Object.entries(DEFAULTS))
		setting(k, v);
	staff = await login("staff1");
	staff.username = "staff1";
});

after(() => {
	for (const [k, v] of Object.entries(JSON.parse(saved)))
		setting(k, JSON.stringify(v));
});

test("every setting is in docs/settings.md with the migrations' default",
    () => {
	const doc = readFileSync(`${ROOT}/docs/settings.md`, "utf8");
	const documented = {};
	for (const m of doc.matchAll(/^\| `(\w+)` \|[^\n]*\| `([^`]*)` \|$/gm))
		documented[m[1]] = m[2];
	assert.ok(Object.keys(DEFAULTS).length >= 20);
	const internal = new Set(["demo_loaded"]);
	for (const [k, v] of Object.entries(DEFAULTS)) {
		if (internal.has(k))
			continue;
		assert.ok(k in documented, `${k} is documented`);
		assert.equal(documented[k], v.replace(/^"|"$/g, ""), k);
	}
	// A setting only the statements know (no row) is documented with the
	// one default they all fall back on, and a row agrees with them.
	for (const [k, vs] of Object.entries(codeDefaults())) {
		assert.equal(vs.size, 1, `${k}: one fallback default, not ${[...vs]}`);
		assert.equal(documented[k], [...vs][0], `${k} is documented`);
		if (k in DEFAULTS)
			assert.equal(DEFAULTS[k], [...vs][0], `${k}: row and fallback`);
	}
	for (const k of Object.keys(documented))
		assert.ok(k in DEFAULTS || k in codeDefaults(),
		    `${k}: documented, read nowhere`);
});

async function feeds() {
	return [(await get("/board.rss", { json: false })).text,
	    (await get("/c/general.rss", { json: false })).text];
}

test("a new member under the default rules: held, approved, mentioned, " +
    "searched, fed", async () => {
	const word = `defaultstory${Date.now() % 1e6}`;
	const friend = await newUser({ verified: true });
	const u = await newUser({ display_name: "新来的创客" });
	// Verified by staff at the desk, through the staff route.
	const v = await postAs(staff, `/admin/users/${u.username}`, { body: {
	    verified: true, reason: "看过读者证" } });
	assert.equal(v.status, 200, v.text);

	// Pages and lists kept by the workers before anything happens.
	for (let i = 0; i < 4; i++) {
		await get("/board", { json: false });
		await get("/c/general", { json: false });
	}
	const r = await postAs(u, "/topics", { body: { category: "general",
	    title: `第一次发帖 ${word}`, body: `大家好 @${friend.username}，` +
	    `我在做 **${word}** 项目` } });
	assert.equal(r.status, 201, r.text);
	const t = r.data.topic;
	assert.equal(t.status, "pending", "a new member's first post waits");

	// Held: its author sees it waiting, nobody else sees anything.
	assert.equal((await get(t.url)).status, 404);
	assert.equal((await getAs(friend, t.url)).status, 404);
	const own = await openPage(u, t.url);
	assert.equal(own.status, 200);
	assert.match(own.text(), /等待审核/);
	for (let i = 0; i < 4; i++) {
		assert.ok(!(await get("/board", { json: false })).text
		    .includes(word), "not on the board");
		assert.ok(!(await get("/c/general", { json: false })).text
		    .includes(word));
	}
	assert.deepEqual((await get(`/search?q=${word}`)).data.results, [],
	    "not found");
	for (const f of await feeds())
		assert.ok(!f.includes(word), "not in the feeds");
	assert.ok(!(await getAs(friend, "/notifications")).data.notifications
	    .some((n) => n.url.startsWith(t.url)), "no mention yet");
	// The default spacing of a new member's posts: 30 s (in a published
	// topic: a held one takes no replies from its author).
	const open = (await get("/c/general")).data.topics[0].url;
	const again = await postAs(u, `${open}/posts`, { body: { body: "补充" } });
	assert.equal(again.status, 429);
	assert.ok(Number(again.headers.get("retry-after")) <= 30);

	// Staff find it in the queue, as a new member's, and approve it
	// with the queue's own form.
	const q = (await getAs(staff, "/mod/queue")).data.items
	    .find((i) => i.topic.url === t.url);
	assert.deepEqual(q.reasons, ["new_user"]);
	const queue = await openPage(staff, "/mod/queue");
	const ok = await queue.form({ near: word, hidden: { action: "approve" } })
	    .submit();
	assert.equal(ok.status, 303, ok.text.slice(0, 200));

	// Published: the page, the lists (kept ones too), the mention,
	// search and the feeds.
	for (let i = 0; i < 4; i++) {
		const page = await get(t.url, { json: false });
		assert.equal(page.status, 200);
		assert.match(page.text, new RegExp(`<strong>${word}</strong>`));
		assert.ok((await get("/board", { json: false })).text.includes(word));
		assert.ok((await get("/c/general", { json: false })).text
		    .includes(word));
	}
	const notes = (await getAs(friend, "/notifications")).data;
	const m = notes.notifications.filter((n) => n.type === "mention" &&
	    n.url.startsWith(t.url));
	assert.equal(m.length, 1, "the mention arrives with the approval");
	assert.ok(notes.unread >= 1);
	const found = (await get(`/search?q=${word}`)).data.results;
	assert.ok(found.some((x) => x.type === "topic" && x.url === t.url),
	    JSON.stringify(found));
	// One result per topic (docs/api.md#get-search): the opening post
	// matched, so the topic is found with its match counted.
	assert.ok(found.some((x) => x.url === t.url && x.matches >= 1),
	    "the post's words are indexed");
	for (const f of await feeds())
		assert.ok(f.includes(`第一次发帖 ${word}`), "in the feeds");

	// Mentioned in turn, by staff (never held): the new member's bell.
	const reply = await postAs(staff, `${t.url}/posts`, { body: {
	    body: `欢迎 @${u.username}！` } });
	assert.equal(reply.status, 201, reply.text);
	assert.equal(reply.data.post.status, "published");
	const bell = (await getAs(u, "/notifications")).data.notifications;
	const about = bell.filter((n) => n.url === reply.data.post.url);
	assert.deepEqual(about.map((n) => n.type), ["mention"],
	    "one notice per post and person: the mention, not also a reply");
	const home = await openPage(u, "/");
	assert.match(home.html,
	    /class="[^"]*\bbell"[^>]*>(?:(?!<\/a>)[\s\S])*<span class="count">\d+/);
});

test("new members: at most board_new_images_per_post images a post", async () => {
	setting("board_hold_first_posts", "0");
	setting("board_new_seconds_between", "0");
	const u = await newUser({ verified: true });
	const img = (i) => `![](/media/${String(i).repeat(64)}.jpg)`;
	const two = await postAs(u, "/topics", { body: { category: "general",
	    title: "两张图", body: `${img(1)} ${img(2)}` } });
	assert.equal(two.status, 422, "default: one image");
	assert.equal(two.data.error.code, "invalid");
	assert.ok(two.data.error.fields.body);
	const en = await postAs(u, "/topics?lang=en", { body: { category: "general",
	    title: "two images", body: `${img(1)} ${img(2)}` } });
	assert.match(en.data.error.fields.body, /image/i);
	const one = await postAs(u, "/topics", { body: { category: "general",
	    title: "一张图", body: img(3) } });
	assert.equal(one.status, 201, one.text);
	setting("board_new_images_per_post", "3");
	const three = await postAs(u, `${one.data.topic.url}/posts`, { body: {
	    body: `${img(4)} ${img(5)} ${img(6)}` } });
	assert.equal(three.status, 201, "the setting raises it");
	setting("board_new_images_per_post", "0");
	const none = await postAs(u, `${one.data.topic.url}/posts`, { body: {
	    body: img(7) } });
	assert.equal(none.status, 422, "and lowers it");
	const s = await postAs(staff, `${one.data.topic.url}/posts`, { body: {
	    body: `${img(1)} ${img(2)}` } });
	assert.equal(s.status, 201, "staff are never new members");
	for (const k of ["board_hold_first_posts", "board_new_seconds_between",
	    "board_new_images_per_post"])
		setting(k, DEFAULTS[k]);
});

// Three links: over a new member's two (board_new_links_per_post).
const links = "[a](http://a.cn) [b](http://b.cn) [c](http://c.cn)";

test("a member stops being new after board_new_user_posts published posts",
    async () => {
	setting("board_hold_first_posts", "0");
	setting("board_new_seconds_between", "0");
	setting("board_new_user_days", "0");	// age alone would not do
	setting("board_new_user_posts", "2");
	try {
		const u = await newUser({ verified: true });
		const t = await postAs(u, "/topics", { body: { category: "general",
		    title: "按帖数毕业", body: "第一帖" } });
		assert.equal(t.status, 201, t.text);
		const early = await postAs(u, `${t.data.topic.url}/posts`, {
		    body: { body: links } });
		assert.equal(early.status, 422, "one post: still new");
		assert.ok(early.data.error.fields.body);
		assert.equal((await postAs(u, `${t.data.topic.url}/posts`, {
		    body: { body: "第二帖" } })).status, 201);
		const later = await postAs(u, `${t.data.topic.url}/posts`, {
		    body: { body: links } });
		assert.equal(later.status, 201, "two published posts: not new");
		// Held posts do not count.
		setting("board_hold_first_posts", "1");
		const h = await newUser({ verified: true });
		const held = await postAs(h, "/topics", { body: {
		    category: "general", title: "被扣的帖子", body: "一" } });
		assert.equal(held.data.topic.status, "pending");
		setting("board_hold_first_posts", "0");
		// A held topic takes no replies from its author: reply in a
		// published one.
		const second = await postAs(h, `${t.data.topic.url}/posts`, {
		    body: { body: "二" } });
		assert.equal(second.status, 201);
		const third = await postAs(h, `${t.data.topic.url}/posts`, {
		    body: { body: links } });
		assert.equal(third.status, 422, "only published posts count");
	} finally {
		for (const k of ["board_hold_first_posts", "board_new_seconds_between",
		    "board_new_user_days", "board_new_user_posts"])
			setting(k, DEFAULTS[k]);
	}
});

test("a member stops being new after board_new_user_days days", async () => {
	setting("board_hold_first_posts", "0");
	setting("board_new_seconds_between", "0");
	setting("board_new_user_posts", "0");	// posts alone would not do
	try {
		const u = await newUser({ verified: true });
		const t = await postAs(u, "/topics", { body: { category: "general",
		    title: "按天数毕业", body: "第一帖" } });
		assert.equal(t.status, 201, t.text);
		const young = await postAs(u, `${t.data.topic.url}/posts`, {
		    body: { body: links } });
		assert.equal(young.status, 422, "an account of today is new " +
		    `(default ${DEFAULTS.board_new_user_days} days)`);
		// Days are counted from the account's creation: with the
		// setting at 0 the same account has been here long enough.
		setting("board_new_user_days", "0");
		const old = await postAs(u, `${t.data.topic.url}/posts`, {
		    body: { body: links } });
		assert.equal(old.status, 201, "old enough: not new");
		setting("board_new_user_days", "1");
		assert.equal((await postAs(u, `${t.data.topic.url}/posts`, {
		    body: { body: links } })).status, 422, "one day: new again");
	} finally {
		for (const k of ["board_hold_first_posts", "board_new_seconds_between",
		    "board_new_user_days", "board_new_user_posts"])
			setting(k, DEFAULTS[k]);
	}
});
