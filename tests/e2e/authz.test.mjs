// The authorization matrix: for every route of conf/*.conf, what an
// anonymous visitor, an unverified member, a member, a mentor, staff and
// an admin get.  A route added to the config without a row here fails
// the first test, so the matrix stays complete.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { ROOT, request, newUser, login } from "./lib.mjs";

const ROLES = ["anon", "unverified", "member", "mentor", "staff", "admin"];
const all = (s) => Object.fromEntries(ROLES.map((r) => [r, s]));
const user = (s) => ({ ...all(s), anon: 401 });
const staff = (s) => ({ anon: 401, unverified: 403, member: 403,
    mentor: 403, staff: s, admin: s });
const verified = (s) => ({ ...all(s), anon: 401, unverified: 403 });

// [route as in the config, method, path, body, expected, options]
const MATRIX = [
	["/", "GET", "/", null, all(200)],
	["/healthz", "GET", "/healthz", null, all(200)],
	["/metrics", "GET", "/metrics", null, all(200)],
	["^/static/[A-Za-z0-9_.-]+$", "GET", "/static/app.css", null, all(200)],
	["/favicon.ico", "GET", "/favicon.ico", null, all(200)],
	["/signup", "GET", "/signup", null, all(200)],
	["/signup", "POST", "/signup", {}, all(422)],
	["/login", "GET", "/login", null, all(200)],
	["/login", "POST", "/login", {}, all(422)],
	["/logout", "POST", "/logout", {}, user(200), { fresh: true }],
	["/session", "GET", "/session", null, all(200)],
	["^/u/[A-Za-z0-9_]{1,64}$", "GET", "/u/maker1", null, all(200)],
	["/settings", "GET", "/settings", null, user(200)],
	["/settings", "POST", "/settings", {}, user(200)],
	["^/settings/sessions/[0-9]{1,18}/delete$", "POST",
	    "/settings/sessions/999999999/delete", {}, user(404)],
	// Ends the asker's other sessions only (none here): 200 for any user.
	["/settings/sessions/others/delete", "POST",
	    "/settings/sessions/others/delete", {}, user(200)],
	["/settings/tokens", "POST", "/settings/tokens", {}, user(422)],
	["^/settings/tokens/[0-9]{1,18}/delete$", "POST",
	    "/settings/tokens/999999999/delete", {}, user(404)],
	["/admin/users", "GET", "/admin/users?q=maker", null, staff(200)],
	["^/admin/users/[A-Za-z0-9_]{1,64}$", "POST", "/admin/users/maker2",
	    {}, staff(200)],
	["/admin/audit", "GET", "/admin/audit", null, staff(200)],
	// Password reset links (app/reset.c): a dead link is 404 for all.
	["^/reset/[A-Za-z0-9_-]{43}$", "GET", "/reset/" + "A".repeat(43), null,
	    all(404)],
	["^/reset/[A-Za-z0-9_-]{43}$", "POST", "/reset/" + "A".repeat(43), {},
	    all(404)],
	["^/admin/users/[A-Za-z0-9_]{1,64}/reset$", "POST",
	    "/admin/users/nobody_here/reset", {}, staff(404)],
	["/preview", "POST", "/preview", { body: "*x*" }, user(200)],
	["/projects", "GET", "/projects", null, all(200)],
	["/projects", "POST", "/projects", {}, verified(422)],
	["/projects/new", "GET", "/projects/new", null, verified(200)],
	["/projects.rss", "GET", "/projects.rss", null, all(200)],
	["^/projects/[0-9]{1,18}$", "GET", "/projects/:pub", null, all(200)],
	["^/projects/[0-9]{1,18}$", "GET", "/projects/:draft", null,
	    { ...all(404), staff: 200, admin: 200 }],
	["^/projects/[0-9]{1,18}$", "POST", "/projects/:pub", {},
	    { ...user(403), staff: 200, admin: 200 }],
	["^/projects/[0-9]{1,18}/edit$", "GET", "/projects/:pub/edit", null,
	    { ...user(404), unverified: 403, staff: 200, admin: 200 }],
	["^/projects/[0-9]{1,18}/delete$", "POST", "/projects/999999999/delete",
	    {}, user(404)],
	["^/projects/[0-9]{1,18}/like$", "POST", "/projects/:pub/like", {},
	    user(200)],
	["^/projects/[0-9]{1,18}/unlike$", "POST", "/projects/:pub/unlike", {},
	    user(200)],
	["^/projects/[0-9]{1,18}/comments$", "POST", "/projects/:pub/comments",
	    {}, verified(422)],
	["^/projects/[0-9]{1,18}/members$", "POST", "/projects/:pub/members",
	    { username: "maker2" }, { ...verified(403), staff: 200, admin: 200 }],
	["^/projects/[0-9]{1,18}/members/[A-Za-z0-9_]{1,64}/delete$", "POST",
	    "/projects/:pub/members/nobody_here/delete", {},
	    { ...user(403), staff: 404, admin: 404 }],
	["^/projects/[0-9]{1,18}/logs$", "POST", "/projects/:pub/logs", {},
	    verified(422)],
	["^/projects/[0-9]{1,18}/photos$", "POST", "/projects/:pub/photos", {},
	    { ...user(403), staff: 422, admin: 422 }],
	["^/projects/[0-9]{1,18}/photos/[0-9]{1,18}$", "POST",
	    "/projects/:pub/photos/999999999", {},
	    { ...user(403), staff: 404, admin: 404 }],
	["^/projects/[0-9]{1,18}/photos/[0-9]{1,18}/delete$", "POST",
	    "/projects/:pub/photos/999999999/delete", {},
	    { ...user(403), staff: 404, admin: 404 }],
	["^/projects/[0-9]{1,18}/cover$", "POST", "/projects/:pub/cover",
	    { photo_id: 999999999 }, { ...user(403), staff: 422, admin: 422 }],
	["^/media/[0-9a-f]{64}[.](jpg|png)$", "GET", "/media/" + "a".repeat(64) +
	    ".jpg", null, all(404)],
	["/notifications", "GET", "/notifications", null, user(200)],
	["/notifications/read", "POST", "/notifications/read", {}, user(200)],
	// Live updates (app/live.c): without an Upgrade header, 400.
	["/live", "GET", "/live", null, all(400)],
	["/board", "GET", "/board", null, all(200)],
	["^/c/[a-z0-9-]{1,40}$", "GET", "/c/general", null, all(200)],
	["^/c/[a-z0-9-]{1,40}$", "GET", "/c/staff", null,
	    { ...all(404), staff: 200, admin: 200 }],
	["^/t/[0-9]{1,18}$", "GET", "/t/:topic", null, all(200)],
	["/topics/new", "GET", "/topics/new", null, verified(200)],
	["/topics", "POST", "/topics", {}, verified(422)],
	["^/t/[0-9]{1,18}/posts$", "POST", "/t/:topic/posts", {},
	    verified(422)],
	["^/t/[0-9]{1,18}/solve$", "POST", "/t/:topic/solve", {},
	    { ...user(403), staff: 200, admin: 200 }],
	["^/posts/[0-9]{1,18}$", "POST", "/posts/:post", {}, verified(422)],
	["^/posts/[0-9]{1,18}/edit$", "GET", "/posts/:post/edit", null,
	    { ...user(404), unverified: 403, staff: 200, admin: 200 }],
	["^/posts/[0-9]{1,18}/revisions$", "GET", "/posts/:post/revisions",
	    null, { ...user(404), staff: 200, admin: 200 }],
	["^/posts/[0-9]{1,18}/flag$", "POST", "/posts/:post/flag", {},
	    verified(422)],
	["/uploads", "POST", "/uploads", {}, verified(422)],
	["^/posts/[0-9]{1,18}/flag$", "GET", "/posts/:post/flag", null,
	    verified(200)],
	["^/t/[0-9]{1,18}/solve$", "GET", "/t/:topic/solve?post_id=1", null,
	    user(200)],
	// Moderation (app/mod.c): staff only; a missing post or topic, 404.
	["/mod/queue", "GET", "/mod/queue", null, staff(200)],
	["^/mod/posts/[0-9]{1,18}$", "POST", "/mod/posts/999999999",
	    { action: "approve" }, staff(404)],
	["^/mod/topics/[0-9]{1,18}$", "POST", "/mod/topics/999999999",
	    { action: "lock" }, staff(404)],
	["/mod/words", "GET", "/mod/words", null, staff(200)],
	["/mod/words", "POST", "/mod/words", {}, staff(200)],
	// Search and the feeds (app/search_page.c, app/feed.c):
	// anyone; feeds are public content only, so the staff room's is 404.
	["/search", "GET", "/search?q=%E6%89%93%E5%8D%B0", null, all(200)],
	["/board.rss", "GET", "/board.rss", null, all(200)],
	["^/c/[a-z0-9-]{1,40}[.]rss$", "GET", "/c/general.rss", null, all(200)],
	["^/c/[a-z0-9-]{1,40}[.]rss$", "GET", "/c/staff.rss", null, all(404)],
	["^/.*$", "GET", "/no/such/route", null, all(404)],
	["^/.*$", "POST", "/no/such/route", {}, all(404)],
];

