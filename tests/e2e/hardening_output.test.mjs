// Input that breaks output (issue 10, items 12-15): redirect targets,
// feeds that trusted the Host header, user text cut inside a character,
// and edits that took an empty required field for "not sent".
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { BASE, DB, get, sql, login, newUser, postAs, getAs, setting,
    startServer, DEMO_PASSWORD } from "./lib.mjs";

const REQUIRED = "此项必填。";

// One request over a plain socket, so that a response Node's HTTP client
// would refuse (a control character in a header) can still be looked at.
// headers: name -> value, replacing the defaults (host, connection).
function raw(method, target, { headers = {}, body = "", base = BASE } = {}) {
	const u = new URL(base);
	const h = { host: u.host, connection: "close", ...headers };
	const data = Buffer.from(body, "utf8");
	if (data.length)
		h["content-length"] = String(data.length);
	const head = [`${method} ${target} HTTP/1.1`,
	    ...Object.entries(h).map(([k, v]) => `${k}: ${v}`), "", ""]
	    .join("\r\n");
	return new Promise((resolve, reject) => {
		const s = net.connect(Number(u.port), u.hostname);
		let buf = Buffer.alloc(0);
		const done = () => {
			const end = buf.indexOf("\r\n\r\n");
			if (end === -1)
				return false;
			const lines = buf.subarray(0, end).toString("latin1")
			    .split("\r\n");
			const hdrs = lines.slice(1).map((l) => {
				const i = l.indexOf(":");
				return [l.slice(0, i).toLowerCase(),
				    l.slice(i + 1).trim()];
			});
			const len = Number(hdrs.find(([k]) =>
			    k === "content-length")?.[1] ?? 0);
			if (buf.length < end + 4 + len)
				return false;
			resolve({ status: Number(lines[0].split(" ")[1]),
			    headers: hdrs, header: (n) => hdrs.find(([k]) =>
			    k === n)?.[1], body: buf.subarray(end + 4,
			    end + 4 + len).toString("utf8") });
			s.destroy();
			return true;
		};
		s.setTimeout(10000, () => {
			s.destroy();
			reject(new Error(`${method} ${target}: timed out`));
		});
		s.on("data", (d) => { buf = Buffer.concat([buf, d]); done(); });
		s.on("error", reject);
		s.on("end", () => { if (!done()) reject(new Error("closed")); });
		s.write(head);
		s.write(data);
	});
}

let maker, staff;
before(async () => {
	setting("board_hold_first_posts", "0");
	setting("board_new_seconds_between", "0");
	maker = await newUser({ verified: true, display_name: "输出测试" });
	staff = await login("staff1");
});
after(() => {
	setting("board_hold_first_posts", "1");
	setting("board_new_seconds_between", "30");
});

// ---------------------------------------------------------------------
// Item 12: redirect targets.

// A login by a browser-like client (HTML wanted) with next in the body.
function loginTo(next) {
	return raw("POST", "/login", { headers: {
	    "content-type": "application/json", accept: "text/html" },
	    body: JSON.stringify({ username: "maker1",
	    password: DEMO_PASSWORD, next }) });
}

test("redirect targets with control characters or other hosts go to /",
    async () => {
	const unsafe = ["/\u000b/evil.com", "/\u0001/x", "/a\r\nSet-Cookie: x=1",
	    "/\t/evil.com", "/\u007f", "/\u0085x", "/x\\y", "/\\evil.com",
	    "//evil.com", "http://evil.com/", "javascript:alert(1)", "evil.com",
	    "/中文", "/" + "a".repeat(2000), ""];
	for (const next of unsafe) {
		const r = await loginTo(next);
		assert.ok(!r.headers.some(([k, v]) =>
		    /[\u0000-\u001f\u007f]/.test(k + v)), "no control characters");
		// C0 controls other than tab and line breaks never reach a page:
		// every body field is refused first (422 on the field).
		if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/.test(next)) {
			assert.equal(r.status, 422, JSON.stringify(next));
			continue;
		}
		assert.equal(r.status, 303, JSON.stringify(next));
		assert.equal(r.header("location"), "/", JSON.stringify(next));
		assert.ok(!r.headers.some(([k, v]) =>
		    /[\u0000-\u001f\u007f]/.test(k + v)), "no control characters");
	}
	for (const next of ["/settings", "/projects?tag=esp32&q=%E8%8A%B1#top",
	    "/%0B/evil.com"]) {
		const r = await loginTo(next);
		assert.equal(r.header("location"), next, "safe ones are kept");
	}
	// The login form carries only a safe next (the query string's); a
	// query string holding a control character is refused whole.
	const refused = await raw("GET", "/login?next=/%0B/evil.com",
	    { headers: { accept: "text/html" } });
	assert.equal(refused.status, 400);
	assert.doesNotMatch(refused.body, /\u000b/);
	const form = await raw("GET", "/login?next=//evil.com",
	    { headers: { accept: "text/html" } });
	assert.equal(form.status, 200);
	assert.match(form.body, /name="next" value="\/"/);
	const kept = await get("/login?next=%2Fsettings", { json: false });
	assert.match(kept.text, /name="next" value="\/settings"/);
});

