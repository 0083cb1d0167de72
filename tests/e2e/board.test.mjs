// The discussion board (docs/api.md#discussion-board): categories, topics,
// replies, held posts, mentions and notifications, edits with revisions,
// flags, solved topics, read positions, new-user limits and the
// visibility rules.  Moderation actions are in moderation.test.mjs,
// search and feeds in search.test.mjs, live updates in live.test.mjs.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { get, post, sql, newUser, postAs, getAs, setting } from "./lib.mjs";

let savedRate;

let staff, maker, other, fresh;

// Posting rules are site settings; most tests want them out of the way
// and the tests about them turn them on again.
function relaxed() {
	setting("board_hold_first_posts", "0");
	setting("board_new_seconds_between", "0");
	setting("board_new_posts_per_day", "1000");
}
function defaults() {
	setting("board_hold_first_posts", "1");
	setting("board_new_seconds_between", "30");
	setting("board_new_posts_per_day", "10");
	setting("board_new_links_per_post", "2");
}

before(async () => {
	// Staff here write pages of posts through the routes people use.
	savedRate = sql("SELECT value FROM site_settings " +
	    "WHERE key = 'posts_per_minute'") || "60";
	setting("posts_per_minute", "1000");
	relaxed();
	staff = await newUser({ verified: true, role: "staff" });
	maker = await newUser({ verified: true, display_name: "创客甲" });
	other = await newUser({ verified: true, display_name: "创客乙" });
	fresh = await newUser({ verified: true });
});
after(() => {
	defaults();
	setting("posts_per_minute", savedRate);
});

async function topic(who, fields = {}) {
	const r = await postAs(who, "/topics", { body: { category: "general",
	    title: "一个话题", body: "话题内容", ...fields } });
	assert.equal(r.status, 201, r.text);
	return r.data.topic;
}

async function reply(who, t, fields = {}) {
	const r = await postAs(who, `${t.url}/posts`, { body: { body: "回复",
	    ...fields } });
	assert.equal(r.status, 201, r.text);
	return r.data.post;
}

// "type url" of what the bell shows the user, oldest first.
async function notifications(u) {
	const r = await getAs(u, "/notifications");
	assert.equal(r.status, 200, r.text);
	return r.data.notifications.map((n) => `${n.type} ${n.url}`).reverse();
}

test("the board lists the categories a viewer may read", async () => {
	const anon = await get("/board");
	assert.equal(anon.status, 200);
	const slugs = anon.data.categories.map((c) => c.slug);
	assert.deepEqual(slugs, ["announcements", "general", "help",
	    "show-and-tell", "equipment"]);
	assert.equal(anon.data.categories[1].name, "综合讨论");
	for (const c of anon.data.categories) {
		assert.equal(typeof c.description, "string");
		assert.ok(Number.isInteger(c.topic_count));
	}
	const en = await get("/board?lang=en");
	assert.equal(en.data.categories[1].name, "General");
	const s = await getAs(staff, "/board");
	assert.ok(s.data.categories.some((c) => c.slug === "staff"),
	    "staff see the staff room");
	const html = await get("/board", { json: false });
	assert.match(html.text, /综合讨论/);
	assert.equal((await get("/c/staff")).status, 404, "others do not");
	assert.equal((await get("/c/nope")).status, 404);
});

test("starting topics: who may post where", async () => {
	const t = await topic(maker, { title: "我的 3D 打印机卡住了" });
	assert.match(t.url, /^\/t\/\d+$/);
	assert.equal(t.status, "published");
	const page = await get(t.url);
	assert.equal(page.status, 200);
	assert.equal(page.data.topic.title, "我的 3D 打印机卡住了");
	assert.equal(page.data.topic.category.slug, "general");
	assert.equal(page.data.posts.length, 1);
	assert.equal(page.data.posts[0].number, 1);
	assert.match(page.data.posts[0].body_html, /话题内容/);
	assert.equal(page.data.next_cursor, null);

	const ann = await postAs(maker, "/topics", { body: {
	    category: "announcements", title: "通知通知", body: "x" } });
	assert.equal(ann.status, 403, "announcements: staff post");
	assert.equal((await topic(staff, { category: "announcements",
	    title: "开放时间调整" })).status, "published");
	const room = await postAs(maker, "/topics", { body: {
	    category: "staff", title: "馆员的事", body: "x" } });
	assert.equal(room.status, 422, "an unreadable category is unknown");
	const anon = await post("/topics", { body: { category: "general",
	    title: "匿名话题", body: "x" } });
	assert.equal(anon.status, 401);
	const u = await newUser();
	const unv = await postAs(u, "/topics", { body: { category: "general",
	    title: "未验证", body: "x" } });
	assert.equal(unv.status, 403);
	assert.equal(unv.data.error.code, "verification_required");

	const form = await postAs(maker, "/topics", { json: false, form: {
	    csrf: maker.csrf, category: "help", title: "表单发帖",
	    body: "第一行\n第二行" } });
	assert.equal(form.status, 303);
	assert.match(form.headers.get("location"), /^\/t\/\d+$/);
});

