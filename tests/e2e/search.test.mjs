// Search (GET /search) and the board's feeds (GET /board.rss,
// GET /c/{slug}.rss): Chinese and English, one result per topic with its
// count of matching posts, highlighted and escaped excerpts around the
// match, the total, only what the viewer may see, hostile queries, the
// type filter, pages, projects; feeds with public content only,
// well-formed and escaped.  Content is made over HTTP the
// way people make it, so its search tokens are app/search.c's own.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { get, newUser, login, postAs, getAs, setting } from "./lib.mjs";
// Test setup with no HTTP equivalent (moving the posts' id sequence).
import { sql as rawSql } from "./lib.mjs";

let staff, maker, fresh;

// A word no other test (or run) has written: Latin, and two Han
// characters from a random place in the block.
const seed = `${process.pid}${Date.now() % 100000}`;
const latin = (tag) => `${tag}${seed}`;
const han = (() => {
	const n = Number(seed) % 20000;
	return String.fromCodePoint(0x4e00 + n, 0x4e00 + (n * 7 + 3) % 20000);
})();

function relaxed() {
	setting("board_hold_first_posts", "0");
	setting("board_new_seconds_between", "0");
	setting("board_new_posts_per_day", "1000");
}
function defaults() {
	setting("board_hold_first_posts", "1");
	setting("board_new_seconds_between", "30");
	setting("board_new_posts_per_day", "10");
}

before(async () => {
	relaxed();
	staff = await newUser({ verified: true, role: "staff" });
	maker = await newUser({ verified: true, display_name: "搜索者" });
	fresh = await newUser({ verified: true });
});
after(() => defaults());

async function topic(who, fields = {}) {
	const r = await postAs(who, "/topics", { body: { category: "general",
	    title: "一个话题", body: "话题内容", ...fields } });
	assert.equal(r.status, 201, r.text);
	return r.data.topic;
}

async function reply(who, t, body) {
	const r = await postAs(who, `${t.url}/posts`, { body: { body } });
	assert.equal(r.status, 201, r.text);
	return r.data.post;
}

function modPost(pid, action) {
	return postAs(staff, `/mod/posts/${pid}`, { body: { action,
	    reason: "测试" } });
}

async function search(q, opts = {}) {
	const params = new URLSearchParams({ q, ...(opts.type ? { type:
	    opts.type } : {}), ...(opts.cursor ? { cursor: opts.cursor } : {}) });
	const r = opts.who ? await getAs(opts.who, `/search?${params}`) :
	    await get(`/search?${params}`);
	assert.equal(r.status, 200, `${q}: ${r.text.slice(0, 200)}`);
	assert.ok(Array.isArray(r.data.results), r.text);
	return r.data;
}

const urls = (d) => d.results.map((x) => x.url);

test("Chinese: 打印 finds 打印机 in a topic title and in a post body",
    async () => {
	const t = await topic(maker, { title: `${han} 打印机喷头堵了`,
	    body: "换了喷头也不行" });
	const p = await reply(maker, t, `${han} 楼下的激光打印机可以用`);
	const d = await search("打印");
	const mine = d.results.filter((x) => x.topic_id === t.id);
	assert.equal(mine.length, 1, "one result for the topic");
	assert.equal(mine[0].url, `${t.url}#post-${p.number}`,
	    "it links to the matching post");
	const both = await search(`${han} 打印`);
	assert.equal(both.results.length, 1, JSON.stringify(both));
	assert.equal(both.total, 1);
	assert.equal(both.total_more, false);
	const rp = both.results[0];
	assert.equal(rp.type, "post");
	assert.equal(rp.id, p.id);
	assert.equal(rp.topic_id, t.id);
	assert.equal(rp.title, `${han} 打印机喷头堵了`,
	    "a post is shown by its topic's title");
	assert.equal(rp.url, `/t/${t.id}#post-2`);
	assert.equal(rp.excerpt, `${han} 楼下的激光打印机可以用`);
	assert.equal(rp.matches, 1, "the opening post does not say 打印");
	assert.match(rp.at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$/);
	// The title and the reply match: one result, one matching post.
	const han2 = await search(`${han}`);
	assert.equal(han2.results.length, 1);
	assert.equal(han2.results[0].matches, 1,
	    "only the reply has the word in its body");
	const op = await search(`${han} 喷头`);
	assert.equal(op.results.length, 1);
	assert.equal(op.results[0].type, "topic",
	    "the opening post matches: the topic itself");
	assert.equal(op.results[0].id, t.id);
	assert.equal(op.results[0].url, `/t/${t.id}`);
	// The title alone: the opening post's start as the excerpt.
	const title = await search(`${han} 堵了`);
	assert.equal(title.results.length, 1);
	assert.equal(title.results[0].type, "topic");
	assert.equal(title.results[0].excerpt, "换了喷头也不行");
	assert.equal(title.results[0].matches, 0);
	// The whole word, and a word that is not there.
	assert.equal((await search(`${han} 打印机`)).results.length, 1);
	assert.equal((await search(`${han} 机打`)).results.length, 0);
	assert.equal(d.q, "打印");
	assert.equal(d.type, null);
});

