// Projects (docs/api.md#projects): create, edit, publish, visibility of
// drafts, listing, tags, search, likes, comments, team, build log and the
// notifications it sends.  Also the verification and suspension rules of
// the accounts issue, on the first content-creating route.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { ROOT, get, post, login, newUser, postAs, getAs, setting }
    from "./lib.mjs";

let owner, other, staff;
before(async () => {
	owner = await newUser({ verified: true, display_name: "项目作者" });
	other = await newUser({ verified: true });
	staff = await login("staff1");
});
after(() => setting("require_verification", "true"));

async function create(who, fields) {
	const r = await postAs(who, "/projects", { body: { title: "测试项目",
	    ...fields } });
	assert.equal(r.status, 201, r.text);
	return r.data.project;
}

test("a verified maker creates a draft; 201 with the project", async () => {
	const r = await postAs(owner, "/projects", { body: {
	    title: "智能花盆", summary: "用 ESP32 自动浇水",
	    body: "# 材料\n- ESP32 <script>x</script>", tags: ["ESP32", "花盆"],
	    license: "MIT" } });
	assert.equal(r.status, 201);
	const p = r.data.project;
	assert.ok(Number.isInteger(p.id));
	assert.equal(p.url, `/projects/${p.id}`);
	assert.equal(p.status, "draft", "draft by default");
	assert.equal(p.published_at, null);
	assert.deepEqual(p.tags, ["esp32", "花盆"]);
	assert.equal(p.license, "MIT");
	assert.match(p.body_html, /<h1>材料<\/h1>/);
	assert.doesNotMatch(p.body_html, /<script/);
	assert.equal(p.author.username, owner.username);
	assert.deepEqual(p.members.map((m) => m.role), ["owner"]);
	for (const k of ["photos", "comments", "logs"])
		assert.deepEqual(p[k], []);
	assert.equal(p.likes, 0);
	assert.equal(p.liked, false);
	const html = await post("/projects", { jar: owner.jar, json: false,
	    form: { csrf: owner.csrf, title: "HTML 表单" } });
	assert.equal(html.status, 303);
	assert.match(html.headers.get("location"), /^\/projects\/\d+$/);
});

test("unverified members get 403 verification_required saying how",
    async () => {
	const u = await newUser();
	const r = await postAs(u, "/projects", { body: { title: "x" } });
	assert.equal(r.status, 403);
	assert.equal(r.data.error.code, "verification_required");
	assert.match(r.data.error.message, /读者证/);
	const en = await postAs(u, "/projects?lang=en", { body: { title: "x" } });
	assert.match(en.data.error.message, /library card/);
	setting("require_verification", "false");
	const off = await postAs(u, "/projects", { body: { title: "x" } });
	assert.equal(off.status, 201, "the site setting turns the rule off");
	setting("require_verification", "true");
});

test("an unverified team member edits, publishes and adds nothing to "
    + "someone else's project until verified", async () => {
	const { uniquePng } = await import("./png.mjs");
	const mate = await newUser();
	const lead = await newUser({ verified: true });
	const p = await create(lead, { title: "团队草稿" });
	assert.equal((await postAs(lead, `${p.url}/members`, { body: {
	    username: mate.username } })).status, 200);
	const photo = () => {
		const form = new FormData();
		form.append("photo", new Blob([uniquePng()]), "a.png");
		return form;
	};
	const tries = [
		await postAs(mate, p.url, { body: { title: "被改了" } }),
		await postAs(mate, p.url, { body: { status: "published" } }),
		await postAs(mate, `${p.url}/photos`, { multipart: photo() }),
		await postAs(mate, `${p.url}/logs`, { body: { title: "日志" } }),
	];
	for (const r of tries) {
		assert.equal(r.status, 403, r.text);
		assert.equal(r.data.error.code, "verification_required");
	}
	const still = await getAs(lead, p.url);
	assert.equal(still.data.project.title, "团队草稿");
	assert.equal(still.data.project.status, "draft");
	assert.deepEqual(still.data.project.photos, []);
	assert.deepEqual(still.data.project.logs, []);
	// Verified, the same member may.
	assert.equal((await postAs(staff, `/admin/users/${mate.username}`,
	    { body: { verified: true } })).status, 200);
	const ok = await postAs(mate, p.url, { body: { title: "改好了",
	    status: "published" } });
	assert.equal(ok.status, 200, ok.text);
	assert.equal(ok.data.project.status, "published");
	assert.equal((await postAs(mate, `${p.url}/photos`, {
	    multipart: photo() })).status, 201);
});

