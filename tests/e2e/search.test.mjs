// Search (GET /search) and the board's feeds (GET /board.rss,
// GET /c/{slug}.rss): Chinese and English, only what the viewer may see,
// hostile queries, the type filter, pages, projects; feeds with public
// content only, well-formed and escaped.  Content is made over HTTP the
// way people make it, so its search tokens are app/search.c's own.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { get, newUser, login, postAs, getAs, setting } from "./lib.mjs";

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
	assert.ok(urls(d).includes(t.url), "the topic, by its title");
	assert.ok(urls(d).includes(`${t.url}#post-${p.number}`),
	    "the reply, by its body");
	const both = await search(`${han} 打印`);
	assert.equal(both.results.length, 2, JSON.stringify(both));
	const rt = both.results.find((x) => x.type === "topic");
	assert.equal(rt.id, t.id);
	assert.equal(rt.title, `${han} 打印机喷头堵了`);
	assert.equal(rt.excerpt, "换了喷头也不行");
	assert.equal(rt.url, `/t/${t.id}`);
	const rp = both.results.find((x) => x.type === "post");
	assert.equal(rp.id, p.id);
	assert.equal(rp.title, t.title, "a post is shown by its topic's title");
	assert.equal(rp.url, `/t/${t.id}#post-2`);
	assert.match(rp.at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$/);
	// The whole word, and a word that is not there.
	assert.equal((await search(`${han} 打印机`)).results.length, 2);
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
	assert.equal(body.results[0].type, "post");
	assert.equal(body.results[0].excerpt, `The Arduino core works; ${w}`,
	    "plain text: Markdown marks are gone");
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
		assert.deepEqual(got, [pub.url, `${pub.url}#post-1`].sort(),
		    `${who?.username ?? "anonymous"}: ${got}`);
	}
	const s = await search(w, { who: staff });
	assert.deepEqual(urls(s).sort(), [pub.url, `${pub.url}#post-1`,
	    secret.url, `${secret.url}#post-1`].sort(),
	    "staff find the staff room, and still nothing held or removed");
	for (const u of hidden_urls)
		assert.ok(!urls(s).includes(u), u);
	const admin = await login("admin");
	assert.equal((await search(w, { who: admin })).results.length, 4);
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
	    ["post", "project", "topic"]);
	const pr = all.results.find((x) => x.type === "project");
	assert.equal(pr.id, proj.data.project.id);
	assert.equal(pr.url, `/projects/${pr.id}`);
	assert.equal(pr.title, `Project ${w}`);
	assert.equal(pr.excerpt, `A lamp, ${w}`);
	assert.ok(!urls(all).includes(`/projects/${draft.data.project.id}`),
	    "drafts are never found");
	assert.deepEqual(urls(await search(w, { type: "topic" })), [t.url]);
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

test("newest first, 30 a page, every result once", async () => {
	const w = latin("page");
	const who = await newUser({ verified: true });
	const t = await topic(who, { title: `paged ${w}`, body: `first ${w}` });
	for (let i = 0; i < 32; i++)
		await reply(who, t, `reply ${i} ${w}`);
	// A topic and its opening post share their time: both are listed.
	const seen = [];
	let cursor = null;
	let pages = 0;
	do {
		const d = await search(w, { cursor });
		pages++;
		seen.push(...d.results.map((x) => `${x.type}:${x.id}`));
		assert.ok(d.results.length <= 30);
		if (d.next_cursor !== null)
			assert.equal(d.results.length, 30);
		cursor = d.next_cursor;
	} while (cursor !== null && pages < 5);
	assert.equal(pages, 2);
	assert.equal(seen.length, 34, "the topic, its opening post, 32 replies");
	assert.equal(new Set(seen).size, 34, "no result twice");
	const first = await search(w);
	const times = first.results.map((x) => x.at);
	assert.deepEqual([...times].sort().reverse(), times, "newest first");
	assert.equal(first.results[0].url, `${t.url}#post-33`);
	// The page for browsers, with the link to the next page.
	const html = await get(`/search?q=${w}`, { json: false });
	assert.equal(html.status, 200);
	assert.match(html.text, /<form class="search search-site"/);
	const more = html.text.match(/href="(\/search\?q=[^"]+cursor=[^"]+)"/);
	assert.ok(more, "a link to more results");
	const next = await get(more[1].replaceAll("&amp;", "&"));
	assert.equal(next.data.results.length, 4);
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
