// The search page in Chromium at 375 px, in both languages (issue 12,
// item 13): one result per topic with its count of matching posts, the
// matched words marked (and text that looks like markup shown as text),
// the excerpt around the match, the total; it fits the screen and shows
// no raw catalog key.
import { test, after, before } from "node:test";
import assert from "node:assert/strict";
import { launch, watch, BASE, ARTIFACTS } from "./lib.mjs";
import { newUser, postAs, setting } from "../e2e/lib.mjs";

const phone = { width: 375, height: 812 };
const w = `phone${process.pid}${Date.now() % 100000}`;
let browser;

before(async () => {
	browser = await launch();
	setting("board_hold_first_posts", "0");
	setting("board_new_seconds_between", "0");
	const who = await newUser({ verified: true });
	const filler = "今天打印室排队的人很多，大家都在等待。".repeat(12);
	const t = await postAs(who, "/topics", { body: { category: "general",
	    title: `焊台 ${w} 的问题`,
	    body: `${filler}<b>${w}</b> 的烙铁头要换了。${filler}` } });
	assert.equal(t.status, 201, t.text);
	for (const body of [`第二条 ${w}`, `第三条 **${w}**`]) {
		const r = await postAs(who, `${t.data.topic.url}/posts`,
		    { body: { body } });
		assert.equal(r.status, 201, r.text);
	}
});
after(async () => {
	setting("board_hold_first_posts", "1");
	setting("board_new_seconds_between", "30");
	await browser?.close();
});

for (const lang of ["zh-CN", "en"]) {
	test(`search results at 375 px (${lang}): grouped, marked, counted, ` +
	    "fit the screen", async () => {
		const { context, page, problems } = await watch(browser, phone,
		    { locale: lang });
		const res = await page.goto(`${BASE}/search?q=${w}` +
		    `&lang=${lang}`);
		assert.equal(res.status(), 200);
		const items = page.locator(".search-results > li");
		assert.equal(await items.count(), 1, "one result for the topic");
		const count = await page.textContent(".search-count");
		assert.match(count, lang === "en" ? /^1 result$/ : /找到 1 个结果/);
		const meta = await items.first().locator(".matches")
		    .textContent();
		assert.match(meta, lang === "en" ? /3 matching posts/ :
		    /3 条相关帖子/);
		const marks = await page.locator(".search-results mark")
		    .allTextContents();
		assert.deepEqual(marks, [w, w], "the title's and the excerpt's");
		const excerpt = await items.first().locator(".excerpt")
		    .textContent();
		assert.ok(excerpt.includes(`第三条 ${w}`), excerpt);
		// Marked text is highlighted, and the page is not wider than the
		// phone.
		const bg = await page.evaluate(() => getComputedStyle(
		    document.querySelector(".search-results mark"))
		    .backgroundColor);
		assert.notEqual(bg, "rgba(0, 0, 0, 0)");
		const width = await page.evaluate(() =>
		    document.documentElement.scrollWidth);
		assert.ok(width <= phone.width, `no horizontal scroll (${width})`);
		const text = await page.textContent("body");
		assert.ok(!/\bsearch\.[a-z_]+\b/.test(text), "no raw catalog keys");
		await page.screenshot({ path: `${ARTIFACTS}/search-${lang}.png`,
		    fullPage: true });

		// The opening post alone: "<b>" shows as text around the mark,
		// the excerpt is cut around the match.
		await page.goto(`${BASE}/search?q=${encodeURIComponent(
		    `${w} 烙铁头`)}&lang=${lang}`);
		const ex = page.locator(".search-results .excerpt").first();
		const shown = await ex.textContent();
		assert.ok(shown.includes(`<b>${w}</b> 的烙铁头要换了`), shown);
		assert.ok(shown.startsWith("…") && shown.endsWith("…"), shown);
		assert.equal(await ex.locator("b").count(), 0, "no <b> element");
		assert.deepEqual(await ex.locator("mark").allTextContents(),
		    [w, "烙铁头"]);
		assert.deepEqual(problems, []);
		await context.close();
	});
}
