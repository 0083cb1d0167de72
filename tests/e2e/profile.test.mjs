// Profiles, GET /u/{username} (docs/api.md#get-uusername; issue 12,
// item 2): a maker's page with their published projects, their recent
// public posts with topics, badges and counts; never anything private,
// held, hidden, draft or from the staff room, whoever asks.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { get, sql, newUser, postAs, getAs, setting } from "./lib.mjs";

const tag = `p${process.pid % 10000}x${Date.now() % 100000}`;
let maker, staff, newbie;
const made = {};
let saved;

function settingValue(key, dflt) {
	return sql(`SELECT value FROM site_settings WHERE key = '${key}'`) ||
	    dflt;
}

async function topic(who, category, title, body = "正文") {
	const r = await postAs(who, "/topics", { body: { category, title,
	    body } });
	assert.equal(r.status, 201, r.text);
	return r.data;
}

before(async () => {
	saved = {
		hold: settingValue("board_hold_first_posts", "1"),
		between: settingValue("board_new_seconds_between", "30"),
		rate: settingValue("posts_per_minute", "60"),
	};
	setting("board_hold_first_posts", "0");
	setting("board_new_seconds_between", "0");
	setting("posts_per_minute", "1000");

	maker = await newUser({ verified: true, display_name: "小创客 Maker" });
	staff = await newUser({ verified: true, role: "staff" });
	// Private details, to look for later.
	const s = await postAs(maker, "/settings", { body: {
	    real_name: "王秘密", reader_card: `CARD${tag}`,
	    email: `${tag}@private.invalid`,
	    bio: "I build **lamps**." } });
	assert.equal(s.status, 200, s.text);
	// New details ask for verification again; staff confirmed them.
	sql(`UPDATE users SET verified_at = now() WHERE id = ${maker.user.id}`);

	const pub = await postAs(maker, "/projects", { body: {
	    title: `公开项目 ${tag}`, summary: "a lamp", status: "published",
	    tags: ["lamp"] } });
	assert.equal(pub.status, 201, pub.text);
	made.pub = pub.data.project;
	const draft = await postAs(maker, "/projects", { body: {
	    title: `草稿项目 ${tag}`, status: "draft" } });
	assert.equal(draft.status, 201, draft.text);
	made.draft = draft.data.project;
	// A published project of someone else's team the maker is on.
	const team = await postAs(staff, "/projects", { body: {
	    title: `团队项目 ${tag}`, status: "published" } });
	made.team = team.data.project;
	const add = await postAs(staff, `/projects/${made.team.id}/members`,
	    { body: { username: maker.username } });
	assert.equal(add.status, 200, add.text);

	made.topic = await topic(maker, "general", `公开话题 ${tag}`,
	    "我的 **台灯** 不亮");
	const host = await topic(staff, "help", `别人的话题 ${tag}`);
	const reply = await postAs(maker, `${host.topic.url}/posts`, { body: {
	    body: `公开回复 ${tag}` } });
	assert.equal(reply.status, 201, reply.text);
	made.reply = reply.data.post;
	const solve = await postAs(staff, `${host.topic.url}/solve`, {
	    body: { post_id: made.reply.id } });
	assert.equal(solve.status, 200, solve.text);

	// Hidden by staff.
	const hid = await postAs(maker, `${host.topic.url}/posts`, { body: {
	    body: `被隐藏的回复 ${tag}` } });
	made.hidden = hid.data.post;
	const h = await postAs(staff, `/mod/posts/${made.hidden.id}`, {
	    body: { action: "hide", reason: "off topic" } });
	assert.equal(h.status, 200, h.text);

	// Staff room: a staff member's topic there; a public one too.
	made.staffRoom = await topic(staff, "staff", `馆员室话题 ${tag}`);
	made.staffPublic = await topic(staff, "general", `馆员公开话题 ${tag}`);

	// Held: a new member's first post waits for review.
	setting("board_hold_first_posts", "1");
	newbie = await newUser({ verified: true });
	const held = await postAs(newbie, "/topics", { body: {
	    category: "general", title: `待审核话题 ${tag}`, body: "新人" } });
	assert.equal(held.status, 201, held.text);
	assert.equal(held.data.topic.status, "pending");
	const heldReply = await postAs(maker, `${made.topic.topic.url}/posts`, {
	    body: { body: `另一条公开回复 ${tag}` } });
	assert.equal(heldReply.status, 201);
	sql(`UPDATE posts SET status = 'pending', held_reasons = '{sensitive}'
	    WHERE id = ${heldReply.data.post.id}`);
	made.heldReply = heldReply.data.post;
});

after(() => {
	setting("board_hold_first_posts", saved.hold);
	setting("board_new_seconds_between", saved.between);
	setting("posts_per_minute", saved.rate);
});

