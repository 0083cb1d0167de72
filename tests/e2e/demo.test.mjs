// The demo data (issue 12 item 15): what `make run` shows a first visitor.
// The tests' database is set up as make run's is (conf/serve.sh
// prepare-db: tests/fixtures/demo.sql, then build/demo-sql's SQL made
// from tests/fixtures/demo/demo.json), so everything the manifest names
// must be here exactly once, and loading again must add nothing.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";

import { BASE, DB, PG_BASE, ROOT, get, getAs, login, sql } from "./lib.mjs";

const DIR = `${ROOT}/tests/fixtures/demo`;
const demo = JSON.parse(readFileSync(`${DIR}/demo.json`, "utf8"));
const CJK = /[\u4e00-\u9fff]/;

const quote = (s) => `'${s.replace(/'/g, "''")}'`;

// Ids of the rows of table whose title is title.
function idsByTitle(table, title) {
	const out = sql(`SELECT coalesce(json_agg(id ORDER BY id), '[]')
	    FROM ${table} WHERE title = ${quote(title)}`);
	return JSON.parse(out);
}

// Width and height from a JPEG's SOFn, walking the markers.
function jpegSize(b) {
	assert.equal(b.readUInt16BE(0), 0xffd8, "a JPEG");
	for (let i = 2; i + 9 < b.length; ) {
		assert.equal(b[i], 0xff, "a marker");
		const m = b[i + 1];
		if (m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 &&
		    m !== 0xcc)
			return { w: b.readUInt16BE(i + 7), h: b.readUInt16BE(i + 5) };
		i += 2 + b.readUInt16BE(i + 2);
	}
	throw new Error("no SOF");
}

// The EXIF orientation of one of our sources (big-endian IFD0, as
// tests/fixtures/demo/draw.c writes it), 1 without one.
function exifOrientation(b) {
	const i = b.indexOf(Buffer.from([0x01, 0x12, 0x00, 0x03]));
	return b.indexOf(Buffer.from("Exif\0\0")) > 0 && i > 0 ?
	    b.readUInt16BE(i + 8) : 1;
}

// The entry with this id in a listing, following its pages (other tests
// may have added newer ones); undefined when it is not listed.
async function listed(path, key, id) {
	let url = path;
	for (let i = 0; i < 50 && url; i++) {
		const r = await get(url);
		assert.equal(r.status, 200, url);
		const hit = r.data[key].find((x) => x.id === id);
		if (hit || !r.data.next_cursor)
			return hit;
		url = `${path}${path.includes("?") ? "&" : "?"}cursor=` +
		    encodeURIComponent(r.data.next_cursor);
	}
	return undefined;
}

async function fetchBytes(path) {
	const r = await fetch(BASE + path);
	return { status: r.status, type: r.headers.get("content-type"),
	    bytes: Buffer.from(await r.arrayBuffer()) };
}

test("every demo project is there once, with its team, photos, build " +
    "log, comments and likes", async () => {
	const published = demo.projects.filter((p) => p.status !== "draft");
	assert.ok(published.length >= 3);
	for (const p of demo.projects) {
		const ids = idsByTitle("projects", p.title);
		assert.equal(ids.length, 1, `${p.title}: once`);
		const r = await get(`/projects/${ids[0]}`);
		if (p.status === "draft") {
			assert.equal(r.status, 404, "a draft stays hidden");
			const owner = await login(p.owner);
			assert.equal((await getAs(owner, `/projects/${ids[0]}`))
			    .status, 200, "but its owner sees it");
			assert.ok(!(await listed(`/projects?tag=${p.tags[0]}`,
			    "projects", ids[0])), "a draft is not listed");
			continue;
		}
		assert.equal(r.status, 200);
		const pr = r.data.project;
		assert.equal(pr.status, "published");
		assert.equal(pr.author.username, p.owner);
		assert.deepEqual(pr.members.map((m) => m.username).sort(),
		    [p.owner, ...(p.members || [])].sort());
		assert.deepEqual(pr.tags, p.tags);
		assert.match(pr.body_html, /<(h2|p|ul)>/, "Markdown rendered");
		assert.deepEqual(pr.photos.map((x) => x.caption),
		    p.photos.map((x) => x.caption));
		assert.equal(pr.cover.id, pr.photos[0].id, "first photo is the cover");
		assert.equal(pr.logs.length, (p.logs || []).length);
		assert.equal(pr.comments.length, (p.comments || []).length);
		assert.equal(pr.likes, (p.likes || []).length);
		assert.ok(Date.parse(pr.published_at) < Date.now() - 86400e3,
		    "dated in the past, not at loading time");
		const card = await listed(`/projects?tag=${p.tags[0]}`,
		    "projects", pr.id);
		assert.ok(card, `${p.title} in the projects list`);
		assert.equal(card.cover.thumb_url, pr.cover.thumb_url);
	}
});

