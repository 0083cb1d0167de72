// Office hours in Chromium at 375 px: a maker books a slot with a
// question (live preview), the mentor sees it in their sessions, marks
// attendance and writes notes, the maker shares them as a solved topic
// and a visitor finds it with /search.
import { test, after, before } from "node:test";
import assert from "node:assert/strict";
import { launch, watch, BASE, ARTIFACTS } from "./lib.mjs";
import { newUser, postAs, setting, sql } from "../e2e/lib.mjs";

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

test("book with a question, attendance, notes, share, found by search",
    { timeout: 60000 }, async () => {
	setting("board_hold_first_posts", "0");
	setting("board_new_seconds_between", "0");
	const mentor = await newUser({ verified: true, role: "mentor",
	    display_name: "王导师" });
	const maker = await newUser({ verified: true, display_name: "小创客" });
	assert.equal((await postAs(mentor, "/mentors/me", { body: {
	    notice_hours: 0, expertise: "laser" } })).status, 200);
	const at = new Date(Date.now() + 30 * 3600e3);
	const s = await postAs(mentor, "/office-hours/slots", { body: {
	    starts_at: at.toISOString().slice(0, 16) + "Z", minutes: 30 } });
	assert.equal(s.status, 201, s.text);
	const slot = s.data.slot;
	const word = `kerf${Date.now() % 1000000}`;

	const m = await watch(browser, phone);
	await signIn(m.page, maker.username, maker.password);
	await m.page.goto(`${BASE}/mentors/${mentor.username}`);
	const width = await m.page.evaluate(() =>
	    document.documentElement.scrollWidth);
	assert.ok(width <= 375, `no sideways scroll (${width})`);
	await m.page.click(`a[href="/office-hours/slots/${slot.id}"]`);
	await m.page.fill("#question", `Laser ${word}\n\nHow do I **measure** it?`);
	await m.page.waitForSelector("#question-preview strong");
	await m.page.click("form[action$='/book'] button[type=submit]");
	await m.page.waitForURL(/\/bookings\/\d+$/);
	const bookingUrl = new URL(m.page.url()).pathname;
	await m.page.screenshot({ path: `${ARTIFACTS}/oh-booked.png` });

	// The session starts (as if time passed).
	sql(`UPDATE oh_slots SET starts_at = now() - interval '1 minute',
	    ends_at = now() + interval '29 minutes' WHERE id = ${slot.id}`);
	const t = await watch(browser, phone);
	await signIn(t.page, mentor.username, mentor.password);
	await t.page.goto(`${BASE}/me/bookings`);
	assert.ok((await t.page.textContent(".oh-sessions")).includes(word));
	await t.page.click(".oh-sessions button[value=attended]");
	await t.page.waitForURL(`**${bookingUrl}`);
	await t.page.fill("#notes", "Cut a test square and **measure** it.");
	await t.page.click("form[action$='/notes'] button[type=submit]");
	await t.page.waitForURL(`**${bookingUrl}`);
	await t.page.screenshot({ path: `${ARTIFACTS}/oh-notes.png` });

	await m.page.goto(BASE + bookingUrl);
	await m.page.click("form[action$='/share'] button[type=submit]");
	await m.page.waitForURL(/\/t\/\d+$/);
	const topicUrl = new URL(m.page.url()).pathname;

	const v = await watch(browser, phone);
	await v.page.goto(`${BASE}/search?q=${word}`);
	assert.equal(await v.page.locator(`a[href^="${topicUrl}"]`).count() > 0,
	    true, "the visitor finds the shared topic");
	for (const w of [m, t, v])
		assert.deepEqual(w.problems, []);
	await Promise.all([m, t, v].map((w) => w.context.close()));
});
