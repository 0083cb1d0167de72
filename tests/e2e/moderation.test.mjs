// Moderation (docs/api.md#moderation): the review queue,
// staff actions on posts and topics, the sensitive-word lists, and what
// authors and readers see after each.  The board's own holding, limits
// and flag counting are in board.test.mjs; here they feed the queue.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { get, sql, newUser, postAs, getAs, setting } from "./lib.mjs";

let staff, maker, other;
let savedWords, savedRate;

// Posting limits out of the way; holding first posts is turned on by
// the tests about it.
function relaxed() {
	setting("board_hold_first_posts", "0");
	setting("board_new_seconds_between", "0");
	setting("board_new_posts_per_day", "1000");
	setting("board_flag_threshold", "3");
}
function defaults() {
	setting("board_hold_first_posts", "1");
	setting("board_new_seconds_between", "30");
	setting("board_new_posts_per_day", "10");
}

before(async () => {
	// Staff here make more than the usual 60 POSTs a minute.
	savedRate = sql("SELECT value FROM site_settings " +
	    "WHERE key = 'posts_per_minute'") || "60";
	setting("posts_per_minute", "1000");
	relaxed();
	staff = await newUser({ verified: true, role: "staff" });
	maker = await newUser({ verified: true, display_name: "楼主" });
	other = await newUser({ verified: true, display_name: "路人" });
	savedWords = (await getAs(staff, "/mod/words")).data;
});
after(async () => {
	await postAs(staff, "/mod/words", { body: {
	    block: savedWords.block.join("\n"),
	    allow: savedWords.allow.join("\n") } });
	defaults();
	setting("posts_per_minute", savedRate);
});

async function topic(who, fields = {}) {
	const r = await postAs(who, "/topics", { body: { category: "general",
	    title: "审核测试话题", body: "话题内容", ...fields } });
	assert.equal(r.status, 201, r.text);
	return r.data.topic;
}

async function reply(who, t, body = "回复") {
	const r = await postAs(who, `${t.url}/posts`, { body: { body } });
	assert.equal(r.status, 201, r.text);
	return r.data.post;
}

// Staff see held and hidden posts on the topic page too.
async function staffTopic(t) {
	const r = await getAs(staff, t.url);
	assert.equal(r.status, 200, r.text);
	return r.data;
}

async function firstPostId(t) {
	return (await staffTopic(t)).posts.find((p) => p.number === 1).id;
}

function act(who, pid, action, reason, extra = {}) {
	const body = { action, ...extra };
	if (reason !== undefined)
		body.reason = reason;
	return postAs(who, `/mod/posts/${pid}`, { body });
}

function topicAct(who, t, action, extra = {}) {
	return postAs(who, `/mod/topics/${t.id}`, { body: { action,
	    ...extra } });
}

async function queue(view = "") {
	const qs = view ? `?view=${view}` : "";
	const r = await getAs(staff, `/mod/queue${qs}`);
	assert.equal(r.status, 200, r.text);
	return r.data;
}

const item = (q, pid) => q.items.find((i) => i.post.id === pid);
// What people see: the board's counts, the topic's, the audit log at
// /admin/audit and each user's notifications.
const count = async (slug) => (await get("/board")).data.categories
    .find((c) => c.slug === slug).topic_count;
const replies = async (t) => (await staffTopic(t)).topic.reply_count;

// The audit entries of one target: "action actor reason", oldest first.
async function audit(target) {
	const r = await getAs(staff, "/admin/audit");
	assert.equal(r.status, 200, r.text);
	return r.data.entries.filter((e) => e.target === target).reverse()
	    .map((e) => `${e.action} ${e.actor} ${e.reason ?? "-"}`);
}

// "url data" of the user's notifications of one type, oldest first.
async function noticesOf(u, type) {
	const r = await getAs(u, "/notifications");
	assert.equal(r.status, 200, r.text);
	return r.data.notifications.filter((n) => n.type === type).reverse()
	    .map((n) => `${n.url} ${JSON.stringify(n.data)}`);
}

