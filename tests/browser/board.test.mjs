// The board in Chromium at 375 px: two readers on the same topic, a reply
// typed in one appears in the other without a reload; a new member's
// held topic is approved in the review queue and then seen by everyone.
import { test, after, before } from "node:test";
import assert from "node:assert/strict";
import { launch, watch, BASE, ARTIFACTS } from "./lib.mjs";
import { newUser, setting } from "../e2e/lib.mjs";

const phone = { width: 375, height: 812 };
let browser;
before(async () => { browser = await launch(); });
after(async () => {
	setting("board_hold_first_posts", "1");
	setting("board_new_seconds_between", "30");
	await browser?.close();
});

async function signIn(page, username, password) {
	await page.goto(BASE + "/login");
	await page.fill("#username", username);
	await page.fill("#password", password);
	await page.click("button[type=submit]");
	await page.waitForURL(BASE + "/");
}

test("a reply typed in one browser appears in the other without reload",
    { timeout: 30000 }, async () => {
	setting("board_hold_first_posts", "0");
	setting("board_new_seconds_between", "0");
	const ua = await newUser({ verified: true, display_name: "甲同学" });
	const ub = await newUser({ verified: true, display_name: "乙同学" });
	const a = await watch(browser, phone);
	const b = await watch(browser, phone);
	await signIn(a.page, ua.username, ua.password);
	await signIn(b.page, ub.username, ub.password);

	await a.page.goto(BASE + "/topics/new?category=help");
	await a.page.fill("#title", "激光切割机对焦怎么调");
	await a.page.fill("#body", "焦距总是不对，**求助**");
	await a.page.waitForSelector("#body-preview strong");
	await a.page.click("form[action='/topics'] button[type=submit]");
	await a.page.waitForURL(/\/t\/\d+$/);
	const url = a.page.url();

	await b.page.goto(url);
	await b.page.waitForSelector("#post-1");
	await b.page.evaluate(() => { window.notReloaded = true; });
	await b.page.waitForTimeout(300);	/* the socket subscribes */

	await a.page.fill("#body", "试试把焦距尺放在材料上 @" + ub.username);
	await a.page.click("#reply button[type=submit]");
	await a.page.waitForSelector("#post-2");
	const t0 = Date.now();
	await b.page.waitForSelector("#post-2", { timeout: 2000 });
	assert.ok(Date.now() - t0 < 2000);
	assert.match(await b.page.textContent("#post-2"), /焦距尺/);
	assert.equal(await b.page.evaluate(() => window.notReloaded), true,
	    "no reload");
	// The reader's own actions, in the post's menu: B may flag A's post,
	// not edit it.
	await b.page.click("#post-2 .post-menu summary");
	assert.equal(await b.page.isVisible("#post-2 .others-only"), true);
	assert.equal(await b.page.isVisible("#post-2 .own-only"), false);
	await a.page.click("#post-2 .post-menu summary");
	assert.equal(await a.page.isVisible("#post-2 .own-only"), true);
	// A asked in Help: A may mark B's answer; B replies and A marks it.
	await b.page.fill("#body", "把焦距调到 50.8 毫米就好了");
	await b.page.click("#reply button[type=submit]");
	await a.page.waitForSelector("#post-3", { timeout: 2000 });
	await a.page.click("#post-3 .post-menu summary");
	await a.page.click("#post-3 .asker-only");
	await a.page.click("form[action$='/solve'] button[type=submit]");
	await a.page.waitForURL(/\/t\/\d+$/);
	assert.match(await a.page.textContent(".solution"), /50\.8/);
	await b.page.screenshot({ path: `${ARTIFACTS}/board-topic.png` });
	assert.deepEqual(a.problems, []);
	assert.deepEqual(b.problems, []);
	await a.context.close();
	await b.context.close();
});

test("a held topic is approved in the review queue, then everyone sees it",
    { timeout: 30000 }, async () => {
	setting("board_hold_first_posts", "1");
	const u = await newUser({ verified: true });
	const hello = `大家好，我刚来创客空间 ${Date.now() % 100000}`;
	const m = await watch(browser, phone);
	await signIn(m.page, u.username, u.password);
	await m.page.goto(BASE + "/topics/new?category=general");
	await m.page.fill("#title", "新人的第一个话题");
	await m.page.fill("#body", hello);
	await m.page.click("form[action='/topics'] button[type=submit]");
	await m.page.waitForURL(/\/t\/\d+$/);
	const url = m.page.url();
	assert.match(await m.page.textContent("#post-1"), /等待审核|Awaiting/);

	const visitor = await watch(browser, phone);
	const before = await visitor.page.goto(url);
	assert.equal(before.status(), 404, "held: nobody else sees it");

	const s = await watch(browser, phone);
	await signIn(s.page, "staff1", "demo-password-123");
	await s.page.goto(BASE + "/mod/queue");
	const item = s.page.locator("li.mod-item", {
	    hasText: hello }).first();
	await item.locator("button", { hasText: /通过|Approve/ }).first().click();
	await s.page.waitForURL(/\/mod\/queue/);
	assert.equal(await s.page.locator("li.mod-item", { hasText: hello }).count(), 0,
	    "it left the queue");
	await s.page.screenshot({ path: `${ARTIFACTS}/board-queue.png` });

	const after = await visitor.page.goto(url);
	assert.equal(after.status(), 200);
	assert.match(await visitor.page.textContent("#post-1"), /我刚来创客空间/);
	await m.page.reload();
	assert.doesNotMatch(await m.page.textContent("#post-1"), /等待审核|Awaiting/);
	for (const x of [m, s])
		assert.deepEqual(x.problems, []);
	assert.deepEqual(visitor.problems.filter((p) => !/404/.test(p)), []);
	for (const x of [m, visitor, s])
		await x.context.close();
});