test("English and ESP32, any case", async () => {
	const w = latin("eng");
	const t = await topic(maker, { category: "equipment",
	    title: `Using an ESP32 with ${w}`, body: `The **Arduino** core works; ${w}` });
	for (const q of [`esp32 ${w}`, `ESP32 ${w}`, `Esp32, ${w}!`]) {
		const d = await search(q);
		assert.deepEqual(urls(d), [t.url], q);
	}
	const body = await search(`arduino ${w}`);
	assert.equal(body.results.length, 1);
	assert.equal(body.results[0].type, "topic", "the opening post");
	assert.equal(body.results[0].excerpt, `The Arduino core works; ${w}`,
	    "plain text: Markdown marks are gone");
	assert.deepEqual(body.results[0].excerpt_parts, [
	    { text: "The ", hit: false }, { text: "Arduino", hit: true },
	    { text: " core works; ", hit: false }, { text: w, hit: true }]);
	assert.deepEqual(body.results[0].title_parts, [
	    { text: "Using an ESP32 with ", hit: false }, { text: w, hit: true }]);
	assert.equal((await search(`esp ${w}`)).results.length, 0,
	    "words, not prefixes");
});

test("only published content the viewer may read is found", async () => {
	const w = latin("vis");
	const pub = await topic(maker, { title: `public ${w}`, body: `open ${w}` });
	// Held: a new user's first post waits for review.
	setting("board_hold_first_posts", "1");
	const heldTopic = await topic(fresh, { title: `held ${w}`,
	    body: `held body ${w}` });
	assert.equal(heldTopic.status, "pending");
	setting("board_hold_first_posts", "0");
	// A published reply inside that held topic is not found either.
	const inHeld = await reply(staff, heldTopic, `staff reply ${w}`);
	assert.equal(inHeld.status, "published");
	// Hidden, rejected, deleted replies.
	const hidden = await reply(maker, pub, `hidden ${w}`);
	assert.equal((await modPost(hidden.id, "hide")).status, 200);
	const words = (await getAs(staff, "/mod/words")).data;
	assert.equal((await postAs(staff, "/mod/words", { body: {
	    block: [...words.block, `blockedword${seed}`] } })).status, 200);
	const rejected = await reply(maker, pub, `rejected ${w} blockedword${seed}`);
	assert.equal(rejected.status, "pending");
	const pending = await reply(maker, pub, `pending ${w} blockedword${seed}`);
	assert.equal((await modPost(rejected.id, "reject")).status, 200);
	const deleted = await reply(maker, pub, `deleted ${w}`);
	assert.equal((await modPost(deleted.id, "delete")).status, 200);
	assert.equal((await postAs(staff, "/mod/words", { body: {
	    block: words.block } })).status, 200);
	// The staff room.
	const secret = await topic(staff, { category: "staff",
	    title: `staff only ${w}`, body: `staff body ${w}` });

	const hidden_urls = [heldTopic.url, `${heldTopic.url}#post-1`,
	    `${heldTopic.url}#post-2`, `${pub.url}#post-${hidden.number}`,
	    `${pub.url}#post-${rejected.number}`,
	    `${pub.url}#post-${pending.number}`,
	    `${pub.url}#post-${deleted.number}`];
	const member = await newUser({ verified: true });
	for (const who of [null, member, maker, fresh]) {
		const d = await search(w, { who });
		const got = urls(d).sort();
		assert.deepEqual(got, [pub.url],
		    `${who?.username ?? "anonymous"}: ${got}`);
		assert.equal(d.results[0].matches, 1,
		    "held, hidden, rejected and deleted replies are not counted");
		assert.equal(d.total, 1);
	}
	const s = await search(w, { who: staff });
	assert.deepEqual(urls(s).sort(), [pub.url, secret.url].sort(),
	    "staff find the staff room, and still nothing held or removed");
	for (const u of hidden_urls)
		assert.ok(!urls(s).includes(u), u);
	assert.equal(s.total, 2);
	assert.ok(s.results.every((x) => x.matches === 1), JSON.stringify(s));
	const admin = await login("admin");
	assert.equal((await search(w, { who: admin })).results.length, 2);
});