test("suspended makers get 403 suspended with the end date", async () => {
	const u = await newUser({ verified: true });
	const until = new Date(Date.now() + 3 * 86400e3).toISOString().slice(0, 10);
	assert.equal((await postAs(staff, `/admin/users/${u.username}`, { body: {
	    suspended_until: until, reason: "spam" } })).status, 200);
	const r = await postAs(u, "/projects", { body: { title: "x" } });
	assert.equal(r.status, 403);
	assert.equal(r.data.error.code, "suspended");
	assert.match(r.data.error.suspended_until, /^\d{4}-\d\d-\d\dT/);
});

test("bad input is refused field by field", async () => {
	const cases = [
		[{ title: "" }, "title"],
		[{ title: "x".repeat(121) }, "title"],
		[{ summary: "s".repeat(301) }, "summary"],
		[{ body: "b".repeat(64 * 1024 + 1) }, "body"],
		[{ license: "WTFPL" }, "license"],
		[{ status: "secret" }, "status"],
		[{ tags: ["a", "b", "c", "d", "e", "f", "g", "h", "i"] }, "tags"],
		[{ tags: ["x".repeat(25)] }, "tags"],
		[{ tags: ["a#b"] }, "tags"],
	];
	for (const [fields, field] of cases) {
		const r = await postAs(owner, "/projects", { body: {
		    title: "ok", ...fields } });
		assert.equal(r.status, 422, JSON.stringify(fields).slice(0, 60));
		assert.ok(r.data.error.fields[field], `${field}: ${r.text}`);
	}
	const noTitle = await postAs(owner, "/projects", { body: {} });
	assert.ok(noTitle.data.error.fields.title);
	const eight = await postAs(owner, "/projects", { body: { title: "t",
	    tags: "a, b，c, d, e, f, g, h" } });
	assert.equal(eight.status, 201, "8 tags, ASCII and full-width commas");
	assert.equal(eight.data.project.tags.length, 8);
});

test("drafts are seen only by their team and staff", async () => {
	const p = await create(owner, { title: "秘密草稿 draftword" });
	assert.equal((await getAs(owner, p.url)).status, 200);
	assert.equal((await getAs(staff, p.url)).status, 200);
	assert.equal((await getAs(other, p.url)).status, 404);
	assert.equal((await get(p.url)).status, 404);
	assert.equal((await get(p.url, { json: false })).status, 404);
	const list = await get("/projects");
	assert.ok(!list.data.projects.some((x) => x.id === p.id));
	const search = await get(`/projects?q=${encodeURIComponent("秘密草稿")}`);
	assert.deepEqual(search.data.projects, []);
	const like = await postAs(other, `${p.url}/like`);
	assert.equal(like.status, 404);
	const comment = await postAs(other, `${p.url}/comments`, {
	    body: { body: "hi" } });
	assert.equal(comment.status, 404);
});