test("bad topics and replies are refused field by field", async () => {
	const cases = [
		[{ title: "" }, "title"],
		[{ title: "ab" }, "title"],
		[{ title: "长".repeat(201) }, "title"],
		[{ body: "" }, "body"],
		[{ body: "   \n " }, "body"],
		[{ body: "x".repeat(70000) }, "body"],
		[{ category: "" }, "category"],
		[{ category: "nope" }, "category"],
	];
	for (const [fields, field] of cases) {
		const r = await postAs(maker, "/topics", { body: {
		    category: "general", title: "合法标题", body: "合法内容",
		    ...fields } });
		assert.equal(r.status, 422, JSON.stringify(fields));
		assert.equal(r.data.error.code, "invalid");
		assert.ok(r.data.error.fields[field], `${field}: ${r.text}`);
	}
	const en = await postAs(maker, "/topics?lang=en", { body: {
	    category: "general", title: "ab", body: "x" } });
	assert.match(en.data.error.fields.title, /at least/i);
	const t = await topic(maker);
	for (const body of ["", "x".repeat(70000)]) {
		const r = await postAs(maker, `${t.url}/posts`, { body: { body } });
		assert.equal(r.status, 422);
		assert.ok(r.data.error.fields.body);
	}
	const bad = await postAs(maker, `${t.url}/posts`, { body: {
	    body: "x", reply_to: "abc" } });
	assert.equal(bad.status, 422);
	const far = await postAs(maker, `${t.url}/posts`, { body: {
	    body: "x", reply_to: "999999999" } });
	assert.equal(far.status, 422, "reply_to must be a post of the topic");
	const none = await postAs(maker, "/t/999999999/posts", { body: {
	    body: "x" } });
	assert.equal(none.status, 404);
	const html = await postAs(maker, `${t.url}/posts`, { json: false,
	    form: { csrf: maker.csrf, body: "" } });
	assert.equal(html.status, 422);
	assert.match(html.text, /<form[^>]+action="\/t\/\d+\/posts"/);
	assert.equal((await getAs(maker, t.url)).data.posts.length, 1,
	    "nothing half-written");
});

test("replies are numbered, quote what they answer and notify", async () => {
	const t = await topic(maker, { title: "回复与通知" });
	const a = await reply(other, t, { body: "第一个回复" });
	assert.equal(a.number, 2);
	assert.equal(a.status, "published");
	assert.match(a.url, new RegExp(`^/t/${t.id}#post-2$`));
	const b = await reply(fresh, t, { body: "回复乙", reply_to: String(a.id) });
	assert.equal(b.number, 3);
	const page = await get(t.url);
	assert.deepEqual(page.data.posts.map((p) => p.number), [1, 2, 3]);
	assert.equal(page.data.posts[2].reply_to, a.id);
	assert.equal(page.data.topic.reply_count, 2);
	const mine = await notifications(maker);
	assert.ok(mine.includes(`reply /t/${t.id}#post-2`), mine.join());
	assert.ok(mine.includes(`reply /t/${t.id}#post-3`));
	assert.ok((await notifications(other)).includes(`reply /t/${t.id}#post-3`),
	    "the author of the post replied to");
	assert.ok(!(await notifications(fresh)).some((n) => n.includes(`/t/${t.id}#`)),
	    "never oneself");
	const n = await getAs(maker, "/notifications?lang=en");
	assert.ok(n.data.notifications.some((x) => x.type === "reply" &&
	    x.text.includes("回复与通知")), JSON.stringify(n.data));
});

test("mentions notify once per post, not inside code, not unknown users",
    async () => {
	const t = await topic(staff, { title: "提及测试" });
	const p = await reply(other, t, { body: `@${maker.username} 你好，` +
	    `再说一次 @${maker.username}；\`@${fresh.username}\` 在代码里；` +
	    "@nobody_here_xyz 不存在" });
	const m = (await notifications(maker)).filter((x) => x.startsWith("mention"));
	assert.deepEqual(m, [`mention /t/${t.id}#post-${p.number}`]);
	assert.ok(!(await notifications(fresh)).some((x) => x.startsWith("mention") &&
	    x.includes(`/t/${t.id}#`)), "not inside code");
	const page = await get(t.url);
	assert.match(page.data.posts[1].body_html,
	    new RegExp(`<a class="mention" href="/u/${maker.username}">`));
	const count = (await notifications(maker)).filter((x) =>
	    x.startsWith(`reply /t/${t.id}#`)).length;
	assert.equal(count, 0, "staff's topic: no reply notice to maker");
});