test("hostile queries are answered like any other", async () => {
	const qs = ["%", "_", "\\", "'", "\"", "''; DROP TABLE posts; --",
	    "a & b | !c", "foo:*", "<script>alert(1)</script>", "!!!", "",
	    " ", "打印%", "%_\\", "x".repeat(250), "打印".repeat(100),
	    "ab ".repeat(100), "(((", "a:b", "\u200d", "😀😀",
	    "ＥＳＰ３２"];
	for (const q of qs) {
		const d = await search(q);
		assert.equal(typeof d.q, "string");
	}
	// Bytes that are not UTF-8, and NUL: refused, naming the field.
	for (const raw of ["%FF%FE", "%C3", "%00abc", "%EF%BF%BF"]) {
		const r = await get(`/search?q=${raw}`);
		assert.equal(r.status, 400, `${raw}: ${r.text}`);
		assert.equal(r.data.error.code, "bad_request");
		assert.ok(r.data.error.fields.q);
	}
	// Line breaks are text.
	const crlf = await get("/search?q=%0D%0A");
	assert.equal(crlf.status, 200, crlf.text);
	assert.ok(Array.isArray(crlf.data.results));
	const html = await get(`/search?q=${encodeURIComponent(
	    "<script>alert(1)</script>")}`, { json: false });
	assert.equal(html.status, 200);
	assert.ok(!html.text.includes("<script>alert(1)"), "escaped");
	assert.ok(html.text.includes("&lt;script&gt;alert(1)"));
	assert.equal((await search("")).results.length, 0);
	assert.equal((await search("!!!")).results.length, 0);
	assert.equal((await get("/search?cursor=abc")).status, 400);
	assert.equal((await get("/search?q=a&cursor=1.9.1")).status, 400);
	assert.equal((await get(`/search?q=a&cursor=${"9".repeat(30)}.0.1`))
	    .status, 400);
});

test("the type filter, and projects among the results", async () => {
	const w = latin("typ");
	const t = await topic(maker, { title: `typed ${w}`, body: "正文" });
	const p = await reply(maker, t, `a reply ${w}`);
	const owner = await login("maker1");
	const proj = await postAs(owner, "/projects", { body: { title:
	    `Project ${w}`, summary: `A lamp, ${w}`, status: "published" } });
	assert.equal(proj.status, 201, proj.text);
	const draft = await postAs(owner, "/projects", { body: { title:
	    `Draft ${w}`, status: "draft" } });
	assert.equal(draft.status, 201, draft.text);

	const all = await search(w);
	assert.deepEqual(all.results.map((x) => x.type).sort(),
	    ["post", "project"], "the topic once, by its matching reply");
	assert.equal(all.total, 2);
	assert.equal(all.results.find((x) => x.type === "project").matches,
	    null);
	const pr = all.results.find((x) => x.type === "project");
	assert.equal(pr.id, proj.data.project.id);
	assert.equal(pr.url, `/projects/${pr.id}`);
	assert.equal(pr.title, `Project ${w}`);
	assert.equal(pr.excerpt, `A lamp, ${w}`);
	assert.ok(!urls(all).includes(`/projects/${draft.data.project.id}`),
	    "drafts are never found");
	assert.deepEqual(urls(await search(w, { type: "topic" })), [t.url],
	    "titles only: the topic itself");
	assert.deepEqual(urls(await search(w, { type: "post" })),
	    [`${t.url}#post-${p.number}`]);
	const only = await search(w, { type: "project" });
	assert.deepEqual(urls(only), [pr.url]);
	assert.equal(only.type, "project");
	const bad = await get(`/search?q=${w}&type=users`);
	assert.equal(bad.status, 422);
	assert.ok(bad.data.error.fields.type);
	// The projects list keeps its own q.
	const list = await get(`/projects?q=${w}`);
	assert.equal(list.status, 200);
	assert.equal(list.data.projects.length, 1);
});

