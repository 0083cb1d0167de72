// Published results pages are kept rendered by each worker under the
// competition's results_version (app/comp_results.c,
// migrations/0018_comp_speed.sql).  What the page shows must still follow
// every change: a team member's new name, staff editing the awards, a
// judge stepping back; staff keep seeing their own parts, members never
// see them, and JSON clients get the same figures.
//
// The competition page, a judge's queue and the scoring form are kept
// too, for browsers (app/comp_pages.c, migrations/0020_comp_pages.sql):
// each write that changes what they show, and the clock moving a
// competition into its next phase, shows on every worker; the viewer's
// own parts stay theirs, and two judges never see each other's drafts.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";

import { Jar, ROOT, get, getAs, login, newUser, postAs, sql } from "./lib.mjs";

const zh = JSON.parse(readFileSync(`${ROOT}/assets/i18n/zh-CN.json`, "utf8"));

// A published competition of 3 entries by new makers, 2 judges scoring
// all, made in the database (the flow over HTTP is
// comp_results_flow.test.mjs).  Returns its id and the makers.
async function published() {
	const makers = [];
	for (const name of ["甲队长", "乙队长", "丙队长"])
		makers.push(await newUser({ verified: true, display_name: name }));
	const judges = [await newUser({ verified: true }),
	    await newUser({ verified: true })];
	const names = (l) => l.map((u) => `'${u.username}'`).join(",");
	const cid = sql(`
	    WITH c AS (INSERT INTO competitions (title, opens_at, closes_at,
		judging_ends_at, awards, announced_at, created_by)
		SELECT 'speed ' || clock_timestamp(), now() - interval '30 days',
		now() - interval '20 days', now() - interval '1 day',
		'[{"label": "金奖", "top": 1}]', now() - interval '31 days', id
		FROM users WHERE username = 'staff1' RETURNING id)
	    SELECT id FROM c`);
	sql(`INSERT INTO comp_criteria (competition_id, position, name, weight,
		max_score) VALUES (${cid}, 1, '创意', 60, 10),
		(${cid}, 2, '制作', 40, 10)`);
	sql(`INSERT INTO projects (owner_id, title, status, published_at)
		SELECT id, 'speed project ' || username, 'published', now()
		FROM users WHERE username IN (${names(makers)})`);
	sql(`INSERT INTO project_members (project_id, user_id, role)
		SELECT p.id, p.owner_id, 'owner' FROM projects p
		JOIN users u ON u.id = p.owner_id
		WHERE u.username IN (${names(makers)})`);
	sql(`INSERT INTO comp_entries (competition_id, project_id,
		submitted_by, submitted_at)
		SELECT ${cid}, p.id, p.owner_id, now() - interval '25 days'
		FROM projects p JOIN users u ON u.id = p.owner_id
		WHERE u.username IN (${names(makers)})`);
	sql(`INSERT INTO comp_entry_members (entry_id, user_id)
		SELECT id, submitted_by FROM comp_entries
		WHERE competition_id = ${cid}`);
	sql(`INSERT INTO comp_judges (competition_id, user_id)
		SELECT ${cid}, id FROM users WHERE username IN (${names(judges)})`);
	sql(`INSERT INTO comp_assignments (entry_id, judge_id, competition_id)
		SELECT e.id, j.user_id, ${cid} FROM comp_entries e
		JOIN comp_judges j ON j.competition_id = e.competition_id
		WHERE e.competition_id = ${cid}`);
	sql(`INSERT INTO comp_scores (entry_id, judge_id, submitted_at)
		SELECT entry_id, judge_id, now() - interval '2 days'
		FROM comp_assignments WHERE competition_id = ${cid}`);
	sql(`INSERT INTO comp_score_items (entry_id, judge_id, criterion_id,
		score)
		SELECT a.entry_id, a.judge_id, k.id,
		    ((a.entry_id * 3 + a.judge_id + k.position) % 21) / 2.0
		FROM comp_assignments a JOIN comp_criteria k
		ON k.competition_id = a.competition_id
		WHERE a.competition_id = ${cid}`);
	const staff = sql(`SELECT id FROM users WHERE username = 'staff1'`);
	sql(`SELECT comp_publish(${cid}, ${staff}, false, '')`);
	return { cid, makers, judges };
}