test("a new user's first post is held, queued as new_user; approving " +
    "publishes it and only then sends its notifications", async () => {
	const host = await topic(maker, { title: "有人回复吗" });
	setting("board_hold_first_posts", "1");
	try {
		const u = await newUser({ verified: true });
		const u2 = await newUser({ verified: true });
		const before = (await count("general"));
		const r = await postAs(u, "/topics", { body: { category: "general",
		    title: "新人的第一个话题", body: `你好 @${other.username}` } });
		assert.equal(r.status, 201, r.text);
		assert.equal(r.data.topic.status, "pending");
		const t = r.data.topic;
		const pid = (await firstPostId(t));

		// A held reply to someone else's topic, later than the topic.
		const rr = await postAs(u2, `${host.url}/posts`, { body: {
		    body: "新人的回复" } });
		assert.equal(rr.status, 201, rr.text);
		assert.equal(rr.data.post.status, "pending");
		const rid = rr.data.post.id;

		assert.equal((await get(t.url)).status, 404, "invisible");
		assert.equal((await getAs(other, t.url)).status, 404);
		const page = await get(host.url);
		assert.ok(!page.data.posts.some((p) => p.id === rid),
		    "the held reply is not shown to others");
		assert.equal((await count("general")), before, "not counted");
		assert.equal((await replies(host)), 0);
		assert.deepEqual((await noticesOf(other, "mention")), []);
		assert.deepEqual((await noticesOf(maker, "reply")), []);

		const q = await queue();
		const a = item(q, pid), b = item(q, rid);
		assert.ok(a && b, "both wait in the queue");
		assert.ok(q.items.indexOf(a) < q.items.indexOf(b),
		    "oldest first");
		assert.deepEqual(a.reasons, ["new_user"]);
		assert.equal(a.status, "pending");
		assert.equal(a.post.author.username, u.username);
		assert.equal(a.post.number, 1);
		assert.equal(a.post.url, `${t.url}#post-1`);
		assert.match(a.post.body_html, /你好/);
		assert.match(a.post.created_at, /[+-]\d\d:\d\d$/);
		assert.equal(a.topic.title, "新人的第一个话题");
		assert.equal(a.topic.url, t.url);
		assert.equal(a.topic.category.slug, "general");
		assert.equal(a.topic.category.name, "综合讨论");
		assert.deepEqual(a.flags, []);
		assert.equal(a.actions.approve, true);
		assert.equal(a.actions.reject, true);
		assert.equal(a.actions.unhide, false);
		const en = await getAs(staff, "/mod/queue?lang=en");
		assert.equal(item(en.data, pid).topic.category.name, "General");
		assert.equal(item(en.data, pid).reason_labels[0],
		    "New member's first post");

		const ok = await act(staff, pid, "approve");
		assert.equal(ok.status, 200, ok.text);
		assert.equal(ok.data.post.status, "published");
		assert.equal(ok.data.topic.status, "published");
		assert.equal((await get(t.url)).status, 200, "now public");
		assert.equal((await count("general")), before + 1);
		assert.equal((await noticesOf(other, "mention")).length, 1,
		    "the mention arrives with the approval");

		const ok2 = await act(staff, rid, "approve");
		assert.equal(ok2.status, 200, ok2.text);
		assert.equal((await replies(host)), 1);
		assert.equal((await noticesOf(maker, "reply")).length, 1);
		const shown = (await get(host.url)).data.posts;
		assert.ok(shown.some((p) => p.id === rid && !p.pending));

		const q2 = await queue();
		assert.ok(!item(q2, pid) && !item(q2, rid),
		    "they left the queue");
		assert.equal((await act(staff, pid, "approve")).status, 409,
		    "approving twice");
		assert.deepEqual((await audit(`post:${pid}`)),
		    [`post.approve ${staff.username} -`]);
		assert.equal((await audit(`post:${rid}`)).length, 1);
	} finally {
		relaxed();
	}
});

test("a reply in a held topic waits for the topic: refused until " +
    "it is approved", async () => {
	setting("board_hold_first_posts", "1");
	try {
		const u = await newUser({ verified: true });
		const r = await postAs(u, "/topics", { body: { category: "general",
		    title: "还在等待", body: "第一帖" } });
		assert.equal(r.data.topic.status, "pending");
		const re = await postAs(u, `${r.data.topic.url}/posts`, {
		    body: { body: "自己补充一句" } });
		assert.equal(re.status, 403, re.text);
		assert.equal((await staffTopic(r.data.topic)).posts.length, 1,
		    "nothing was added to the held topic");
		assert.equal((await act(staff, (await firstPostId(r.data.topic)),
		    "approve")).status, 200);
		const later = await postAs(u, `${r.data.topic.url}/posts`, {
		    body: { body: "自己补充一句" } });
		assert.equal(later.status, 201, later.text);
		assert.equal(later.data.post.status, "published");
	} finally {
		relaxed();
	}
});

