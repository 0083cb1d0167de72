// Project photos and /media (docs/architecture.md#images, docs/api.md).
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { deflateSync } from "node:zlib";
import { get, post, ROOT, newUser, postAs, getAs, serverLog, setting, sql }
    from "./lib.mjs";
import { WORKER_EXIT } from "./workers.mjs";
import { pngChunk, uniquePng } from "./png.mjs";

const FIX = `${ROOT}/tests/fixtures/img`;
let owner, other, project, draft;

function png(w, h, idat, alpha = false) {
	const ihdr = Buffer.alloc(13);
	ihdr.writeUInt32BE(w, 0);
	ihdr.writeUInt32BE(h, 4);
	ihdr[8] = 8; ihdr[9] = alpha ? 6 : 2;
	return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]),
	    pngChunk("IHDR", ihdr), pngChunk("IDAT", idat),
	    pngChunk("IEND", Buffer.alloc(0))]);
}

// A PNG whose header claims w x h; the data is a few bytes.
const hugePng = (w, h) => png(w, h, Buffer.alloc(200));

function upload(who, p, bytes, name = "photo.jpg", caption) {
	const form = new FormData();
	form.append("photo", new Blob([bytes]), name);
	if (caption !== undefined)
		form.append("caption", caption);
	return postAs(who, `${p.url}/photos`, { multipart: form });
}

before(async () => {
	owner = await newUser({ verified: true });
	other = await newUser({ verified: true });
	project = (await postAs(owner, "/projects", { body: {
	    title: "照片项目", status: "published" } })).data.project;
	draft = (await postAs(owner, "/projects", { body: {
	    title: "草稿照片" } })).data.project;
});

test("a JPEG with EXIF orientation 6 comes out upright, without EXIF",
    async () => {
	const src = readFileSync(`${FIX}/exif-6.jpg`);
	const r = await upload(owner, project, src, "IMG_0001.JPG", "侧拍");
	assert.equal(r.status, 201, r.text);
	const ph = r.data.photo;
	assert.ok(ph.height > ph.width, `upright: ${ph.width}x${ph.height}`);
	assert.equal(ph.caption, "侧拍");
	assert.match(ph.url, /^\/media\/[0-9a-f]{64}\.jpg$/);
	const img = await fetch(process.env.BASE_URL + ph.thumb_url);
	assert.equal(img.status, 200);
	assert.equal(img.headers.get("content-type"), "image/jpeg");
	assert.equal(img.headers.get("x-content-type-options"), "nosniff");
	assert.equal(img.headers.get("cache-control"),
	    "public, max-age=31536000, immutable");
	const etag = img.headers.get("etag");
	assert.equal(etag, `"${ph.thumb_url.slice(7, 71)}"`);
	const bytes = Buffer.from(await img.arrayBuffer());
	assert.equal(bytes.indexOf("Exif"), -1, "no EXIF in what we serve");
	assert.equal(bytes.indexOf(Buffer.from([0xff, 0xe1])), -1, "no APP1");
	const again = await fetch(process.env.BASE_URL + ph.thumb_url, {
	    headers: { "if-none-match": etag } });
	assert.equal(again.status, 304);
	const page = await get(project.url);
	assert.equal(page.data.project.cover.id, ph.id, "first photo is cover");
});

test("PNG and WebP are accepted; transparency stays PNG", async () => {
	const png = await upload(owner, project, readFileSync(`${FIX}/rgba.png`),
	    "a.png");
	assert.equal(png.status, 201);
	assert.match(png.data.photo.url, /\.png$/);
	const webp = await upload(owner, project,
	    readFileSync(`${FIX}/lossy.webp`), "b.webp");
	assert.equal(webp.status, 201);
	assert.match(webp.data.photo.url, /\.jpg$/, "opaque WebP becomes JPEG");
});

// Width and height of a served JPEG (its SOF segment) or PNG (IHDR).
function dimensions(b) {
	if (b[0] === 0x89 && b.subarray(12, 16).toString() === "IHDR")
		return [b.readUInt32BE(16), b.readUInt32BE(20)];
	assert.ok(b[0] === 0xff && b[1] === 0xd8, "a JPEG");
	for (let i = 2; i + 9 < b.length;) {
		const m = b[i + 1];
		if (m >= 0xc0 && m <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(m))
			return [b.readUInt16BE(i + 7), b.readUInt16BE(i + 5)];
		i += 2 + b.readUInt16BE(i + 2);
	}
	throw new Error("no frame header");
}