test("a new user's first post is held, seen only by its author", async () => {
	setting("board_hold_first_posts", "1");
	try {
		const u = await newUser({ verified: true });
		const r = await postAs(u, "/topics", { body: { category: "general",
		    title: "待审核的话题", body: `新人帖 @${maker.username}` } });
		assert.equal(r.status, 201);
		assert.equal(r.data.topic.status, "pending");
		const url = r.data.topic.url;
		assert.equal((await get(url)).status, 404, "invisible to others");
		assert.equal((await getAs(other, url)).status, 404);
		const own = await getAs(u, url);
		assert.equal(own.status, 200);
		assert.equal(own.data.posts[0].status, "pending");
		const html = await getAs(u, url, { json: false });
		assert.match(html.text, /等待审核/);
		assert.equal((await getAs(staff, url)).status, 200, "staff see it");
		const board = await get("/board");
		assert.ok(!board.data.topics.some((t) => t.url === url));
		assert.ok(!(await notifications(maker)).some((x) => x.includes(url + "#")),
		    "no notification for held content");
	} finally {
		relaxed();
	}
});

test("replies to held topics, locked topics and unseen topics", async () => {
	const t = await topic(maker, { title: "将被锁定" });
	assert.equal((await postAs(staff, `/mod/topics/${t.id}`, { body: {
	    action: "lock" } })).status, 200);
	const r = await postAs(other, `${t.url}/posts`, { body: { body: "x" } });
	assert.equal(r.status, 403);
	assert.match(r.data.error.message, /锁定/);
	assert.equal((await postAs(staff, `${t.url}/posts`, { body: {
	    body: "馆员仍可回复" } })).status, 201);
	const s = await topic(staff, { category: "staff", title: "馆员室话题" });
	assert.equal((await getAs(maker, s.url)).status, 404);
	assert.equal((await postAs(maker, `${s.url}/posts`, { body: {
	    body: "x" } })).status, 404);
	assert.equal((await getAs(staff, s.url)).status, 200);
});

test("edits keep revisions; authors within the window, staff always",
    async () => {
	const t = await topic(maker, { title: "编辑测试", body: "第一版" });
	const pid = (await get(t.url)).data.posts[0].id;
	const e = await postAs(maker, `/posts/${pid}`, { body: { body: "第二版" } });
	assert.equal(e.status, 200, e.text);
	assert.match(e.data.post.body_html, /第二版/);
	assert.ok(e.data.post.edited_at);
	const page = await get(t.url);
	assert.ok(page.data.posts[0].edited_at, "an edited mark");
	assert.match(page.data.posts[0].body_html, /第二版/);
	const revs = await getAs(maker, `/posts/${pid}/revisions`);
	assert.equal(revs.status, 200);
	assert.deepEqual(revs.data.revisions.map((r) => r.body), ["第一版"]);
	assert.match(revs.data.revisions[0].at, /^\d{4}-\d\d-\d\dT.*[+-]\d\d:\d\d$/);
	assert.equal((await getAs(other, `/posts/${pid}/revisions`)).status, 404);
	assert.equal((await get(`/posts/${pid}/revisions`)).status, 401);
	const theirs = await postAs(other, `/posts/${pid}`, { body: { body: "改别人的" } });
	assert.equal(theirs.status, 403);
	// The window closes (a site setting; 0: at once).
	setting("board_edit_window_minutes", "0");
	let late;
	try {
		late = await postAs(maker, `/posts/${pid}`, { body: { body: "太晚" } });
	} finally {
		setting("board_edit_window_minutes", "60");
	}
	assert.equal(late.status, 403);
	assert.ok((await get(t.url)).data.posts[0].body_html.includes("第二版"),
	    "the late edit changed nothing");
	const st = await postAs(staff, `/posts/${pid}`, { body: { body: "馆员改" } });
	assert.equal(st.status, 200);
	const all = await getAs(staff, `/posts/${pid}/revisions`);
	assert.deepEqual(all.data.revisions.map((r) => r.body), ["第一版",
	    "第二版"]);
	const form = await getAs(staff, `/posts/${pid}/edit`, { json: false });
	assert.equal(form.status, 200);
	assert.match(form.text, /馆员改/);
	assert.equal((await postAs(maker, "/posts/999999999", { body: {
	    body: "x" } })).status, 404);
});