function configRoutes() {
	const routes = [];
	for (const f of ["routes.conf", "notfound.conf"]) {
		for (const line of readFileSync(`${ROOT}/conf/${f}`, "utf8")
		    .split("\n")) {
			const m = line.match(/^\s*route\s+(\S+)\s+(\S+)/);
			if (m)
				routes.push(m[1]);
		}
	}
	return routes;
}

const people = {};
const ids = {};
before(async () => {
	const maker = await login("maker1");
	for (const [k, status] of [["pub", "published"], ["draft", "draft"]]) {
		const r = await request("POST", "/projects", { jar: maker.jar,
		    csrf: maker.csrf, body: { title: `matrix ${k}`, status } });
		ids[k] = r.data.project.id;
	}
	const staff1 = await login("staff1");
	const t = await request("POST", "/topics", { jar: staff1.jar,
	    csrf: staff1.csrf, body: { category: "help", title: "matrix topic",
	    body: "matrix" } });
	ids.topic = t.data.topic.id;
	ids.post = t.data.post.id;
	people.anon = null;
	people.unverified = await newUser();
	people.member = await newUser({ verified: true });
	people.mentor = await newUser({ verified: true, role: "mentor" });
	people.staff = await newUser({ verified: true, role: "staff" });
	people.admin = await newUser({ verified: true, role: "admin" });
});

