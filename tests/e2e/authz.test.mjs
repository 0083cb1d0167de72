// The authorization matrix, generated: one row per route of conf/*.conf
// and method (GET, HEAD, POST and PUT, which nothing serves), one column
// per kind of person.  What the guard does with a row comes from the code
// itself: the route's handler in app/*.c names the `struct page` that
// serves each method, and that page's .access and .flags say whether the
// method is allowed (405 if not), who must be logged in (401), verified
// or staff (403).  Past the guard, what a request does to a real object
// owned by someone else is this file's SAMPLES: one per route and method
// the code serves.  A new route, a new method on a route or a new page
// without a sample fails the first test, so the matrix stays complete.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { deflateSync } from "node:zlib";
import { DB, ROOT, request, newUser, login, postAs, getAs, setting, sql }
    from "./lib.mjs";
import { resultObjects } from "./comp_results_fixture.mjs";

const METHODS = ["GET", "HEAD", "POST", "PUT"];
// Columns: who asks.  owner and teammate: of the projects below; author:
// of the topic and post below; the others own none of them.
const COLUMNS = ["anon", "unverified", "member", "mentor", "staff", "admin",
    "owner", "teammate", "author"];
const ROLE = { anon: null, unverified: "member", member: "member",
    mentor: "mentor", staff: "staff", admin: "admin", owner: "member",
    teammate: "member", author: "member" };

// Handlers that do not go through rq_run (no struct page): what they
// answer, by method.
const NOT_RQ = {
	page_static: { GET: 200, HEAD: 200, POST: 405, PUT: 405 },
	page_favicon: { GET: 200, HEAD: 200, POST: 405, PUT: 405 },
};


const team = (s, others) => ({ default: others, owner: s, teammate: s,
    staff: s, admin: s });