test("a blocked word holds a post; an allowed phrase containing it does " +
    "not", async () => {
	const w = await postAs(staff, "/mod/words", { body: {
	    block: "赌博\n  Casino \n\ncasino\n赌博",
	    allow: "反赌博宣传\n" } });
	assert.equal(w.status, 200, w.text);
	assert.deepEqual(w.data.block.sort(), ["Casino", "赌博"].sort(),
	    "trimmed; empty lines and repeats (any case) dropped");
	assert.deepEqual(w.data.allow, ["反赌博宣传"]);
	assert.deepEqual((await getAs(staff, "/mod/words")).data, w.data);
	assert.equal((await audit("moderation_words")).at(-1),
	    `words.update ${staff.username} -`);

	const t = await topic(maker, { title: "敏感词测试" });
	const held = await postAs(other, `${t.url}/posts`, { body: {
	    body: "这里有个赌博网站" } });
	assert.equal(held.status, 201);
	assert.equal(held.data.post.status, "pending");
	const fine = await postAs(other, `${t.url}/posts`, { body: {
	    body: "周末参加反赌博宣传活动" } });
	assert.equal(fine.data.post.status, "published");
	const upper = await postAs(other, `${t.url}/posts`, { body: {
	    body: "a CASINO night" } });
	assert.equal(upper.data.post.status, "pending", "case is ignored");

	const q = await queue();
	const i = item(q, held.data.post.id);
	assert.deepEqual(i.reasons, ["sensitive"]);
	assert.deepEqual(i.words, ["赌博"]);
	assert.ok(!item(q, fine.data.post.id));
	const html = await getAs(staff, "/mod/queue", { json: false });
	assert.match(html.text, /<mark>赌博<\/mark>/);
	assert.equal((await act(staff, upper.data.post.id, "delete")).status,
	    200);
	assert.equal((await act(staff, held.data.post.id, "reject",
	    "请勿发布赌博信息")).status, 200);
});

test("word lists: limits per entry and per list, the HTML form",
    async () => {
	const long = await postAs(staff, "/mod/words", { body: {
	    block: "好\n" + "长".repeat(101) } });
	assert.equal(long.status, 422);
	assert.ok(long.data.error.fields.block);
	const many = Array.from({ length: 2001 }, (_, i) => `w${i}`);
	const tooMany = await postAs(staff, "/mod/words", { body: {
	    allow: many.join("\n") } });
	assert.equal(tooMany.status, 422);
	assert.ok(tooMany.data.error.fields.allow);
	const most = await postAs(staff, "/mod/words", { body: {
	    allow: many.slice(0, 2000).join("\r\n") } });
	assert.equal(most.status, 200);
	assert.equal(most.data.allow.length, 2000);
	const array = await postAs(staff, "/mod/words", { body: {
	    allow: ["a b", " c "] } });
	assert.deepEqual(array.data.allow, ["a b", "c"], "a JSON array too");
	const ctl = await postAs(staff, "/mod/words", { body: {
	    block: "bad\u0001word" } });
	assert.equal(ctl.status, 422);

	// Absent keeps a list; empty clears it.
	const keep = await postAs(staff, "/mod/words", { body: {
	    block: "<b>x</b>" } });
	assert.deepEqual(keep.data.allow, ["a b", "c"]);
	const clear = await postAs(staff, "/mod/words", { body: {
	    allow: "" } });
	assert.deepEqual(clear.data.allow, []);
	assert.deepEqual(clear.data.block, ["<b>x</b>"]);

	const page = await getAs(staff, "/mod/words", { json: false });
	assert.equal(page.status, 200);
	assert.match(page.text, new RegExp('<textarea[^>]*name="block"' +
	    "[^>]*>&lt;b&gt;x&lt;/b&gt;\n</textarea>"));
	const form = new URLSearchParams({ csrf: staff.csrf,
	    block: "甲\r\n乙\r\n", allow: "" });
	const sent = await postAs(staff, "/mod/words", { form, json: false });
	assert.equal(sent.status, 303);
	assert.equal(sent.headers.get("location"), "/mod/words");
	assert.deepEqual((await getAs(staff, "/mod/words")).data.block.sort(),
	    ["甲", "乙"].sort());
	const bad = await postAs(staff, "/mod/words", { json: false,
	    form: new URLSearchParams({ csrf: staff.csrf,
	    block: "长".repeat(101) }) });
	assert.equal(bad.status, 422);
	assert.match(bad.text, /100/, "the form again, with the problem");
});

