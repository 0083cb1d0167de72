// The phone layout (issue 12, items 8-12 and 14) in Chromium at 375 px, in
// Chinese and English: sizes measured with boundingBox (targets of at
// least 44 px), no horizontal overflow, no raw catalog keys, the header's
// items all on screen, the current section marked.  Screenshots of each
// page go to tests/artifacts/phone-<page>-<lang>-<PHONE_SHOTS>.png
// ("after" unless PHONE_SHOTS says otherwise); nothing compares them.
import { test, after, before } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { deflateSync } from "node:zlib";
import { launch, watch, BASE, ARTIFACTS } from "./lib.mjs";
import { newUser, postAs, request, setting, sql } from "../e2e/lib.mjs";
import { pngChunk } from "../e2e/png.mjs";

const PHONE = { width: 375, height: 812 };
const LANGS = ["zh-CN", "en"];
const SHOTS = process.env.PHONE_SHOTS || "after";
const UAS = {
	android: "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 " +
	    "(KHTML, like Gecko) Chrome/126.0.6478.71 Mobile Safari/537.36",
	wechat: "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) " +
	    "AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 " +
	    "MicroMessenger/8.0.49(0x18003130) NetType/WIFI Language/zh_CN",
	mac: "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) " +
	    "AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 " +
	    "Safari/605.1.15",
};
const DEVICES = {
	"zh-CN": ["Android 上的 Chrome", "iPhone 上的微信", "Mac 上的 Safari"],
	en: ["Chrome on Android", "WeChat on iPhone", "Safari on Mac"],
};

let browser, data;

// ------------------------------------------------------------------
// Data, made over HTTP as people make it.

// A w x h RGB PNG: a gradient from a random colour (bytes of its own).
function png(w, h) {
	const base = [0, 1, 2].map(() => Math.floor(Math.random() * 200));
	const rows = [];
	for (let y = 0; y < h; y++) {
		const row = Buffer.alloc(1 + w * 3);
		for (let x = 0; x < w; x++)
			row.set([base[0] + (x * 55 / w | 0),
			    base[1] + (y * 55 / h | 0), base[2]], 1 + x * 3);
		rows.push(row);
	}
	const ihdr = Buffer.alloc(13);
	ihdr.writeUInt32BE(w, 0);
	ihdr.writeUInt32BE(h, 4);
	ihdr[8] = 8;
	ihdr[9] = 2;
	return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]),
	    pngChunk("IHDR", ihdr), pngChunk("IDAT", deflateSync(Buffer.concat(rows))),
	    pngChunk("IEND", Buffer.alloc(0))]);
}

async function maker(display_name) {
	const u = await newUser({ verified: true, display_name });
	// Not a new member: nothing held, no pause between posts.
	sql(`UPDATE users SET created_at = now() - interval '60 days'
	    WHERE id = ${u.user.id}`);
	return u;
}

async function project(owner, title, photos) {
	const r = await postAs(owner, "/projects", { body: { title,
	    summary: `${title}：做法和材料`, body: "## 步骤\n1. 切割\n2. 组装",
	    tags: ["phone"], status: "published" } });
	assert.equal(r.status, 201, r.text);
	const id = r.data.project.id;
	for (const [w, h] of photos) {
		const fd = new FormData();
		fd.append("photo", new Blob([png(w, h)], { type: "image/png" }),
		    `${w}x${h}.png`);
		const p = await postAs(owner, `/projects/${id}/photos`,
		    { multipart: fd });
		assert.equal(p.status, 201, p.text);
	}
	return id;
}