test("demo photos went through the upload pipeline: two sizes, " +
    "content-addressed, no EXIF, upright", async () => {
	let rotated = 0;
	for (const p of demo.projects.filter((x) => x.photos)) {
		const id = idsByTitle("projects", p.title)[0];
		const pr = (await get(`/projects/${id}`)).data.project;
		for (const [i, ph] of pr.photos.entries()) {
			const src = readFileSync(`${DIR}/photos/${p.photos[i].file}`);
			const stored = jpegSize(src);
			const turned = exifOrientation(src) >= 5;
			rotated += turned;
			const up = turned ? { w: stored.h, h: stored.w } : stored;
			assert.deepEqual({ w: ph.width, h: ph.height }, up,
			    `${p.photos[i].file}: upright size`);
			for (const [url, max] of [[ph.thumb_url, 400],
			    [ph.url, 1600]]) {
				const m = await fetchBytes(url);
				assert.equal(m.status, 200, url);
				assert.equal(m.type, "image/jpeg");
				const name = url.match(/^\/media\/([0-9a-f]{64})\.jpg$/);
				assert.ok(name, url);
				assert.equal(createHash("sha256").update(m.bytes)
				    .digest("hex"), name[1], "named by its bytes");
				assert.equal(m.bytes.indexOf("Exif"), -1, "no EXIF");
				assert.equal(m.bytes.indexOf("DemoCam"), -1);
				const s = jpegSize(m.bytes);
				assert.equal(Math.max(s.w, s.h),
				    Math.min(max, Math.max(up.w, up.h)), url);
				assert.equal(s.w > s.h, up.w > up.h,
				    `${url}: same orientation as the upright photo`);
			}
		}
	}
	assert.ok(rotated >= 1, "a photo stored on its side (EXIF 6)");
});

test("board topics in both languages, with replies, and a solved help " +
    "topic in each", async () => {
	const staff = await login("staff1");
	const solved = [];
	for (const t of demo.topics) {
		const ids = idsByTitle("topics", t.title);
		assert.equal(ids.length, 1, `${t.title}: once`);
		const r = await getAs(staff, `/t/${ids[0]}`);
		assert.equal(r.status, 200);
		assert.equal(r.data.topic.category.slug ?? r.data.topic.category,
		    t.category);
		const posts = r.data.posts;
		assert.equal(posts.length, 1 + (t.replies || []).length);
		assert.ok(posts.every((p, i) => i === 0 ||
		    Date.parse(p.created_at) >= Date.parse(posts[i - 1].created_at)),
		    "replies after the question");
		if (t.solved_by) {
			assert.equal(r.data.topic.solved_post_id,
			    posts[t.solved_by - 1].id);
			solved.push(t);
		}
		if (t.category === "staff")
			assert.equal((await get(`/t/${ids[0]}`)).status, 404,
			    "the staff room stays staff's");
	}
	const withReplies = demo.topics.filter((t) => t.replies?.length &&
	    t.category !== "staff");
	assert.ok(withReplies.some((t) => CJK.test(t.title)), "Chinese");
	assert.ok(withReplies.some((t) => !CJK.test(t.title)), "English");
	assert.ok(solved.some((t) => t.category === "help" && CJK.test(t.title)));
	assert.ok(solved.some((t) => t.category === "help" && !CJK.test(t.title)));
	for (const t of solved) {
		const row = await listed("/c/help", "topics",
		    idsByTitle("topics", t.title)[0]);
		assert.ok(row.solved, `${t.title}: solved in the list`);
	}
});