test("every configured route has a row in the matrix", () => {
	const covered = new Set(MATRIX.map((row) => row[0]));
	for (const r of configRoutes())
		assert.ok(covered.has(r), `route ${r} is missing from the matrix`);
});

for (const [route, method, path, body, expect, opts = {}] of MATRIX) {
	test(`${method} ${path} (${route})`, async () => {
		for (const role of ROLES) {
			let who = people[role];
			if (who && opts.fresh)
				who = await login(who.username, who.password);
			const r = await request(method, path
			    .replace(":pub", ids.pub).replace(":draft", ids.draft)
			    .replace(":topic", ids.topic).replace(":post", ids.post), {
				jar: who?.jar, csrf: who?.csrf,
				body: body === null ? undefined : body,
			});
			assert.equal(r.status, expect[role],
			    `${role}: ${r.status} ${r.text.slice(0, 160)}`);
			if (r.status >= 400 && r.data)
				assert.equal(typeof r.data.error.code, "string");
			if (r.status === 401)
				assert.equal(r.data.error.code, "login_required");
		}
	});
}

// Verification (API.md "Accounts and roles") applies to every write that
// creates or publishes content, whoever's content it is: an unverified
// member on someone else's team, with a post of their own (written while
// verified; changing the card asks for verification again), is asked to
// verify on every such route.  The routes come from the config, so a new
// route is covered unless it is declared here as making no content
// (PAGE_NO_CONTENT in app/app.h).
const NO_CONTENT = new Set([
	"^/static/[A-Za-z0-9_.-]+$", "/favicon.ico",	// files
	"/signup", "/login",				// no account yet
	"/logout", "/settings", "/settings/tokens",
	"^/settings/sessions/[0-9]{1,18}/delete$",
	"/settings/sessions/others/delete",
	"^/settings/tokens/[0-9]{1,18}/delete$",
	"/preview", "/notifications/read",
	"^/projects/[0-9]{1,18}/like$", "^/projects/[0-9]{1,18}/unlike$",
	"^/projects/[0-9]{1,18}/delete$",
	"^/projects/[0-9]{1,18}/members/[A-Za-z0-9_]{1,64}/delete$",
	"^/projects/[0-9]{1,18}/photos/[0-9]{1,18}/delete$",
	"^/t/[0-9]{1,18}/solve$",
]);