before(async () => {
	browser = await launch();
	setting("board_new_seconds_between", "0");
	setting("board_hold_first_posts", "0");
	const lin = await maker("林小满");
	const alex = await maker("Alex Chen");
	const wide = await project(lin, "蒲公英风车", [[640, 360], [300, 500]]);
	const bare = await project(alex, "No photo yet", []);
	const tall = await project(lin, "竖着拍的台灯", [[360, 640]]);
	const small = await project(alex, "Tiny cover", [[60, 40]]);
	const t = await postAs(lin, "/topics", { body: { category: "general",
	    title: "激光切割机的焦距应该怎么调才合适呢", body:
	    "焦距总是不对，切出来的边是焦的。" } });
	assert.equal(t.status, 201, t.text);
	const topic = t.data.topic;
	assert.equal(topic.status, "published");
	for (const [who, body] of [[alex, "Try the focus gauge on the " +
	    "material first."], [lin, "谢谢，我试试。"], [alex, "把焦距调到 " +
	    "50.8 毫米就好了"]]) {
		const r = await postAs(who, `/t/${topic.id}/posts`,
		    { body: { body } });
		assert.equal(r.status, 201, r.text);
	}
	// Three more devices of Lin's, besides the browser's.
	for (const ua of Object.values(UAS)) {
		const r = await request("POST", "/login", { headers:
		    { "user-agent": ua }, body: { username: lin.username,
		    password: lin.password } });
		assert.equal(r.status, 200, r.text);
	}
	data = { lin, alex, topic, projects: { wide, bare, tall, small } };
});

after(async () => {
	setting("board_new_seconds_between", "30");
	setting("board_hold_first_posts", "1");
	await browser?.close();
});

// ------------------------------------------------------------------
// Helpers.

function url(path, lang) {
	return `${BASE}${path}${path.includes("?") ? "&" : "?"}lang=${lang}`;
}

async function open(who, lang, opts = {}) {
	const w = await watch(browser, PHONE, { locale: lang, ...opts });
	if (who) {
		await w.page.goto(url("/login", lang));
		await w.page.fill("#username", who.username);
		await w.page.fill("#password", who.password);
		await w.page.click("form[action='/login'] button[type=submit]");
		await w.page.waitForURL((u) => !u.pathname.startsWith("/login"));
	}
	return w;
}

async function go(page, path, lang) {
	const r = await page.goto(url(path, lang));
	assert.equal(r.status(), 200, path);
	await page.waitForLoadState("networkidle");
	return r;
}

async function shot(page, name, lang) {
	await page.screenshot({ path:
	    `${ARTIFACTS}/phone-${name}-${lang}-${SHOTS}.png`, fullPage: true });
}

// Nothing wider than the phone, and no catalog key shown as text.
async function fits(page, what) {
	const width = await page.evaluate(() =>
	    document.documentElement.scrollWidth);
	assert.ok(width <= PHONE.width, `${what}: ${width}px wide`);
	const text = await page.evaluate(() => document.body.innerText);
	const keys = text.match(/\b(site|lang|nav|home|errors?|account|admin|project|notify|photo|board|live|mod|search|reset|device|time)\.[a-z_]+(\.[a-z_]+)*\b/g);
	assert.equal(keys, null, `${what}: raw catalog keys ${keys}`);
}

async function box(page, sel) {
	const b = await page.locator(sel).first().boundingBox();
	assert.ok(b, `${sel} is on the page`);
	return b;
}

// A touch target: at least 44 x 44 px and within the screen's width.
async function target(page, sel, what) {
	const b = await box(page, sel);
	assert.ok(b.height >= 44 && b.width >= 44,
	    `${what}: ${sel} is ${b.width.toFixed(1)} x ${b.height.toFixed(1)}`);
	assert.ok(b.x >= 0 && b.x + b.width <= PHONE.width + 0.5,
	    `${what}: ${sel} at x ${b.x}..${b.x + b.width}`);
	return b;
}

// A styled button: not the browser's grey default face.
async function styled(page, sel, what) {
	const s = await page.locator(sel).first().evaluate((el) => {
		const c = getComputedStyle(el);
		return [c.backgroundColor, c.borderRadius];
	});
	assert.notEqual(s[0], "rgb(239, 239, 239)", `${what}: ${sel} face`);
	assert.notEqual(s[1], "0px", `${what}: ${sel} corners`);
}

// ------------------------------------------------------------------
// Screenshots (before/after pictures for people; nothing compared).