test("profiles show a bio and the maker's projects", async () => {
	for (const [name, u] of Object.entries(demo.users)) {
		const r = await get(`/u/${name}`);
		assert.equal(r.status, 200);
		assert.ok(r.data.user.bio_html.length > u.bio.length / 2, name);
	}
	const maker = (await get("/u/maker1")).data.user;
	assert.match(maker.bio_html, /<strong>LED<\/strong>/);
	// Other tests may have added projects of maker1's by now.
	const titles = maker.projects.map((p) => p.title);
	for (const p of demo.projects) {
		const mine = p.owner === "maker1" ||
		    (p.members || []).includes("maker1");
		assert.equal(titles.includes(p.title),
		    mine && p.status !== "draft", `${p.title}: own and team ` +
		    "projects, never a draft");
	}
	assert.ok(maker.recent_posts.length > 0);
	assert.ok(Date.parse(maker.joined_at) < Date.now() - 30 * 86400e3,
	    "joined months ago");
});

test("a maker's page shows the demo in Chinese and in English", async () => {
	const esc = (s) => s.replace(/&/g, "&amp;").replace(/'/g, "&#39;");
	const theirs = demo.projects.filter((p) => p.status !== "draft" &&
	    p.owner === "maker2");
	for (const [lang, category] of [["zh-CN", "作品展示"],
	    ["en", "Show & Tell"]]) {
		const r = await get(`/u/maker2?lang=${lang}`, { json: false });
		assert.equal(r.status, 200);
		for (const p of theirs)
			assert.ok(r.text.includes(esc(p.title)), `${lang}: ${p.title}`);
		assert.match(r.text, /<img[^>]+src="\/media\/[0-9a-f]{64}\.jpg"/,
		    `${lang}: project photos`);
		assert.ok(r.text.includes(esc(category)), `${lang}: ${category}`);
	}
});

const TABLES = ["users", "projects", "project_members", "project_photos",
    "media", "project_logs", "project_comments", "project_likes", "topics",
    "posts", "notifications"];

function counts() {
	return sql(`SELECT ${TABLES.map((t) => `(SELECT count(*) FROM ${t})`)
	    .join(" || ' ' || ")}`);
}

const HOLD = "SELECT value FROM site_settings " +
    "WHERE key = 'board_hold_first_posts'";

test("loading the demo data again adds nothing", () => {
	const before = counts();
	const hold = sql(HOLD);
	const out = execFileSync(`${ROOT}/conf/serve.sh`, ["prepare-db",
	    PG_BASE, "test"], { encoding: "utf8" });
	assert.ok(!/Demo data loaded/.test(out), out);
	assert.equal(counts(), before, "make run again");
	// The SQL itself, past serve.sh's check, is a no-op once loaded.
	const content = execFileSync(`${ROOT}/build/demo-sql`, [DIR],
	    { maxBuffer: 64 << 20 });
	execFileSync("psql", ["-Xq", "-1", "-v", "ON_ERROR_STOP=1", DB,
	    "-f", `${ROOT}/tests/fixtures/demo.sql`, "-f", "-"],
	    { input: content });
	assert.equal(counts(), before, "demo.sql and build/demo-sql again");
	assert.equal(sql(HOLD), hold, "the board's settings as they were");
});