// What a request that passed the guard gets, per route and method:
// { path (":x" filled from the objects made in before()), body, then:
// a status for everyone or { column: status, default }, fresh: make the
// path anew for each column (for requests that use their object up) }.
// A list gives several samples (a public and a draft project).
const SAMPLES = {
	// Competitions (app/comp.c, app/comp_judge.c): :comp is open, the
	// owner's entry :entry (with the teammate) is in it; :closedEntry is
	// the owner's entry in a competition that is judging.  Nobody here is
	// a judge.
	"/competitions": { GET: { path: "/competitions", then: 200 },
	    POST: { path: "/competitions", body: {}, then: 422 } },
	"/competitions/new": { GET: { path: "/competitions/new", then: 200 } },
	"^/competitions/[0-9]{1,18}$": {
	    GET: { path: "/competitions/:comp", then: 200 },
	    POST: { path: "/competitions/:comp", body: { summary: "matrix" },
	    then: 200 } },
	"^/competitions/[0-9]{1,18}/edit$": { GET: {
	    path: "/competitions/:comp/edit", then: 200 } },
	"^/competitions/[0-9]{1,18}/announce$": { POST: {
	    path: "/competitions/:comp/announce", body: {}, then: 200 } },
	"^/competitions/[0-9]{1,18}/entries$": {
	    GET: { path: "/competitions/:comp/entries", then: 200 },
	    POST: { path: "/competitions/:comp/entries", body: {}, then: 422 } },
	"^/competitions/[0-9]{1,18}/judges$": {
	    GET: { path: "/competitions/:comp/judges", then: 200 },
	    POST: { path: "/competitions/:comp/judges", body: {}, then: 422 } },
	"^/competitions/[0-9]{1,18}/assign$": { POST: {
	    path: "/competitions/:comp/assign", body: {}, then: 422 } },
	"^/entries/[0-9]{1,18}$": {
	    GET: { path: "/entries/:entry", then: team(200, 404) },
	    POST: { path: "/entries/:entry", body: { statement: "matrix" },
	    then: { default: 404, owner: 200, teammate: 200, staff: 403,
	    admin: 403 } } },
	"^/entries/[0-9]{1,18}/edit$": { GET: { path: "/entries/:entry/edit",
	    then: { default: 404, owner: 200, teammate: 200 } } },
	"^/entries/[0-9]{1,18}/withdraw$": { POST: {
	    path: "/entries/:closedEntry/withdraw", body: {},
	    then: { default: 404, owner: 409, teammate: 409, staff: 403,
	    admin: 403 } } },
	"^/entries/[0-9]{1,18}/score$": {
	    GET: { path: "/entries/:entry/score", then: 404 },
	    POST: { path: "/entries/:entry/score", body: {},
	    then: { default: 404, owner: 403, teammate: 403, staff: 403,
	    admin: 403 } } },
	"^/entries/[0-9]{1,18}/recuse$": { POST: {
	    path: "/entries/:entry/recuse", body: {}, then: 422 } },
	"/judging": { GET: { path: "/judging", then: 200 } },
	// Office hours (app/oh.c): :ohMentorName's slot :ohSlot, the owner's
	// booking :ohBooking of a slot whose cancel cutoff has passed.
	"/mentors": { GET: { path: "/mentors?tag=arduino", then: 200 } },
	"/mentors/me": { GET: { path: "/mentors/me", then: { default: 404,
	    mentor: 200, staff: 200, admin: 200 } },
	    POST: { path: "/mentors/me", body: {}, then: { default: 403,
	    mentor: 200, staff: 200, admin: 200 } } },
	"^/mentors/[A-Za-z0-9_]{1,64}$": { GET: { path: "/mentors/:ohMentorName",
	    then: 200 } },
	"/office-hours": { GET: { path: "/office-hours", then: 200 } },
	"/office-hours/rules": { POST: { path: "/office-hours/rules", body: {},
	    then: 422 } },
	"^/office-hours/rules/[0-9]{1,18}/delete$": { POST: {
	    path: "/office-hours/rules/:ohRule/delete", body: {}, then: 404 } },
	"/office-hours/slots": { POST: { path: "/office-hours/slots", body: {},
	    then: 422 } },
	"^/office-hours/slots/[0-9]{1,18}$": { GET: {
	    path: "/office-hours/slots/:ohSlot", then: 200 } },
	"^/office-hours/slots/[0-9]{1,18}/book$": { POST: {
	    path: "/office-hours/slots/:ohSlot/book", body: {}, then: 422 } },
	"^/bookings/[0-9]{1,18}$": { GET: { path: "/bookings/:ohBooking",
	    then: { default: 404, owner: 200, staff: 200, admin: 200 } } },
	"^/bookings/[0-9]{1,18}/cancel$": { POST: {
	    path: "/bookings/:ohBooking/cancel", body: {}, then: { default: 404,
	    owner: 409, staff: 422, admin: 422 } } },
	"^/bookings/[0-9]{1,18}/attendance$": { POST: {
	    path: "/bookings/:ohBooking/attendance", body: {}, then: 422 } },
	"^/bookings/[0-9]{1,18}/notes$": { POST: {
	    path: "/bookings/:ohBooking/notes", body: {}, then: 422 } },
	"^/bookings/[0-9]{1,18}/share$": { POST: {
	    path: "/bookings/:ohBooking/share", body: {}, then: { default: 404,
	    owner: 409, staff: 403, admin: 403 } } },
	"/me/bookings": { GET: { path: "/me/bookings", then: 200 } },
	"/admin/office-hours": { GET: { path: "/admin/office-hours",
	    then: 200 } },
	"/healthz": { GET: { path: "/healthz", then: 200 } },
	"/metrics": { GET: { path: "/metrics", then: 200 } },
	"^/static/[A-Za-z0-9_.-]+$": { GET: { path: "/static/app.css",
	    then: 200 } },
	"/favicon.ico": { GET: { path: "/favicon.ico", then: 200 } },
	"/": { GET: { path: "/", then: 200 } },
	"/signup": { GET: { path: "/signup", then: 200 },
	    POST: { path: "/signup", body: {}, then: 422 } },
	"/login": { GET: { path: "/login", then: 200 },
	    POST: { path: "/login", body: {}, then: 422 } },
	"/logout": { POST: { path: "/logout", body: {}, then: 200,
	    relogin: true } },
	"/session": { GET: { path: "/session", then: 200 } },
	"^/u/[A-Za-z0-9_]{1,64}$": { GET: { path: "/u/:ownerName", then: 200 } },
	"/settings": { GET: { path: "/settings", then: 200 },
	    POST: { path: "/settings", body: {}, then: 200 } },
	// Someone's other session and token: theirs only.
	"^/settings/sessions/[0-9]{1,18}/delete$": { POST: {
	    path: "/settings/sessions/:session/delete", body: {},
	    then: { default: 404, owner: 200 } } },
	// Ends the asker's other sessions only (the matrix's own session is
	// the asker, so it lives on): 200 for any user.
	"/settings/sessions/others/delete": { POST: {
	    path: "/settings/sessions/others/delete", body: {}, then: 200 } },
	"/settings/tokens": { POST: { path: "/settings/tokens", body: {},
	    then: 422 } },
	"^/settings/tokens/[0-9]{1,18}/delete$": { POST: {
	    path: "/settings/tokens/:token/delete", body: {},
	    then: { default: 404, owner: 200 } } },
	// Office hours in calendars (app/oh_cal.c): every user makes and
	// revokes their own feed URL; a booking's file for its maker (the
	// owner column), its mentor and staff only.
	"/settings/calendar": { POST: { path: "/settings/calendar", body: {},
	    then: 201 } },
	"/settings/calendar/delete": { POST: {
	    path: "/settings/calendar/delete", body: {}, then: 200 } },
	"^/calendar/[A-Za-z0-9_-]{43}[.]ics$": { GET: {
	    path: `/calendar/${"A".repeat(43)}.ics`, then: 404 } },
	"^/bookings/[0-9]{1,18}[.]ics$": { GET: {
	    path: "/bookings/:ohcalBooking.ics", then: { default: 404,
	    owner: 200, mentor: 200, staff: 200, admin: 200 } } },
	"/admin/users": { GET: { path: "/admin/users?q=maker", then: 200 } },
	"^/admin/users/[A-Za-z0-9_]{1,64}$": { POST: {
	    path: "/admin/users/:targetName", body: {}, then: 200 } },
	"/admin/audit": { GET: { path: "/admin/audit", then: 200 } },
	"/admin/verify": { GET: { path: "/admin/verify", then: 200 },
	    POST: { path: "/admin/verify", body: {}, then: 422 } },
	// Staff issue reset links; only admins for staff and admins.
	"^/admin/users/[A-Za-z0-9_]{1,64}/reset$": { POST: {
	    path: "/admin/users/:targetName/reset", body: {}, then: 201 } },
	// A link nobody was given: 404 for everyone.
	"^/reset/[A-Za-z0-9_-]{43}$": {
		GET: { path: `/reset/${"A".repeat(43)}`, then: 404 },
		POST: { path: `/reset/${"A".repeat(43)}`, body: {}, then: 404 } },
	"/preview": { POST: { path: "/preview", body: { body: "*x*" },
	    then: 200 } },
	"/projects": { GET: { path: "/projects", then: 200 },
	    POST: { path: "/projects", body: {}, then: 422 } },
	"/projects/new": { GET: { path: "/projects/new", then: 200 } },
	"/projects.rss": { GET: { path: "/projects.rss", then: 200 } },
	"^/projects/[0-9]{1,18}$": {
		GET: [{ path: "/projects/:pub", then: 200 },
		    { path: "/projects/:draft", then: team(200, 404) }],
		POST: { path: "/projects/:pub", body: { summary: "matrix" },
		    then: team(200, 403) } },
	"^/projects/[0-9]{1,18}/edit$": { GET: { path: "/projects/:pub/edit",
	    then: team(200, 404) } },
	"^/projects/[0-9]{1,18}/delete$": { POST: { path: "/projects/:id/delete",
	    body: {}, fresh: "project", then: { default: 403, owner: 200,
	    staff: 200, admin: 200 } } },
	"^/projects/[0-9]{1,18}/like$": { POST: [
	    { path: "/projects/:pub/like", body: {}, then: 200 },
	    { path: "/projects/:draft/like", body: {}, then: team(200, 404) }] },
	"^/projects/[0-9]{1,18}/unlike$": { POST: {
	    path: "/projects/:pub/unlike", body: {}, then: 200 } },
	"^/projects/[0-9]{1,18}/comments$": { POST: [
	    { path: "/projects/:pub/comments", body: { body: "matrix" },
	      then: 201 },
	    { path: "/projects/:draft/comments", body: { body: "matrix" },
	      then: team(201, 404) }] },
	"^/projects/[0-9]{1,18}/members$": { POST: {
	    path: "/projects/:pub/members", body: { username: ":targetName" },
	    then: { default: 403, owner: 200, staff: 200, admin: 200 } } },
	"^/projects/[0-9]{1,18}/members/[A-Za-z0-9_]{1,64}/delete$": { POST: {
	    path: "/projects/:id/members/:extraName/delete", body: {},
	    fresh: "project", then: { default: 403, owner: 200, staff: 200,
	    admin: 200 } } },
	"^/projects/[0-9]{1,18}/logs$": { POST: { path: "/projects/:pub/logs",
	    body: { title: "matrix log" }, then: team(201, 403) } },
	"^/projects/[0-9]{1,18}/photos$": { POST: {
	    path: "/projects/:pub/photos", body: {}, then: team(422, 403) } },
	"^/projects/[0-9]{1,18}/photos/[0-9]{1,18}$": { POST: {
	    path: "/projects/:pub/photos/:photo", body: { caption: "matrix" },
	    then: team(200, 403) } },
	"^/projects/[0-9]{1,18}/photos/[0-9]{1,18}/delete$": { POST: {
	    path: "/projects/:pub/photos/:id/delete", body: {}, fresh: "photo",
	    then: team(200, 403) } },
	"^/projects/[0-9]{1,18}/cover$": { POST: { path: "/projects/:pub/cover",
	    body: { photo_id: ":photo" }, then: team(200, 403) } },
	"^/media/[0-9a-f]{64}[.](jpg|png)$": { GET: [
	    { path: ":pubMedia", then: 200 },
	    { path: ":draftMedia", then: team(200, 404) }] },
	"/notifications": { GET: { path: "/notifications", then: 200 } },
	"/notifications/read": { POST: { path: "/notifications/read", body: {},
	    then: 200 } },
	// Without an Upgrade header, 400.
	"/live": { GET: { path: "/live", then: 400 } },
	"/board": { GET: { path: "/board", then: 200 } },
	"^/c/[a-z0-9-]{1,40}$": { GET: [{ path: "/c/general", then: 200 },
	    { path: "/c/staff", then: { default: 404, staff: 200,
	    admin: 200 } }] },
	"^/t/[0-9]{1,18}$": { GET: [{ path: "/t/:topic", then: 200 },
	    { path: "/t/:staffTopic", then: { default: 404, staff: 200,
	    admin: 200 } }] },
	"/topics/new": { GET: { path: "/topics/new", then: 200 } },
	"/topics": { POST: { path: "/topics", body: {}, then: 422 } },
	"^/t/[0-9]{1,18}/posts$": { POST: [
	    { path: "/t/:topic/posts", body: {}, then: 422 },
	    { path: "/t/:staffTopic/posts", body: { body: "matrix" },
	      then: { default: 404, staff: 201, admin: 201 } }] },
	"^/t/[0-9]{1,18}/solve$": {
		GET: { path: "/t/:topic/solve?post_id=:answer", then: 200 },
		POST: { path: "/t/:topic/solve", body: { post_id: ":answer" },
		    then: { default: 403, author: 200, staff: 200,
		    admin: 200 } } },
	"^/posts/[0-9]{1,18}$": { POST: { path: "/posts/:post",
	    body: { body: "matrix edit" }, then: { default: 403, author: 200,
	    staff: 200, admin: 200 } } },
	// POST: for when the edit form's own address takes the edit (today
	// 405, a defect: see tests/e2e/forms.test.mjs).
	"^/posts/[0-9]{1,18}/edit$": { GET: { path: "/posts/:post/edit",
	    then: { default: 404, author: 200, staff: 200, admin: 200 } },
	    POST: { path: "/posts/:post/edit", body: { body: "matrix edit" },
	    then: { default: 403, author: 200, staff: 200, admin: 200 } } },
	"^/posts/[0-9]{1,18}/revisions$": { GET: {
	    path: "/posts/:post/revisions", then: { default: 404, author: 200,
	    staff: 200, admin: 200 } } },
	"^/posts/[0-9]{1,18}/flag$": {
		GET: { path: "/posts/:post/flag", then: 200 },
		POST: { path: "/posts/:post/flag", body: {}, then: 422 } },
	"/uploads": { POST: { path: "/uploads", body: {}, then: 422 } },
	"/mod/queue": { GET: { path: "/mod/queue", then: 200 } },
	"^/mod/posts/[0-9]{1,18}$": { POST: { path: "/mod/posts/:post",
	    body: { action: "approve" }, then: 409 } },
	"^/mod/topics/[0-9]{1,18}$": { POST: { path: "/mod/topics/:modTopic",
	    body: { action: "unpin" }, then: 200 } },
	"/mod/words": { GET: { path: "/mod/words", then: 200 },
	    POST: { path: "/mod/words", body: {}, then: 200 } },
	"/search": { GET: { path: "/search?q=%E6%89%93%E5%8D%B0", then: 200 } },
	"/board.rss": { GET: { path: "/board.rss", then: 200 } },
	// Feeds carry public content only: the staff room's is 404 for all.
	"^/c/[a-z0-9-]{1,40}[.]rss$": { GET: [
	    { path: "/c/general.rss", then: 200 },
	    { path: "/c/staff.rss", then: 404 }] },
	// Competition results (app/comp_results.c): published results are
	// public; the export and publishing are staff's (published already:
	// 409); votes for someone else's entry; the certificate is its
	// team's (staff too); /verify is anyone's.
	"^/competitions/[0-9]{1,18}/results$": { GET: {
	    path: "/competitions/:resultsComp/results", then: 200 } },
	"^/competitions/[0-9]{1,18}/results[.]csv$": { GET: {
	    path: "/competitions/:resultsComp/results.csv", then: 200 } },
	"^/competitions/[0-9]{1,18}/publish$": { POST: {
	    path: "/competitions/:resultsComp/publish", body: {}, then: 409 } },
	"^/entries/[0-9]{1,18}/vote$": { POST: {
	    path: "/entries/:voteEntry/vote", body: {}, then: 200 } },
	"^/entries/[0-9]{1,18}/unvote$": { POST: {
	    path: "/entries/:voteEntry/unvote", body: {}, then: 200 } },
	"^/entries/[0-9]{1,18}/certificate$": { GET: {
	    path: "/entries/:certEntry/certificate", then: team(200, 404) } },
	"^/verify/[A-Za-z0-9-]{1,40}$": { GET: { path: "/verify/:certCode",
	    then: 200 } },
	"^/.*$": { ANY: { path: "/no/such/route", body: {}, then: 404 } },
};