test("reject: the author sees the reason and is told; a rejected opening " +
    "post rejects its topic", async () => {
	setting("board_hold_first_posts", "1");
	let u, r;
	try {
		u = await newUser({ verified: true });
		r = await postAs(u, "/topics", { body: { category: "general",
		    title: "广告帖", body: "买买买" } });
		assert.equal(r.data.topic.status, "pending");
	} finally {
		relaxed();
	}
	const t = r.data.topic;
	const pid = (await firstPostId(t));
	const before = (await count("general"));
	const none = await act(staff, pid, "reject");
	assert.equal(none.status, 422);
	assert.ok(none.data.error.fields.reason, "a reason is required");
	const blank = await act(staff, pid, "reject", "   ");
	assert.equal(blank.status, 422);
	const long = await act(staff, pid, "reject", "理".repeat(501));
	assert.equal(long.status, 422);

	const ok = await act(staff, pid, "reject", "请勿发广告");
	assert.equal(ok.status, 200, ok.text);
	assert.equal(ok.data.post.status, "rejected");
	assert.equal(ok.data.post.mod_reason, "请勿发广告");
	assert.equal(ok.data.topic.status, "rejected");
	assert.equal((await count("general")), before, "never counted");

	const own = await getAs(u, t.url);
	assert.equal(own.status, 200, "the author still sees it");
	assert.equal(own.data.posts[0].status, "rejected");
	assert.equal(own.data.posts[0].mod_reason, "请勿发广告");
	assert.equal((await getAs(other, t.url)).status, 404);
	assert.equal((await get(t.url)).status, 404);

	const n = (await noticesOf(u, "post_rejected"));
	assert.equal(n.length, 1);
	assert.match(n[0], new RegExp(`^${t.url} `));
	assert.match(n[0], /请勿发广告/);
	const list = await getAs(u, "/notifications");
	assert.ok(list.data.notifications.some((x) =>
	    x.type === "post_rejected" && x.url === t.url));

	assert.ok(!item(await queue(), pid), "it left the queue");
	assert.equal((await act(staff, pid, "approve")).status, 409);
	assert.equal((await act(staff, pid, "reject", "again")).status, 409);
	assert.deepEqual((await audit(`post:${pid}`)),
	    [`post.reject ${staff.username} 请勿发广告`]);
});

test("three flags hide a post by themselves; it waits in the queue with " +
    "the flags; unhide restores it and clears them", async () => {
	const t = await topic(maker, { title: "自动隐藏与恢复" });
	const p = await reply(other, t, "有争议的观点");
	const flaggers = [];
	for (let i = 0; i < 3; i++)
		flaggers.push(await newUser({ verified: true }));
	const xss = "<script>alert(1)</script>";
	for (const [i, who] of flaggers.entries()) {
		const f = await postAs(who, `/posts/${p.id}/flag`, { body: {
		    reason: i === 0 ? "spam" : "offensive",
		    note: i === 0 ? xss : "" } });
		assert.equal(f.status, 200, f.text);
		if (i === 0) {
			const again = await postAs(who, `/posts/${p.id}/flag`, {
			    body: { reason: "spam" } });
			assert.equal(again.status, 409, "one flag per user");
			const q1 = item(await queue(), p.id);
			assert.ok(q1, "one flag is enough to be reviewed");
			assert.equal(q1.status, "published");
			assert.equal(q1.actions.hide, true);
		}
	}
	const anon = (await get(t.url)).data.posts.find((x) => x.id === p.id);
	assert.equal(anon.hidden, true, "hidden at the threshold");
	assert.equal(anon.body_html, "");

	const i = item(await queue(), p.id);
	assert.equal(i.status, "hidden");
	assert.ok(i.reasons.includes("flags"));
	assert.equal(i.flags.length, 3);
	assert.deepEqual(i.flags.map((f) => f.user.username),
	    flaggers.map((f) => f.username));
	assert.equal(i.flags[0].reason, "spam");
	assert.equal(i.flags[0].note, xss);
	assert.equal(i.actions.unhide, true);
	assert.equal(i.actions.reject, false);
	const html = await getAs(staff, "/mod/queue", { json: false });
	assert.ok(html.text.includes("&lt;script&gt;alert(1)&lt;/script&gt;"));
	assert.ok(!html.text.includes(xss), "a flag's note is escaped");

	assert.equal((await act(staff, p.id, "reject", "x")).status, 409,
	    "only held posts are rejected");
	const ok = await act(staff, p.id, "unhide");
	assert.equal(ok.status, 200, ok.text);
	assert.equal(ok.data.post.status, "published");
	assert.equal(ok.data.post.flag_count, 0);
	assert.ok(!ok.data.post.held_reasons.includes("flags"));
	const back = (await get(t.url)).data.posts.find((x) => x.id === p.id);
	assert.equal(back.hidden, false);
	assert.match(back.body_html, /有争议/);
	assert.ok(!item(await queue("hidden"), p.id), "not hidden any more");
	assert.ok(!item(await queue(), p.id), "it left the queue");
	assert.equal((await replies(t)), 1, "counted once throughout");
	assert.equal((await act(staff, p.id, "unhide")).status, 409);
	assert.deepEqual((await audit(`post:${p.id}`)),
	    [`post.unhide ${staff.username} -`]);
});

