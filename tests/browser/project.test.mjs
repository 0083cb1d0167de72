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
	await visitor.page.locator(".gallery").scrollIntoViewIfNeeded();
	await visitor.page.waitForFunction(() => {
		const imgs = [...document.querySelectorAll(".gallery img")];
		return imgs.length === 2 &&
		    imgs.every((i) => i.complete && i.naturalWidth > 0);
	}, null, { timeout: 5000 });
	const width = await visitor.page.evaluate(() =>
	    document.documentElement.scrollWidth);
	assert.ok(width <= 375, `fits the phone (${width}px)`);
	await visitor.page.screenshot({ path: `${ARTIFACTS}/project-page.png`,
	    fullPage: true });
	assert.deepEqual(visitor.problems, []);
	await visitor.context.close();
});

test("another member likes and comments on the project page, with its forms",
    async () => {
	// The project is maker1's; the reader is maker2, whose id is not the
	// project's (the forms must post to the page's project).
	const { login, postAs } = await import("../e2e/lib.mjs");
	const owner = await login("maker1");
	let p;
	do {
		p = (await postAs(owner, "/projects", { body: {
		    title: "浏览器点赞评论", status: "published" } })).data.project;
	} while (p.id === (await login("maker2")).user.id);
	const reader = await watch(browser, { width: 375, height: 812 });
	const page = reader.page;
	await page.goto(BASE + "/login");
	await page.fill("#username", "maker2");
	await page.fill("#password", "demo-password-123");
	await page.click("button[type=submit]");
	await page.waitForURL(BASE + "/");

	await page.goto(BASE + p.url);
	await Promise.all([page.waitForNavigation(),
	    page.click("button.like")]);
	assert.equal(new URL(page.url()).pathname, p.url, "back on the page");
	assert.equal(await page.getAttribute("button.like", "aria-pressed"),
	    "true");
	assert.match(await page.textContent("button.like"), /♥ 1/);

	await page.fill("#comment-body", "浏览器里写的评论 **好**");
	await Promise.all([page.waitForNavigation(),
	    page.click("#comments button[type=submit]")]);
	assert.equal(new URL(page.url()).pathname, p.url);
	const j = await (await fetch(BASE + p.url, { headers: {
	    accept: "application/json" } })).json();
	assert.equal(j.project.likes, 1, "the like is on this project");
	assert.equal(j.project.comments.length, 1, "and the comment");
	assert.match(j.project.comments[0].body_html, /<strong>好<\/strong>/);
	assert.match(await page.textContent("#comments"), /浏览器里写的评论/);
	assert.deepEqual(reader.problems, []);
	await reader.context.close();
});