// The results page as a browser gets it, several times so that every
// worker answers it at least once from what it keeps.
async function pages(who, path) {
	const out = [];
	for (let i = 0; i < 6; i++) {
		const r = await getAs(who, path, { json: false });
		assert.equal(r.status, 200, r.text);
		out.push(r.text);
	}
	return out;
}

test("kept results pages follow names, awards and recusals, per role", async () => {
	const { cid, makers, judges } = await published();
	const path = `/competitions/${cid}/results`;
	const member = await login("maker1");
	const staff = await login("staff1");

	let html = await pages(member, path);
	for (const h of html) {
		assert.match(h, /甲队长/);
		assert.match(h, /金奖/);
		assert.doesNotMatch(h, /results\.csv/, "no staff parts for members");
	}
	html = await pages(staff, path);
	for (const h of html)
		assert.match(h, /results\.csv/, "staff see the export");
	html = await pages(member, path);
	for (const h of html)
		assert.doesNotMatch(h, /results\.csv/, "kept page is not staff's");

	// A team member renames themself.
	sql(`UPDATE users SET display_name = '甲队长改名'
	    WHERE username = '${makers[0].username}'`);
	for (const h of await pages(member, path))
		assert.match(h, /甲队长改名/);

	// Staff change the awards' labels after publishing.
	let r = await postAs(staff, `/competitions/${cid}`, { body: {
	    awards: [{ label: "特等奖", top: 2 }] } });
	assert.equal(r.status, 200, r.text);
	for (const h of await pages(member, path)) {
		assert.match(h, /特等奖/);
		assert.doesNotMatch(h, /金奖/);
	}

	// A judge steps back from every entry: one judge per entry is left.
	sql(`UPDATE comp_assignments SET recused_at = now(),
	    recuse_reason = 'conflict' WHERE competition_id = ${cid}
	    AND judge_id = (SELECT id FROM users
	    WHERE username = '${judges[0].username}')`);
	r = await getAs(member, path);
	assert.equal(r.status, 200, r.text);
	assert.ok(r.data.results.every((x) => x.judges === 1), r.text);
	for (const h of await pages(member, path)) {
		const judgesShown = [...h.matchAll(/(?:评委数|Judges) (\d+)/g)]
		    .map((m) => m[1]);
		assert.ok(judgesShown.length > 0 &&
		    judgesShown.every((n) => n === "1"), judgesShown.join());
	}
});

// A competition made in the database, announced; its dates in seconds
// from now (opens, closes, judging ends) and one criterion.
function competitionAt(opens, closes, ends, title = "kept") {
	const cid = sql(`
	    WITH c AS (INSERT INTO competitions (title, opens_at, closes_at,
		judging_ends_at, announced_at, created_by)
		SELECT '${title} ' || clock_timestamp(),
		now() + make_interval(secs => ${opens}),
		now() + make_interval(secs => ${closes}),
		now() + make_interval(secs => ${ends}),
		now() - interval '40 days', id
		FROM users WHERE username = 'staff1' RETURNING id)
	    SELECT id FROM c`);
	sql(`INSERT INTO comp_criteria (competition_id, position, name, weight,
	    max_score) VALUES (${cid}, 1, '创意', 100, 10)`);
	return cid;
}

// A published project of maker's and, when cid is given, its entry in
// competition cid (made in the database).  Returns the entry's id.
function entryOf(maker, cid, title) {
	const pid = sql(`INSERT INTO projects (owner_id, title, status,
	    published_at) VALUES (${maker.user.id}, '${title}', 'published',
	    now()) RETURNING id`);
	sql(`INSERT INTO project_members (project_id, user_id, role)
	    VALUES (${pid}, ${maker.user.id}, 'owner')`);
	if (cid === undefined)
		return pid;
	const eid = sql(`INSERT INTO comp_entries (competition_id, project_id,
	    submitted_by) VALUES (${cid}, ${pid}, ${maker.user.id})
	    RETURNING id`);
	sql(`INSERT INTO comp_entry_members (entry_id, user_id)
	    VALUES (${eid}, ${maker.user.id})`);
	return eid;
}