test("publish, edit by team and staff; others 403", async () => {
	const p = await create(owner, { title: "旧标题" });
	const pub = await postAs(owner, p.url, { body: { status: "published" } });
	assert.equal(pub.status, 200);
	assert.equal(pub.data.project.status, "published");
	assert.match(pub.data.project.published_at, /^\d{4}-/);
	assert.equal(pub.data.project.title, "旧标题", "other fields kept");
	const no = await postAs(other, p.url, { body: { title: "hijack" } });
	assert.equal(no.status, 403);
	const st = await postAs(staff, p.url, { body: { summary: "馆员修改" } });
	assert.equal(st.status, 200);
	const add = await postAs(owner, `${p.url}/members`, {
	    body: { username: other.username } });
	assert.equal(add.status, 200);
	assert.ok(add.data.project.members.some((m) =>
	    m.username === other.username));
	const edit = await postAs(other, p.url, { body: { title: "新标题" } });
	assert.equal(edit.status, 200);
	assert.equal(edit.data.project.title, "新标题");
	const notOwner = await postAs(other, `${p.url}/members`, {
	    body: { username: "maker2" } });
	assert.equal(notOwner.status, 403, "only the owner manages the team");
	const unknown = await postAs(owner, `${p.url}/members`, {
	    body: { username: "nobody_at_all" } });
	assert.equal(unknown.status, 422);
	const rm = await postAs(owner,
	    `${p.url}/members/${other.username}/delete`);
	assert.equal(rm.status, 200);
	assert.equal((await postAs(other, p.url, { body: { title: "x" } }))
	    .status, 403);
	const self = await postAs(owner,
	    `${p.url}/members/${owner.username}/delete`);
	assert.equal(self.status, 409);
	const unpub = await postAs(owner, p.url, { body: { status: "draft" } });
	assert.equal(unpub.data.project.status, "draft");
	assert.equal((await get(p.url)).status, 404, "unpublished is hidden");
});

test("likes are idempotent", async () => {
	const p = await create(owner, { status: "published" });
	const a = await postAs(other, `${p.url}/like`);
	assert.deepEqual(a.data, { liked: true, likes: 1 });
	const b = await postAs(other, `${p.url}/like`);
	assert.deepEqual(b.data, { liked: true, likes: 1 }, "liking twice");
	const c = await postAs(owner, `${p.url}/like`);
	assert.equal(c.data.likes, 2);
	const seen = await getAs(other, p.url);
	assert.equal(seen.data.project.liked, true);
	const d = await postAs(other, `${p.url}/unlike`);
	assert.deepEqual(d.data, { liked: false, likes: 1 });
	const e = await postAs(other, `${p.url}/unlike`);
	assert.deepEqual(e.data, { liked: false, likes: 1 });
	assert.equal((await post(`${p.url}/like`)).status, 401);
});

test("comments and the build log; followers are notified", async () => {
	const p = await create(owner, { status: "published", title: "机械臂" });
	const c = await postAs(other, `${p.url}/comments`, { body: {
	    body: "太棒了 <img src=x onerror=alert(1)> **赞**" } });
	assert.equal(c.status, 201);
	assert.match(c.data.comment.body_html, /<strong>赞<\/strong>/);
	assert.doesNotMatch(c.data.comment.body_html, /onerror|<img/);
	const empty = await postAs(other, `${p.url}/comments`, { body: {
	    body: "   " } });
	assert.equal(empty.status, 422);
	const fan = await newUser({ verified: true });
	await postAs(fan, `${p.url}/like`);
	// What each one's bell shows: /notifications.
	const bells = async () => {
		const n = [];
		for (const u of [other, fan, owner])
			n.push((await getAs(u, "/notifications")).data.notifications
			    .length);
		return n;
	};
	const before = await bells();
	const log = await postAs(owner, `${p.url}/logs`, { body: {
	    title: "装上了舵机", body: "第二天：*舵机* 到了" } });
	assert.equal(log.status, 201);
	assert.match(log.data.log.body_html, /<em>舵机<\/em>/);
	const notes = await getAs(fan, "/notifications");
	assert.equal(notes.status, 200);
	const n = notes.data.notifications[0];
	assert.equal(n.type, "project_log");
	assert.equal(n.read, false);
	assert.match(n.text, /机械臂/);
	assert.match(n.text, /装上了舵机/);
	assert.ok(notes.data.unread >= 1);
	const en = await getAs(fan, "/notifications?lang=en");
	assert.match(en.data.notifications[0].text, /posted an update/);
	assert.deepEqual((await bells()).map((n, i) => n - before[i]), [1, 1, 0],
	    "one each for the commenter and the fan, not the owner");
	const home = await getAs(fan, "/");
	assert.ok(home.data.me.unread >= 1, "the bell counts unread");
	const bell = await getAs(fan, "/", { json: false });
	assert.match(bell.text, /<a class="icon-link bell" href="\/notifications"[^>]*>(?:(?!<\/a>)[\s\S])*<span class="count">\d+<\/span><\/a>/);
	const read = await postAs(fan, "/notifications/read", { body: {} });
	assert.equal(read.data.unread, 0);
	const page = await getAs(owner, p.url);
	assert.equal(page.data.project.logs[0].title, "装上了舵机");
	assert.equal(page.data.project.comments.length, 1);
	const notMember = await postAs(other, `${p.url}/logs`, { body: {
	    title: "x" } });
	assert.equal(notMember.status, 403);
});