test("flags: one per user and post, a reason from the list", async () => {
	const t = await topic(maker, { title: "举报测试" });
	const p = await reply(maker, t, { body: "可能是垃圾" });
	const f = await postAs(other, `/posts/${p.id}/flag`, { body: {
	    reason: "spam", note: "广告" } });
	assert.equal(f.status, 200, f.text);
	const again = await postAs(other, `/posts/${p.id}/flag`, { body: {
	    reason: "offensive" } });
	assert.equal(again.status, 409);
	const bad = await postAs(fresh, `/posts/${p.id}/flag`, { body: {
	    reason: "boring" } });
	assert.equal(bad.status, 422);
	assert.ok(bad.data.error.fields.reason);
	const own = await postAs(maker, `/posts/${p.id}/flag`, { body: {
	    reason: "spam" } });
	assert.equal(own.status, 422);
	const queued = (await getAs(staff, "/mod/queue")).data.items
	    .find((i) => i.post.id === p.id);
	assert.deepEqual(queued.flags.map((x) => [x.user.username, x.reason]),
	    [[other.username, "spam"]], "one flag, the first");
	assert.equal((await postAs(other, "/posts/999999999/flag", { body: {
	    reason: "spam" } })).status, 404);
});

test("enough flags hide a post: a placeholder for others", async () => {
	const t = await topic(maker, { title: "自动隐藏" });
	const p = await reply(fresh, t, { body: "很冒犯的内容" });
	for (const who of [maker, other, staff]) {
		const r = await postAs(who, `/posts/${p.id}/flag`, { body: {
		    reason: "offensive" } });
		assert.equal(r.status, 200);
	}
	const anon = await get(t.url);
	const hp = anon.data.posts.find((x) => x.id === p.id);
	assert.equal(hp.hidden, true);
	assert.equal(hp.body_html, "", "others see a placeholder");
	const own = await getAs(fresh, t.url);
	const op = own.data.posts.find((x) => x.id === p.id);
	assert.match(op.body_html, /很冒犯/, "the author still sees it");
	assert.ok(op.held_reasons.includes("flags"));
	assert.equal(anon.data.topic.reply_count, 1, "still counted");
	assert.equal((await get(`/c/general`)).data.topics.find((x) =>
	    x.id === t.id).reply_count, 1);
});

test("solved: the accepted reply is quoted under the question", async () => {
	const t = await topic(maker, { category: "help", title: "怎么校准热床" });
	const a = await reply(other, t, { body: "先预热到 60 度" });
	assert.equal((await postAs(other, `${t.url}/solve`, { body: {
	    post_id: String(a.id) } })).status, 403, "only the asker");
	const s = await postAs(maker, `${t.url}/solve`, { body: {
	    post_id: String(a.id) } });
	assert.equal(s.status, 200, s.text);
	const page = await get(t.url);
	assert.equal(page.data.topic.solved_post_id, a.id);
	assert.match(page.data.topic.solution.body_html, /预热/);
	const html = await get(t.url, { json: false });
	assert.match(html.text, /class="solution"/);
	const list = await get("/c/help");
	assert.ok(list.data.topics.find((x) => x.id === t.id).solved);
	const clear = await postAs(staff, `${t.url}/solve`, { body: { post_id: "" } });
	assert.equal(clear.status, 200);
	assert.equal((await get(t.url)).data.topic.solved_post_id, null);
	const g = await topic(maker, { title: "综合区不能解决" });
	const ga = await reply(other, g);
	assert.equal((await postAs(maker, `${g.url}/solve`, { body: {
	    post_id: String(ga.id) } })).status, 422);
	assert.equal((await postAs(maker, `${t.url}/solve`, { body: {
	    post_id: "999999999" } })).status, 422);
});

test("topic pages go both ways by keyset, oldest first", async () => {
	const t = await topic(staff, { title: "很长的话题" });
	for (let i = 2; i <= 45; i++)
		await reply(staff, t, { body: `post ${i}` });
	const p1 = await get(t.url);
	assert.deepEqual(p1.data.posts.map((p) => p.number),
	    Array.from({ length: 20 }, (_, i) => i + 1));
	assert.equal(p1.data.next_cursor, 20);
	assert.equal(p1.data.prev_cursor, null);
	const p2 = await get(`${t.url}?cursor=20`);
	assert.equal(p2.data.posts[0].number, 21);
	assert.equal(p2.data.posts.length, 20);
	assert.equal(p2.data.prev_cursor, 21);
	const p3 = await get(`${t.url}?cursor=${p2.data.next_cursor}`);
	assert.deepEqual(p3.data.posts.map((p) => p.number), [41, 42, 43, 44, 45]);
	assert.equal(p3.data.next_cursor, null);
	const back = await get(`${t.url}?before=41`);
	assert.deepEqual(back.data.posts.map((p) => p.number),
	    Array.from({ length: 20 }, (_, i) => i + 21));
	assert.equal(back.data.prev_cursor, 21);
	const first = await get(`${t.url}?before=21`);
	assert.equal(first.data.posts[0].number, 1);
	assert.equal(first.data.prev_cursor, null);
	for (const q of ["cursor=abc", "cursor=-1", "before=1e5",
	    "cursor=99999999999"])
		assert.equal((await get(`${t.url}?${q}`)).status, 400, q);
	const html = await get(t.url, { json: false });
	assert.match(html.text, new RegExp(`data-topic="${t.id}" data-last="20"`));
	assert.match(html.text, /id="post-1" data-number="1"/);
});