// Until now() in the database is past the instant ms (epoch).
async function until(ms) {
	const now = Number(sql(`SELECT floor(extract(epoch FROM now()) * 1000)`));
	if (ms > now)
		await new Promise((r) => setTimeout(r, ms - now + 300));
}

const epochMs = (cid, col) => Number(sql(`SELECT floor(extract(epoch FROM
    ${col}) * 1000) FROM competitions WHERE id = ${cid}`));

test("kept competition page: edits, criteria, entries, the clock; the viewer's parts are theirs", async () => {
	const staff = await login("staff1");
	const maker = await newUser({ verified: true });
	const other = await newUser({ verified: true });
	const cid = competitionAt(6, 86400, 2 * 86400);
	const path = `/competitions/${cid}`;
	const opensMs = epochMs(cid, "opens_at");

	for (const h of await pages(maker, path)) {
		assert.match(h, /phase-upcoming/);
		assert.doesNotMatch(h, new RegExp(`href="${path}/entries"`));
		assert.doesNotMatch(h, new RegExp(`href="${path}/edit"`),
		    "no staff parts for members");
	}
	for (const h of await pages(staff, path))
		assert.match(h, new RegExp(`href="${path}/edit"`));
	for (const h of await pages({ jar: new Jar() }, path))
		assert.doesNotMatch(h, /csrf_token|href="\/judging"/);

	// Staff edit the title and add a criterion before judging.
	let r = await postAs(staff, path, { body: { title: "改过的标题",
	    criteria: [{ name: "创意", weight: 60, max_score: 10 },
	    { name: "工艺细节", weight: 40, max_score: 10 }] } });
	assert.equal(r.status, 200, r.text);
	for (const h of await pages(maker, path)) {
		assert.match(h, /改过的标题/);
		assert.match(h, /工艺细节/);
		assert.match(h, /60%/);
	}

	// The clock opens it: no write.
	await until(opensMs);
	for (const h of await pages(maker, path)) {
		assert.match(h, /phase-open/);
		assert.match(h, new RegExp(`href="${path}/entries"`),
		    "the viewer may enter now");
	}

	// An entry: counted for everyone, listed for its team only.
	const pid = entryOf(maker, undefined, "参赛作品甲");
	r = await postAs(maker, `${path}/entries`, { body: { project_id: pid } });
	assert.equal(r.status, 201, r.text);
	const eid = r.data.entry.id;
	for (const h of await pages(other, path)) {
		assert.match(h, new RegExp(`${zh.comp.entries} 1<`));
		assert.doesNotMatch(h, new RegExp(`href="/entries/${eid}"`));
	}
	for (const h of await pages(maker, path))
		assert.match(h, new RegExp(`href="/entries/${eid}"`));
	for (const h of await pages(other, path))
		assert.doesNotMatch(h, new RegExp(`href="/entries/${eid}"`),
		    "another maker's entries are never shown");

	// A draft is staff's only.
	sql(`UPDATE competitions SET announced_at = NULL WHERE id = ${cid}`);
	r = await getAs(maker, path, { json: false });
	assert.equal(r.status, 404);
	for (const h of await pages(staff, path))
		assert.match(h, /phase-draft/);
	r = await getAs(maker, path, { json: false });
	assert.equal(r.status, 404);
});