test("markup in every field comes back escaped, wherever it is shown",
    async () => {
	const x = "<script>alert(1)</script>\"'><img src=x onerror=alert(2)>";
	const name = "<img src=x onerror=alert(3)>作者";
	const u = await newUser({ verified: true, display_name: name });
	// Tags are words: markup in one is refused, field by field.
	for (const tag of ["<b>", "a\"b", "x'y", "<script>"]) {
		const r = await postAs(u, "/projects", { body: { title: "t",
		    tags: [tag] } });
		assert.equal(r.status, 422, tag);
		assert.ok(r.data.error.fields.tags, tag);
	}
	const tag = `{{t}}=1;(x)${Date.now() % 1e6}`;
	const p = await create(u, { title: x, summary: x, body: x,
	    tags: [tag], status: "published" });
	assert.equal(p.title, x, "stored as written");
	assert.deepEqual(p.tags, [tag]);
	assert.equal((await postAs(other, `${p.url}/comments`, { body: {
	    body: x } })).status, 201);
	assert.equal((await postAs(u, `${p.url}/logs`, { body: { title: x,
	    body: x } })).status, 201);
	const form = new FormData();
	form.append("photo", new Blob([readFileSync(
	    `${ROOT}/tests/fixtures/img/rgb.jpg`)]), "p.jpg");
	form.append("caption", x);
	assert.equal((await postAs(u, `${p.url}/photos`, { multipart: form }))
	    .status, 201);
	const escaped = "&lt;script&gt;alert(1)&lt;/script&gt;";
	const pages = {
		project: (await get(p.url, { json: false })).text,
		edit: (await getAs(u, `${p.url}/edit`, { json: false })).text,
		list: (await get("/projects", { json: false })).text,
		tag: (await get(`/projects?tag=${encodeURIComponent(tag)}`,
		    { json: false })).text,
		home: (await get("/", { json: false })).text,
		profile: (await get(`/u/${u.username}`, { json: false })).text,
		feed: (await get("/projects.rss", { json: false })).text,
	};
	for (const [k, html] of Object.entries(pages)) {
		assert.doesNotMatch(html, /<script>alert|<img src=x/, k);
		assert.ok(!html.includes("\"'>"), `${k}: no raw quotes`);
	}
	const count = (h, s) => h.split(s).length - 1;
	// Title (twice: <title>, heading), summary (twice: meta, text),
	// comment, log title and body, caption (twice: alt, text) and the
	// escaped source inside the body's paragraph.
	assert.ok(count(pages.project, escaped) >= 8,
	    `${count(pages.project, escaped)} escaped copies on the page`);
	assert.ok(pages.project.includes("&lt;img src=x onerror=alert(3)&gt;作者"),
	    "the author's name, escaped");
	assert.ok(pages.edit.includes(`value="${escaped}&quot;&#39;&gt;&lt;img`),
	    "the form shows the title escaped in its attribute");
	for (const k of ["list", "tag", "home"])
		assert.ok(pages[k].includes(escaped), `${k}: the title, escaped`);
	assert.ok(pages.tag.includes(`>${tag}</a>`), "the tag, as written");
	assert.ok(pages.feed.includes("<title>&lt;script&gt;alert(1)" +
	    "&lt;/script&gt;"), "the feed, XML-escaped");
});

// account_profile (assets/sql/account.sql) once sent empty lists.
test("a profile lists the member's published projects and recent posts",
    async () => {
	const u = await newUser({ verified: true });
	const p = await create(u, { title: "主页上的项目", status: "published" });
	const d = await create(u, { title: "主页上不该有的草稿" });
	setting("board_hold_first_posts", "0");
	let t;
	try {
		t = await postAs(u, "/topics", { body: { category: "general",
		    title: "主页上的话题", body: "x" } });
	} finally {
		setting("board_hold_first_posts", "1");
	}
	assert.equal(t.status, 201, t.text);
	const prof = (await get(`/u/${u.username}`)).data.user;
	assert.deepEqual(prof.projects.map((x) => x.id), [p.id]);
	assert.ok(!prof.projects.some((x) => x.id === d.id));
	assert.ok(prof.recent_posts.some((x) => x.title === "主页上的话题"));
	const html = (await get(`/u/${u.username}`, { json: false })).text;
	assert.ok(html.includes(`href="${p.url}"`));
});

