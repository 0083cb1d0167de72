// A competition in Chromium at 375 px (issue 14, items 3 and 6 and "Done
// when"), once in each language: a maker enters a project with the entry
// form, staff move the dates with the edit form and add and assign a
// judge, the judge scores the entry on the phone-sized scoring form, staff
// publish, and the team sees its feedback, opens its certificate and
// /verify confirms the code.  Every page on the way is measured: nothing
// wider than the phone, every control of the page's main part a target of
// at least 44 x 44 px, checkboxes beside their labels, no catalog key
// shown as text, and (the competition is blind) no judge's name shown to
// the team.  Screenshots go to tests/artifacts/comp-<page>-<lang>.png.
import { test, after, before } from "node:test";
import assert from "node:assert/strict";
import { launch, watch, BASE, ARTIFACTS } from "./lib.mjs";
import { login, newUser, postAs } from "../e2e/lib.mjs";

const PHONE = { width: 375, height: 812 };
const LANGS = ["zh-CN", "en"];
let browser;

before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const iso = (ms) => new Date(Date.now() + ms).toISOString()
    .replace(/\.\d+Z$/, "Z");
// A datetime-local value in the site's zone (Asia/Shanghai, UTC+8).
const local = (ms) => new Date(Date.now() + ms + 8 * 3600e3).toISOString()
    .slice(0, 16);

function url(path, lang) {
	return `${BASE}${path}${path.includes("?") ? "&" : "?"}lang=${lang}`;
}

async function open(who, lang) {
	const w = await watch(browser, PHONE, { locale: lang });
	w.page.setDefaultTimeout(20000);
	await w.page.goto(url("/login", lang));
	await w.page.fill("#username", who.username);
	await w.page.fill("#password", who.password);
	await w.page.click("form[action='/login'] button[type=submit]");
	await w.page.waitForURL((u) => !u.pathname.startsWith("/login"));
	return w;
}

// The page as people see it: nothing wider than the phone, no catalog
// key as text, every control of <main> a 44 px target on the screen,
// checkboxes and radios small and inside their label's line.
async function measure(page, what, lang) {
	await page.waitForLoadState("networkidle");
	await page.screenshot({ path: `${ARTIFACTS}/comp-${what}-${lang}.png`,
	    fullPage: true });
	const width = await page.evaluate(() =>
	    document.documentElement.scrollWidth);
	const wide = width <= PHONE.width ? [] : await page.$$eval("main *",
	    (els) => els.filter((el) => el.getBoundingClientRect().right >
	    375.5).slice(0, 3).map((el) => el.outerHTML.slice(0, 100)));
	assert.ok(width <= PHONE.width, `${what}: ${width}px wide: ${wide}`);
	const text = await page.evaluate(() => document.body.innerText);
	const keys = text.match(/\b(site|nav|errors?|account|project|comp|comp_results|oh)\.[a-z_]+(\.[a-z_]+)*\b/g);
	assert.equal(keys, null, `${what}: raw catalog keys ${keys}`);
	const small = await page.$$eval("main :is(button, a.button, " +
	    "input:not([type=hidden]):not([type=checkbox]):not([type=radio]), " +
	    "select, textarea, summary, .target)", (els) => els
	    .filter((el) => el.offsetParent !== null).map((el) => {
		const r = el.getBoundingClientRect();
		return { what: el.outerHTML.slice(0, 80), x: r.x,
		    w: r.width, h: r.height };
	    }).filter((r) => r.w < 44 || r.h < 44 || r.x < 0 ||
	    r.x + r.w > 375.5));
	assert.deepEqual(small, [], `${what}: controls under 44 px or ` +
	    "off screen");
	const boxes = await page.$$eval("main :is(input[type=checkbox], " +
	    "input[type=radio])", (els) => els.map((el) => {
		const r = el.getBoundingClientRect();
		const l = el.closest("label")?.getBoundingClientRect();
		return { w: r.width, h: r.height, inLabel: !!l &&
		    r.top >= l.top && r.bottom <= l.bottom, lh: l?.height };
	    }));
	for (const b of boxes) {
		assert.ok(b.w <= 28 && b.h <= 28, `${what}: a box ${b.w}`);
		assert.ok(b.inLabel && b.lh >= 44, `${what}: inline label`);
	}
}

