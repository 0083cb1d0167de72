// A maker on a phone publishes a project with two photos (one with EXIF
// orientation 6); a visitor finds it by a Chinese word.
import { test, after, before } from "node:test";
import assert from "node:assert/strict";
import { launch, watch, BASE, ARTIFACTS } from "./lib.mjs";

const FIX = `${process.env.ROOT}/tests/fixtures/img`;
let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test("create, upload two photos, publish at 375 px; a visitor finds it",
    async () => {
	const phone = { width: 375, height: 812 };
	const maker = await watch(browser, phone);
	const page = maker.page;
	const word = "蒲公英风车";

	await page.goto(BASE + "/login");
	await page.fill("#username", "maker1");
	await page.fill("#password", "demo-password-123");
	await page.click("button[type=submit]");
	await page.waitForURL(BASE + "/");

	await page.goto(BASE + "/projects/new");
	await page.fill("#title", `${word} 测试`);
	await page.fill("#summary", "会转的风车");
	await page.fill("#body", "## 步骤\n1. **激光切割**叶片");
	// The live preview renders through POST /preview.
	await page.waitForSelector("#body-preview strong");
	assert.equal(await page.textContent("#body-preview strong"), "激光切割");
	await page.fill("#tags", "激光切割, 风车");
	await page.click("form[action='/projects'] button[type=submit]");
	await page.waitForURL(/\/projects\/\d+$/);
	const url = page.url();

	await page.goto(url + "/edit");
	for (const file of ["exif-6.jpg", "rgb.png"]) {
		await page.setInputFiles("#photo", `${FIX}/${file}`);
		await Promise.all([
			page.waitForNavigation(),
			page.click("form[data-upload] button[type=submit]"),
		]);
	}
	const sizes = await page.$$eval(".gallery.edit img", (imgs) =>
	    imgs.map((i) => [i.naturalWidth, i.naturalHeight]));
	assert.equal(sizes.length, 2);
	assert.ok(sizes[0][1] > sizes[0][0],
	    `the EXIF-6 photo is upright: ${sizes[0]}`);
	await page.screenshot({ path: `${ARTIFACTS}/project-edit.png`,
	    fullPage: true });

	await page.check('input[name=status][value="published"]');
	await page.click("form.wide button[type=submit]");
	await page.waitForURL(url);
	assert.ok(await page.isVisible("img.cover"));
	assert.deepEqual(maker.problems, []);
	await maker.context.close();

	const visitor = await watch(browser, phone);
	await visitor.page.goto(BASE + "/projects");
	await visitor.page.fill("#q", "风车");
	await visitor.page.click("form.search button");
	await visitor.page.waitForURL(/q=/);
	const titles = await visitor.page.$$eval(".card-title",
	    (els) => els.map((e) => e.textContent));
	assert.ok(titles.some((t) => t.includes(word)), titles.join("|"));
	await visitor.page.click(`.card a[href="${new URL(url).pathname}"]`);
	await visitor.page.waitForURL(url);
	// Thumbnails load lazily: bring them into view, then wait for them.
	// The cover (the first photo) is shown once, above the gallery.
	await visitor.page.locator(".gallery").scrollIntoViewIfNeeded();
	await visitor.page.waitForFunction(() => {
		const imgs = [...document.querySelectorAll(".gallery img, " +
		    "img.cover")];
		return imgs.length === 2 &&
		    imgs.every((i) => i.complete && i.naturalWidth > 0);
	}, null, { timeout: 5000 });
	assert.equal(await visitor.page.locator(".gallery img").count(), 1);
	const width = await visitor.page.evaluate(() =>
	    document.documentElement.scrollWidth);
	assert.ok(width <= 375, `fits the phone (${width}px)`);
	await visitor.page.screenshot({ path: `${ARTIFACTS}/project-page.png`,
	    fullPage: true });
	assert.deepEqual(visitor.problems, []);
	await visitor.context.close();
});

// The like, unlike and comment forms of a project page, used by a maker
// who does not own it, with script and without: each lands on the page's
// own project (the forms once posted to /projects/<viewer's id>/...).
async function apiLogin(username) {
	const r = await fetch(`${BASE}/login`, { method: "POST",
	    headers: { "content-type": "application/json",
	    accept: "application/json" }, body: JSON.stringify({ username,
	    password: "demo-password-123" }) });
	const cookie = r.headers.getSetCookie().map((c) => c.split(";")[0])
	    .join("; ");
	return { cookie, csrf: (await r.json()).csrf_token };
}

async function projectJson(id) {
	const r = await fetch(`${BASE}/projects/${id}`,
	    { headers: { accept: "application/json" } });
	return (await r.json()).project;
}

for (const script of [true, false]) {
	test(`a maker likes, unlikes and comments from a project's page ` +
	    `(script ${script ? "on" : "off"}): each lands on that project`,
	    async () => {
		const owner = await apiLogin("maker1");
		const r = await fetch(`${BASE}/projects`, { method: "POST",
		    headers: { "content-type": "application/json",
		    accept: "application/json", cookie: owner.cookie,
		    "x-csrf-token": owner.csrf }, body: JSON.stringify({
		    title: `点赞测试 ${script}`, status: "published" }) });
		assert.equal(r.status, 201);
		const id = (await r.json()).project.id;

		const maker = await watch(browser, { width: 375, height: 812 },
		    { context: { javaScriptEnabled: script } });
		const page = maker.page;
		await page.goto(BASE + "/login");
		await page.fill("#username", "maker2");
		await page.fill("#password", "demo-password-123");
		await page.click("button[type=submit]");
		await page.waitForURL(BASE + "/");

		await page.goto(`${BASE}/projects/${id}`);
		await page.click("button.like");
		await page.waitForSelector("button.like.on");
		assert.equal(page.url(), `${BASE}/projects/${id}`);
		let p = await projectJson(id);
		assert.equal(p.likes, 1, "the like landed on this project");

		await page.click("button.like.on");
		await page.waitForSelector("button.like:not(.on)");
		p = await projectJson(id);
		assert.equal(p.likes, 0, "the unlike landed on this project");

		const words = `评论落在这里 ${script}`;
		await page.fill("#comment-body", words);
		await page.click("form[action$='/comments'] button[type=submit]");
		await page.waitForSelector(`#comments :text("${words}")`);
		assert.equal(new URL(page.url()).pathname, `/projects/${id}`);
		p = await projectJson(id);
		assert.deepEqual(p.comments.map((c) => c.body_html.includes(words)),
		    [true], "the comment landed on this project");
		assert.deepEqual(maker.problems, []);
		await maker.context.close();
	});
}