test("listing: newest first, tags, Chinese search, keyset pages", async () => {
	const tag = `t${Date.now() % 1e6}`;
	const made = [];
	for (let i = 0; i < 26; i++)
		made.push(await create(owner, { title: `批量 ${i} 智能花盆`,
		    status: "published", tags: [tag] }));
	const first = await get(`/projects?tag=${tag}`);
	assert.equal(first.data.projects.length, 24);
	assert.equal(first.data.projects[0].id, made[25].id, "newest first");
	assert.ok(first.data.next_cursor);
	// A new project does not shift the next page (stable cursor).
	await create(owner, { title: "插队", status: "published", tags: [tag] });
	const second = await get(`/projects?tag=${tag}&cursor=${
	    encodeURIComponent(first.data.next_cursor)}`);
	assert.deepEqual(second.data.projects.map((p) => p.id),
	    [made[1].id, made[0].id]);
	assert.equal(second.data.next_cursor, null);
	const bad = await get("/projects?cursor=abc");
	assert.equal(bad.status, 400);
	for (const q of ["花盆", "智能", "智能花盆"]) {
		const r = await get(`/projects?q=${encodeURIComponent(q)}`);
		assert.ok(r.data.projects.some((p) => p.id === made[25].id), q);
	}
	for (const q of ["%", "_", "\\", "'", "\"", "&|!", "x".repeat(300)]) {
		const r = await get(`/projects?q=${encodeURIComponent(q)}`);
		assert.equal(r.status, 200, q);
	}
	const card = first.data.projects[0];
	for (const k of ["id", "url", "title", "summary", "cover", "author",
	    "tags", "likes", "published_at"])
		assert.ok(k in card, k);
});

// An empty title once kept the title but dropped its words from search;
// it is now refused (422), and the project stays findable.
test("an edit with an empty title keeps the project findable by its title",
    async () => {
	const word = `loom${Date.now() % 1e6}`;
	const u = await newUser({ verified: true });
	const p = await create(u, { title: `织布机 ${word}`,
	    status: "published" });
	const r = await postAs(u, p.url, { body: { title: "",
	    body: "新的正文" } });
	if (r.status === 200)
		assert.equal(r.data.project.title, `织布机 ${word}`, "kept");
	else
		assert.equal(r.status, 422);
	const found = await get(`/projects?q=${word}`);
	assert.deepEqual(found.data.projects.map((x) => x.id), [p.id]);
	const site = await get(`/search?q=${word}&type=project`);
	assert.deepEqual(site.data.results.map((x) => x.url), [p.url]);
});

test("owners and staff delete; others cannot", async () => {
	const p = await create(owner, { status: "published" });
	assert.equal((await postAs(other, `${p.url}/delete`)).status, 403);
	assert.equal((await postAs(owner, `${p.url}/delete`)).status, 200);
	assert.equal((await get(p.url)).status, 404);
	const q = await create(owner, { status: "published" });
	assert.equal((await postAs(staff, `${q.url}/delete`)).status, 200);
});