test("category pages: pinned first, keyset pages, unread counts",
    async () => {
	const list = await getAs(maker, "/c/equipment");
	assert.equal(list.status, 200);
	assert.equal(list.data.category.slug, "equipment");
	const t = await topic(other, { category: "equipment", title: "激光切割机排队" });
	let row = (await getAs(maker, "/c/equipment")).data.topics
	    .find((x) => x.id === t.id);
	assert.equal(row.new, true, "never opened");
	await getAs(maker, t.url);
	row = (await getAs(maker, "/c/equipment")).data.topics
	    .find((x) => x.id === t.id);
	assert.equal(row.new, false);
	assert.equal(row.unread, 0);
	await reply(fresh, t, { body: "我也在排" });
	await reply(fresh, t, { body: "还在排" });
	row = (await getAs(maker, "/board")).data.topics.find((x) => x.id === t.id);
	assert.equal(row.unread, 2, "two new replies since");
	assert.equal(row.reply_count, 2);
	const anon = (await get("/c/equipment")).data.topics.find((x) => x.id === t.id);
	assert.equal(anon.unread, null);
	// The oldest topic of the page, pinned: first all the same.
	const pin = await topic(staff, { category: "equipment", title: "置顶的规则" });
	for (let i = 1; i <= 35; i++)
		await topic(staff, { category: "equipment", title: `分页话题 ${i}`,
		    body: "x" });
	assert.equal((await postAs(staff, `/mod/topics/${pin.id}`, { body: {
	    action: "pin" } })).status, 200);
	const p1 = await get("/c/equipment");
	assert.equal(p1.data.topics[0].id, pin.id, "pinned first");
	assert.equal(p1.data.topics.length, 30);
	assert.ok(p1.data.next_cursor);
	const p2 = await get(`/c/equipment?cursor=${p1.data.next_cursor}`);
	const ids1 = new Set(p1.data.topics.map((x) => x.id));
	assert.ok(p2.data.topics.length > 0);
	assert.ok(p2.data.topics.every((x) => !ids1.has(x.id)), "no repeats");
	assert.equal((await get("/c/equipment?cursor=x")).status, 400);
});

