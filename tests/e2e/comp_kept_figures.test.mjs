// Each score keeps its judge's total and its items in the criteria's
// order (migrations/0019_comp_results_speed.sql), maintained by the
// database in the writing transaction, and competition_results() reads
// those instead of the items.  After every kind of write that can move
// them (a score edited and submitted again, saved back to a draft, an
// item cleared, a judge recused, a criterion's weight and scale changed,
// the criteria reordered, removed or added) the kept figures and the
// results must equal the independent implementation
// (tests/e2e/comp_results_ref.mjs) again.  The results page's own round
// trip (app/comp_results.c): the viewer comes with the check, so a kept
// page never carries another reader's header, and an API token is still
// resolved (staff see their view).
import { test } from "node:test";
import assert from "node:assert/strict";

import { DB, get, getAs, login, newUser, postAs, sql } from "./lib.mjs";
import { referenceResults } from "./comp_results_ref.mjs";
import { dbResults, insertCompetitions, makeUsers } from
    "./comp_results_fixture.mjs";

const near = (a, b, what) => {
	assert.ok(a !== null && b !== null && Math.abs(a - b) <= 1e-9,
	    `${what}: ${a} vs ${b}`);
};

const tag = () => `kf${process.pid % 10000}_${Date.now() % 100000}`;

// The criteria in their order (position, id), as the kept items are.
const ordered = (c) => [...c.criteria].sort((a, b) =>
    a.position - b.position || a.id - b.id);

// The kept figures and the results of c against the reference.
function check(c, what) {
	const crit = ordered(c);
	const kept = JSON.parse(sql(`SELECT coalesce(json_agg(json_build_object(
	    'entry_id', s.entry_id, 'judge_id', s.judge_id, 'total', s.total,
	    'items', s.items)), '[]')
	    FROM comp_scores s JOIN comp_entries e ON e.id = s.entry_id
	    WHERE e.competition_id = ${c.id}`));
	assert.equal(kept.length, c.scores.length, `${what}: scores`);
	for (const k of kept) {
		const s = c.scores.find((x) => x.entry_id === k.entry_id &&
		    x.judge_id === k.judge_id);
		const w = `${what}: score ${k.entry_id}/${k.judge_id}`;
		assert.ok(s, w);
		let total = 0;
		for (const cr of crit)
			if (s.items[cr.id] !== undefined)
				total += cr.weight * s.items[cr.id] / cr.max_score;
		near(k.total, total, `${w} total`);
		assert.deepEqual(k.items, crit.map((cr) =>
		    s.items[cr.id] ?? null), `${w} items`);
	}
	const ref = referenceResults(c);
	const rows = dbResults(DB, [c.id]).get(c.id);
	assert.equal(rows.length, ref.size, `${what}: rows`);
	for (const g of rows) {
		const r = ref.get(g.entry_id);
		const w = `${what}: entry ${g.entry_id}`;
		assert.ok(r, w);
		if (r.score === null) {
			assert.equal(g.score, null, w);
		} else {
			near(g.score, r.score, `${w} score`);
			near(g.raw_score, r.raw_score, `${w} raw`);
		}
		assert.equal(g.rank, r.rank, `${w} rank`);
		assert.equal(g.flagged, r.flagged, `${w} flagged`);
		assert.equal(g.award, r.award, `${w} award`);
		assert.equal(g.judges, r.judges, `${w} judges`);
		assert.deepEqual(g.criteria.map((x) => x.id),
		    r.criteria.map((x) => x.id), `${w} criteria`);
		g.criteria.forEach((x, i) => {
			if (r.criteria[i].mean === null)
				assert.equal(x.mean, null, `${w} mean`);
			else
				near(x.mean, r.criteria[i].mean, `${w} mean`);
		});
	}
}

// A judge's save through the function the scoring form calls
// (migrations/0016_competitions.sql comp_score_save): values by
// criterion id, "" clears one.
function save(c, judge, entry, values, submit) {
	sql(`SELECT comp_score_save(${judge}, ${entry},
	    '${JSON.stringify(values)}'::jsonb, NULL, NULL, NULL, ${submit})`);
	const s = c.scores.find((x) => x.entry_id === entry &&
	    x.judge_id === judge);
	for (const [id, v] of Object.entries(values)) {
		if (v === "")
			delete s.items[id];
		else
			s.items[id] = v;
	}
	s.submitted = submit;
}