test("GET /projects.rss lists published projects only, escaped", async () => {
	const pub = await create(owner, { title: "RSS <&> 项目",
	    summary: "摘要 & more", status: "published" });
	const hidden = await create(owner, { title: "RSS 草稿 hidden" });
	const r = await get("/projects.rss", { json: false });
	assert.equal(r.status, 200);
	assert.match(r.headers.get("content-type"), /^application\/rss\+xml/);
	assert.match(r.text, /^<\?xml version="1.0" encoding="UTF-8"\?><rss version="2.0"><channel>/);
	assert.ok(r.text.includes("<title>RSS &lt;&amp;&gt; 项目</title>"));
	assert.ok(r.text.includes(`/projects/${pub.id}</link>`));
	assert.match(r.text, /<link>http:\/\/127\.0\.0\.1:\d+\/projects\/\d+<\/link>/);
	assert.match(r.text, /<pubDate>[A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d GMT<\/pubDate>/);
	assert.ok(!r.text.includes("hidden"), "no drafts in feeds");
	assert.ok(!r.text.includes(`/projects/${hidden.id}<`));
});

test("cached page parts: fresh after every change, never another reader's",
    async () => {
	const p = await create(owner, { title: "缓存标题一", status: "published",
	    body: "第一版" });
	const a = await getAs(owner, p.url, { json: false });
	assert.match(a.text, /缓存标题一/);
	assert.match(a.text, new RegExp(`href="/projects/${p.id}/edit"`));
	const csrf = a.text.match(/name="csrf" value="([^"]+)"/)[1];
	for (let i = 0; i < 3; i++) {
		const anon = await get(p.url, { json: false });
		assert.match(anon.text, /缓存标题一/);
		assert.doesNotMatch(anon.text, /\/edit"/, "no edit link for others");
		assert.ok(!anon.text.includes(csrf), "no one else's token");
		const en = await get(`${p.url}?lang=en`, { json: false });
		assert.match(en.text, /Build log/);
		assert.match(en.text, /缓存标题一/);
	}
	await postAs(owner, p.url, { body: { title: "缓存标题二", body: "第二版" } });
	const b = await get(p.url, { json: false });
	assert.match(b.text, /缓存标题二/);
	assert.match(b.text, /第二版/);
	assert.doesNotMatch(b.text, /缓存标题一|第一版/);
	await postAs(other, `${p.url}/comments`, { body: { body: "新评论" } });
	assert.match((await get(p.url, { json: false })).text, /新评论/);
	await postAs(other, `${p.url}/like`);
	assert.match((await get(p.url, { json: false })).text, /♡ 1/);
	const liked = await getAs(other, p.url, { json: false });
	assert.match(liked.text, /class="like on"[^>]*>♥ 1/);
	const j = await get(p.url);
	assert.equal(typeof j.data.project.version, "number");
	assert.equal(j.data.project.title, "缓存标题二", "JSON is always whole");
});

test("cached lists: fresh after publish, edit, like, unpublish and delete",
    async () => {
	// Several requests so that both workers hold the list before each
	// change; every later request must show the change.
	const list = async (path = "/projects") => {
		const out = [];
		for (let i = 0; i < 6; i++)
			out.push((await get(path, { json: false })).text);
		return out;
	};
	const tag = `cachetag${Date.now() % 100000}`;
	const owner = await newUser({ verified: true });
	const other = await newUser({ verified: true });
	await list();
	await list(`/projects?tag=${tag}`);
	const p = await create(owner, { title: "列表缓存甲", status: "published",
	    tags: [tag] });
	for (const t of await list())
		assert.match(t, /列表缓存甲/, "a published project appears");
	for (const t of await list(`/projects?tag=${tag}`))
		assert.match(t, /列表缓存甲/);
	await postAs(owner, p.url, { body: { title: "列表缓存乙" } });
	for (const t of await list()) {
		assert.match(t, /列表缓存乙/, "an edit shows");
		assert.doesNotMatch(t, /列表缓存甲/);
	}
	await postAs(other, `${p.url}/like`);
	for (const t of await list(`/projects?tag=${tag}`))
		assert.match(t, /♥ 1</, "a like shows in the card");
	await postAs(owner, p.url, { body: { status: "draft" } });
	for (const t of await list())
		assert.doesNotMatch(t, /列表缓存乙/, "an unpublished project leaves");
	await postAs(owner, p.url, { body: { status: "published" } });
	for (const t of await list())
		assert.match(t, /列表缓存乙/);
	await postAs(owner, `${p.url}/delete`);
	for (const t of await list(`/projects?tag=${tag}`))
		assert.doesNotMatch(t, /列表缓存乙/, "a deleted project leaves");
	const j = await get(`/projects?tag=${tag}`);
	assert.deepEqual(j.data.projects, []);
	assert.equal(j.data.next_cursor, null);
});