test("XSS in titles and bodies is escaped", async () => {
	const t = await topic(maker, { title: "<script>alert(1)</script>标题",
	    body: "<img src=x onerror=alert(1)> [a](javascript:alert(1))" });
	const html = await get(t.url, { json: false });
	assert.doesNotMatch(html.text, /<script>alert/);
	assert.match(html.text, /&lt;script&gt;alert\(1\)&lt;\/script&gt;标题/);
	assert.doesNotMatch(html.text, /onerror=/);
	assert.doesNotMatch(html.text, /href="javascript:/);
	const board = await get("/board", { json: false });
	assert.doesNotMatch(board.text, /<script>alert/);
	const j = await get(t.url);
	assert.doesNotMatch(j.data.posts[0].body_html, /<img|javascript:/);
});

test("new-user limits answer 422 or 429 with when to try again",
    async () => {
	defaults();
	setting("board_hold_first_posts", "0");
	try {
		const u = await newUser({ verified: true });
		const links = await postAs(u, "/topics", { body: {
		    category: "general", title: "很多链接",
		    body: "[a](http://a.cn) [b](http://b.cn) [c](http://c.cn)" } });
		assert.equal(links.status, 422);
		assert.ok(links.data.error.fields.body);
		const t = await topic(u, { title: "新人第一帖" });
		const soon = await postAs(u, `${t.url}/posts`, { body: { body: "马上再发" } });
		assert.equal(soon.status, 429);
		assert.equal(soon.data.error.code, "rate_limited");
		const wait = Number(soon.headers.get("retry-after"));
		assert.ok(wait >= 1 && wait <= 30, `Retry-After ${wait}`);
		assert.equal(soon.data.error.retry_after, wait);
		// Past the spacing, the day's count: one post today, limit 1.
		setting("board_new_seconds_between", "0");
		setting("board_new_posts_per_day", "1");
		const day = await postAs(u, `${t.url}/posts`, { body: { body: "今天第二帖" } });
		assert.equal(day.status, 429);
		assert.ok(Number(day.headers.get("retry-after")) > 3600);
		// Staff are never new users.
		const s = await postAs(staff, `${t.url}/posts`, { body: {
		    body: "[a](http://a.cn) [b](http://b.cn) [c](http://c.cn)" } });
		assert.equal(s.status, 201);
	} finally {
		relaxed();
	}
});

test("edits pass the same new-member limits on links and images",
    async () => {
	defaults();
	setting("board_hold_first_posts", "0");
	setting("board_new_seconds_between", "0");
	try {
		const u = await newUser({ verified: true });
		const two = "[a](http://a.cn) [b](http://b.cn)";
		const t = await topic(u, { title: "新人改帖", body: two });
		const pid = (await get(t.url)).data.posts[0].id;
		const links = await postAs(u, `/posts/${pid}`, { body: {
		    body: `${two} [c](http://c.cn) [d](http://d.cn)` } });
		assert.equal(links.status, 422, links.text);
		assert.ok(links.data.error.fields.body);
		const imgs = await postAs(u, `/posts/${pid}`, { body: {
		    body: "![a](/media/a.jpg) ![b](/media/b.jpg)" } });
		assert.equal(imgs.status, 422, imgs.text);
		assert.ok(imgs.data.error.fields.body);
		assert.equal(sql(`SELECT body FROM posts WHERE id = ${pid}`), two,
		    "the post is as it was");
		assert.equal(sql(`SELECT count(*) FROM post_revisions
		    WHERE post_id = ${pid}`), "0");
		const ok = await postAs(u, `/posts/${pid}`, { body: {
		    body: "[a](http://a.cn) ![b](/media/b.jpg)" } });
		assert.equal(ok.status, 200, ok.text);
		// Staff are never new users, also when they edit.
		const st = await postAs(staff, `/posts/${pid}`, { body: {
		    body: `${two} [c](http://c.cn) [d](http://d.cn)` } });
		assert.equal(st.status, 200, st.text);
	} finally {
		relaxed();
	}
});

test("slow mode spaces one user's replies in a topic", async () => {
	const t = await topic(maker, { title: "慢速模式" });
	assert.equal((await postAs(staff, `/mod/topics/${t.id}`, { body: {
	    action: "slow", seconds: "600" } })).status, 200);
	await reply(other, t, { body: "第一条" });
	const r = await postAs(other, `${t.url}/posts`, { body: { body: "第二条" } });
	assert.equal(r.status, 429);
	assert.ok(Number(r.headers.get("retry-after")) > 500);
	assert.equal((await postAs(fresh, `${t.url}/posts`, { body: {
	    body: "别人不受影响" } })).status, 201);
});

test("photos for posts: POST /uploads gives a Markdown snippet", async () => {
	const { readFileSync } = await import("node:fs");
	const dir = `${process.env.ROOT}/tests/fixtures/img`;
	const send = (who, bytes, name = "p.jpg") => {
		const form = new FormData();
		form.append("photo", new Blob([bytes]), name);
		return postAs(who, "/uploads", { multipart: form });
	};
	const r = await send(maker, readFileSync(`${dir}/exif-6.jpg`));
	assert.equal(r.status, 201, r.text);
	const u = r.data.upload;
	assert.ok(Number.isInteger(u.id));
	assert.match(u.url, /^\/media\/[0-9a-f]{64}\.jpg$/);
	assert.match(u.thumb_url, /^\/media\/[0-9a-f]{64}\.jpg$/);
	assert.equal(u.markdown, `![](${u.url})`);
	const img = await fetch(process.env.BASE_URL + u.thumb_url);
	assert.equal(img.status, 200);
	assert.match(img.headers.get("cache-control"), /immutable/);
	const t = await topic(maker, { title: "带图的帖子", body: `看图 ${u.markdown}` });
	const page = await get(t.url);
	assert.match(page.data.posts[0].body_html, new RegExp(`<img src="${u.url}"`));
	const html = await send(maker, Buffer.from("<html><script>x</script>"));
	assert.equal(html.status, 415);
	const empty = await send(maker, Buffer.alloc(0));
	assert.ok([415, 422].includes(empty.status), String(empty.status));
	const anon = new FormData();
	anon.append("photo", new Blob([readFileSync(`${dir}/rgb.jpg`)]), "a.jpg");
	assert.equal((await post("/uploads", { multipart: anon })).status, 401);
});

test("kept topic pages: fresh after every change, never another reader's",
    async () => {
	const t = await topic(maker, { title: "缓存的话题", body: "第一版内容" });
	const pages = async (who, path = t.url) => {
		const out = [];
		for (let i = 0; i < 6; i++)
			out.push((who ? await getAs(who, path, { json: false }) :
			    await get(path, { json: false })).text);
		return out;
	};
	await pages(null);
	await pages(other);
	const p = await reply(other, t, { body: "新的回复甲" });
	for (const h of await pages(null))
		assert.match(h, /新的回复甲/, "a new reply shows at once");
	const first = (await get(t.url)).data.posts[0].id;
	await postAs(maker, `/posts/${first}`, { body: { body: "第二版内容" } });
	for (const h of await pages(other)) {
		assert.match(h, /第二版内容/, "an edit shows at once");
		assert.doesNotMatch(h, /第一版内容/);
	}
	for (const who of [maker, fresh, staff]) {
		const f = await postAs(who, `/posts/${p.id}/flag`, { body: {
		    reason: "spam" } });
		assert.equal(f.status, 200, f.text);
	}
	for (const h of await pages(maker)) {
		assert.doesNotMatch(h, /新的回复甲/, "a hidden post's text leaves");
		assert.match(h, /此帖已被隐藏|This post is hidden/);
	}
	const own = await getAs(other, t.url, { json: false });
	assert.match(own.text, /新的回复甲/, "its author still sees it");
	setting("board_hold_first_posts", "1");
	try {
		const u = await newUser({ verified: true });
		const held = await postAs(u, `${t.url}/posts`, { body: {
		    body: "等待审核的回复" } });
		assert.equal(held.data.post.status, "pending");
		for (const h of await pages(fresh))
			assert.doesNotMatch(h, /等待审核的回复/, "held: not for others");
		const mine = await getAs(u, t.url, { json: false });
		assert.match(mine.text, /等待审核的回复/);
		assert.match(mine.text, /等待审核：|Awaiting approval/);
		for (const h of await pages(null))
			assert.doesNotMatch(h, /等待审核的回复/,
			    "and the author's page was not kept for others");
	} finally {
		relaxed();
	}
	const en = await get(`${t.url}?lang=en`, { json: false });
	assert.match(en.text, /This post is hidden/);
	const anon = await get(t.url, { json: false });
	assert.doesNotMatch(anon.text, /name="csrf" value="[^"]+"/,
	    "no token in a page for nobody");
	const j = await get(t.url);
	assert.ok(Array.isArray(j.data.posts), "JSON is always whole");
	assert.equal(j.data.posts.length, 2);
});