// --- The code: routes, handlers, pages --------------------------------

function configRoutes() {
	const routes = [];
	for (const f of ["routes.conf", "notfound.conf"]) {
		for (const line of readFileSync(`${ROOT}/conf/${f}`, "utf8")
		    .split("\n")) {
			const m = line.match(/^\s*route\s+(\S+)\s+(\S+)/);
			if (m)
				routes.push({ pattern: m[1], handler: m[2] });
		}
	}
	return routes;
}

// { handler: { GET: page, HEAD: page, POST: page, PUT: page } } where a
// page is { name, access, flags }, or the NOT_RQ entry's statuses.
function handlerPages() {
	const out = {};
	for (const f of readdirSync(`${ROOT}/app`).filter((x) =>
	    x.endsWith(".c"))) {
		const src = readFileSync(`${ROOT}/app/${f}`, "utf8");
		const pages = {};
		for (const m of src.matchAll(
		    /static const struct page (\w+) = \{([\s\S]*?)\};/g)) {
			pages[m[1]] = { name: m[1],
			    access: m[2].match(/\.access\s*=\s*(ACCESS_\w+)/)?.[1] ??
			    "ACCESS_ANYONE",
			    flags: (m[2].match(/\.flags\s*=\s*([A-Z_|\s]+)/)?.[1] ??
			    "").split("|").map((s) => s.trim()).filter((s) => s) };
		}
		for (const m of src.matchAll(
		    /^(page_\w+)\(struct http_request \*req\)\n\{([\s\S]*?)\n\}/gm)) {
			const body = m[2];
			const page = (n) => {
				if (!pages[n])
					throw new Error(`${f}: ${m[1]} uses ${n}, not a page`);
				return pages[n];
			};
			let by = null, x;
			if ((x = body.match(/req->method == HTTP_METHOD_POST \?\s*&(\w+)\s*:\s*&(\w+)/)))
				by = (meth) => page(meth === "POST" ? x[1] : x[2]);
			else if ((x = body.match(/if \(req->method == HTTP_METHOD_GET\)\s*return \(rq_run\(req, &(\w+)\)\);\s*return \(rq_run\(req, &(\w+)\)\);\s*$/)))
				by = (meth) => page(meth === "GET" ? x[1] : x[2]);
			else if ((x = body.match(/^\s*return \(rq_run\(req, &(\w+)\)\);\s*$/)))
				by = () => page(x[1]);
			else if (/rq_run/.test(body))
				throw new Error(`${f}: ${m[1]}: which page serves which ` +
				    "method? Teach tests/e2e/authz.test.mjs");
			if (by)
				out[m[1]] = Object.fromEntries(METHODS.map((k) =>
				    [k, by(k)]));
		}
	}
	for (const [h, st] of Object.entries(NOT_RQ))
		out[h] = { notRq: st };
	return out;
}