test("a profile lists the maker's published projects, as cards", async () => {
	const r = await get(`/u/${maker.username}`);
	assert.equal(r.status, 200);
	const u = r.data.user;
	assert.equal(u.username, maker.username);
	assert.equal(u.display_name, "小创客 Maker");
	assert.equal(u.role, "member");
	assert.equal(u.verified, true);
	assert.match(u.joined_at, /^\d{4}-\d\d-\d\dT.*[+-]\d\d:\d\d$/);
	assert.match(u.bio_html, /<strong>lamps<\/strong>/);
	const ids = u.projects.map((p) => p.id);
	assert.deepEqual(ids.sort(), [made.pub.id, made.team.id].sort(),
	    "own and team projects, never the draft");
	const card = u.projects.find((p) => p.id === made.pub.id);
	assert.equal(card.url, `/projects/${made.pub.id}`);
	assert.equal(card.title, `公开项目 ${tag}`);
	assert.deepEqual(card.tags, ["lamp"]);
	assert.equal(card.author.username, maker.username);
	assert.equal(u.counts.projects, 2);
});

test("recent posts are public posts with their topics, newest first",
    async () => {
	const r = await get(`/u/${maker.username}?lang=en`);
	const posts = r.data.user.recent_posts;
	assert.deepEqual(posts.map((p) => p.id),
	    [made.reply.id, made.topic.post.id],
	    "the reply, then the opening post; nothing held or hidden");
	const [reply, opening] = posts;
	assert.equal(reply.topic.title, `别人的话题 ${tag}`);
	assert.equal(reply.is_topic, false);
	assert.equal(reply.category.slug, "help");
	assert.equal(reply.category.name, "Help & Questions");
	assert.match(reply.url, new RegExp(`^/t/${reply.topic.id}\\?cursor=1#post-2$`));
	assert.equal(opening.is_topic, true);
	assert.equal(opening.url, `/t/${made.topic.topic.id}#post-1`);
	assert.equal(opening.category.slug, "general");
	assert.match(opening.excerpt, /台灯/);
	const zh = await get(`/u/${maker.username}?lang=zh-CN`);
	assert.equal(zh.data.user.recent_posts[0].category.name, "求助与问答");
	const c = r.data.user.counts;
	assert.equal(c.topics, 1);
	assert.equal(c.posts, 2);
	assert.equal(c.likes, 0);
	assert.equal(c.solutions, 1, "the reply marked as the answer");
});

test("drafts, held, hidden and staff-room posts never appear, whoever asks",
    async () => {
	const secret = [`草稿项目 ${tag}`, `被隐藏的回复 ${tag}`,
	    `另一条公开回复 ${tag}`, `馆员室话题 ${tag}`, `待审核话题 ${tag}`];
	const viewers = [null, maker, staff, await newUser()];
	for (const who of viewers) {
		for (const path of [`/u/${maker.username}`, `/u/${staff.username}`,
		    `/u/${newbie.username}`]) {
			for (const json of [true, false]) {
				const r = who ? await getAs(who, path, { json }) :
				    await get(path, { json });
				assert.equal(r.status, 200);
				for (const s of secret)
					assert.ok(!r.text.includes(s),
					    `${path} (${who?.username ?? "anon"}, ` +
					    `${json ? "JSON" : "HTML"}) shows ${s}`);
			}
		}
	}
	const s = (await getAs(staff, `/u/${staff.username}`)).data.user;
	assert.deepEqual(s.recent_posts.map((p) => p.topic.title),
	    [`馆员公开话题 ${tag}`, `别人的话题 ${tag}`],
	    "staff's public topics only, even for staff");
	assert.equal(s.counts.topics, 2);
	const n = (await get(`/u/${newbie.username}`)).data.user;
	assert.deepEqual(n.recent_posts, []);
	assert.equal(n.counts.posts, 0);
	assert.equal(n.counts.topics, 0);
});

test("private fields never appear, in JSON or HTML", async () => {
	for (const who of [null, staff, maker]) {
		for (const json of [true, false]) {
			const path = `/u/${maker.username}`;
			const r = who ? await getAs(who, path, { json }) :
			    await get(path, { json });
			for (const s of ["王秘密", `CARD${tag}`, `${tag}@private`])
				assert.ok(!r.text.includes(s), `shows ${s}`);
			if (json) {
				for (const k of ["email", "real_name", "reader_card",
				    "password_hash"])
					assert.ok(!r.text.includes(`"${k}"`), k);
			}
		}
	}
});

test("the HTML profile: badges, counts, cards and posts", async () => {
	const r = await get(`/u/${maker.username}?lang=en`, { json: false });
	assert.equal(r.status, 200);
	assert.match(r.text, /class="badge role-member">Member</);
	assert.match(r.text, /class="badge verified">Verified</);
	assert.match(r.text, /<strong>2<\/strong> projects/);
	assert.match(r.text, /<strong>2<\/strong> posts/);
	assert.match(r.text, new RegExp(`<li class="card">\\s*<a class="card-link" href="/projects/${made.pub.id}">`));
	assert.ok(r.text.includes(`公开项目 ${tag}`));
	assert.ok(r.text.includes(`Replied in: 别人的话题 ${tag}`));
	assert.ok(r.text.includes(`Started: 公开话题 ${tag}`));
	assert.match(r.text, /<strong>lamps<\/strong>/);
	const zh = await get(`/u/${staff.username}`, { json: false });
	assert.match(zh.text, /class="badge role-staff">馆员</);
	assert.doesNotMatch(zh.text, /\{\{|account\.roles/, "no raw keys");
	assert.equal((await get("/u/nobody_here_at_all")).status, 404);
});