// ---------------------------------------------------------------------
// Item 13: feeds name the configured public URL, never the Host header.

const FEEDS = ["/projects.rss", "/board.rss", "/c/general.rss"];

function links(xml) {
	return [...xml.matchAll(/<(link|guid)>([^<]*)<\/\1>/g)].map((m) => m[2]);
}

async function feedsNameOnly(base, expect) {
	for (const feed of FEEDS) {
		const plain = await raw("GET", feed, { base });
		assert.equal(plain.status, 200, feed);
		for (const host of ["evil.example", "evil.example:8080",
		    "a]b!c", "x".repeat(200), "[::1]:1"]) {
			const r = await raw("GET", feed, { base,
			    headers: { host } });
			assert.equal(r.status, 200, `${feed} Host: ${host}`);
			assert.ok(!r.body.includes("evil.example"), feed);
			assert.equal(r.body, plain.body,
			    `${feed}: the same whatever Host says`);
			const l = links(r.body);
			assert.ok(l.length >= 2, `${feed} has links`);
			for (const x of l)
				assert.ok(x.startsWith(`${expect}/`),
				    `${feed}: ${x} starts with ${expect}/`);
		}
		assert.match(plain.header("content-type"),
		    /^application\/rss\+xml; charset=utf-8$/);
		assert.equal(plain.header("cache-control"), "public, max-age=300");
	}
}

test("feeds link to the configured public URL whatever Host says",
    async () => {
	// Something in each feed.
	const p = await postAs(maker, "/projects", { body: {
	    title: "订阅源项目 feed", status: "published" } });
	assert.equal(p.status, 201, p.text);
	const t = await postAs(maker, "/topics", { body: { category: "general",
	    title: "订阅源话题 feed", body: "内容" } });
	assert.equal(t.status, 201, t.text);

	// The test server has no MAKERSPACE_PUBLIC_URL: its bind address.
	await feedsNameOnly(BASE, BASE);

	const run = mkdtempSync(path.join(tmpdir(), "mk-feed-"));
	const srv = await startServer(DB, run,
	    { MAKERSPACE_PUBLIC_URL: "https://makerspace.example.org/" });
	try {
		assert.equal(srv.exitCode(), null, srv.output());
		const base = `http://127.0.0.1:${srv.port}`;
		await feedsNameOnly(base, "https://makerspace.example.org");
		const r = await raw("GET", "/projects.rss", { base });
		assert.ok(r.body.includes("<link>https://makerspace.example.org/" +
		    `projects/${p.data.project.id}</link>`));
		assert.ok(r.body.includes("<link>https://makerspace.example.org/" +
		    "projects</link>"));
	} finally {
		await srv.stop();
		rmSync(run, { recursive: true, force: true });
	}
});

test("a public URL that is not http(s)://host[:port] stops the start",
    async () => {
	for (const bad of ["javascript:alert(1)", "https://evil/<x>",
	    "http://a b", "https://host/path", "ftp://host"]) {
		const run = mkdtempSync(path.join(tmpdir(), "mk-feed-"));
		const srv = await startServer(DB, run,
		    { MAKERSPACE_PUBLIC_URL: bad });
		try {
			assert.notEqual(srv.exitCode(), null, `${bad}: refused`);
			assert.match(srv.output(), /MAKERSPACE_PUBLIC_URL/);
		} finally {
			await srv.stop();
			rmSync(run, { recursive: true, force: true });
		}
	}
});

// ---------------------------------------------------------------------
// Item 14: user text is never cut inside a character.

function soon() {
	return new Date(Date.now() + 3 * 86400e3).toISOString().slice(0, 10);
}

test("a 500-character Chinese suspension reason comes back whole",
    async () => {
	const three = "因违反创客空间安全规定暂停使用账号".repeat(30).slice(0, 500);
	const four = [...Array(500)].map((_, i) =>
	    String.fromCodePoint(0x20000 + i)).join("");
	for (const reason of [three, four]) {
		assert.equal([...reason].length, 500);
		const u = await newUser({ verified: true });
		const s = await postAs(staff, `/admin/users/${u.username}`, {
		    body: { suspended_until: soon(), reason } });
		assert.equal(s.status, 200, s.text);

		const r = await postAs(u, "/projects", { body: { title: "x" } });
		assert.equal(r.status, 403);
		assert.equal(r.data.error.code, "suspended");
		assert.equal(r.data.error.reason, reason, "whole, in the JSON");

		const html = await postAs(u, "/projects", { json: false,
		    form: { csrf: u.csrf, title: "x" } });
		assert.equal(html.status, 403);
		assert.ok(html.text.includes(reason), "whole, on the page");
	}
	// 501 characters are refused by the same count on both sides.
	const u = await newUser({ verified: true });
	const long = await postAs(staff, `/admin/users/${u.username}`, {
	    body: { suspended_until: soon(), reason: "停".repeat(501) } });
	assert.equal(long.status, 422);
	assert.ok(long.data.error.fields.reason);
});