test("kept queue and scoring form: assign, drafts, submit, recuse, edits, the clock; judges' own", async () => {
	const staff = await login("staff1");
	const [j1, j2] = [await newUser({ verified: true }),
	    await newUser({ verified: true })];
	const maker = await newUser({ verified: true });
	const cid = competitionAt(-10 * 86400, -3600, 86400);
	const e1 = entryOf(maker, cid, "评审作品一");
	sql(`INSERT INTO comp_judges (competition_id, user_id)
	    VALUES (${cid}, ${j1.user.id}), (${cid}, ${j2.user.id})`);
	const k = sql(`SELECT id FROM comp_criteria WHERE competition_id = ${cid}`);
	const form = `/entries/${e1}/score`;
	const item = (h) => h.match(new RegExp(
	    `#${e1} [^<]*</strong> · ([^<]*)</p>`))?.[1];

	// Anonymous browsers log in first.
	let r = await get("/judging", { json: false });
	assert.equal(r.status, 303);
	assert.match(r.headers.get("location"), /^\/login\?next=\/judging/);

	for (const h of await pages(j1, "/judging"))
		assert.equal(item(h), undefined);
	r = await postAs(staff, `/competitions/${cid}/assign`, { body: {
	    entry_id: e1, username: j1.username } });
	assert.equal(r.status, 200, r.text);
	for (const h of await pages(j1, "/judging")) {
		assert.equal(item(h), zh.comp.statuses.todo);
		assert.match(h, /评审作品一/);
	}
	for (const h of await pages(j1, form))
		assert.match(h, new RegExp(`action="${form}"`));

	// j1's draft: their queue and form show it.
	r = await postAs(j1, form, { body: { scores: { [k]: 7.5 },
	    comment: "甲评委的草稿" } });
	assert.equal(r.status, 200, r.text);
	for (const h of await pages(j1, "/judging"))
		assert.equal(item(h), zh.comp.statuses.draft);
	for (const h of await pages(j1, form)) {
		assert.match(h, /value="7.5"/);
		assert.match(h, /甲评委的草稿/);
	}

	// j2 on the same entry never sees j1's draft, nor j1 theirs.
	r = await postAs(staff, `/competitions/${cid}/assign`, { body: {
	    entry_id: e1, username: j2.username } });
	assert.equal(r.status, 200, r.text);
	for (const h of await pages(j2, form)) {
		assert.match(h, new RegExp(`action="${form}"`));
		assert.doesNotMatch(h, /甲评委的草稿|value="7.5"/);
	}
	r = await postAs(j2, form, { body: { scores: { [k]: 3.5 },
	    comment: "乙评委自己的话" } });
	assert.equal(r.status, 200, r.text);
	for (const h of await pages(j2, form)) {
		assert.match(h, /乙评委自己的话/);
		assert.doesNotMatch(h, /甲评委的草稿|value="7.5"/);
	}
	for (const h of await pages(j1, form)) {
		assert.match(h, /甲评委的草稿/);
		assert.doesNotMatch(h, /乙评委自己的话|value="3.5"/);
	}

	// j1 submits.
	r = await postAs(j1, form, { body: { scores: { [k]: 8 }, submit: true } });
	assert.equal(r.status, 200, r.text);
	for (const h of await pages(j1, "/judging"))
		assert.equal(item(h), zh.comp.statuses.submitted);
	for (const h of await pages(j1, form))
		assert.match(h, /value="8"/);

	// Staff rename the competition: both judges' pages show it.
	r = await postAs(staff, `/competitions/${cid}`, { body: {
	    title: "评审中的新名字" } });
	assert.equal(r.status, 200, r.text);
	for (const h of await pages(j1, "/judging"))
		assert.match(h, /评审中的新名字/);
	for (const h of await pages(j2, form))
		assert.match(h, /评审中的新名字/);

	// j2 recuses: their queue says so, their form has no scoring.
	r = await postAs(j2, `/entries/${e1}/recuse`, { body: {
	    reason: "认识参赛者" } });
	assert.equal(r.status, 200, r.text);
	for (const h of await pages(j2, "/judging"))
		assert.equal(item(h), zh.comp.statuses.recused);
	for (const h of await pages(j2, form))
		assert.doesNotMatch(h, new RegExp(`action="${form}"`));
	for (const h of await pages(j1, form))
		assert.match(h, new RegExp(`action="${form}"`));

	// The clock ends judging: no write.
	sql(`UPDATE competitions SET judging_ends_at = now() + interval '5 s'
	    WHERE id = ${cid}`);
	const endsMs = epochMs(cid, "judging_ends_at");
	for (const h of await pages(j1, "/judging"))
		assert.match(h, new RegExp(`href="${form}"`));
	for (const h of await pages(j1, form))
		assert.match(h, new RegExp(`action="${form}"`));
	await until(endsMs);
	for (const h of await pages(j1, "/judging")) {
		assert.doesNotMatch(h, new RegExp(`href="${form}"`));
		assert.match(h, new RegExp(zh.comp.phases.review));
	}
	for (const h of await pages(j1, form))
		assert.doesNotMatch(h, new RegExp(`action="${form}"`));
});