test("kept totals and items follow every write, and the results with them", () => {
	const u = makeUsers(DB, 9, tag());
	const judges = u.slice(0, 5);
	const scores = [];
	for (let e = 0; e < 4; e++)
		for (const [n, j] of judges.entries())
			scores.push({ e, judge_id: j, submitted: true,
			    items: { 0: (e + n) % 8, 1: ((e * 3 + n) % 7) / 2,
			    2: (e * 5 + n * 3) % 21 } });
	const [c] = insertCompetitions(DB, [{
		method: "zscore", discrepancy: 30,
		awards: [{ label: "一等奖", top: 1 }, { label: "二等奖", top: 2 }],
		// Weights over scales that do not divide them: totals that
		// are not exact in binary.
		criteria: [
			{ position: 1, name: "创意", weight: 30, max_score: 7 },
			{ position: 2, name: "制作", weight: 45, max_score: 3 },
			{ position: 3, name: "展示", weight: 25, max_score: 20 },
		],
		entries: [0, 1, 2, 3].map((i) => ({ status: "submitted",
		    submitter: u[5 + i] })),
		judges, scores, votes: [],
	}], u[0]);
	const [e0, e1, e2, e3] = c.entries.map((e) => e.id);
	const [k0, k1, k2] = c.criteria.map((k) => k.id);
	check(c, "as loaded");

	save(c, judges[0], e0, { [k0]: 6.5, [k1]: 0.5, [k2]: 19 }, true);
	check(c, "a score edited and submitted again");

	save(c, judges[1], e1, { [k1]: 3 }, false);
	check(c, "saved back to a draft with a new value");
	save(c, judges[1], e1, {}, true);
	check(c, "submitted again");

	save(c, judges[2], e2, { [k2]: "" }, false);
	check(c, "an item cleared (a draft)");

	sql(`SELECT comp_recuse(${judges[3]}, ${e3}, 'conflict')`);
	c.scores.find((s) => s.entry_id === e3 &&
	    s.judge_id === judges[3]).recused = true;
	check(c, "a judge recused");

	sql(`UPDATE comp_criteria SET weight = 40, max_score = 9
	    WHERE id = ${k0}`);
	sql(`UPDATE comp_criteria SET weight = 35 WHERE id = ${k1}`);
	Object.assign(c.criteria[0], { weight: 40, max_score: 9 });
	c.criteria[1].weight = 35;
	check(c, "a criterion's weight and scale changed");

	sql(`UPDATE comp_criteria SET position = 9 WHERE id = ${k0};
	    UPDATE comp_criteria SET position = 1 WHERE id = ${k2};
	    UPDATE comp_criteria SET position = 3 WHERE id = ${k0}`);
	c.criteria[0].position = 3;
	c.criteria[2].position = 1;
	check(c, "the criteria reordered");

	sql(`DELETE FROM comp_criteria WHERE id = ${k1}`);
	c.criteria.splice(1, 1);
	for (const s of c.scores)
		delete s.items[k1];
	check(c, "a criterion removed");

	const k3 = Number(sql(`INSERT INTO comp_criteria (competition_id,
	    position, name, weight, max_score) VALUES (${c.id}, 2, '新增', 35,
	    10) RETURNING id`));
	c.criteria.push({ id: k3, position: 2, name: "新增", weight: 35,
	    max_score: 10 });
	check(c, "a criterion added");
	save(c, judges[4], e0, { [k3]: 7.5 }, true);
	check(c, "the new criterion scored");

	assert.throws(() => sql(`INSERT INTO comp_criteria (competition_id,
	    position, name, weight, max_score) VALUES (${c.id}, 11, 'x', 1,
	    10)`), /comp_criteria_position/, "at most 10 criteria");
});

test("results page: the viewer comes with the check, API tokens still resolve", async () => {
	const u = makeUsers(DB, 2, tag());
	const [c] = insertCompetitions(DB, [{
		method: "mean", discrepancy: 30, awards: [],
		criteria: [{ position: 1, name: "All", weight: 100,
		    max_score: 10 }],
		entries: [{ status: "submitted", submitter: u[1],
		    title: "round trip entry" }],
		judges: [u[0]],
		scores: [{ e: 0, judge_id: u[0], items: { 0: 8 },
		    submitted: true }],
		votes: [],
	}], u[0]);
	const path = `/competitions/${c.id}/results`;
	const staff = await login("staff1");
	const a = await newUser({ verified: true, display_name: "读者甲" });
	const b = await newUser({ verified: true, display_name: "读者乙" });

	// In judging: staff only, whether by cookie or by API token.
	let r = await getAs(a, path, { json: false });
	assert.equal(r.status, 404);
	r = await getAs(staff, path, { json: false });
	assert.equal(r.status, 200, r.text);
	assert.match(r.text, /results\.csv/);
	r = await postAs(staff, "/settings/tokens", { body: { name: "kf" } });
	assert.equal(r.status, 201, r.text);
	const auth = { authorization: `Bearer ${r.data.token.secret}` };
	r = await get(path, { headers: auth });
	assert.equal(r.status, 200, r.text);
	assert.equal(r.data.staff, true);
	assert.match(r.data.competition.csv_url, /results\.csv$/);
	assert.ok(r.data.progress);

	sql(`UPDATE competitions SET judging_ends_at = now() - interval
	    '1 hour' WHERE id = ${c.id}`);
	sql(`SELECT comp_publish(${c.id}, (SELECT id FROM users
	    WHERE username = 'staff1'), false, '')`);
	// Published: each browser gets its own header from every worker,
	// whoever's request made the page the worker keeps.
	for (let i = 0; i < 6; i++) {
		for (const [me, other] of [[a, b], [b, a]]) {
			r = await getAs(me, path, { json: false });
			assert.equal(r.status, 200, r.text);
			assert.match(r.text, /round trip entry/);
			assert.ok(r.text.includes(`href="/u/${me.username}"`),
			    "the reader's own menu");
			assert.ok(!r.text.includes(`/u/${other.username}"`),
			    "never another reader's");
			assert.doesNotMatch(r.text, /results\.csv/);
		}
	}
	r = await get(path, { json: false });
	assert.equal(r.status, 200);
	assert.doesNotMatch(r.text, /\/logout/, "a visitor has no menu");
	r = await get(path, { headers: auth });
	assert.equal(r.data.staff, true, "staff's token: staff's view");
	r = await getAs(a, path);
	assert.equal(r.data.staff, false);
	assert.equal(r.data.me.username, a.username);
});