const isStaff = (col) => ["staff", "admin"].includes(ROLE[col]);

// What the runner and the guard answer before the page's own work, or
// null when the request gets through (app/rq.c rq_method_ok,
// app/guard_rule.c guard_rule_decide).
function guardStatus(page, method, col) {
	if (page.flags.includes("PAGE_ANY_METHOD"))
		return null;
	const write = page.flags.includes("PAGE_WRITE");
	if (write ? method !== "POST" : !["GET", "HEAD"].includes(method))
		return 405;
	if (page.access === "ACCESS_ANYONE" && !write)
		return null;
	if (ROLE[col] === null)
		return page.access === "ACCESS_ANYONE" ? null : 401;
	// A write open to any user needs verification unless its page says
	// it makes no content (PAGE_NO_CONTENT, app/guard_rule.c).
	const access = page.access === "ACCESS_USER" && write &&
	    !page.flags.includes("PAGE_NO_CONTENT") ? "ACCESS_VERIFIED" :
	    page.access;
	if (access === "ACCESS_VERIFIED" && col === "unverified")
		return 403;
	if (page.access === "ACCESS_STAFF" && !isStaff(col))
		return 403;
	if (page.access === "ACCESS_ADMIN" && ROLE[col] !== "admin")
		return 403;
	return null;
}