test("screenshots of the phone pages in both languages",
    { timeout: 120000 }, async () => {
	const { lin } = data;
	for (const lang of LANGS) {
		const v = await open(null, lang);
		for (const [name, path] of [["home", "/"],
		    ["category", "/c/general"], ["projects", "/projects"],
		    ["project", `/projects/${data.projects.wide}`],
		    ["project-small", `/projects/${data.projects.small}`]]) {
			await go(v.page, path, lang);
			await shot(v.page, name, lang);
		}
		await v.context.close();
		const m = await open(lin, lang);
		for (const [name, path] of [["topic", `/t/${data.topic.id}`],
		    ["settings", "/settings"], ["project-new", "/projects/new"],
		    ["topic-new", "/topics/new"], ["search", "/search?q=焦距"]]) {
			await go(m.page, path, lang);
			await shot(m.page, name, lang);
		}
		await m.context.close();
		const s = await open({ username: "staff1",
		    password: "demo-password-123" }, lang);
		await go(s.page, "/board", lang);
		await shot(s.page, "board-staff", lang);
		await s.context.close();
	}
});

// ------------------------------------------------------------------
// 8. Form controls.

for (const lang of LANGS) {
	test(`${lang}: radios sit inline with their labels; every submit ` +
	    "button is a styled 44 px target", { timeout: 60000 }, async () => {
		const { page, context, problems } = await open(data.lin, lang);
		for (const path of ["/settings", "/projects/new"]) {
			await go(page, path, lang);
			const radios = await page.$$eval("input[type=radio]",
			    (els) => els.map((el) => {
				const r = el.getBoundingClientRect();
				const l = el.closest("label")
				    .getBoundingClientRect();
				return { w: r.width, h: r.height, top: r.top,
				    bottom: r.bottom, lw: l.width, lh: l.height,
				    ltop: l.top, lbottom: l.bottom };
			    }));
			assert.ok(radios.length >= 2, path);
			for (const r of radios) {
				assert.ok(r.w <= 28 && r.h <= 28,
				    `${path}: a radio is ${r.w} x ${r.h}`);
				assert.ok(r.lh >= 44 && r.lh <= 64,
				    `${path}: its label is ${r.lh}px tall`);
				assert.ok(r.top >= r.ltop && r.bottom <= r.lbottom,
				    `${path}: the radio sits in its label's line`);
				assert.ok(r.lw < PHONE.width - 40,
				    `${path}: the label is not a full-width bar`);
			}
			await fits(page, path);
		}
		const buttons = [
			[`/t/${data.topic.id}`, "#reply button[type=submit]"],
			[`/projects/${data.projects.wide}`,
			    "#comments form button[type=submit]"],
			["/topics/new", "form[action='/topics'] button[type=submit]"],
			["/search?q=焦距", "main form[role=search] button"],
			["/board", "main form[role=search] button"],
			["/projects", "main form[role=search] button"],
			["/settings", "main form[action='/settings'] button"],
		];
		for (const [path, sel] of buttons) {
			await go(page, path, lang);
			await target(page, sel, path);
			await styled(page, sel, path);
		}
		assert.deepEqual(problems, []);
		await context.close();
	});
}

// ------------------------------------------------------------------
// 9. The header.

const SECTIONS = [["/projects", "/projects"], ["/board", "/board"],
    ["/c/general", "/board"], ["/search", "/search"]];

