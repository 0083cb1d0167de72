// Every form a member, mentor or staff member sees, taken from the page
// they see it on and submitted as a browser does (tests/e2e/forms.mjs),
// then read back over HTTP: the write must land on the page's own object.
// The people acting never have the id of the object they act on, so a
// form that posts to the viewer's id instead of the object's is caught.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { ROOT, Jar, get, sql, login, newUser, postAs, getAs, setting }
    from "./lib.mjs";
import { openPage, formsSubmitted } from "./forms.mjs";

let owner, member, mentor, teammate, staff, admin;

function relaxed() {
	setting("board_hold_first_posts", "0");
	setting("board_new_seconds_between", "0");
	setting("board_new_posts_per_day", "1000");
}

before(async () => {
	relaxed();
	// Test setup: the objects' ids start far above any user's, so a form
	// that names the viewer's id instead of its object's cannot land on
	// the object by chance (projects and topics are also made again
	// while they coincide, see apart()).
	for (const t of ["projects", "topics", "posts", "project_photos",
	    "sessions"])
		sql(`SELECT setval(pg_get_serial_sequence('${t}', 'id'),
		    greatest((SELECT max(id) FROM ${t}), (SELECT max(id)
		    FROM users) + 100000))`);
	owner = await newUser({ verified: true, display_name: "表单作者" });
	member = await newUser({ verified: true, display_name: "表单读者" });
	mentor = await newUser({ verified: true, role: "mentor" });
	teammate = await newUser({ verified: true });
	staff = await newUser({ verified: true, role: "staff" });
	admin = await login("admin");
	admin.username = "admin";
});

after(() => {
	setting("board_hold_first_posts", "1");
	setting("board_new_seconds_between", "30");
	setting("board_new_posts_per_day", "10");
	const n = formsSubmitted();
	const total = Object.values(n).reduce((a, b) => a + b, 0);
	console.log(`# forms.test: ${Object.keys(n).length} kinds of form, ` +
	    `${total} submissions, read from pages: ` +
	    Object.keys(n).sort().join(", "));
});

// Made again while its id is one of the people's ids.
async function apart(make) {
	const people = [owner, member, mentor, teammate, staff];
	for (let i = 0; i < 10; i++) {
		const o = await make();
		if (!people.some((p) => p.user.id === o.id))
			return o;
	}
	throw new Error("ids keep coinciding");
}

const project = (fields = {}) => apart(async () => {
	const r = await postAs(owner, "/projects", { body: { title: "表单项目",
	    status: "published", ...fields } });
	assert.equal(r.status, 201, r.text);
	return r.data.project;
});

async function topic(who, fields = {}) {
	const t = await apart(async () => {
		const r = await postAs(who, "/topics", { body: { category: "general",
		    title: "表单话题", body: "话题正文", ...fields } });
		assert.equal(r.status, 201, r.text);
		return r.data.topic;
	});
	return t;
}

async function reply(who, t, body) {
	const r = await postAs(who, `${t.url}/posts`, { body: { body } });
	assert.equal(r.status, 201, r.text);
	return r.data.post;
}

const projectAs = async (who, p) => (await getAs(who, p.url)).data.project;