async function served(url) {
	const r = await fetch(process.env.BASE_URL + url);
	assert.equal(r.status, 200, url);
	return Buffer.from(await r.arrayBuffer());
}

test("a large phone photo gets a thumbnail and a display size", async () => {
	// 4032 x 3024, taken sideways (EXIF orientation 6): tests/fixtures/
	// photo/make.sh.  Upright it is 3024 x 4032: 1200 x 1600 and 300 x 400.
	const src = readFileSync(`${ROOT}/tests/fixtures/photo/phone.jpg`);
	const r = await upload(owner, project, src, "IMG_4032.JPG", "手机拍的");
	assert.equal(r.status, 201, r.text);
	const ph = r.data.photo;
	assert.deepEqual([ph.width, ph.height], [3024, 4032], "upright");
	assert.notEqual(ph.url, ph.thumb_url);
	const display = await served(ph.url);
	const thumb = await served(ph.thumb_url);
	assert.deepEqual(dimensions(display), [1200, 1600], "display size");
	assert.deepEqual(dimensions(thumb), [300, 400], "thumbnail");
	assert.ok(thumb.length < display.length && display.length < src.length);
	for (const b of [display, thumb])
		assert.equal(b.indexOf("Exif"), -1, "no EXIF in what we serve");
	const seen = (await get(project.url)).data.project.photos
	    .find((p) => p.id === ph.id);
	assert.deepEqual([seen.url, seen.thumb_url, seen.width, seen.height],
	    [ph.url, ph.thumb_url, 3024, 4032]);
});

test("bad uploads: wrong type, truncated, too many pixels, too big, empty",
    async () => {
	const html = await upload(owner, project,
	    Buffer.from("<html><script>alert(1)</script></html>"), "evil.jpg");
	assert.equal(html.status, 415);
	assert.equal(html.data.error.code, "unsupported_type");
	const gif = await upload(owner, project,
	    Buffer.from("GIF89a\x01\x00\x01\x00\x00\x00\x00;"), "a.gif");
	assert.equal(gif.status, 415);
	const trunc = await upload(owner, project,
	    readFileSync(`${FIX}/truncated.jpg`));
	assert.equal(trunc.status, 422);
	assert.ok(trunc.data.error.fields.photo);
	const t0 = performance.now();
	const huge = await upload(owner, project, hugePng(30000, 30000), "x.png");
	const ms = performance.now() - t0;
	assert.equal(huge.status, 422);
	assert.match(huge.data.error.fields.photo, /4000/);
	assert.ok(ms < 500, `refused before decoding (${ms.toFixed(0)} ms)`);
	const big = await upload(owner, project, Buffer.alloc(11 * 1024 * 1024,
	    0xff), "big.jpg");
	assert.equal(big.status, 413);
	assert.equal(big.data.error.code, "too_large");
	const empty = await upload(owner, project, Buffer.alloc(0), "e.jpg");
	assert.equal(empty.status, 422);
	const none = await postAs(owner, `${project.url}/photos`,
	    { multipart: new FormData() });
	assert.equal(none.status, 422);
	assert.equal((await get("/healthz")).status, 200, "server unharmed");
	assert.doesNotMatch(serverLog(), WORKER_EXIT);
});

test("only the team uploads; drafts' photos are private", async () => {
	const src = readFileSync(`${FIX}/rgb.jpg`);
	const theirs = await upload(other, project, src);
	assert.equal(theirs.status, 403);
	const anon = new FormData();
	anon.append("photo", new Blob([src]), "x.jpg");
	assert.equal((await post(`${project.url}/photos`,
	    { multipart: anon })).status, 401);
	const d = await upload(owner, draft, src);
	assert.equal(d.status, 201);
	const u = d.data.photo.thumb_url;
	assert.equal((await fetch(process.env.BASE_URL + u)).status, 404);
	const mine = await getAs(owner, u, { json: false });
	assert.equal(mine.status, 200);
	assert.match(mine.headers.get("cache-control"), /^private/);
	assert.equal((await get("/media/" + "0".repeat(64) + ".jpg",
	    { json: false })).status, 404);
});