test("approving a flagged post keeps it and clears its flags", async () => {
	const t = await topic(maker, { title: "被误举报" });
	const p = await reply(other, t, "正常的回复");
	const f = await postAs(maker, `/posts/${p.id}/flag`, { body: {
	    reason: "other", note: "看错了" } });
	assert.equal(f.status, 200);
	assert.equal(item(await queue(), p.id).reasons[0], "flags");
	const ok = await act(staff, p.id, "approve", "没有问题");
	assert.equal(ok.status, 200, ok.text);
	assert.equal(ok.data.post.status, "published");
	assert.ok(!item(await queue(), p.id));
	assert.equal((await audit(`post:${p.id}`))[0],
	    `post.approve ${staff.username} 没有问题`);
});

test("hide with a reason: the author sees it, others a placeholder; " +
    "delete takes posts and topics out of the counts", async () => {
	const t = await topic(maker, { title: "隐藏和删除" });
	const p = await reply(other, t, "要被隐藏的回复");
	assert.equal((await replies(t)), 1);
	assert.equal((await act(staff, p.id, "hide")).status, 422);
	const xss = "<img src=x onerror=alert(1)>违规";
	const h = await act(staff, p.id, "hide", xss);
	assert.equal(h.status, 200, h.text);
	assert.equal(h.data.post.status, "hidden");
	assert.equal(h.data.post.mod_reason, xss);

	const own = (await getAs(other, t.url)).data.posts
	    .find((x) => x.id === p.id);
	assert.equal(own.hidden, true);
	assert.equal(own.mod_reason, xss, "the author reads why");
	assert.match(own.body_html, /要被隐藏/);
	const anon = (await get(t.url)).data.posts.find((x) => x.id === p.id);
	assert.equal(anon.body_html, "");
	assert.equal(anon.mod_reason, null);

	assert.ok(!item(await queue(), p.id), "staff decided: not in review");
	const hv = await queue("hidden");
	assert.equal(hv.view, "hidden");
	const hi = item(hv, p.id);
	assert.deepEqual(hi.reasons, ["staff"]);
	assert.equal(hi.post.mod_reason, xss);
	const html = await getAs(staff, "/mod/queue?view=hidden",
	    { json: false });
	assert.ok(html.text.includes("&lt;img src=x onerror=alert(1)&gt;违规"));
	assert.ok(!html.text.includes("<img src=x"), "a reason is escaped");

	const d = await act(staff, p.id, "delete");
	assert.equal(d.status, 200);
	assert.equal(d.data.post.status, "deleted");
	assert.equal((await replies(t)), 0);
	assert.ok(!(await get(t.url)).data.posts.some((x) => x.id === p.id));
	assert.ok(!(await getAs(other, t.url)).data.posts
	    .some((x) => x.id === p.id), "gone for its author too");
	assert.equal((await act(staff, p.id, "delete")).status, 409);
	assert.deepEqual((await audit(`post:${p.id}`)), [
	    `post.hide ${staff.username} ${xss}`,
	    `post.delete ${staff.username} -`]);

	const before = (await count("general"));
	const d1 = await act(staff, (await firstPostId(t)), "delete", "重复的话题");
	assert.equal(d1.status, 200);
	assert.equal(d1.data.topic.status, "deleted");
	assert.equal((await count("general")), before - 1);
	assert.equal((await get(t.url)).status, 404);
	assert.equal((await getAs(maker, t.url)).status, 404);
});