function landedOn(r, path) {
	assert.equal(r.status, 303, `${r.status}: ${r.text.slice(0, 300)}`);
	assert.equal(r.page.status, 200, `${r.location}: ${r.page.status}`);
	if (path !== undefined)
		assert.equal(r.location.replace(/#.*/, ""), path);
}

// --- Projects ----------------------------------------------------------

test("the like form likes the project on the page, for its reader", async () => {
	const p = await project({ title: "点赞表单" });
	const page = await openPage(member, p.url);
	assert.equal(page.status, 200);
	const r = await page.form({ action: /\/like$/ }).submit();
	landedOn(r);
	const seen = await projectAs(member, p);
	assert.equal(seen.liked, true, "the reader's like is on this project");
	assert.equal(seen.likes, 1);
	assert.ok(r.page.hasForm({ action: /\/unlike$/ }),
	    "the page now offers unlike");
});

test("the unlike form takes back the like on the project on the page",
    async () => {
	const p = await project({ title: "取消点赞表单" });
	assert.equal((await postAs(member, `${p.url}/like`)).status, 200);
	const page = await openPage(member, p.url);
	const r = await page.form({ action: /\/unlike$/ }).submit();
	landedOn(r);
	const seen = await projectAs(member, p);
	assert.equal(seen.liked, false, "the like left this project");
	assert.equal(seen.likes, 0);
});

test("the comment form comments on the project on the page", async () => {
	const p = await project({ title: "评论表单" });
	const page = await openPage(mentor, p.url);
	const body = `导师的评论 ${Date.now()}\n第二行 **加粗**`;
	const r = await page.form({ action: /\/comments$/ }).submit({ body });
	landedOn(r);
	const seen = await projectAs(mentor, p);
	assert.equal(seen.comments.length, 1, "the comment is on this project");
	assert.match(seen.comments[0].body_html, /导师的评论.*[\s\S]*<strong>加粗/);
	assert.equal(seen.comments[0].author.username, mentor.username);
});

test("the owner's team form adds a member to the project on the page",
    async () => {
	const p = await project({ title: "团队表单" });
	const page = await openPage(owner, p.url);
	const r = await page.form({ action: /\/members$/ })
	    .submit({ username: teammate.username });
	landedOn(r);
	const seen = await projectAs(owner, p);
	assert.deepEqual(seen.members.map((m) => m.username).sort(),
	    [owner.username, teammate.username].sort());
	assert.equal((await openPage(member, p.url)).hasForm({
	    action: /\/members$/ }), false, "only the owner gets the form");
});

test("a team member's build log form adds to the project on the page",
    async () => {
	const p = await project({ title: "日志表单" });
	await postAs(owner, `${p.url}/members`, { body: {
	    username: teammate.username } });
	const page = await openPage(teammate, p.url);
	const r = await page.form({ action: /\/logs$/ }).submit({
	    title: "第一天", body: "焊好了\n*电路板*" });
	landedOn(r);
	const seen = await projectAs(teammate, p);
	assert.equal(seen.logs.length, 1);
	assert.equal(seen.logs[0].title, "第一天");
	assert.match(seen.logs[0].body_html, /<em>电路板<\/em>/);
	assert.equal((await openPage(member, p.url)).hasForm({
	    action: /\/logs$/ }), false, "not for readers");
});

test("the new project form creates a project", async () => {
	const page = await openPage(member, "/projects/new");
	assert.equal(page.status, 200);
	const r = await page.form({ action: "/projects" }).submit({
	    title: "表单新建", summary: "摘要", body: "# 标题\n正文",
	    tags: "木工, 激光", license: "MIT", status: "published" });
	landedOn(r);
	assert.match(r.location, /^\/projects\/\d+$/);
	const p = (await get(r.location)).data.project;
	assert.equal(p.title, "表单新建");
	assert.equal(p.author.username, member.username);
	assert.deepEqual(p.tags, ["木工", "激光"]);
	assert.equal(p.license, "MIT");
	assert.equal(p.status, "published");
	assert.match(p.body_html, /<h1>标题<\/h1>/);
});

test("the edit form, reached from the page's edit link, edits that project",
    async () => {
	const p = await project({ title: "编辑表单前", tags: ["旧"],
	    license: "CC0-1.0" });
	await postAs(owner, `${p.url}/members`, { body: {
	    username: teammate.username } });
	const page = await openPage(teammate, p.url);
	const edit = await openPage(teammate, page.link({ href: /\/edit$/ }));
	assert.equal(edit.status, 200);
	const form = edit.form({ field: "title" });
	assert.equal(form.value("title"), "编辑表单前", "the form shows the project");
	assert.equal(form.value("license"), "CC0-1.0");
	const r = await form.submit({ title: "编辑表单后", summary: "新摘要",
	    tags: "新, 标签" });
	landedOn(r);
	const seen = await projectAs(teammate, p);
	assert.equal(seen.title, "编辑表单后");
	assert.equal(seen.summary, "新摘要");
	assert.deepEqual(seen.tags, ["新", "标签"]);
	assert.equal(seen.license, "CC0-1.0", "what the form showed is kept");
	assert.equal(seen.status, "published");
});

test("photo forms of the edit page: upload, caption, cover, delete",
    async () => {
	const p = await project({ title: "照片表单" });
	await postAs(owner, `${p.url}/members`, { body: {
	    username: teammate.username } });
	const img = (f) => ({ name: f, type: "image/jpeg",
	    data: readFileSync(`${ROOT}/tests/fixtures/img/${f}`) });
	let edit = await openPage(teammate, `${p.url}/edit`);
	for (const [f, caption] of [["rgb.jpg", "第一张"], ["rgb.png", "第二张"]]) {
		const r = await edit.form({ action: /\/photos$/ }).submit({
		    photo: img(f), caption });
		landedOn(r);
		edit = await openPage(teammate, `${p.url}/edit`);
	}
	let seen = await projectAs(teammate, p);
	assert.deepEqual(seen.photos.map((x) => x.caption), ["第一张", "第二张"]);
	const [a, b] = seen.photos;
	assert.equal(seen.cover.id, a.id);

	// Each photo's forms are in its own list item.
	const captionForm = edit.forms().filter((f) =>
	    f.names().includes("caption") && f.actionPath.endsWith(`/${b.id}`));
	assert.equal(captionForm.length, 1);
	landedOn(await captionForm[0].submit({ caption: "<i>改过</i>的说明" }));
	seen = await projectAs(teammate, p);
	assert.equal(seen.photos.find((x) => x.id === b.id).caption,
	    "<i>改过</i>的说明");
	edit = await openPage(teammate, `${p.url}/edit`);
	const cover = edit.form({ action: /\/cover$/ });
	assert.equal(cover.value("photo_id"), String(b.id));
	landedOn(await cover.submit());
	assert.equal((await projectAs(teammate, p)).cover.id, b.id);
	edit = await openPage(teammate, `${p.url}/edit`);
	landedOn(await edit.form({ action: new RegExp(`/photos/${a.id}/delete$`) })
	    .submit());
	seen = await projectAs(teammate, p);
	assert.deepEqual(seen.photos.map((x) => x.id), [b.id]);
});

test("the owner's delete form deletes the project on the page", async () => {
	const p = await project({ title: "删除表单" });
	const keep = await project({ title: "不该删" });
	const edit = await openPage(owner, `${p.url}/edit`);
	landedOn(await edit.form({ action: /\/delete$/ }).submit());
	assert.equal((await get(p.url)).status, 404);
	assert.equal((await get(keep.url)).status, 200);
});

// --- The board ---------------------------------------------------------

test("the new topic form starts a topic in the chosen category", async () => {
	const page = await openPage(member, "/topics/new");
	const r = await page.form({ action: "/topics" }).submit({
	    category: "help", title: "表单发起的话题", body: "第一段\n\n第二段" });
	landedOn(r);
	assert.match(r.location, /^\/t\/\d+$/);
	const t = (await get(r.location)).data;
	assert.equal(t.topic.title, "表单发起的话题");
	assert.equal(t.topic.category.slug, "help");
	assert.equal(t.topic.author.username, member.username);
	assert.match(t.posts[0].body_html, /<p>第一段<\/p>\s*<p>第二段<\/p>/);
});

test("the reply form replies in the topic on the page", async () => {
	const t = await topic(owner, { title: "表单回复" });
	const page = await openPage(member, t.url);
	const r = await page.form({ action: /\/posts$/ }).submit({
	    body: `表单的回复 @${owner.username}` });
	landedOn(r, t.url);
	const posts = (await get(t.url)).data.posts;
	assert.equal(posts.length, 2);
	assert.equal(posts[1].author.username, member.username);
	assert.match(posts[1].body_html, /表单的回复/);
	assert.match(posts[1].body_html, /class="mention"/);
});

test("a refused reply comes back as a form that then posts", async () => {
	const t = await topic(owner, { title: "表单出错" });
	const page = await openPage(member, t.url);
	const bad = await page.form({ action: /\/posts$/ }).submit({ body: " " },
	    { novalidate: true });
	assert.equal(bad.status, 422);
	const r = await bad.page.form({ field: "body" }).submit({
	    body: "第二次写好了" });
	landedOn(r, t.url);
	const posts = (await get(t.url)).data.posts;
	assert.match(posts.at(-1).body_html, /第二次写好了/);
});

// board_post_edit.html posts to {{path}}, /posts/N/edit (once GET only: 405).
test("the edit link and form of one's own post edit that post",
    async () => {
	const t = await topic(owner, { title: "表单编辑帖子" });
	const mine = await reply(member, t, "原来的文字");
	await reply(owner, t, "别人的帖子");
	const page = await openPage(member, t.url);
	const href = page.link({ cls: "own-only", near: "原来的文字" });
	const edit = await openPage(member, href);
	assert.equal(edit.status, 200);
	const form = edit.form({ field: "body" });
	assert.equal(form.value("body"), "原来的文字");
	landedOn(await form.submit({ body: "改过的文字" }));
	const p = (await get(t.url)).data.posts.find((x) => x.id === mine.id);
	assert.match(p.body_html, /改过的文字/);
	assert.ok(p.edited_at);
});

test("the flag link and form flag that post", async () => {
	const t = await topic(owner, { title: "表单举报" });
	const bad = await reply(owner, t, "可疑的帖子内容");
	const page = await openPage(member, t.url);
	const flag = await openPage(member, page.link({ cls: "others-only",
	    near: "可疑的帖子内容" }));
	const r = await flag.form({ field: "reason" }).submit({
	    reason: "off_topic", note: "跑题了" });
	landedOn(r);
	const q = (await getAs(staff, "/mod/queue")).data;
	const item = q.items.find((i) => i.post.id === bad.id);
	assert.ok(item, "the flagged post waits for review");
	assert.deepEqual(item.flags.map((f) => [f.user.username, f.reason,
	    f.note]), [[member.username, "off_topic", "跑题了"]]);
});

test("the asker's solve link and form mark that reply as the solution",
    async () => {
	const t = await topic(member, { category: "help", title: "表单求助" });
	await reply(owner, t, "不是这个");
	const good = await reply(mentor, t, "这是答案");
	const page = await openPage(member, t.url);
	const solve = await openPage(member, page.link({ cls: "asker-only",
	    near: "这是答案" }));
	landedOn(await solve.form({ field: "post_id" }).submit());
	assert.equal((await get(t.url)).data.topic.solved_post_id, good.id);
});

// --- Staff -------------------------------------------------------------

test("staff's topic form on the topic page locks that topic", async () => {
	const t = await topic(owner, { title: "表单锁定" });
	const page = await openPage(staff, t.url);
	landedOn(await page.form({ action: /^\/mod\/topics\// }).submit({
	    action: "lock", reason: "表单锁定原因" }));
	assert.equal((await get(t.url)).data.topic.locked, true);
	const r = await postAs(member, `${t.url}/posts`, { body: { body: "x" } });
	assert.equal(r.status, 403);
});

test("staff's post form on the topic page hides that post", async () => {
	const t = await topic(owner, { title: "表单隐藏" });
	const p = await reply(member, t, "要被馆员隐藏");
	const other = await reply(member, t, "留着的帖子");
	const page = await openPage(staff, t.url);
	landedOn(await page.form({ action: /^\/mod\/posts\//,
	    near: "要被馆员隐藏" }).submit({ action: "hide", reason: "表单理由" }));
	const posts = (await get(t.url)).data.posts;
	assert.equal(posts.find((x) => x.id === p.id).hidden, true);
	assert.equal(posts.find((x) => x.id === other.id).hidden, false);
	const own = (await getAs(member, t.url)).data.posts
	    .find((x) => x.id === p.id);
	assert.equal(own.mod_reason, "表单理由");
});

test("the review queue's forms act on their own item", async () => {
	const t = await topic(owner, { title: "表单审核" });
	setting("board_hold_first_posts", "1");
	const held = {};
	try {
		for (const k of ["approve", "reject", "delete"]) {
			const u = await newUser({ verified: true });
			const r = await postAs(u, `${t.url}/posts`, { body: {
			    body: `待审 ${k} 帖子` } });
			assert.equal(r.data.post.status, "pending");
			held[k] = r.data.post;
		}
	} finally {
		relaxed();
	}
	const flagged = await reply(mentor, t, "被举报待审的帖子");
	await postAs(member, `/posts/${flagged.id}/flag`, { body: {
	    reason: "spam" } });

	const act = async (near, action, fill = {}, view = "/mod/queue") => {
		const page = await openPage(staff, view);
		const r = await page.form({ near, hidden: { action } }).submit(fill);
		landedOn(r);
		return r;
	};
	await act("待审 approve 帖子", "approve");
	await act("待审 reject 帖子", "reject", { reason: "表单拒绝" });
	await act("待审 delete 帖子", "delete", { reason: "表单删除" });
	await act("被举报待审的帖子", "hide", { reason: "表单隐藏" });
	const posts = (await getAs(staff, t.url)).data.posts;
	const st = (p) => posts.find((x) => x.id === p.id);
	assert.equal(st(held.approve).status, "published");
	assert.equal(st(held.reject).status, "rejected");
	assert.equal(st(held.reject).mod_reason, "表单拒绝");
	assert.equal(st(held.delete).status, "deleted");
	const shown = (await get(t.url)).data.posts.map((x) => x.id);
	assert.ok(shown.includes(held.approve.id), "approved: public");
	assert.ok(!shown.includes(held.reject.id) &&
	    !shown.includes(held.delete.id), "rejected, deleted: not public");
	assert.equal(st(flagged).hidden, true);
	await act("被举报待审的帖子", "unhide", {}, "/mod/queue?view=hidden");
	assert.equal((await get(t.url)).data.posts.find((x) => x.id ===
	    flagged.id).hidden, false);
	const audit = (await getAs(staff, "/admin/audit")).data.entries;
	for (const [p, a] of [[held.approve, "post.approve"], [held.reject,
	    "post.reject"], [held.delete, "post.delete"], [flagged, "post.hide"],
	    [flagged, "post.unhide"]])
		assert.ok(audit.some((e) => e.action === a &&
		    e.target === `post:${p.id}`), `${a} post:${p.id}`);
});

test("the word list form saves the lists", async () => {
	const before = (await getAs(staff, "/mod/words")).data;
	try {
		const page = await openPage(staff, "/mod/words");
		landedOn(await page.form({ action: "/mod/words" }).submit({
		    block: "表单禁词\n另一个", allow: "表单允许" }), "/mod/words");
		const now = (await getAs(staff, "/mod/words")).data;
		assert.deepEqual(now.block.sort(), ["另一个", "表单禁词"].sort());
		assert.deepEqual(now.allow, ["表单允许"]);
	} finally {
		await postAs(staff, "/mod/words", { body: {
		    block: before.block.join("\n"),
		    allow: before.allow.join("\n") } });
	}
});

test("staff find a member with the search form and verify them with its form",
    async () => {
	const u = await newUser({ display_name: "待核实的人" });
	const list = await openPage(staff, "/admin/users");
	const found = await list.form({ action: "/admin/users", method: "get" })
	    .submit({ q: u.username });
	assert.equal(found.status, 200);
	const form = found.page.form({ action: `/admin/users/${u.username}` });
	landedOn(await form.submit({ verified: true, reason: "看过读者证" }));
	const users = (await getAs(staff, `/admin/users?q=${u.username}`))
	    .data.users;
	assert.equal(users.find((x) => x.username === u.username).verified, true);
	const r = await postAs(u, "/projects", { body: { title: "核实后" } });
	assert.equal(r.status, 201, "verified: content may be posted");
	const audit = (await getAs(staff, "/admin/audit")).data.entries;
	assert.ok(audit.some((e) => e.target === u.username &&
	    e.action === "verify" && e.reason === "看过读者证"));
});

test("an admin makes a member a mentor with the user form", async () => {
	const u = await newUser({ verified: true });
	const page = await openPage(admin, `/admin/users?q=${u.username}`);
	landedOn(await page.form({ action: `/admin/users/${u.username}` })
	    .submit({ role: "mentor" }));
	const s = await get("/session", { jar: u.jar });
	assert.equal(s.data.user.role, "mentor");
	assert.equal(s.data.user.verified, true, "the checkbox kept verified");
});

// --- Accounts ----------------------------------------------------------

test("sign-up and log-in forms, then the logout form", async () => {
	const who = { jar: new Jar() };
	const name = `form${Date.now() % 1e6}`;
	const signup = await openPage(who, "/signup");
	landedOn(await signup.form({ action: "/signup" }).submit({
	    username: name, display_name: "表单注册", password: "Kx9-mPq2-vL7-zzT" }));
	let s = await get("/session", { jar: who.jar });
	assert.equal(s.data.user.username, name);
	const home = await openPage(who, "/");
	landedOn(await home.form({ action: "/logout" }).submit());
	s = await get("/session", { jar: who.jar });
	assert.equal(s.data.user, null, "logged out");
	const loginPage = await openPage(who, "/login");
	landedOn(await loginPage.form({ action: "/login" }).submit({
	    username: name, password: "Kx9-mPq2-vL7-zzT" }));
	s = await get("/session", { jar: who.jar });
	assert.equal(s.data.user.username, name);
});

test("the settings form saves the profile and keeps the verification",
    async () => {
	const u = await newUser({ verified: true });
	await postAs(u, "/settings", { body: { real_name: "表单真名",
	    reader_card: "FORM-1" } });
	const staffPage = await openPage(staff, `/admin/users?q=${u.username}`);
	landedOn(await staffPage.form({ action: `/admin/users/${u.username}` })
	    .submit({ verified: true }));
	const page = await openPage(u, "/settings");
	// Profile, real name and password are separate forms.
	assert.equal(page.form({ action: "/settings", field: "reader_card" })
	    .value("reader_card"), "FORM-1");
	const form = page.form({ action: "/settings", field: "display_name" });
	landedOn(await form.submit({ display_name: "表单新名字",
	    bio: "表单的 *简介*", locale: "en" }));
	const prof = (await get(`/u/${u.username}`)).data.user;
	assert.equal(prof.display_name, "表单新名字");
	assert.match(prof.bio_html, /<em>简介<\/em>/);
	const s = (await get("/session", { jar: u.jar })).data;
	assert.equal(s.user.verified, true, "unchanged card: still verified");
	assert.equal(s.locale, "en");
});

test("token forms: create one, use it, revoke it", async () => {
	const u = await newUser();
	const page = await openPage(u, "/settings");
	const made = await page.form({ action: "/settings/tokens" }).submit({
	    name: "表单令牌" });
	assert.ok([200, 201].includes(made.status), String(made.status));
	const secret = made.page.html.match(/class="secret">([^<]+)</)[1];
	const bearer = { authorization: `Bearer ${secret}` };
	assert.equal((await get("/session", { headers: bearer })).data.user
	    .username, u.username);
	const settings = await openPage(u, "/settings");
	landedOn(await settings.form({ near: "表单令牌" }).submit());
	assert.equal((await get("/session", { headers: bearer })).data.user,
	    null, "revoked");
	assert.equal((await get("/session", { jar: u.jar })).data.user.username,
	    u.username, "the session itself stays");
});

test("the session form ends another session, not this one", async () => {
	const u = await newUser();
	const phone = await login(u.username, u.password);
	const page = await openPage(u, "/settings");
	landedOn(await page.form({ action: /^\/settings\/sessions\/\d+\/delete$/ })
	    .submit());
	assert.equal((await get("/session", { jar: phone.jar })).data.user,
	    null, "the other session ended");
	assert.equal((await get("/session", { jar: u.jar })).data.user.username,
	    u.username);
});

test("the mark-all-read form reads the reader's notifications", async () => {
	const t = await topic(member, { title: "表单通知" });
	await reply(owner, t, "给你的回复");
	assert.ok((await getAs(member, "/notifications")).data.unread >= 1);
	const ownerUnread = (await getAs(owner, "/notifications")).data.unread;
	const page = await openPage(member, "/notifications");
	landedOn(await page.form({ action: "/notifications/read" }).submit());
	assert.equal((await getAs(member, "/notifications")).data.unread, 0);
	assert.equal((await getAs(owner, "/notifications")).data.unread,
	    ownerUnread, "nobody else's");
});

test("search forms: the board, projects and the site search", async () => {
	const p = await project({ title: "表单搜索目标 zebrafinch" });
	const t = await topic(owner, { title: "表单搜索话题 zebrafinch" });
	const board = await openPage(member, "/board");
	const a = await board.form({ action: "/search" }).submit({
	    q: "zebrafinch" });
	assert.equal(a.status, 200);
	assert.ok(a.page.link({ href: t.url, text: /表单搜索话题/ }));
	const projects = await openPage(member, "/projects");
	const b = await projects.form({ action: "/projects", method: "get" })
	    .submit({ q: "zebrafinch" });
	assert.ok(b.page.html.includes(`href="${p.url}"`));
	const c = await a.page.form({ action: "/search" }).submit({
	    q: "zebrafinch", type: "project" });
	assert.ok(c.page.html.includes(`href="${p.url}"`));
	assert.ok(!c.page.html.includes(`href="${t.url}"`), "projects only");
});

// --- A form shown again with its problems ------------------------------

// Defects these found, now fixed: the refusal of POST /projects/N came
// back as a form posting to /projects (a new project); flag_post and
// solve_post (app/board.c) showed their refusals with the reply form.
test("a refused project edit comes back as a form that edits that project",
    async () => {
	const p = await project({ title: "出错再改" });
	const edit = await openPage(owner, `${p.url}/edit`);
	const bad = await edit.form({ field: "title" }).submit({ tags: "a#b",
	    summary: "留着的摘要" });
	assert.equal(bad.status, 422);
	const again = bad.page.form({ field: "title" });
	assert.equal(again.value("summary"), "留着的摘要", "input kept");
	assert.equal(again.actionPath, p.url, "the form again edits it");
	const r = await again.submit({ title: "改好了", tags: "好" });
	landedOn(r, p.url);
	assert.equal((await projectAs(owner, p)).title, "改好了");
});

test("a refused new project comes back as a form that makes it", async () => {
	const n = await openPage(member, "/projects/new");
	const nb = await n.form({ action: "/projects" }).submit({
	    title: "出错的新项目", license: "MIT", tags: "a#b" });
	assert.equal(nb.status, 422);
	const made = await nb.page.form({ field: "title" }).submit({
	    tags: "好标签" });
	landedOn(made);
	const np = (await getAs(member, made.location)).data.project;
	assert.equal(np.title, "出错的新项目");
	assert.deepEqual(np.tags, ["好标签"]);
	assert.equal(np.license, "MIT", "the choice survived the refusal");
});

test("refused settings come back as the settings form", async () => {
	const u = await newUser({ verified: true });
	const s = await openPage(u, "/settings");
	const sb = await s.form({ action: "/settings", field: "email" })
	    .submit({ email: "不是邮箱" }, { novalidate: true });
	assert.equal(sb.status, 422);
	landedOn(await sb.page.form({ action: "/settings", field: "email" })
	    .submit({ email: "" }));
	landedOn(await sb.page.form({ action: "/settings",
	    field: "display_name" }).submit({ display_name: "改好的名字",
	    bio: "保留的简介" }));
	const prof = (await get(`/u/${u.username}`)).data.user;
	assert.equal(prof.display_name, "改好的名字");
	assert.match(prof.bio_html, /保留的简介/);
});

test("a refused new topic comes back as a form that starts it", async () => {
	const t = await openPage(member, "/topics/new");
	const tb = await t.form({ action: "/topics" }).submit({
	    category: "equipment", title: "ab", body: "正文保留" },
	    { novalidate: true });
	assert.equal(tb.status, 422);
	const tm = await tb.page.form({ field: "title" }).submit({
	    title: "三个字以上" });
	landedOn(tm);
	const seen = (await get(tm.location)).data;
	assert.equal(seen.topic.category.slug, "equipment", "category kept");
	assert.match(seen.posts[0].body_html, /正文保留/);
});

test("a refused flag comes back as a form that flags that post",
    async () => {
	const t = await topic(owner, { title: "举报出错" });
	const p = await reply(owner, t, "要举报的帖子");
	const page = await openPage(mentor, `/posts/${p.id}/flag`);
	const form = page.form({ field: "reason" });
	// A person cannot type past maxlength; a script can: 501 characters.
	const bad = await submitRaw(mentor, form, { note: "长".repeat(501) });
	assert.equal(bad.status, 422);
	landedOn(await bad.page.form({ field: "reason" }).submit({
	    reason: "other", note: "短一点" }));
	const q = (await getAs(staff, "/mod/queue")).data.items
	    .find((i) => i.post.id === p.id);
	assert.deepEqual(q.flags.map((f) => [f.user.username, f.reason]),
	    [[mentor.username, "other"]]);
});

test("a refused solution comes back as the form that marks it",
    async () => {
	const t = await topic(member, { category: "help", title: "求助出错" });
	const elsewhere = await topic(owner, { title: "别的话题" });
	const stray = await reply(owner, elsewhere, "别处的回复");
	// A stale or mistyped link: a post of another topic.
	const page = await openPage(member, `${t.url}/solve?post_id=${stray.id}`);
	const bad = await page.form({ field: "post_id" }).submit();
	assert.equal(bad.status, 422);
	assert.ok(bad.page.hasForm({ action: `${t.url}/solve`,
	    field: "post_id" }), "the solve form again");
	assert.ok(!bad.page.hasForm({ field: "body" }), "not a reply form");
});

// The form's own fields with some values a browser would not send.
async function submitRaw(who, form, over) {
	const body = new URLSearchParams(form.entries().map(([k, v]) =>
	    [k, Object.hasOwn(over, k) ? over[k] : v]));
	const res = await fetch(process.env.BASE_URL + form.actionPath, {
	    method: "POST", redirect: "manual", body, headers: {
	    accept: "text/html", cookie: who.jar.header(),
	    origin: new URL(process.env.BASE_URL).origin } });
	const { Page } = await import("./forms.mjs");
	return { status: res.status, page: new Page(form.actionPath, res,
	    await res.text(), who) };
}