test("newest first, 30 a page, every topic once", async () => {
	const w = latin("page");
	const who = await newUser({ verified: true });
	// 33 topics with the word in their opening post, then a reply to the
	// first: it becomes the newest result, and its older opening post
	// must not bring it back on the second page.
	const ts = [];
	for (let i = 0; i < 33; i++)
		ts.push(await topic(who, { title: `paged topic ${i}`,
		    body: `first ${w}` }));
	const p = await reply(who, ts[0], `reply ${w}`);
	const seen = [];
	const totals = [];
	let cursor = null;
	let pages = 0;
	do {
		const d = await search(w, { cursor });
		pages++;
		seen.push(...d.results.map((x) => x.topic_id));
		totals.push(d.total);
		assert.ok(d.results.length <= 30);
		if (d.next_cursor !== null)
			assert.equal(d.results.length, 30);
		cursor = d.next_cursor;
	} while (cursor !== null && pages < 5);
	assert.equal(pages, 2);
	assert.equal(seen.length, 33, "every topic");
	assert.equal(new Set(seen).size, 33, "no topic twice");
	assert.deepEqual(totals, [33, 33], "the total, on both pages");
	const first = await search(w);
	const times = first.results.map((x) => x.at);
	assert.deepEqual([...times].sort().reverse(), times, "newest first");
	assert.equal(first.results[0].url, `${ts[0].url}#post-${p.number}`);
	assert.equal(first.results[0].matches, 2);
	assert.equal(first.results[1].topic_id, ts[32].id);
	// The page for browsers, with the link to the next page.
	const html = await get(`/search?q=${w}`, { json: false });
	assert.equal(html.status, 200);
	assert.match(html.text, /<form class="search search-site"/);
	assert.match(html.text, /找到 33 个结果/);
	const more = html.text.match(/href="(\/search\?q=[^"]+cursor=[^"]+)"/);
	assert.ok(more, "a link to more results");
	const next = await get(more[1].replaceAll("&amp;", "&"));
	assert.equal(next.data.results.length, 3);
	assert.equal(next.data.total, 33);
});

test("one result per topic, counting its matching posts", async () => {
	const w = latin("grp");
	const other = await topic(fresh, { title: "另一个话题",
	    body: `elsewhere ${w}` });
	const t = await topic(maker, { title: "铣床的问题", body: `first ${w}` });
	for (let i = 0; i < 19; i++)
		await reply(maker, t, `again ${i} ${w}`);
	const last = await reply(maker, t, `**last** ${w}`);
	const d = await search(w);
	assert.deepEqual(urls(d), [`${t.url}#post-${last.number}`, other.url],
	    "the busy topic once, at its newest match, before the other");
	assert.equal(d.results[0].matches, 21);
	assert.equal(d.results[0].matches_more, false);
	assert.equal(d.results[0].excerpt, `last ${w}`);
	assert.equal(d.results[1].matches, 1);
	assert.equal(d.total, 2);
	const html = await get(`/search?q=${w}&lang=en`, { json: false });
	assert.match(html.text, /21 matching posts/);
	assert.match(html.text, /2 results/);
	const zh = await get(`/search?q=${w}`, { json: false });
	assert.match(zh.text, /21 条相关帖子/);
	assert.match(zh.text, /找到 2 个结果/);
});