for (const lang of LANGS) {
	for (const role of ["visitor", "member", "staff"]) {
		test(`${lang}, ${role}: the header fits 375 px with 44 px ` +
		    "targets, marks the section, has search, an SVG bell and " +
		    "a user menu", { timeout: 60000 }, async () => {
			const who = role === "visitor" ? null : role === "staff" ?
			    { username: "staff1", password: "demo-password-123" } :
			    data.lin;
			const { page, context, problems } = await open(who, lang);
			for (const [path, current] of SECTIONS) {
				await go(page, path, lang);
				await fits(page, path);
				// Every visible control of the header.
				const els = await page.$$eval(
				    "header.site-header :is(a, summary, button)",
				    (xs) => xs.filter((x) => x.offsetParent !==
				    null).map((x) => {
					const r = x.getBoundingClientRect();
					return { t: x.textContent.trim() ||
					    x.getAttribute("aria-label"),
					    x: r.x, w: r.width, h: r.height };
				    }));
				assert.ok(els.length >= 6, `${path}: ${els.length}`);
				for (const e of els) {
					assert.ok(e.w >= 44 && e.h >= 44,
					    `${path}: "${e.t}" is ${e.w} x ${e.h}`);
					assert.ok(e.x >= 0 && e.x + e.w <=
					    PHONE.width + 0.5,
					    `${path}: "${e.t}" is off screen ` +
					    `(${e.x}..${e.x + e.w})`);
				}
				const nav = ["/projects", "/board", "/competitions",
				    "/mentors"];
				if (role === "staff")
					nav.push("/mod/queue");
				for (const href of nav)
					assert.ok(await page.isVisible(
					    `header nav a[href="${href}"]`),
					    `${path}: ${href} visible`);
				const marked = await page.$$eval(
				    "header [aria-current=page]", (xs) =>
				    xs.map((x) => x.getAttribute("href")));
				assert.deepEqual(marked, [current], path);
				assert.ok(await page.isVisible(
				    "header a[href='/search']"), "search entry");
			}
			const header = await page.textContent("header");
			assert.ok(!header.includes("\u{1F514}"), "no emoji bell");
			if (who !== null) {
				assert.ok(await page.isVisible(
				    "header a[href='/notifications'] svg"), "SVG bell");
				const name = role === "staff" ? "馆员小李" :
				    "林小满";
				assert.ok(header.includes(name), "display name");
				// Log out is inside the closed user menu.
				const out = "header details form[action='/logout'] " +
				    "button";
				assert.equal(await page.isVisible(out), false);
				await page.click("header details.user-menu summary");
				await target(page, out, "log out");
				await target(page, "header details a[href='/settings']",
				    "settings");
				await shot(page, `header-${role}-open`, lang);
			} else {
				assert.ok(await page.isVisible(
				    "header a[href^='/login']"), "log in");
			}
			assert.deepEqual(problems, []);
			await context.close();
		});
	}
}

// ------------------------------------------------------------------
// 10. Topic rows.

const RELATIVE = { "zh-CN": /现在|刚刚|秒|分钟|小时|天前|昨天|前/,
    en: /now|ago|yesterday/ };

for (const lang of LANGS) {
	test(`${lang}: topic rows have meta on a line of their own, relative ` +
	    "times, reply counts and initials avatars", { timeout: 60000 },
	    async () => {
		const { page, context, problems } = await open(null, lang);
		for (const path of ["/", "/board", "/c/general"]) {
			await go(page, path, lang);
			await fits(page, path);
			const row = page.locator("li.topic-row", { hasText:
			    "激光切割机的焦距" }).first();
			const title = await row.locator(".topic-title")
			    .boundingBox();
			const meta = await row.locator(".meta").first()
			    .boundingBox();
			assert.ok(meta.y >= title.y + title.height - 1,
			    `${path}: the meta starts below the title`);
			const time = row.locator("time[datetime]");
			const t = await time.evaluate((el) => ({
				text: el.textContent, title: el.title,
				rects: el.getClientRects().length,
				dt: el.getAttribute("datetime") }));
			assert.match(t.dt, /^\d{4}-\d\d-\d\dT/);
			assert.match(t.text, RELATIVE[lang], path);
			assert.equal(t.rects, 1, `${path}: the time breaks`);
			assert.match(t.title, /\d/, `${path}: absolute on hover`);
			assert.notEqual(t.title, t.text);
			const replies = await row.locator(".replies").textContent();
			assert.match(replies, /\b3\b/, `${path}: 3 replies`);
			const av = await row.locator(".avatar").evaluate((el) =>
			    [el.textContent.trim(), el.className]);
			assert.equal(av[0], "林", path);
			assert.match(av[1], /\btone-[0-7]\b/, path);
			// A tap (or a long press) shows the absolute time.
			await time.click();
			assert.equal(await time.textContent(), t.title, path);
		}
		assert.deepEqual(problems, []);
		await context.close();

		// Without script: the server's absolute time, on one line.
		const ns = await open(null, lang, { context:
		    { javaScriptEnabled: false } });
		await go(ns.page, "/board", lang);
		const row = ns.page.locator("li.topic-row", { hasText:
		    "激光切割机的焦距" }).first();
		const t = await row.locator("time").evaluate((el) =>
		    [el.textContent, el.getClientRects().length]);
		assert.match(t[0], /^\d{4}-\d\d-\d\d \d\d:\d\d$/);
		assert.equal(t[1], 1);
		await ns.context.close();
	});
}