test("a 50-character display name of 4-byte characters is kept whole",
    async () => {
	const name = [...Array(50)].map((_, i) =>
	    String.fromCodePoint(0x20100 + i)).join("");
	const u = await newUser({ verified: true });
	const r = await postAs(u, "/settings", { body: { display_name: name } });
	assert.equal(r.status, 200, r.text);
	const s = await getAs(u, "/session");
	assert.equal(s.data.user.display_name, name);
	const page = await getAs(u, "/settings", { json: false });
	assert.ok(page.text.includes(name));
	const long = await postAs(u, "/settings", { body: {
	    display_name: name + "字" } });
	assert.equal(long.status, 422, "51 characters");
});

// ---------------------------------------------------------------------
// Item 15: an empty required field on an edit is 422, never "keep".

test("an empty required field is 422 on every edit route", async () => {
	const owner = await newUser({ verified: true, display_name: "原名" });
	const p = (await postAs(owner, "/projects", { body: {
	    title: "原标题", summary: "原摘要", license: "MIT",
	    status: "published" } })).data.project;
	const t = (await postAs(maker, "/topics", { body: {
	    category: "general", title: "必填字段话题", body: "原内容" } }))
	    .data.topic;
	const firstPost = (await get(t.url)).data.posts[0];
	const projectField = (k) => sql(`SELECT ${k} FROM projects
	    WHERE id = ${p.id}`);
	const rows = [
		// [who, path, body, the field named, the value kept]
		[owner, p.url, { title: "" }, "title",
		    () => assert.equal(projectField("title"), "原标题")],
		[owner, p.url, { title: "  \u3000 " }, "title",
		    () => assert.equal(projectField("title"), "原标题")],
		[owner, p.url, { title: null }, "title",
		    () => assert.equal(projectField("title"), "原标题")],
		[owner, p.url, { license: "" }, "license",
		    () => assert.equal(projectField("license"), "MIT")],
		[owner, p.url, { status: "" }, "status",
		    () => assert.equal(projectField("status"), "published")],
		[owner, "/settings", { display_name: "" }, "display_name",
		    async () => assert.equal((await getAs(owner, "/session"))
		    .data.user.display_name, "原名")],
		[owner, "/settings", { display_name: " " }, "display_name",
		    null],
		[maker, `/posts/${firstPost.id}`, { body: "" }, "body",
		    () => assert.equal(sql(`SELECT body FROM posts
		    WHERE id = ${firstPost.id}`), "原内容")],
		[owner, `${p.url}/logs`, { title: "", body: "日志" }, "title",
		    null],
		[owner, `${p.url}/comments`, { body: "" }, "body", null],
		[owner, `${p.url}/members`, { username: "" }, "username", null],
		[maker, `${t.url}/posts`, { body: "" }, "body", null],
		[maker, "/topics", { category: "general", title: "",
		    body: "x" }, "title", null],
		[owner, "/settings/tokens", { name: "" }, "name", null],
		[staff, `/mod/topics/${t.id}`, { action: "" }, "action", null],
		[staff, `/mod/posts/${firstPost.id}`, { action: "hide",
		    reason: "" }, "reason", null],
	];
	for (const [who, url, body, field, kept] of rows) {
		const what = `${url} ${JSON.stringify(body)}`;
		const r = await postAs(who, url, { body });
		assert.equal(r.status, 422, `${what}: ${r.text}`);
		assert.equal(r.data.error.code, "invalid", what);
		assert.equal(r.data.error.fields[field], REQUIRED, what);
		// The same from a browser form (empty values are sent).
		const form = Object.fromEntries(Object.entries(body)
		    .map(([k, v]) => [k, v ?? ""]));
		const h = await postAs(who, url, { json: false,
		    form: { csrf: who.csrf, ...form } });
		assert.equal(h.status, 422, `form ${what}`);
		if (kept)
			await kept();
	}

	// Optional fields may still be cleared, and left out means keep.
	const cleared = await postAs(owner, p.url, { body: { summary: "" } });
	assert.equal(cleared.status, 200, cleared.text);
	assert.equal(cleared.data.project.summary, "");
	assert.equal(cleared.data.project.title, "原标题");
	const renamed = await postAs(owner, p.url, { body: { title: "新标题" } });
	assert.equal(renamed.data.project.title, "新标题");
	assert.equal(renamed.data.project.license, "MIT", "left out: kept");
	const settings = await postAs(owner, "/settings", { body: {
	    real_name: "" } });
	assert.equal(settings.status, 200, "optional settings clear");
	assert.equal(settings.data.user.display_name, "原名");
	const html = await postAs(owner, p.url, { json: false,
	    form: { csrf: owner.csrf, title: "" } });
	assert.match(html.text, new RegExp(REQUIRED), "the form says why");
});