test("matched words are highlighted and stay text", async () => {
	const w = latin("hl");
	const t = await topic(maker, { title: `<i>${w}</i> in a title`,
	    body: `Use <b>${w}</b> & <script>x</script> here` });
	const d = await search(w);
	assert.equal(d.results.length, 1);
	const r = d.results[0];
	assert.deepEqual(r.excerpt_parts, [{ text: "Use <b>", hit: false },
	    { text: w, hit: true },
	    { text: "</b> & <script>x</script> here", hit: false }]);
	assert.deepEqual(r.title_parts, [{ text: "<i>", hit: false },
	    { text: w, hit: true }, { text: "</i> in a title", hit: false }]);
	const html = await get(`/search?q=${w}`, { json: false });
	assert.ok(html.text.includes(`&lt;b&gt;<mark>${w}</mark>&lt;/b&gt; ` +
	    "&amp; &lt;script&gt;x&lt;/script&gt; here"), html.text);
	assert.ok(html.text.includes(`&lt;i&gt;<mark>${w}</mark>&lt;/i&gt; ` +
	    "in a title"));
	assert.ok(!html.text.includes(`<b>${w}`) &&
	    !html.text.includes(`<i>${w}`) && !html.text.includes("<script>x"),
	    "no markup from the text");
	// A query that looks like markup is only words, and only hits are
	// marked.
	const q = await get(`/search?q=${encodeURIComponent(`"${w}"<mark>`)}`,
	    { json: false });
	assert.ok(q.text.includes(`&quot;${w}&quot;&lt;mark&gt;`),
	    "the query, escaped");
	assert.equal((html.text.match(/<mark>/g) || []).length, 2,
	    "the title's hit and the excerpt's");
	assert.ok(t.url);
});

test("the excerpt is around the first match, Latin and Chinese", async () => {
	const w = latin("far");
	const filler = "The printer queue was long today and nobody knew why. "
	    .repeat(12);
	const t = await topic(maker, { title: "A long story",
	    body: `${filler}Then the **${w}** fixed it. ${filler}` });
	const d = await search(w);
	const r = d.results.find((x) => x.topic_id === t.id);
	assert.ok(r.excerpt.includes(`Then the ${w} fixed it.`), r.excerpt);
	assert.ok(r.excerpt.startsWith("…"), "cut before");
	assert.ok(r.excerpt.endsWith("…"), "cut after");
	assert.ok([...r.excerpt].length <= 160, [...r.excerpt].length);
	assert.ok(r.excerpt_parts.some((x) => x.hit && x.text === w));
	const words = new Set(filler.split(" "));
	assert.ok(words.has(r.excerpt.slice(1).split(" ")[0]),
	    `starts at a word: ${r.excerpt}`);
	// Chinese: no spaces to start at, 40 characters before the match.
	const zfill = "今天打印室排队的人很多大家都在等待。".repeat(10);
	const t2 = await topic(maker, { title: "一段很长的经历",
	    body: `${zfill}后来用${han}游标卡尺量了一下。${zfill}` });
	const z = await search(`${han}游标卡尺`);
	const rz = z.results.find((x) => x.topic_id === t2.id);
	assert.ok(rz, JSON.stringify(z));
	assert.ok(rz.excerpt.includes(`后来用${han}游标卡尺量了一下`),
	    rz.excerpt);
	assert.ok([...rz.excerpt].length <= 160);
	const hits = rz.excerpt_parts.filter((x) => x.hit).map((x) => x.text);
	assert.deepEqual(hits, [`${han}游标卡尺`],
	    "the pairs of the query marked as one");
	const before = rz.excerpt.slice(1, rz.excerpt.indexOf(han));
	assert.equal([...before].length, 40, "40 characters before it");
});

