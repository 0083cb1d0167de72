// The home page in a real browser, on a phone and on a desktop.
import { test, after, before } from "node:test";
import assert from "node:assert/strict";
import { launch, watch, BASE, ARTIFACTS } from "./lib.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

for (const [name, viewport] of [["phone", { width: 375, height: 812 }],
    ["desktop", { width: 1280, height: 800 }]]) {
	test(`home page on a ${name} (${viewport.width}px): no errors, ` +
	    "no other hosts, fits the screen", async () => {
		const { context, page, problems } = await watch(browser,
		    viewport);
		const res = await page.goto(BASE + "/");
		assert.equal(res.status(), 200);
		await page.waitForLoadState("networkidle");
		assert.equal(await page.getAttribute("html", "lang"), "zh-CN");
		assert.match(await page.textContent(".brand"), /创客空间/);
		for (const href of ["/projects", "/board", "/competitions",
		    "/mentors"])
			assert.ok(await page.isVisible(`nav a[href="${href}"]`),
			    `nav ${href} visible`);
		// The stylesheet applied (served, parsed, not blocked by CSP).
		const bg = await page.evaluate(() =>
		    getComputedStyle(document.body).backgroundColor);
		assert.equal(bg, "rgb(246, 247, 249)");
		const width = await page.evaluate(() =>
		    document.documentElement.scrollWidth);
		assert.ok(width <= viewport.width,
		    `no horizontal scroll (${width}px)`);
		await page.screenshot({ path: `${ARTIFACTS}/home-${name}.png`,
		    fullPage: true });
		assert.deepEqual(problems, []);
		await context.close();
	});
}

test("the language switcher turns the page into English and back",
    async () => {
	const { context, page, problems } = await watch(browser,
	    { width: 375, height: 812 });
	await page.goto(BASE + "/");
	await page.click('footer a[hreflang="en"]');
	await page.waitForLoadState("networkidle");
	assert.equal(await page.getAttribute("html", "lang"), "en");
	assert.match(await page.textContent(".brand"), /Makerspace/);
	// Remembered on the next visit without ?lang.
	await page.goto(BASE + "/");
	assert.equal(await page.getAttribute("html", "lang"), "en");
	await page.screenshot({ path: `${ARTIFACTS}/home-phone-en.png` });
	await page.click('footer a[hreflang="zh-CN"]');
	assert.equal(await page.getAttribute("html", "lang"), "zh-CN");
	assert.deepEqual(problems, []);
	await context.close();
});