test("an edit that brings in a blocked word is held again; approving it " +
    "does not count or notify twice", async () => {
	await postAs(staff, "/mod/words", { body: { block: "违禁词",
	    allow: "" } });
	const t = await topic(maker, { title: "编辑后被扣" });
	const p = await reply(other, t, "普通回复");
	assert.equal((await replies(t)), 1);
	assert.equal((await noticesOf(maker, "reply")).filter((x) =>
	    x.startsWith(t.url + "#")).length, 1);
	const third = await newUser({ verified: true });
	const e = await postAs(other, `/posts/${p.id}`, { body: {
	    body: `改成违禁词 @${third.username}` } });
	assert.equal(e.status, 200, e.text);
	assert.equal(e.data.post.status, "pending");
	assert.deepEqual(item(await queue(), p.id).reasons, ["sensitive"]);
	assert.deepEqual((await noticesOf(third, "mention")), []);

	const ok = await act(staff, p.id, "approve");
	assert.equal(ok.status, 200, ok.text);
	assert.equal(ok.data.post.status, "published");
	assert.equal((await replies(t)), 1, "still one reply");
	assert.equal((await noticesOf(maker, "reply")).filter((x) =>
	    x.startsWith(t.url + "#")).length, 1, "no second reply notice");
	assert.equal((await noticesOf(third, "mention")).length, 1,
	    "the edit's mention arrives with the approval");
	await postAs(staff, "/mod/words", { body: { block: "" } });
});

test("lock stops replies, pin, slow mode, and move keeps the category " +
    "counts right", async () => {
	const t = await topic(maker, { title: "话题管理" });
	const lock = await topicAct(staff, t, "lock", { reason: "吵架了" });
	assert.equal(lock.status, 200, lock.text);
	assert.equal(lock.data.topic.locked, true);
	const r = await postAs(other, `${t.url}/posts`, { body: {
	    body: "x" } });
	assert.equal(r.status, 403);
	assert.equal((await topicAct(staff, t, "unlock")).data.topic.locked,
	    false);
	await reply(other, t, "解锁后可以回复");

	const pin = await topicAct(staff, t, "pin");
	assert.equal(pin.data.topic.pinned, true);
	const cat = await get("/c/general");
	assert.equal(cat.data.topics[0].id, t.id, "pinned first");
	assert.equal(cat.data.topics[0].pinned, true);
	assert.equal((await topicAct(staff, t, "unpin")).data.topic.pinned,
	    false);

	const slow = await topicAct(staff, t, "slow", { seconds: "60" });
	assert.equal(slow.status, 200, slow.text);
	assert.equal(slow.data.topic.slow_mode_seconds, 60);
	const wait = await postAs(other, `${t.url}/posts`, { body: {
	    body: "太快了" } });
	assert.equal(wait.status, 429, "one post a minute in this topic");
	assert.ok(Number(wait.headers.get("retry-after")) > 0);
	assert.equal((await topicAct(staff, t, "slow", { seconds: 0 }))
	    .data.topic.slow_mode_seconds, 0);
	await reply(other, t, "恢复正常速度");
	for (const bad of ["86401", "-1", "abc", ""]) {
		const s = await topicAct(staff, t, "slow", { seconds: bad });
		assert.equal(s.status, 422, bad);
		assert.ok(s.data.error.fields.seconds);
	}

	const [g, h] = [(await count("general")), (await count("help"))];
	const mv = await topicAct(staff, t, "move", { category: "help" });
	assert.equal(mv.status, 200, mv.text);
	assert.equal(mv.data.topic.category, "help");
	assert.deepEqual([(await count("general")), (await count("help"))], [g - 1, h + 1]);
	assert.equal((await get(t.url)).data.topic.category.slug, "help");
	const same = await topicAct(staff, t, "move", { category: "help" });
	assert.equal(same.status, 200);
	assert.deepEqual([(await count("general")), (await count("help"))], [g - 1, h + 1]);
	const nowhere = await topicAct(staff, t, "move", { category: "nope" });
	assert.equal(nowhere.status, 422);
	assert.ok(nowhere.data.error.fields.category);
	assert.equal((await topicAct(staff, t, "move")).status, 422);

	const bad = await topicAct(staff, t, "explode");
	assert.equal(bad.status, 422);
	assert.ok(bad.data.error.fields.action);
	assert.equal((await postAs(staff, "/mod/topics/999999999", { body: {
	    action: "lock" } })).status, 404);
	assert.deepEqual((await audit(`topic:${t.id}`)).map((x) => x.split(" ")[0]),
	    ["topic.lock", "topic.unlock", "topic.pin", "topic.unpin",
	    "topic.slow", "topic.slow", "topic.move", "topic.move"]);
	assert.equal((await audit(`topic:${t.id}`))[0],
	    `topic.lock ${staff.username} 吵架了`);
	const moves = (await getAs(staff, "/admin/audit")).data.entries
	    .filter((e) => e.target === `topic:${t.id}` &&
	    e.action === "topic.move");
	assert.deepEqual(moves.at(-1).details, { from: "general", to: "help" });
});