test("a common word: the newest posts answer, the total is a floor",
    async () => {
	const w = latin("common");
	const who = await newUser({ verified: true });
	const old = await topic(who, { title: "an old topic",
	    body: `long ago ${w}` });
	// Posts ids jump past two buckets of the index (id / 4096): the old
	// topic is only reachable beyond the window of the newest posts.
	rawSql("SELECT setval(pg_get_serial_sequence('posts', 'id'), " +
	    "(SELECT max(id) FROM posts) + 20000)");
	const fresh31 = [];
	for (let i = 0; i < 31; i++)
		fresh31.push(await topic(who, { title: `recent ${i}`,
		    body: `now ${w}` }));
	const d = await search(w);
	assert.equal(d.results.length, 30);
	assert.equal(d.total, 31, "the topics found among the newest posts");
	assert.equal(d.total_more, true);
	assert.ok(!urls(d).includes(old.url));
	const zh = await get(`/search?q=${w}`, { json: false });
	assert.match(zh.text, /至少找到 31 个结果/);
	const d2 = await search(w, { cursor: d.next_cursor });
	assert.deepEqual(urls(d2), [fresh31[0].url, old.url],
	    "the older match, from the whole index");
	assert.equal(d2.total, 31);
	assert.equal(d2.total_more, true);
	assert.equal(d2.next_cursor, null);
	// A rarer word in the same place: every match read, exact.
	const r = await search(`${w} long`);
	assert.deepEqual(urls(r), [old.url]);
	assert.equal(r.total, 1);
	assert.equal(r.total_more, false);
});

test("kept results: a new post shows at once, staff see the staff room",
    async () => {
	const w = latin("kept");
	const member = await newUser({ verified: true });
	const t = await topic(maker, { title: `kept ${w}`, body: "正文" });
	const page = async (who) => {
		const r = await getAs(who, `/search?q=${w}`, { json: false });
		assert.equal(r.status, 200);
		return [...r.text.matchAll(/class="result-title" href="([^"]+)"/g)]
		    .map((m) => m[1]);
	};
	// Both workers render it once and keep it.
	for (let i = 0; i < 4; i++)
		assert.deepEqual(await page(member), [t.url]);
	const p = await reply(maker, t, `a reply ${w}`);
	for (let i = 0; i < 4; i++) {
		assert.deepEqual(await page(member), [`${t.url}#post-${p.number}`],
		    "the reply, on whichever worker");
	}
	const secret = await topic(staff, { category: "staff",
	    title: `staff only ${w}`, body: "内部" });
	for (let i = 0; i < 4; i++) {
		assert.deepEqual(await page(member), [`${t.url}#post-${p.number}`]);
		assert.deepEqual(await page(staff), [secret.url,
		    `${t.url}#post-${p.number}`], "staff: never a member's page");
	}
	assert.deepEqual(await page(member), [`${t.url}#post-${p.number}`],
	    "members: never a staff page");
	assert.match((await getAs(member, `/search?q=${w}`, { json: false }))
	    .text, new RegExp(member.username), "the viewer's own header");
});

test("the search page in both languages", async () => {
	const zh = await get("/search", { json: false });
	assert.equal(zh.status, 200);
	assert.match(zh.text, /<title>搜索 ·/);
	assert.match(zh.text, /搜索讨论区和项目展示/);
	const en = await get("/search?lang=en&q=zzqqxxnothing", { json: false });
	assert.match(en.text, /Nothing matches that search/);
	assert.match(en.text, /<option value="post">Posts<\/option>/);
	const typed = await get("/search?lang=en&q=x&type=post", { json: false });
	assert.match(typed.text, /<option value="post" selected>/);
	const me = await getAs(maker, "/search", { json: false });
	assert.ok(me.text.includes(maker.username), "the viewer's header");
});