async function go(page, path, lang, what) {
	const r = await page.goto(url(path, lang));
	assert.equal(r.status(), 200, path);
	await measure(page, what, lang);
}

for (const lang of LANGS) {
	test(`${lang}: enter, judge on a phone, publish, feedback, ` +
	    "certificate, verify", { timeout: 120000 }, async () => {
		const staffApi = await login("staff1");
		const maker = await newUser({ verified: true,
		    display_name: lang === "en" ? "Team Lead Ann" : "队长小林" });
		const judge = await newUser({ verified: true,
		    display_name: lang === "en" ? "Judge Brown" : "评委张老师" });
		const tag = `${lang}-${Date.now() % 1000000}`;
		let r = await postAs(staffApi, "/competitions", { body: {
		    title: `手机评审赛 ${tag}`, title_en: `Phone contest ${tag}`,
		    summary: "judged on phones", brief: "Build **something**.",
		    opens_at: iso(-3600e3), closes_at: iso(2 * 3600e3),
		    judging_ends_at: iso(4 * 3600e3), judges_per_entry: 1,
		    method: "mean", discrepancy: 30, blind: true,
		    criteria: [
			{ name: "创意 Idea", weight: 40, max_score: 10,
			    description: "new and useful" },
			{ name: "制作 Build", weight: 60, max_score: 10 }],
		    awards: [{ label: lang === "en" ? "First prize" : "一等奖",
		        top: 1 }] } });
		assert.equal(r.status, 201, r.text);
		const cid = r.data.competition.id;
		r = await postAs(staffApi, `/competitions/${cid}/announce`,
		    { body: {} });
		assert.equal(r.status, 200, r.text);
		r = await postAs(maker, "/projects", { body: {
		    title: `自动浇花器 ${tag}`, summary: "waters plants",
		    body: `How we made it, ${maker.user.display_name}.`,
		    status: "published" } });
		assert.equal(r.status, 201, r.text);
		const pid = r.data.project.id;

		// The maker enters from the phone.
		const m = await open(maker, lang);
		await go(m.page, "/competitions", lang, "list");
		await m.page.click(`a[href="/competitions/${cid}"]`);
		await m.page.waitForURL(`**/competitions/${cid}*`);
		await measure(m.page, "page", lang);
		assert.ok(await m.page.isVisible("[data-until]"), "countdown");
		await m.page.click(`a[href="/competitions/${cid}/entries"]`);
		await m.page.waitForURL(`**/competitions/${cid}/entries*`);
		await m.page.selectOption("#pick", String(pid));
		await m.page.fill("#team-q", maker.username);
		await m.page.click("form[method=get] button[type=submit]");
		await m.page.waitForSelector(".eligibility");
		await measure(m.page, "entry-form", lang);
		// The team names itself in plain text: masked for the blind
		// judge below (migrations/0021_comp_blind.sql).
		await m.page.fill("#statement", "我们的作品 for the plants, by " +
		    `${maker.user.display_name} (${maker.username.toUpperCase()})`);
		await m.page.click("form[method=post] button.primary");
		await m.page.waitForURL(/\/entries\/\d+$/);
		const entryPath = new URL(m.page.url()).pathname;
		await measure(m.page, "entry", lang);

		// Staff close the entries with the edit form, add the judge
		// and assign.
		const s = await open({ username: "staff1",
		    password: "demo-password-123" }, lang);
		await go(s.page, `/competitions/${cid}/edit`, lang, "edit");
		await s.page.fill("#closes_at", local(-120e3));
		await s.page.click(`form[action="/competitions/${cid}"] ` +
		    "button.primary");
		await s.page.waitForURL(`**/competitions/${cid}`);
		await measure(s.page, "page-staff", lang);
		await go(s.page, `/competitions/${cid}/judges`, lang, "judges");
		await s.page.fill("#judge-name", judge.username);
		await s.page.click("form:has(#judge-name) button[type=submit]");
		await s.page.waitForURL(`**/competitions/${cid}/judges`);
		await s.page.click("form:has(input[value=auto]) button");
		await s.page.waitForURL(`**/competitions/${cid}/judges`);
		await measure(s.page, "judges-assigned", lang);
		assert.ok((await s.page.textContent("table.assignments"))
		    .includes(judge.username), "assigned");

		// The judge scores on the phone.
		const j = await open(judge, lang);
		await go(j.page, "/judging", lang, "queue");
		await j.page.click(`a[href="${entryPath}/score"]`);
		await j.page.waitForURL(`**${entryPath}/score`);
		for (const d of await j.page.locator("details.entry-details summary")
		    .all())
			await d.click();
		await measure(j.page, "score", lang);
		const judgeSees = (await j.page.content()).toLowerCase();
		assert.ok(!judgeSees.includes(maker.username) &&
		    !judgeSees.includes(maker.user.display_name.toLowerCase()),
		    "a blind judge does not see the team");
		assert.ok(await j.page.isVisible(".masked-note"), "the note");
		assert.equal(await j.page.locator("details .masked").count(), 3,
		    "the names in the write-up and the statement are masked");
		const inputs = j.page.locator("input[name^='scores[']");
		assert.equal(await inputs.count(), 2);
		await inputs.nth(0).fill("8.5");
		await inputs.nth(1).fill("7");
		await j.page.fill("#comment", "很好 **well built**");
		await j.page.fill("#note", "note for staff only");
		await j.page.click("form.score-form button[value=true]");
		await j.page.waitForURL("**/judging");
		await measure(j.page, "queue-done", lang);

		// Judging ends; staff publish from the results page.
		await go(s.page, `/competitions/${cid}/edit`, lang, "edit-2");
		await s.page.fill("#judging_ends_at", local(-60e3));
		await s.page.click(`form[action="/competitions/${cid}"] ` +
		    "button.primary");
		await s.page.waitForURL(`**/competitions/${cid}`);
		await go(s.page, `/competitions/${cid}/results`, lang,
		    "results-staff");
		await s.page.click("form.publish button[type=submit]");
		await s.page.waitForLoadState("networkidle");
		await go(s.page, `/competitions/${cid}/results`, lang,
		    "results");

		// The team's feedback, its certificate and /verify.
		await go(m.page, entryPath, lang, "entry-feedback");
		const feedback = await m.page.textContent(".feedback");
		assert.ok(feedback.includes("well built"), feedback);
		const seen = await m.page.content();
		assert.ok(!seen.includes(judge.username) &&
		    !seen.includes(judge.user.display_name) &&
		    !seen.includes("note for staff only"),
		    "no judge's name, no note to staff");
		await m.page.click(`a[href="${entryPath}/certificate"]`);
		await m.page.waitForURL(`**${entryPath}/certificate`);
		await measure(m.page, "certificate", lang);
		const code = (await m.page.textContent(".cert-code")).trim();
		assert.match(code, /^[0-9A-F-]{14}$/);
		assert.ok(await m.page.isVisible(".cert-qr svg"), "QR code");
		// The competition's title in the page's language.
		const title = lang === "en" ? `Phone contest ${tag}` :
		    `手机评审赛 ${tag}`;
		assert.ok((await m.page.textContent(".certificate"))
		    .includes(title), "certificate title");
		await go(m.page, `/verify/${code}`, lang, "verify");
		assert.ok(await m.page.isVisible(".verified"), "verified");
		assert.ok((await m.page.textContent(".verify"))
		    .includes(`自动浇花器 ${tag}`));
		assert.ok((await m.page.textContent(".verify")).includes(title),
		    "verify title");
		await go(m.page, "/judging", lang, "queue-empty");

		for (const w of [m, s, j])
			assert.deepEqual(w.problems, []);
		await Promise.all([m, s, j].map((w) => w.context.close()));
	});
}