test("every content write asks an unverified team member to verify",
    async () => {
	const { uniquePng } = await import("./png.mjs");
	const owner = await newUser({ verified: true });
	const mate = await newUser({ verified: true });
	const p = (await request("POST", "/projects", { jar: owner.jar,
	    csrf: owner.csrf, body: { title: "团队项目", status: "published" } }))
	    .data.project;
	assert.equal((await request("POST", `${p.url}/members`, {
	    jar: owner.jar, csrf: owner.csrf,
	    body: { username: mate.username } })).status, 200);
	const form = new FormData();
	form.append("photo", new Blob([uniquePng()]), "a.png");
	const photo = (await request("POST", `${p.url}/photos`, {
	    jar: owner.jar, csrf: owner.csrf, multipart: form })).data.photo;
	const t = (await request("POST", "/topics", { jar: mate.jar,
	    csrf: mate.csrf, body: { category: "general", title: "我的话题",
	    body: "写于认证之后" } })).data;
	assert.ok(t.post.id, "a post of their own (held or not)");
	// The card changes: verification is asked for again.
	const s = await request("POST", "/settings", { jar: mate.jar,
	    csrf: mate.csrf, body: { reader_card: `NEW-${Date.now()}` } });
	assert.equal(s.data.user.verified, false);

	const id = { projects: p.id, photos: photo.id, t: t.topic.id,
	    topics: t.topic.id, posts: t.post.id, sessions: 999999999,
	    tokens: 999999999 };
	const refused = [];
	for (const route of configRoutes()) {
		if (NO_CONTENT.has(route) || route === "^/.*$")
			continue;
		const path = route.replace(/^\^/, "").replace(/\$$/, "")
		    .replace(/\/([a-z]+)\/\[0-9\]\{1,18\}/g,
		    (m, seg) => `/${seg}/${id[seg]}`)
		    .replace("[A-Za-z0-9_]{1,64}", owner.username)
		    .replace("[a-z0-9-]{1,40}", "general")
		    .replace("[0-9a-f]{64}[.](jpg|png)", `${"a".repeat(64)}.jpg`)
		    .replace("[.]rss", ".rss");
		assert.doesNotMatch(path, /[[\]{}^$]|undefined/,
		    `a concrete ${path}`);
		const r = await request("POST", path, { jar: mate.jar,
		    csrf: mate.csrf, body: { title: "改掉", body: "改掉",
		    status: "published", caption: "改掉", photo_id: photo.id } });
		if (r.status === 405)
			continue;	/* not a write */
		assert.equal(r.status, 403, `${route}: ${r.status} ${r.text}`);
		assert.equal(r.data.error.code, /^\^?\/(admin|mod)\//.test(route) ?
		    "forbidden" : "verification_required", route);
		refused.push(route);
	}
	for (const r of ["/topics", "^/t/[0-9]{1,18}/posts$",
	    "^/posts/[0-9]{1,18}$", "/uploads", "^/projects/[0-9]{1,18}$",
	    "^/projects/[0-9]{1,18}/photos$",
	    "^/projects/[0-9]{1,18}/photos/[0-9]{1,18}$",
	    "^/projects/[0-9]{1,18}/cover$", "^/projects/[0-9]{1,18}/logs$",
	    "^/projects/[0-9]{1,18}/comments$", "/projects"])
		assert.ok(refused.includes(r), `${r} was tried`);

	// Nothing changed.
	const now = await request("GET", p.url, {});
	assert.equal(now.data.project.title, "团队项目");
	assert.equal(now.data.project.photos[0].caption, "");
	const topic = await request("GET", t.topic.url, { jar: mate.jar });
	assert.match(topic.data.posts[0].body_html, /写于认证之后/);
});