function samplesOf(route, method) {
	const s = SAMPLES[route] || {};
	const one = s.ANY ?? s[method === "HEAD" ? "GET" : method];
	return one === undefined ? [] : [].concat(one);
}

// Any path of the route, for the methods it refuses (which never reach
// the object: a sample's fresh object is then an existing one).
function anyPath(route) {
	const s = SAMPLES[route] || {};
	const first = [].concat(Object.values(s)[0] ?? [])[0];
	if (!first)
		return null;
	return first.fresh ? first.path.replace(":id", `:${first.fresh === "photo" ?
	    "photo" : "pub"}`) : first.path;
}

const expectOf = (then, col) => typeof then === "number" ? then :
    then[col] ?? then.default;

// --- The objects and the people --------------------------------------

const people = {};
const ids = {};
let savedRate;

function crc32(buf) {
	let crc = 0xffffffff;
	for (const b of buf) {
		let c = (crc ^ b) & 0xff;
		for (let k = 0; k < 8; k++)
			c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
		crc = (crc >>> 8) ^ c;
	}
	return (crc ^ 0xffffffff) >>> 0;
}

// An 8 x 8 PNG of noise: bytes (and so media) no other upload has.
function png() {
	const chunk = (type, data) => {
		const len = Buffer.alloc(4);
		len.writeUInt32BE(data.length);
		const td = Buffer.concat([Buffer.from(type), data]);
		const crc = Buffer.alloc(4);
		crc.writeUInt32BE(crc32(td));
		return Buffer.concat([len, td, crc]);
	};
	const ihdr = Buffer.from([0, 0, 0, 8, 0, 0, 0, 8, 8, 2, 0, 0, 0]);
	const row = Buffer.concat([Buffer.from([0]), Buffer.from(Array.from(
	    { length: 24 }, () => (Math.random() * 256) | 0))]);
	return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]),
	    chunk("IHDR", ihdr), chunk("IDAT", deflateSync(Buffer.concat(
	    Array(8).fill(row)))), chunk("IEND", Buffer.alloc(0))]);
}