test("captions, cover choice and deletion", async () => {
	const p = (await postAs(owner, "/projects", { body: {
	    title: "封面", status: "published" } })).data.project;
	const a = (await upload(owner, p, readFileSync(`${FIX}/rgb.jpg`)))
	    .data.photo;
	const b = (await upload(owner, p, readFileSync(`${FIX}/rgb.png`)))
	    .data.photo;
	const c = await upload(owner, p, uniquePng(), "c.png");
	assert.equal(c.status, 201);
	const order = async () => (await get(p.url)).data.project.photos
	    .map((x) => x.id);
	assert.deepEqual(await order(), [a.id, b.id, c.data.photo.id]);
	// position is the photo's sort key (ties: oldest first).
	const cap = await postAs(owner, `${p.url}/photos/${b.id}`, { body: {
	    caption: "<script>x</script>", position: 9 } });
	assert.equal(cap.status, 200);
	assert.deepEqual(await order(), [a.id, c.data.photo.id, b.id],
	    "moved to the end");
	const seen = (await get(p.url)).data.project.photos;
	assert.equal(seen[2].caption, "<script>x</script>", "stored as written");
	const page = (await get(p.url, { json: false })).text;
	assert.ok(page.includes('<span class="caption">&lt;script&gt;x&lt;/' +
	    "script&gt;</span>"), "shown escaped");
	assert.ok(page.includes('alt="&lt;script&gt;x&lt;/script&gt;"'));
	assert.ok(!page.includes("<script>x"));
	const move = await postAs(owner, `${p.url}/photos/${a.id}`, { body: {
	    position: 10 } });
	assert.equal(move.status, 200);
	assert.deepEqual(await order(), [c.data.photo.id, b.id, a.id]);
	assert.equal((await get(p.url)).data.project.photos[1].caption,
	    "<script>x</script>", "a move keeps the caption");
	assert.equal((await get(p.url)).data.project.photos[2].caption, "",
	    "and the moved photo's own");
	await postAs(owner, `${p.url}/photos/${c.data.photo.id}/delete`);
	const cover = await postAs(owner, `${p.url}/cover`, { body: {
	    photo_id: b.id } });
	assert.equal(cover.status, 200);
	assert.equal(cover.data.project.cover.id, b.id);
	const wrong = await postAs(owner, `${p.url}/cover`, { body: {
	    photo_id: 999999999 } });
	assert.equal(wrong.status, 422);
	const html = (await get(p.url, { json: false })).text;
	assert.doesNotMatch(html, /<script>x/);
	const del = await postAs(owner, `${p.url}/photos/${b.id}/delete`);
	assert.equal(del.status, 200);
	const after = await get(p.url);
	assert.equal(after.data.project.cover.id, a.id, "cover falls back");
	assert.equal(after.data.project.photos.length, 1);
	assert.equal((await postAs(other, `${p.url}/photos/${a.id}/delete`))
	    .status, 403);
	const cards = await get("/projects");
	const card = cards.data.projects.find((x) => x.id === p.id);
	assert.equal(card.cover.thumb_url, a.thumb_url);
});

test("bytes kept by a worker still obey the project's visibility",
    async () => {
	const p = (await postAs(owner, "/projects", { body: {
	    title: "可见性", status: "published" } })).data.project;
	const ph = (await upload(owner, p, uniquePng(), "u.png")).data.photo;
	// Enough requests for both workers to keep the bytes.
	const first = await fetch(process.env.BASE_URL + ph.thumb_url);
	const bytes = Buffer.from(await first.arrayBuffer());
	assert.ok(bytes.length > 100);
	for (let i = 0; i < 6; i++) {
		const r = await fetch(process.env.BASE_URL + ph.thumb_url);
		assert.equal(r.status, 200);
		assert.ok(Buffer.from(await r.arrayBuffer()).equals(bytes),
		    "the same bytes every time");
		assert.match(r.headers.get("cache-control"), /immutable/);
	}
	await postAs(owner, p.url, { body: { status: "draft" } });
	for (let i = 0; i < 6; i++) {
		assert.equal((await fetch(process.env.BASE_URL + ph.thumb_url))
		    .status, 404, "unpublished: gone for others");
		const mine = await getAs(owner, ph.thumb_url, { json: false });
		assert.equal(mine.status, 200);
		assert.match(mine.headers.get("cache-control"), /^private/);
		assert.ok(Buffer.from(await (await fetch(process.env.BASE_URL +
		    ph.thumb_url, { headers: { cookie: owner.jar.header() } }))
		    .arrayBuffer()).equals(bytes));
	}
});

// side x side of noise, stored without compression: 1700 makes 8.7 MB.
function noisePng(side, alpha = false) {
	const row = 1 + side * (alpha ? 4 : 3);
	const raw = Buffer.alloc(row * side);
	for (let i = 0; i < raw.length; i++)
		raw[i] = i % row === 0 ? 0 : (Math.random() * 256) | 0;
	return png(side, side, deflateSync(raw, { level: 0 }), alpha);
}