test("kept topic pages: the reply form per reader, as the JSON says",
    async () => {
	// The flags that depend on who reads (can_reply, can_solve, mine)
	// are the statements' (topic_page, topic_check), never redone in C.
	const t = await topic(maker, { category: "help",
	    title: "谁可以回复", body: "问题内容" });
	await reply(other, t, { body: "一个回答" });
	for (const who of [null, maker, other, null, maker, other]) {
		const j = who ? await getAs(who, t.url) : await get(t.url);
		assert.equal(j.data.topic.can_reply, who !== null);
		assert.equal(j.data.topic.can_solve === true, who === maker);
		for (let i = 0; i < 4; i++) {
			const h = (who ? await getAs(who, t.url, { json: false }) :
			    await get(t.url, { json: false })).text;
			assert.match(h, new RegExp(`data-reply="${who ? "1" : ""}"`),
			    "the reply flag is this reader's");
			assert.equal(/<form[^>]* id="reply"/.test(h), who !== null,
			    "the reply form only for a reader who may reply");
		}
	}
});

test("the home page lists the latest projects and public topics, kept fresh",
    async () => {
	const homes = async () => {
		const out = [];
		for (let i = 0; i < 6; i++)
			out.push((await get("/", { json: false })).text);
		return out;
	};
	await homes();
	const t = await topic(maker, { title: "首页上的新话题" });
	for (const h of await homes())
		assert.match(h, /首页上的新话题/, "a new topic shows at once");
	const s = await topic(staff, { category: "staff", title: "首页不该有的馆员话题" });
	assert.ok(s.id);
	for (const h of await homes())
		assert.doesNotMatch(h, /首页不该有的馆员话题/, "never the staff room");
	const p = await postAs(maker, "/projects", { body: { title: "首页上的新项目",
	    status: "published" } });
	assert.equal(p.status, 201);
	for (const h of await homes())
		assert.match(h, /首页上的新项目/);
	const j = await get("/");
	assert.ok(j.data.topics.some((x) => x.id === t.id));
	assert.ok(j.data.projects.some((x) => x.id === p.data.project.id));
	assert.ok(!j.data.topics.some((x) => x.id === s.id));
	const en = await get("/?lang=en", { json: false });
	assert.match(en.text, /General/, "category names in the page's language");
});