async function upload(who, pid) {
	const form = new FormData();
	form.append("photo", new Blob([png()]), "m.png");
	const r = await postAs(who, `/projects/${pid}/photos`, { multipart: form });
	assert.equal(r.status, 201, r.text);
	return r.data.photo;
}

async function project(status) {
	const o = people.owner;
	const r = await postAs(o, "/projects", { body: { title: `matrix ${status}`,
	    status } });
	assert.equal(r.status, 201, r.text);
	const id = r.data.project.id;
	for (const who of [people.teammate, people.extra])
		assert.equal((await postAs(o, `/projects/${id}/members`, { body: {
		    username: who.username } })).status, 200);
	return id;
}

const FRESH = {
	project: async () => ({ id: await project("published") }),
	photo: async () => ({ id: (await upload(people.owner, ids.pub)).id }),
};

before(async () => {
	savedRate = sql("SELECT value FROM site_settings " +
	    "WHERE key = 'posts_per_minute'") || "60";
	setting("posts_per_minute", "100000");
	setting("board_hold_first_posts", "0");
	setting("board_new_seconds_between", "0");
	setting("board_new_posts_per_day", "100000");
	people.anon = null;
	people.unverified = await newUser();
	people.member = await newUser({ verified: true });
	people.mentor = await newUser({ verified: true, role: "mentor" });
	people.staff = await newUser({ verified: true, role: "staff" });
	people.admin = await newUser({ verified: true, role: "admin" });
	for (const k of ["owner", "teammate", "author", "extra", "target"])
		people[k] = await newUser({ verified: true });
	ids.ownerName = people.owner.username;
	ids.targetName = people.target.username;
	ids.extraName = people.extra.username;
	ids.pub = await project("published");
	ids.draft = await project("draft");
	ids.photo = (await upload(people.owner, ids.pub)).id;
	const pub = (await getAs(people.owner, `/projects/${ids.pub}`)).data;
	ids.pubMedia = pub.project.photos[0].thumb_url;
	const dp = await upload(people.owner, ids.draft);
	ids.draftMedia = dp.thumb_url;
	// The author's question in help, answered by someone else.
	const t = await postAs(people.author, "/topics", { body: {
	    category: "help", title: "matrix topic", body: "matrix" } });
	assert.equal(t.status, 201, t.text);
	ids.topic = t.data.topic.id;
	ids.post = (await getAs(people.author, `/t/${ids.topic}`)).data
	    .posts[0].id;
	const a = await postAs(people.member, `/t/${ids.topic}/posts`, { body: {
	    body: "an answer" } });
	ids.answer = a.data.post.id;
	const st = await postAs(people.staff, "/topics", { body: {
	    category: "staff", title: "matrix staff topic", body: "x" } });
	ids.staffTopic = st.data.topic.id;
	const mt = await postAs(people.author, "/topics", { body: {
	    category: "general", title: "matrix mod topic", body: "x" } });
	ids.modTopic = mt.data.topic.id;
	// The owner's other session and an API token.
	const other = await login(people.owner.username, people.owner.password);
	ids.session = (await getAs(people.owner, "/settings")).data.sessions
	    .find((s) => !s.current).id;
	assert.ok(other.user.id);
	ids.token = (await postAs(people.owner, "/settings/tokens", { body: {
	    name: "matrix" } })).data.token.id;
	// A booking of the owner in a slot of the mentor (0014's functions).
	const calSlot = JSON.parse(sql(`SELECT oh_slot_create(
	    ${people.mentor.user.id}, now() + interval '5 days', 20, 1,
	    'matrix', NULL)`)).slot;
	ids.ohcalBooking = JSON.parse(sql(`SELECT oh_book(
	    ${people.owner.user.id}, ${calSlot.id}, 'a matrix question', '', '',
	    'matrix', '', NULL)`)).booking.id;
	Object.assign(ids, resultObjects(DB, { team: [people.owner.user.id,
	    people.teammate.user.id], other: people.extra.user.id,
	    staffId: people.staff.user.id }));
	// Office hours: someone else's slot, rule and the owner's booking.
	const ohm = await newUser({ verified: true, role: "mentor" });
	ids.ohMentorName = ohm.username;
	assert.equal((await postAs(ohm, "/mentors/me", { body: {
	    notice_hours: 0 } })).status, 200);
	const rule = await postAs(ohm, "/office-hours/rules", { body: {
	    weekday: 1, start: "06:00", end: "06:30", slot_minutes: 30 } });
	assert.equal(rule.status, 201, rule.text);
	ids.ohRule = rule.data.rule.id;
	// Noon UTC (20:00 in the site zone), clear of the rule's 06:00 slots
	// whatever the time of day the suite runs.
	const start = new Date(Date.now() + 3 * 86400e3);
	start.setUTCHours(12, 0, 0, 0);
	const slot = await postAs(ohm, "/office-hours/slots", { body: {
	    starts_at: start.toISOString().slice(0, 16) + "Z", minutes: 30 } });
	assert.equal(slot.status, 201, slot.text);
	ids.ohSlot = slot.data.slot.id;
	const bk = await postAs(people.owner, `/office-hours/slots/${ids.ohSlot}` +
	    "/book", { body: { question: "A question for the matrix." } });
	assert.equal(bk.status, 201, bk.text);
	ids.ohBooking = bk.data.booking.id;
	sql(`UPDATE oh_slots SET starts_at = now() + interval '2 hours',
	    ends_at = now() + interval '150 minutes' WHERE id = ${ids.ohSlot}`);
	// Competitions: an open one with the owner's entry, and one judging.
	for (const k of ["comp", "closedComp"]) {
		const c = await postAs(people.staff, "/competitions", { body: {
		    title: "matrix " + k,
		    opens_at: new Date(Date.now() - 3600e3).toISOString(),
		    closes_at: new Date(Date.now() + 3600e3).toISOString(),
		    judging_ends_at: new Date(Date.now() + 7200e3).toISOString(),
		    criteria: [{ name: "All", weight: 100, max_score: 10 }] } });
		assert.equal(c.status, 201, c.text);
		ids[k] = c.data.competition.id;
		await postAs(people.staff, `/competitions/${ids[k]}/announce`,
		    { body: {} });
		const e = await postAs(people.owner, `/competitions/${ids[k]}/entries`,
		    { body: { project_id: ids.pub,
		    team: [people.teammate.username] } });
		assert.equal(e.status, 201, e.text);
		ids[k === "comp" ? "entry" : "closedEntry"] = e.data.entry.id;
	}
	sql(`UPDATE competitions SET closes_at = now() - interval '1 minute'
	    WHERE id = ${ids.closedComp}`);
	for (const [k, v] of Object.entries(ids))
		assert.ok(v, `before(): ${k}`);
});