const readYields = async () => Number((await get("/metrics",
    { json: false })).text.match(/^makerspace_read_yields_total (\d+)$/m)[1]);

test("a 9 MB upload is read a budget at a time, and arrives whole",
    async () => {
	// app/conn.c: a connection reads at most 128 KiB per turn of the
	// event loop, then waits to be called again; a lost re-arm would
	// leave this upload hanging.
	const bytes = noisePng(1700);
	assert.ok(bytes.length > 8.5e6 && bytes.length < 10 * 1024 * 1024);
	const before = await readYields();
	const pings = [];
	const sent = upload(owner, project, bytes, "big.png");
	for (let i = 0; i < 20; i++)
		pings.push(get("/healthz").then((r) => r.status));
	const r = await sent;
	assert.equal(r.status, 201, JSON.stringify(r.data));
	assert.equal(r.data.photo.width, 1700, "the whole image was read");
	assert.deepEqual(await Promise.all(pings), Array(20).fill(200));
	assert.ok(await readYields() > before,
	    "the body took more than one turn of the loop");
});

test("a 10 MB image reaches a reader that stops and starts, whole",
    async () => {
	// Translucent, so the display size stays PNG: 1600 x 1600 of noise
	// comes back as about 10 MB, more than a loopback socket takes at
	// once.  app/conn.c writes all that is queued with writev() and
	// must carry on where the socket stopped taking it.
	const bytes = noisePng(1600, true);
	assert.ok(bytes.length < 10 * 1024 * 1024);
	const r = await upload(owner, project, bytes, "alpha.png");
	assert.equal(r.status, 201, JSON.stringify(r.data));
	assert.match(r.data.photo.url, /\.png$/);
	const { get: httpGet } = await import("node:http");
	const body = await new Promise((ok, fail) => {
		httpGet(process.env.BASE_URL + r.data.photo.url, (res) => {
			const parts = [];
			res.pause();
			setTimeout(() => res.resume(), 300);
			res.on("data", (d) => {
				parts.push(d);
				if (parts.length % 50 === 0) {
					res.pause();
					setTimeout(() => res.resume(), 20);
				}
			});
			res.on("end", () => ok({ len: Number(
			    res.headers["content-length"]),
			    bytes: Buffer.concat(parts) }));
		}).on("error", fail);
	});
	assert.ok(body.len > 5e6, `${body.len} bytes`);
	assert.equal(body.bytes.length, body.len);
	assert.ok(body.bytes.subarray(0, 8).equals(Buffer.from([137, 80, 78,
	    71, 13, 10, 26, 10])), "a PNG");
	assert.equal(body.bytes.subarray(-8, -4).toString(), "IEND");
	// The same bytes as a reader that never stops gets.
	const fast = Buffer.from(await (await fetch(process.env.BASE_URL +
	    r.data.photo.url)).arrayBuffer());
	assert.ok(fast.equals(body.bytes));
});

test("a body spooled to disk is parsed in the job thread, with the same "
    + "refusals", async () => {
	// Over 1 MiB Kore spools the body to a file; app/rq.c reads and
	// parses it in the job thread (st_body).  What it refuses must be
	// what a small body gets.
	const big = "x".repeat(2 * 1024 * 1024);
	const plain = await postAs(owner, `${project.url}/photos`, {
	    raw: big, headers: { "content-type": "text/plain" } });
	assert.equal(plain.status, 415);
	assert.equal(plain.data.error.code, "unsupported_type");
	const broken = await postAs(owner, `${project.url}/photos`, {
	    raw: `--abc\r\nContent-Disposition: form-data; name="photo"\r\n` +
	    `\r\n${big}`, headers: { "content-type":
	    "multipart/form-data; boundary=abc" } });
	assert.equal(broken.status, 400);
	assert.equal(broken.data.error.code, "bad_request");
	// A well-formed one whose CSRF token is a form field, as an HTML
	// form sends it: the guard sees the fields the job parsed, lets it
	// through, and the image check refuses what is not an image.
	const form = new FormData();
	form.append("csrf", owner.csrf);
	form.append("photo", new Blob([Buffer.from(big)]), "x.jpg");
	const notImage = await post(`${project.url}/photos`,
	    { jar: owner.jar, multipart: form });
	assert.equal(notImage.status, 415, JSON.stringify(notImage.data));
	assert.ok(notImage.data.error.fields.photo);
	const noToken = new FormData();
	noToken.append("photo", new Blob([Buffer.from(big)]), "x.jpg");
	const refused = await post(`${project.url}/photos`,
	    { jar: owner.jar, multipart: noToken });
	assert.equal(refused.status, 403);
});