test("bad actions and unknown posts", async () => {
	const t = await topic(maker, { title: "无效操作" });
	const pid = (await firstPostId(t));
	for (const action of ["explode", "", "APPROVE"]) {
		const r = await act(staff, pid, action);
		assert.equal(r.status, 422, action);
		assert.equal(r.data.error.code, "invalid");
		assert.ok(r.data.error.fields.action);
	}
	const missing = await postAs(staff, `/mod/posts/${pid}`, { body: {} });
	assert.equal(missing.status, 422);
	assert.equal((await act(staff, 999999999, "approve")).status, 404);
	assert.equal((await act(staff, pid, "approve")).status, 409,
	    "nothing to approve on a published post without flags");
	assert.deepEqual((await audit(`post:${pid}`)), [], "refusals leave no trace");
});

test("browsers: the queue's forms go back to the queue; errors show on " +
    "the page", async () => {
	const t = await topic(maker, { title: "表单测试" });
	const p = await reply(other, t, "表单");
	const page = await getAs(staff, "/mod/queue", { json: false });
	assert.match(page.headers.get("content-type"), /text\/html/);
	const form = (fields) => new URLSearchParams({ csrf: staff.csrf,
	    ...fields });
	const hide = await postAs(staff, `/mod/posts/${p.id}`, { json: false,
	    form: form({ action: "hide", reason: "测试", view: "review" }) });
	assert.equal(hide.status, 303);
	assert.equal(hide.headers.get("location"), "/mod/queue");
	const hv = await getAs(staff, "/mod/queue?view=hidden",
	    { json: false });
	assert.ok(hv.text.includes(`action="/mod/posts/${p.id}"`));
	assert.match(hv.text, /name="action" value="unhide"/);
	const un = await postAs(staff, `/mod/posts/${p.id}`, { json: false,
	    form: form({ action: "unhide", view: "hidden" }) });
	assert.equal(un.status, 303);
	assert.equal(un.headers.get("location"), "/mod/queue?view=hidden");
	const bad = await postAs(staff, `/mod/posts/${p.id}`, { json: false,
	    form: form({ action: "hide" }) });
	assert.equal(bad.status, 422);
	assert.match(bad.text, /role="alert"/);
	assert.match(bad.text, /href="\/mod\/queue"/);
	const tl = await postAs(staff, `/mod/topics/${t.id}`, { json: false,
	    form: form({ action: "lock" }) });
	assert.equal(tl.status, 303);
	assert.equal(tl.headers.get("location"), t.url);
	const en = await getAs(staff, "/mod/queue?view=hidden&lang=en",
	    { json: false });
	assert.match(en.text, /Hidden posts/);
	const zh = await getAs(staff, "/mod/queue?lang=zh-CN", { json: false });
	assert.match(zh.text, /审核队列/);
	const words = await getAs(staff, "/mod/words?lang=en", { json: false });
	assert.match(words.text, /Blocked words/);
});