// A minimal well-formedness check: tags nest, entities are known, no
// stray "<" or "&" in text.  Returns the elements as [name, text] pairs.
function parseXml(s) {
	assert.ok(s.startsWith('<?xml version="1.0" encoding="UTF-8"?>'));
	const body = s.slice(s.indexOf("?>") + 2);
	const stack = [];
	const out = [];
	const re = /<(\/?)([A-Za-z][\w:.-]*)((?:\s+[\w:.-]+="[^"<]*")*)\s*(\/?)>|([^<]+)/gy;
	let m;
	let pos = 0;
	while (pos < body.length) {
		re.lastIndex = pos;
		m = re.exec(body);
		assert.ok(m, `not XML at ${body.slice(pos, pos + 40)}`);
		pos = re.lastIndex;
		if (m[5] !== undefined) {
			assert.ok(!/&(?!(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/
			    .test(m[5]), `bad entity in ${m[5]}`);
			if (stack.length)
				stack[stack.length - 1][1] += m[5];
		} else if (m[1]) {
			const open = stack.pop();
			assert.equal(open?.[0], m[2], "tags nest");
			out.push(open);
		} else if (!m[4]) {
			stack.push([m[2], ""]);
		}
	}
	assert.equal(stack.length, 0, "every tag is closed");
	return out;
}

const unescape = (s) => s.replaceAll("&lt;", "<").replaceAll("&gt;", ">")
    .replaceAll("&quot;", "\"").replaceAll("&apos;", "'")
    .replaceAll("&amp;", "&");

test("RSS: public topics only, well-formed and escaped", async () => {
	const w = latin("rss");
	const pub = await topic(maker, { title: `<script>alert(1)</script> ${w}`,
	    body: `Body & <b>more</b> ${w}` });
	const other = await topic(maker, { category: "help",
	    title: `help ${w}` });
	setting("board_hold_first_posts", "1");
	const held = await topic(await newUser({ verified: true }),
	    { title: `held ${w}` });
	assert.equal(held.status, "pending");
	setting("board_hold_first_posts", "0");
	const secret = await topic(staff, { category: "staff",
	    title: `staff ${w}` });

	for (const who of [null, staff]) {
		const r = who ? await getAs(who, "/board.rss", { json: false }) :
		    await get("/board.rss", { json: false });
		assert.equal(r.status, 200);
		assert.equal(r.headers.get("content-type"),
		    "application/rss+xml; charset=utf-8");
		const els = parseXml(r.text);
		assert.ok(r.text.includes('<rss version="2.0"><channel>'));
		assert.ok(!r.text.includes("<script>"), "escaped");
		assert.ok(r.text.includes("&lt;script&gt;alert(1)&lt;/script&gt;"));
		const titles = els.filter(([n]) => n === "title")
		    .map(([, t]) => unescape(t));
		assert.ok(titles.includes(pub.title));
		assert.ok(titles.includes(other.title));
		assert.ok(!titles.includes(held.title), "held: not in feeds");
		assert.ok(!titles.includes(secret.title), "staff: not in feeds");
		const links = els.filter(([n]) => n === "link").map(([, t]) => t);
		assert.ok(links.some((l) => l.endsWith(pub.url)));
		assert.ok(links.every((l) => /^http:\/\//.test(l)), "absolute");
		const descs = els.filter(([n]) => n === "description")
		    .map(([, t]) => unescape(t));
		assert.ok(descs.includes(`Body & <b>more</b> ${w}`));
	}
	const items = parseXml((await get("/board.rss", { json: false })).text)
	    .filter(([n]) => n === "item");
	assert.ok(items.length >= 2 && items.length <= 30);

	const gen = await get("/c/general.rss", { json: false });
	assert.equal(gen.status, 200);
	const gt = parseXml(gen.text).filter(([n]) => n === "title")
	    .map(([, t]) => unescape(t));
	assert.equal(gt[0], "综合讨论 · " + gt[0].split(" · ")[1]);
	assert.ok(gt.includes(pub.title));
	assert.ok(!gt.includes(other.title), "one category only");
	const en = await get("/c/help.rss?lang=en", { json: false });
	assert.ok(en.text.includes("<title>Help &amp; Questions · "));
	assert.ok(en.text.includes(`<title>help ${w}</title>`));
	for (const path of ["/c/staff.rss", "/c/nope.rss"]) {
		assert.equal((await get(path, { json: false })).status, 404, path);
		assert.equal((await getAs(staff, path, { json: false })).status,
		    404, `${path} for staff too`);
	}
});