// A PNG of w x h, colour type ctype at bit depth depth, whose pixels are
// all 0 (one deflate stream of zero rows: a few KB for 40 megapixels).
function zeroPng(w, h, ctype, depth) {
	const chans = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 }[ctype];
	const rowBytes = 1 + Math.ceil(w * chans * depth / 8);
	const ihdr = Buffer.alloc(13);
	ihdr.writeUInt32BE(w, 0);
	ihdr.writeUInt32BE(h, 4);
	ihdr[8] = depth;
	ihdr[9] = ctype;
	const parts = [Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]),
	    pngChunk("IHDR", ihdr)];
	if (ctype === 3)
		parts.push(pngChunk("PLTE", Buffer.from([200, 40, 40, 40, 40,
		    200])));
	parts.push(pngChunk("IDAT", deflateSync(Buffer.alloc(rowBytes * h),
	    { level: 9 })), pngChunk("IEND", Buffer.alloc(0)));
	return Buffer.concat(parts);
}

test("small files that would need too much memory to decode are refused " +
    "before decoding", async () => {
	// Under 40 megapixels, so the pixel rule lets them through; decoding
	// took 1.4 s and 205 MB (palette) and 2.8 s and 322 MB (RGBA).
	const bombs = [["palette", zeroPng(8000, 5000, 3, 1)],
	    ["RGBA", zeroPng(6000, 5000, 6, 8)]];
	for (const [kind, bytes] of bombs) {
		assert.ok(bytes.length < 200 * 1024, `${kind}: ${bytes.length} B`);
		const t0 = performance.now();
		const r = await upload(owner, project, bytes, "bomb.png");
		const ms = performance.now() - t0;
		assert.equal(r.status, 422, `${kind}: ${r.text.slice(0, 200)}`);
		assert.equal(r.data.error.code, "invalid");
		assert.match(r.data.error.fields.photo, /内存/, kind);
		assert.ok(ms < 500, `${kind}: refused in ${ms.toFixed(0)} ms`);
	}
	// The same for board uploads, in English.
	const form = new FormData();
	form.append("photo", new Blob([bombs[0][1]]), "bomb.png");
	const b = await postAs(owner, "/uploads?lang=en", { multipart: form });
	assert.equal(b.status, 422);
	assert.match(b.data.error.fields.photo, /memory/);
	// Still fine: a palette PNG of a few megapixels decodes.
	const ok = await upload(owner, project, zeroPng(2000, 1500, 3, 1),
	    "flat.png");
	assert.equal(ok.status, 201, ok.text);
	assert.doesNotMatch(serverLog(), WORKER_EXIT);
});

test("uploads count against the hourly limit before decoding, failed ones " +
    "too, on both upload routes", async () => {
	const who = await newUser({ verified: true });
	const mine = (await postAs(who, "/projects", { body: {
	    title: "限额项目" } })).data.project;
	const saved = sql("SELECT value FROM site_settings " +
	    "WHERE key = 'uploads_per_user_hour'");
	setting("uploads_per_user_hour", "3");
	try {
		const bad = [Buffer.from("<html>not an image</html>"),
		    readFileSync(`${FIX}/truncated.jpg`),
		    zeroPng(8000, 5000, 3, 1)];
		const codes = [];
		for (const bytes of bad)
			codes.push((await upload(who, mine, bytes)).status);
		assert.deepEqual(codes, [415, 422, 422]);
		// The fourth attempt is over the limit, good image or not.
		const r = await upload(who, mine, uniquePng(), "ok.png");
		assert.equal(r.status, 429, r.text);
		assert.equal(r.data.error.code, "rate_limited");
		assert.ok(Number(r.headers.get("retry-after")) > 0);
		const form = new FormData();
		form.append("photo", new Blob([uniquePng()]), "ok.png");
		const b = await postAs(who, "/uploads", { multipart: form });
		assert.equal(b.status, 429, "POST /uploads shares the count");
		// Someone else is not affected.
		const fresh = await newUser({ verified: true });
		const f2 = new FormData();
		f2.append("photo", new Blob([uniquePng()]), "o.png");
		const o = await postAs(fresh, "/uploads", { multipart: f2 });
		assert.equal(o.status, 201, o.text);
	} finally {
		if (saved === "")
			sql("DELETE FROM site_settings " +
			    "WHERE key = 'uploads_per_user_hour'");
		else
			setting("uploads_per_user_hour", saved);
	}
});