after(() => {
	setting("posts_per_minute", savedRate);
	setting("board_hold_first_posts", "1");
	setting("board_new_seconds_between", "30");
	setting("board_new_posts_per_day", "10");
});

function fill(s, extra = {}) {
	const v = { ...ids, ...extra };
	return s.replace(/:([a-zA-Z]+)/g, (m, k) => v[k] !== undefined ?
	    String(v[k]) : m);
}

// --- The rows ---------------------------------------------------------

const ROUTES = configRoutes();
const PAGES = handlerPages();
const ROWS = ROUTES.flatMap((r) => METHODS.map((m) => ({ ...r, method: m })));

test("every route × method has a row, a page and the samples it needs", () => {
	const problems = [];
	for (const row of ROWS) {
		const h = PAGES[row.handler];
		if (!h) {
			problems.push(`${row.handler}: no handler in app/*.c that ` +
			    "this file can read (add it to NOT_RQ?)");
			continue;
		}
		if (!anyPath(row.pattern))
			problems.push(`${row.pattern}: no sample path`);
		if (h.notRq)
			continue;
		const page = h[row.method === "HEAD" ? "GET" : row.method];
		if (guardStatus(page, row.method, "admin") !== 405 &&
		    samplesOf(row.pattern, row.method).length === 0)
			problems.push(`${row.method} ${row.pattern} is served by ` +
			    `${page.name}: add a sample`);
	}
	for (const k of Object.keys(SAMPLES))
		if (!ROUTES.some((r) => r.pattern === k))
			problems.push(`${k}: a sample for no route`);
	assert.deepEqual(problems, []);
	const cells = ROWS.reduce((n, row) => n + COLUMNS.length *
	    Math.max(1, samplesOf(row.pattern, row.method).length), 0);
	console.log(`# authz matrix: ${ROWS.length} rows (${ROUTES.length} ` +
	    `routes × ${METHODS.length} methods), ${COLUMNS.length} columns, ` +
	    `${cells} requests`);
});