// ------------------------------------------------------------------
// 11. The topic page.

for (const lang of LANGS) {
	test(`${lang}: posts are apart with avatar and name; Reply is a 44 px ` +
	    "button, Flag is in a menu, a sticky Reply leads to the box",
	    { timeout: 60000 }, async () => {
		const { page, context, problems } = await open(data.lin, lang);
		await go(page, `/t/${data.topic.id}`, lang);
		await fits(page, "topic");
		const posts = await page.$$eval("article.post", (xs) =>
		    xs.map((x) => {
			const r = x.getBoundingClientRect();
			return { top: r.top, bottom: r.bottom,
			    avatar: !!x.querySelector(".avatar"),
			    name: x.querySelector(".post-author")?.textContent };
		    }));
		assert.equal(posts.length, 4);
		for (let i = 0; i < posts.length; i++) {
			assert.ok(posts[i].avatar, `post ${i + 1} avatar`);
			assert.ok(posts[i].name, `post ${i + 1} author`);
			if (i > 0)
				assert.ok(posts[i].top - posts[i - 1].bottom >= 8,
				    "posts are apart");
		}
		// Alex's post: Reply is a button; Flag waits in the menu.
		await target(page, "#post-2 .need-reply", "reply");
		await styled(page, "#post-2 .need-reply", "reply");
		assert.equal(await page.isVisible("#post-2 a[href$='/flag']"),
		    false, "flag hidden until the menu opens");
		const more = "#post-2 details.post-menu > summary";
		const mb = await target(page, more, "post menu");
		const rb = await box(page, "#post-2 .need-reply");
		assert.ok(Math.abs(mb.x - rb.x) >= 60,
		    "the menu is not next to Reply");
		await page.click(more);
		await target(page, "#post-2 a[href$='/flag']", "flag");
		// Own post: edit in the menu, no flag.
		await page.click("#post-1 details.post-menu > summary");
		assert.ok(await page.isVisible("#post-1 a[href$='/edit']"));
		assert.equal(await page.locator("#post-1 a[href$='/flag']")
		    .isVisible(), false);

		// The sticky Reply, at the top of a long page.
		await page.evaluate(() => window.scrollTo(0, 0));
		const sticky = "a.sticky-reply";
		const sb = await target(page, sticky, "sticky reply");
		assert.ok(sb.y + sb.height <= PHONE.height, "on screen");
		assert.equal(await page.getAttribute(sticky, "href"), "#reply");
		await page.click(sticky);
		await page.waitForFunction(() => {
			const r = document.getElementById("reply")
			    .getBoundingClientRect();
			return r.top < innerHeight && r.bottom > 0;
		});
		await shot(page, "topic-menu", lang);
		assert.deepEqual(problems, []);
		await context.close();
	});
}

// ------------------------------------------------------------------
// 12. Projects.