test("only staff: everyone else gets 401 or 403 and changes nothing",
    async () => {
	const t = await topic(maker, { title: "权限测试" });
	const pid = (await firstPostId(t));
	const mentor = await newUser({ verified: true, role: "mentor" });
	for (const who of [maker, other, mentor]) {
		assert.equal((await getAs(who, "/mod/queue")).status, 403);
		assert.equal((await getAs(who, "/mod/words")).status, 403);
		assert.equal((await act(who, pid, "delete")).status, 403);
		assert.equal((await topicAct(who, t, "lock")).status, 403);
		assert.equal((await postAs(who, "/mod/words", { body: {
		    block: "" } })).status, 403);
	}
	for (const path of ["/mod/queue", "/mod/words"])
		assert.equal((await get(path)).status, 401);
	const seen = await staffTopic(t);
	assert.equal(seen.posts[0].status, "published");
	assert.equal(seen.topic.locked, false);
	const admin = await newUser({ verified: true, role: "admin" });
	assert.equal((await getAs(admin, "/mod/queue")).status, 200);
});

test("an author's reply to their own held, rejected or hidden topic is " +
    "refused and publishes nothing", async () => {
	await postAs(staff, "/mod/words", { body: { block: "违禁品" } });
	const r = await postAs(maker, "/topics", { body: { category: "general",
	    title: "出售二手工具", body: "附带一些违禁品" } });
	assert.equal(r.data.topic.status, "pending");
	const t = r.data.topic;
	const mentions = (await noticesOf(other, "mention")).length;
	const tryReply = () => postAs(maker, `${t.url}/posts`, { body: {
	    body: `@${other.username} 快来看` } });
	const held = await tryReply();
	assert.equal(held.status, 403, held.text);
	assert.equal(held.data.error.code, "forbidden");
	assert.match(held.data.error.message, /未发布/);
	const en = await postAs(maker, `${t.url}/posts?lang=en`, { body: {
	    body: "x" } });
	assert.match(en.data.error.message, /not published/);
	assert.equal((await act(staff, await firstPostId(t), "reject", "违规"))
	    .status, 200);
	assert.equal((await tryReply()).status, 403, "rejected");
	const h = await topic(maker, { title: "将被隐藏的话题" });
	sql(`UPDATE topics SET status = 'hidden' WHERE id = ${h.id}`);
	const hidden = await postAs(maker, `${h.url}/posts`, { body: {
	    body: `@${other.username} 快来看` } });
	assert.equal(hidden.status, 403, "hidden");
	for (const x of [t, h]) {
		assert.equal((await staffTopic(x)).posts.length, 1,
		    "no reply was stored");
		assert.equal(await replies(x), 0, "nothing counted");
	}
	assert.equal((await noticesOf(other, "mention")).length, mentions,
	    "nobody was notified");
	// Published again, it takes replies as before.
	sql(`UPDATE topics SET status = 'published' WHERE id = ${h.id}`);
	assert.equal((await postAs(maker, `${h.url}/posts`, { body: {
	    body: "恢复后可以回复" } })).status, 201);
});

test("a blocked word in a topic's title holds it as one in its body " +
    "would", async () => {
	await postAs(staff, "/mod/words", { body: { block: "赌场",
	    allow: "反赌场联盟" } });
	const r = await postAs(maker, "/topics", { body: { category: "general",
	    title: "城里新开的赌场", body: "正文没有问题" } });
	assert.equal(r.status, 201, r.text);
	assert.equal(r.data.topic.status, "pending");
	assert.deepEqual(r.data.topic.held_reasons, ["sensitive"]);
	const t = r.data.topic;
	assert.equal((await get(t.url)).status, 404, "invisible to others");
	assert.ok(!(await get("/board")).data.topics.some((x) =>
	    x.id === t.id));
	const i = item(await queue(), await firstPostId(t));
	assert.ok(i, "queued");
	assert.deepEqual(i.reasons, ["sensitive"]);
	assert.deepEqual(i.words, ["赌场"]);
	const fine = await topic(maker, { title: "反赌场联盟的活动" });
	assert.equal(fine.status, "published", "an allowed phrase");
	const st = await topic(staff, { title: "关于赌场的公告" });
	assert.equal(st.status, "published", "staff are not held");
	assert.equal((await act(staff, await firstPostId(t), "approve")).status, 200);
	assert.equal((await get(t.url)).status, 200);
});
