// Published results pages are kept rendered by each worker under the
// competition's results_version (app/comp_results.c,
// migrations/0018_comp_speed.sql).  What the page shows must still follow
// every change: a team member's new name, staff editing the awards, a
// judge stepping back; staff keep seeing their own parts, members never
// see them, and JSON clients get the same figures.
import { test } from "node:test";
import assert from "node:assert/strict";

import { getAs, login, newUser, postAs, sql } from "./lib.mjs";

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