for (const lang of LANGS) {
	test(`${lang}: project cards have fixed-ratio thumbnails and compact ` +
	    "placeholders; the project page has a breadcrumb, no repeated " +
	    "or stretched cover, and a like button for visitors",
	    { timeout: 60000 }, async () => {
		const { page, context, problems } = await open(null, lang);
		await go(page, "/projects?tag=phone", lang);
		await fits(page, "projects");
		const thumbs = await page.$$eval(".card .thumb", (xs) =>
		    xs.map((x) => {
			const r = x.getBoundingClientRect();
			return { w: r.width, h: r.height, tag: x.tagName,
			    fit: getComputedStyle(x).objectFit };
		    }));
		assert.ok(thumbs.length >= 4, `${thumbs.length} cards`);
		for (const t of thumbs) {
			assert.ok(Math.abs(t.h - thumbs[0].h) < 1,
			    `thumbnails of one height: ${t.h} vs ${thumbs[0].h}`);
			assert.ok(Math.abs(t.w / t.h - 4 / 3) < 0.05,
			    `4:3 (${t.w} x ${t.h})`);
			assert.ok(t.h <= 160, `compact: ${t.h}px`);
			if (t.tag === "IMG")
				assert.equal(t.fit, "cover");
		}
		assert.ok(thumbs.some((t) => t.tag !== "IMG"), "a placeholder");

		await go(page, `/projects/${data.projects.wide}`, lang);
		await fits(page, "project");
		assert.ok(await page.isVisible("nav.breadcrumb a[href='/projects']"));
		assert.equal(await page.locator(".gallery li").count(), 1,
		    "the cover is not repeated in the gallery");
		const like = "main a.like";
		await target(page, like, "like");
		assert.match(await page.getAttribute(like, "href"), /^\/login\?next=/);
		await page.click(like);
		await page.waitForURL(/\/login/);

		await go(page, `/projects/${data.projects.small}`, lang);
		const cover = await page.locator("img.cover").evaluate((el) =>
		    [el.getBoundingClientRect().width, el.naturalWidth]);
		assert.ok(cover[0] <= cover[1] + 0.5,
		    `a small cover is not stretched (${cover})`);
		assert.equal(await page.locator(".gallery li").count(), 0);
		assert.equal(await page.isVisible(".gallery"), false);
		assert.deepEqual(problems, []);
		await context.close();
	});
}

// ------------------------------------------------------------------
// 14. Settings.

for (const lang of LANGS) {
	test(`${lang}: settings name the devices, sign out the other ones, ` +
	    "and keep profile, real name and password apart",
	    { timeout: 60000 }, async () => {
		const { page, context, problems } = await open(data.lin, lang);
		await go(page, "/settings", lang);
		await fits(page, "settings");
		const text = await page.textContent("#sessions");
		assert.ok(!/Mozilla|AppleWebKit/.test(await page.evaluate(() =>
		    document.getElementById("sessions").innerText)),
		    "no raw user agents shown");
		for (const name of DEVICES[lang])
			assert.ok(text.includes(name), `${name} in ${text}`);
		// Three forms, one concern each.
		const forms = await page.$$eval("main form[action='/settings']",
		    (fs) => fs.map((f) => [...f.elements].map((e) => e.name)
		    .filter(Boolean).sort().join(" ")));
		assert.equal(forms.length, 3, forms.join(" | "));
		assert.ok(forms.some((f) => f.includes("display_name") &&
		    !f.includes("real_name") && !f.includes("password")));
		assert.ok(forms.some((f) => f.includes("real_name") &&
		    !f.includes("display_name") && !f.includes("password")));
		assert.ok(forms.some((f) => f.includes("new_password") &&
		    !f.includes("display_name") && !f.includes("real_name")));
		await shot(page, "settings-top", lang);

		if (lang === LANGS[LANGS.length - 1]) {
			const before = Number(sql(`SELECT count(*) FROM sessions
			    WHERE user_id = ${data.lin.user.id}
			    AND kind = 'session'`));
			assert.ok(before >= 4, `${before} sessions`);
			const btn = "form[action='/settings/sessions/others/delete'] " +
			    "button";
			await target(page, btn, "sign out the others");
			await page.click(btn);
			await page.waitForURL(/\/settings/);
			assert.equal(await page.locator("#sessions li").count(), 1);
			assert.equal(sql(`SELECT count(*) FROM sessions
			    WHERE user_id = ${data.lin.user.id}
			    AND kind = 'session'`), "1");
			await go(page, "/settings", lang);
		}
		assert.deepEqual(problems, []);
		await context.close();
	});
}