test("staff get topic and post tools on the page; others never", async () => {
	const t = await topic(maker, { title: "馆员工具" });
	const s = await getAs(staff, t.url, { json: false });
	assert.match(s.text, new RegExp(`action="/mod/topics/${t.id}"`));
	assert.match(s.text, /action="\/mod\/posts\/\d+"/);
	assert.match(s.text, /href="\/mod\/queue"/);
	for (let i = 0; i < 4; i++) {
		const m = await getAs(maker, t.url, { json: false });
		assert.doesNotMatch(m.text, /\/mod\//, "not for members");
		assert.doesNotMatch((await get(t.url, { json: false })).text,
		    /\/mod\//);
	}
	const lock = await postAs(staff, `/mod/topics/${t.id}`, { body: {
	    action: "lock", reason: "测试" } });
	assert.equal(lock.status, 200, lock.text);
	assert.equal((await get(t.url)).data.topic.locked, true);
	assert.match((await get(t.url, { json: false })).text, /已锁定/);
});

test("/metrics counts open WebSockets", async () => {
	const { default: WebSocket } = await import("ws");
	const gauge = async () => Number((await get("/metrics", { json: false }))
	    .text.match(/^makerspace_websockets_open (\d+)$/m)[1]);
	const before = await gauge();
	const ws = new WebSocket(process.env.BASE_URL.replace(/^http/, "ws") +
	    "/live");
	await new Promise((ok, fail) => { ws.on("open", ok); ws.on("error", fail); });
	assert.equal(await gauge(), before + 1);
	ws.close();
	await new Promise((ok) => ws.on("close", ok));
	for (let i = 0; i < 20 && await gauge() !== before; i++)
		await new Promise((r) => setTimeout(r, 50));
	assert.equal(await gauge(), before);
});

test("kept category lists: fresh after changes; unread counts per reader",
    async () => {
	const pages = async (who) => {
		const out = [];
		for (let i = 0; i < 6; i++)
			out.push((who ? await getAs(who, "/c/show-and-tell",
			    { json: false }) : await get("/c/show-and-tell",
			    { json: false })).text);
		return out;
	};
	await pages(null);
	await pages(maker);
	const t = await topic(other, { category: "show-and-tell", title: "展示缓存" });
	for (const h of await pages(maker))
		assert.match(h, /展示缓存/, "a new topic shows at once");
	const attr = (h) => JSON.parse(h.match(/data-unread="([^"]*)"/)[1]
	    .replace(/&quot;/g, "\"").replace(/&#34;/g, "\"") || "{}");
	let h = (await getAs(maker, "/c/show-and-tell", { json: false })).text;
	assert.equal(attr(h)[t.id], -1, "never opened");
	await getAs(maker, t.url);
	await reply(fresh, t, { body: "看起来不错" });
	h = (await getAs(maker, "/c/show-and-tell", { json: false })).text;
	assert.equal(attr(h)[t.id], 1, "one unread reply");
	assert.match(h, new RegExp(`<a class="topic-title" href="/t/${t.id}">` +
	    `[\\s\\S]*?<span class="replies"><strong>1</strong>`),
	    "the reply count moved");
	const anon = (await get("/c/show-and-tell", { json: false })).text;
	assert.equal(anon.match(/data-unread="([^"]*)"/)[1], "",
	    "nothing for nobody");
	assert.doesNotMatch(anon, /badge new/, "no reader's badges kept");
	await postAs(staff, `/mod/topics/${t.id}`, { body: { action: "pin",
	    reason: "好作品" } });
	for (const x of await pages(null))
		assert.match(x, /class="topic-row pinned"/, "a pin shows at once");
});

test("kept board lists: fresh at once; the staff room only for staff",
    async () => {
	const boards = async (who) => {
		const out = [];
		for (let i = 0; i < 6; i++)
			out.push((who ? await getAs(who, "/board", { json: false }) :
			    await get("/board", { json: false })).text);
		return out;
	};
	await boards(null);
	await boards(maker);
	const t = await topic(other, { title: "看板上的新话题" });
	for (const h of await boards(maker))
		assert.match(h, /看板上的新话题/, "a new topic shows at once");
	const s = await topic(staff, { category: "staff", title: "看板馆员话题" });
	for (const h of await boards(staff)) {
		assert.match(h, /看板馆员话题/, "staff see the staff room");
		assert.match(h, /href="\/c\/staff"/);
	}
	for (const h of await boards(null)) {
		assert.doesNotMatch(h, /看板馆员话题/, "nobody else does");
		assert.doesNotMatch(h, /href="\/c\/staff"/);
	}
	const mine = (await getAs(maker, "/board", { json: false })).text;
	const map = JSON.parse(mine.match(/data-unread="([^"]*)"/)[1]
	    .replace(/&quot;/g, "\"").replace(/&#34;/g, "\""));
	assert.equal(map[t.id], -1, "never opened, for this reader");
	assert.ok(s.id);
});

test("kept lists under a burst right after a change: every answer 200",
    async () => {
	for (const path of ["/c/general", "/board", "/projects"])
		await getAs(maker, path, { json: false });
	for (let round = 0; round < 3; round++) {
		await topic(other, { title: `并发 ${round}` });
		const all = await Promise.all(Array.from({ length: 48 }, (_, i) =>
		    getAs(maker, ["/c/general", "/board", "/projects"][i % 3],
		    { json: false })));
		for (const r of all)
			assert.equal(r.status, 200, r.text.slice(0, 200));
		assert.ok(all.filter((r) => r.text.includes(`并发 ${round}`))
		    .length >= 32, "the new topic everywhere on the board");
	}
});