for (const row of ROWS) {
	const name = `${row.method} ${row.pattern}`;
	test(name, async () => {
		const h = PAGES[row.handler];
		assert.ok(h, row.handler);
		const samples = samplesOf(row.pattern, row.method);
		const list = samples.length ? samples :
		    [{ path: anyPath(row.pattern), then: 0 }];
		for (const s of list) {
			for (const col of COLUMNS) {
				let who = people[col];
				if (who && s.relogin)
					who = await login(who.username, who.password);
				const extra = s.fresh ? await FRESH[s.fresh]() : {};
				const path = fill(s.path, extra);
				let want;
				// HEAD is GET without the body: what GET's page says.
				const page = h[row.method === "HEAD" ? "GET" : row.method];
				if (h.notRq) {
					want = h.notRq[row.method];
				} else {
					want = guardStatus(page, row.method, col) ??
					    expectOf(s.then, col);
				}
				const body = row.method === "POST" || row.method === "PUT" ?
				    JSON.parse(fill(JSON.stringify(s.body ?? {}), extra)) :
				    undefined;
				const r = await request(row.method, path, { jar: who?.jar,
				    csrf: who?.csrf, body });
				assert.equal(r.status, want, `${col}: ${row.method} ${path}: ` +
				    `${r.status} ${r.text.slice(0, 160)}`);
				if (r.status === 405)
					assert.ok(r.headers.get("allow"), "405 says what is allowed");
				if (r.status >= 400 && r.data)
					assert.equal(typeof r.data.error.code, "string");
				if (r.status === 401 && row.method !== "HEAD")
					assert.equal(r.data.error.code, "login_required");
			}
		}
	});
}

// Verification (docs/api.md#accounts) applies to every write that
// creates or publishes content, whoever's content it is: an unverified
// member on someone else's team, with a post of their own (written while
// verified; changing the card asks for verification again), is asked to
// verify on every such route.  The routes come from the config, so a new
// route is covered unless it is declared here as making no content
// (PAGE_NO_CONTENT in app/app.h).
const NO_CONTENT = new Set([
	"^/static/[A-Za-z0-9_.-]+$", "/favicon.ico",	// files
	"/signup", "/login",				// no account yet
	"^/reset/[A-Za-z0-9_-]{43}$",			// a reset link: no account
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
	"/settings/calendar", "/settings/calendar/delete",	// no content
	"^/calendar/[A-Za-z0-9_-]{43}[.]ics$",		// GET only
	"^/bookings/[0-9]{1,18}[.]ics$",
	// Office hours: withdrawing availability, cancelling, attendance.
	"^/office-hours/rules/[0-9]{1,18}/delete$",
	"^/bookings/[0-9]{1,18}/cancel$", "^/bookings/[0-9]{1,18}/attendance$",
	// Competitions: withdrawing an entry, a judge stepping back.
	"^/entries/[0-9]{1,18}/withdraw$", "^/entries/[0-9]{1,18}/recuse$",
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
	    tokens: 999999999, rules: 999999999, slots: 999999999,
	    bookings: 999999999, competitions: 999999999, entries: 999999999 };
	const refused = [];
	const served = handlerPages();
	for (const { pattern: route, handler } of configRoutes()) {
		if (NO_CONTENT.has(route) || route === "^/.*$")
			continue;
		const path = route.replace(/^\^/, "").replace(/\$$/, "")
		    .replace(/\/([a-z]+)\/\[0-9\]\{1,18\}/g,
		    (m, seg) => `/${seg}/${id[seg]}`)
		    .replace("[A-Za-z0-9_]{1,64}", owner.username)
		    .replace("[a-z0-9-]{1,40}", "general")
		    .replace("[A-Za-z0-9-]{1,40}", "0000-0000-0000")
		    .replace("[0-9a-f]{64}[.](jpg|png)", `${"a".repeat(64)}.jpg`)
		    .replace(/\[\.\]/g, ".");
		assert.doesNotMatch(path, /[[\]{}^$]|undefined/,
		    `a concrete ${path}`);
		const r = await request("POST", path, { jar: mate.jar,
		    csrf: mate.csrf, body: { title: "改掉", body: "改掉",
		    status: "published", caption: "改掉", photo_id: photo.id } });
		if (r.status === 405)
			continue;	/* not a write */
		assert.equal(r.status, 403, `${route}: ${r.status} ${r.text}`);
		// Staff pages refuse members before asking for verification.
		const staffOnly = ["ACCESS_STAFF", "ACCESS_ADMIN"].includes(
		    served[handler]?.POST?.access);
		assert.equal(r.data.error.code, staffOnly ||
		    /^\^?\/(admin|mod)\//.test(route) ? "forbidden" :
		    "verification_required", route);
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