// What a browser gets from the kept parts is the page the template makes
// whole (API tokens take that path): the same HTML but the session's
// CSRF tokens.
test("kept pages are the whole pages", async () => {
	const staff = await login("staff1");
	const judge = await newUser({ verified: true });
	const maker = await newUser({ verified: true });
	const cid = competitionAt(-10 * 86400, -3600, 86400);
	sql(`UPDATE competitions SET summary = '概要', brief_html = '<p>说明</p>',
	    awards = '[{"label": "金奖", "top": 1}]' WHERE id = ${cid}`);
	const eid = entryOf(maker, cid, "完整页面作品");
	sql(`INSERT INTO comp_judges (competition_id, user_id)
	    VALUES (${cid}, ${judge.user.id})`);
	let r = await postAs(staff, `/competitions/${cid}/assign`, { body: {
	    entry_id: eid, username: judge.username } });
	assert.equal(r.status, 200, r.text);
	r = await postAs(judge, "/settings/tokens", { body: { name: "whole" } });
	assert.equal(r.status, 201, r.text);
	const bearer = { authorization: `Bearer ${r.data.token.secret}` };
	const norm = (h) => h.replace(/name="csrf" value="[^"]*"/g, "csrf")
	    .replace(/>\s+</g, "><").replace(/\s+/g, " ");
	for (const path of [`/competitions/${cid}`, "/judging",
	    `/entries/${eid}/score`]) {
		const whole = await get(path, { json: false, headers: bearer });
		assert.equal(whole.status, 200, whole.text);
		for (const h of await pages(judge, path))
			assert.equal(norm(h), norm(whole.text), path);
	}
});

// Before the close a queue shows the entered project's own title: its
// maker renaming it shows there (the entry is not frozen yet).
test("kept queue follows an entered project's new title until the close", async () => {
	const staff = await login("staff1");
	const judge = await newUser({ verified: true });
	const maker = await newUser({ verified: true });
	const cid = competitionAt(-86400, 86400, 2 * 86400);
	const eid = entryOf(maker, cid, "开放中的作品");
	sql(`INSERT INTO comp_judges (competition_id, user_id)
	    VALUES (${cid}, ${judge.user.id})`);
	const r = await postAs(staff, `/competitions/${cid}/assign`, { body: {
	    entry_id: eid, username: judge.username } });
	assert.equal(r.status, 200, r.text);
	for (const h of await pages(judge, "/judging"))
		assert.match(h, /开放中的作品/);
	sql(`UPDATE projects SET title = '改名后的作品' WHERE id =
	    (SELECT project_id FROM comp_entries WHERE id = ${eid})`);
	for (const h of await pages(judge, "/judging")) {
		assert.match(h, /改名后的作品/);
		assert.doesNotMatch(h, /开放中的作品/);
	}
});

// Readers who find a kept page stale while another request refreshes it
// wait for that refresh (app/comp_pages.c, one at a time): a burst right
// after each draft all get the new one.
test("a burst of reads right after a write all get the new page", async () => {
	const staff = await login("staff1");
	const judge = await newUser({ verified: true });
	const maker = await newUser({ verified: true });
	const cid = competitionAt(-10 * 86400, -3600, 86400);
	const eid = entryOf(maker, cid, "并发读取作品");
	sql(`INSERT INTO comp_judges (competition_id, user_id)
	    VALUES (${cid}, ${judge.user.id})`);
	let r = await postAs(staff, `/competitions/${cid}/assign`, { body: {
	    entry_id: eid, username: judge.username } });
	assert.equal(r.status, 200, r.text);
	const k = sql(`SELECT id FROM comp_criteria WHERE competition_id = ${cid}`);
	const form = `/entries/${eid}/score`;
	for (const v of ["1.5", "6", "9.5"]) {
		r = await postAs(judge, form, { body: { scores: { [k]: Number(v) } } });
		assert.equal(r.status, 200, r.text);
		const all = await Promise.all(Array.from({ length: 24 }, (_, i) =>
		    getAs(judge, i % 2 ? form : "/judging", { json: false })));
		for (const [i, x] of all.entries()) {
			assert.equal(x.status, 200, x.text);
			if (i % 2)
				assert.match(x.text, new RegExp(`value="${v}"`));
			else
				assert.match(x.text, new RegExp(zh.comp.statuses.draft));
		}
	}
});
