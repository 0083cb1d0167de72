// Competition results (issue 14, items 4-5): competition_results() by
// hand-computed numbers for each method (docs/competitions.md works the
// first one through), ties, flagged entries and awards, against an
// independent implementation on 200 random competitions; the results
// page and who sees it, publishing, the CSV as a spreadsheet opens it,
// public votes, certificates and /verify.
//
// The competitions, judges and scores are written into the database
// (tests/e2e/comp_results_fixture.mjs); every behaviour under test is
// asked for over HTTP or, for the scoring function itself, in SQL.
import { test } from "node:test";
import assert from "node:assert/strict";

import { BASE, DB, get, getAs, login, newUser, postAs, sql } from "./lib.mjs";
import { referenceResults } from "./comp_results_ref.mjs";
import { dbResults, insertCompetitions, makeUsers, randomCompetition, rng }
    from "./comp_results_fixture.mjs";

const near = (a, b, what) => {
	assert.ok(a !== null && b !== null && Math.abs(a - b) <= 1e-9,
	    `${what}: ${a} vs ${b}`);
};

let tagSeq = 0;
const tag = () => `cr${process.pid % 10000}_${Date.now() % 100000}_${++tagSeq}`;

// The worked example of docs/competitions.md: criteria Idea (weight 40,
// out of 10) and Build (weight 60, out of 20), three judges, three
// entries; a draft score, a recused judge and a withdrawn entry that
// must not count.
function workedExample(users, method, extra = {}) {
	const [j1, j2, j3, j4, j5, a, b, c, d] = users;
	const s = (e, judge, idea, build, opts = {}) => ({ e, judge_id: judge,
	    items: { 0: idea, 1: build }, submitted: opts.draft ? false : true,
	    recused: !!opts.recused });
	return {
		method, discrepancy: 30,
		awards: [{ label: "一等奖", top: 1 }, { label: "二等奖", top: 2 }],
		criteria: [
			{ position: 1, name: "创意 Idea", weight: 40, max_score: 10 },
			{ position: 2, name: "制作 Build", weight: 60, max_score: 20 },
		],
		entries: [
			{ status: "submitted", submitter: a, title: "E1 智能花盆" },
			{ status: "submitted", submitter: b, title: "E2 =1+2" },
			{ status: "submitted", submitter: c, title: "E3 Lamp" },
			{ status: "withdrawn", submitter: d, title: "E4 gone" },
		],
		judges: [j1, j2, j3, j4, j5],
		scores: [
			s(0, j1, 8, 15), s(1, j1, 6, 10), s(2, j1, 9, 18),
			s(0, j2, 7, 16), s(1, j2, 9, 19), s(2, j2, 5, 12),
			s(0, j3, 10, 20), s(1, j3, 4, 8), s(2, j3, 7, 14),
			s(0, j4, 0, 0, { draft: true }),
			s(1, j5, 10, 20, { recused: true }),
			s(3, j1, 10, 20),
		],
		votes: [],
		...extra,
	};
}

async function staffLogin() {
	return login("staff1");
}

function phase(cid, which) {
	if (which === "review")
		sql(`UPDATE competitions SET judging_ends_at = now() -
		    interval '1 hour' WHERE id = ${cid}`);
	else if (which === "judging")
		sql(`UPDATE competitions SET judging_ends_at = now() +
		    interval '1 day', published_at = NULL WHERE id = ${cid}`);
}

function byEntry(rows) {
	return new Map(rows.map((r) => [r.entry_id ?? r.entry.id, r]));
}

test("mean: the worked example's totals, ranks, flags, awards and criteria means", () => {
	const users = makeUsers(DB, 9, tag());
	const [c] = insertCompetitions(DB, [workedExample(users, "mean")],
	    users[0]);
	const rows = byEntry(dbResults(DB, [c.id]).get(c.id));
	const [e1, e2, e3, e4] = c.entries.map((e) => e.id);
	assert.equal(rows.size, 3, "the withdrawn entry is not in the results");
	assert.ok(!rows.has(e4));
	// Totals: E1 77, 76, 100; E2 54, 93, 40; E3 90, 56, 70.
	near(rows.get(e1).score, 253 / 3, "E1 mean");
	near(rows.get(e2).score, 187 / 3, "E2 mean");
	near(rows.get(e3).score, 72, "E3 mean");
	assert.deepEqual([rows.get(e1).rank, rows.get(e3).rank,
	    rows.get(e2).rank], [1, 2, 3]);
	assert.equal(rows.get(e1).judges, 3, "the draft and the recused judge "
	    + "do not count");
	assert.equal(rows.get(e2).judges, 3);
	assert.deepEqual([rows.get(e1).flagged, rows.get(e2).flagged,
	    rows.get(e3).flagged], [false, true, true],
	    "ranges 24, 53 and 34 against a discrepancy of 30");
	assert.deepEqual([rows.get(e1).award, rows.get(e3).award,
	    rows.get(e2).award], ["一等奖", "二等奖", null]);
	const [idea, build] = rows.get(e1).criteria;
	assert.equal(idea.id, c.criteria[0].id);
	near(idea.mean, 25 / 3, "E1 idea mean");
	near(build.mean, 17, "E1 build mean");
	near(rows.get(e1).raw_score, 253 / 3, "raw score is the mean");
});

test("zscore: each judge standardised, rescaled to all totals (hand-computed)", () => {
	const users = makeUsers(DB, 9, tag());
	const [c] = insertCompetitions(DB, [workedExample(users, "zscore")],
	    users[0]);
	const rows = byEntry(dbResults(DB, [c.id]).get(c.id));
	const [e1, e2, e3] = c.entries.map((e) => e.id);
	// All totals: M = 656/9 = 72.888..., S = 18.829317828231144.
	// J1 77, 54, 90: m 73.667, s 14.884742374510738, and so on
	// (docs/competitions.md).
	near(rows.get(e1).score, 82.3965510949809, "E1 zscore");
	near(rows.get(e2).score, 64.38011954138443, "E2 zscore");
	near(rows.get(e3).score, 71.88999603030133, "E3 zscore");
	near(rows.get(e1).raw_score, 253 / 3, "raw score stays the mean");
	assert.deepEqual([rows.get(e1).rank, rows.get(e3).rank,
	    rows.get(e2).rank], [1, 2, 3]);

	// A judge with one entry, and a judge with no spread, keep raw totals.
	const u2 = makeUsers(DB, 6, tag());
	const [k] = insertCompetitions(DB, [{
		method: "zscore", discrepancy: 100, awards: [],
		criteria: [{ position: 1, name: "All", weight: 100,
		    max_score: 10 }],
		entries: [{ status: "submitted", submitter: u2[3] },
		    { status: "submitted", submitter: u2[4] }],
		judges: [u2[0], u2[1], u2[2]],
		scores: [
			{ e: 0, judge_id: u2[0], items: { 0: 8 }, submitted: true },
			{ e: 1, judge_id: u2[0], items: { 0: 4 }, submitted: true },
			{ e: 0, judge_id: u2[1], items: { 0: 5 }, submitted: true },
			{ e: 0, judge_id: u2[2], items: { 0: 7 }, submitted: true },
			{ e: 1, judge_id: u2[2], items: { 0: 7 }, submitted: true },
		],
		votes: [],
	}], u2[0]);
	const kr = byEntry(dbResults(DB, [k.id]).get(k.id));
	// Totals 80, 40 (judge 1), 50 (judge 2, one entry), 70, 70 (judge
	// 3, no spread): M = 62, S = sqrt(((18)²+(22)²+(12)²+8²+8²)/5) =
	// sqrt(216) = 14.696938456699069.  Judge 1: m 60, s 20.
	const S = Math.sqrt(216);
	near(kr.get(k.entries[0].id).score, (62 + S + 50 + 70) / 3,
	    "entry 1: judge 1 standardised, judges 2 and 3 raw");
	near(kr.get(k.entries[1].id).score, (62 - S + 70) / 2, "entry 2");
});

test("trimmed: five judges drop the highest and lowest total, four do not", () => {
	const u = makeUsers(DB, 8, tag());
	const totals5 = [50, 60, 70, 80, 95];
	const totals4 = [50, 60, 70, 90];
	const scores = [];
	totals5.forEach((t, i) => scores.push({ e: 0, judge_id: u[i],
	    items: { 0: t / 10 }, submitted: true }));
	totals4.forEach((t, i) => scores.push({ e: 1, judge_id: u[i],
	    items: { 0: t / 10 }, submitted: true }));
	const [c] = insertCompetitions(DB, [{
		method: "trimmed", discrepancy: 40,
		awards: [{ label: "Gold", top: 1 }],
		criteria: [{ position: 1, name: "All", weight: 100,
		    max_score: 10 }],
		entries: [{ status: "submitted", submitter: u[5] },
		    { status: "submitted", submitter: u[6] }],
		judges: u.slice(0, 5), scores, votes: [],
	}], u[0]);
	const rows = byEntry(dbResults(DB, [c.id]).get(c.id));
	const a = rows.get(c.entries[0].id), b = rows.get(c.entries[1].id);
	near(a.score, 70, "(60 + 70 + 80) / 3");
	near(a.raw_score, 71, "the plain mean of all five");
	near(b.score, 67.5, "four judges: the plain mean");
	assert.equal(a.rank, 1);
	assert.equal(a.award, "Gold");
	assert.equal(a.flagged, true, "95 - 50 > 40");
	assert.equal(b.flagged, false, "90 - 50 = 40 is not more than 40");
});

test("ties to 0.01 share a rank and the next rank skips (1, 2, 2, 4)", () => {
	const u = makeUsers(DB, 5, tag());
	const s = (e, a, b) => ({ e, judge_id: u[0], items: { 0: a, 1: b },
	    submitted: true });
	const [c] = insertCompetitions(DB, [{
		method: "mean", discrepancy: 30,
		awards: [{ label: "A", top: 1 }, { label: "B", top: 3 },
		    { label: "C", top: 4 }],
		criteria: [
			{ position: 1, name: "x", weight: 23, max_score: 11 },
			{ position: 2, name: "y", weight: 77, max_score: 13 },
		],
		entries: [0, 1, 2, 3].map((i) => ({ status: "submitted",
		    submitter: u[1 + i] })),
		judges: [u[0]],
		// 70.2062937..., 70.2097902..., 100, 0: the first two differ
		// by 0.0035 and are both 70.21.
		scores: [s(0, 1, 11.5), s(1, 9.5, 8.5), s(2, 11, 13), s(3, 0, 0)],
		votes: [],
	}], u[0]);
	const rows = byEntry(dbResults(DB, [c.id]).get(c.id));
	const [e1, e2, e3, e4] = c.entries.map((e) => rows.get(e.id));
	assert.ok(e2.score > e1.score && e2.score - e1.score < 0.005);
	assert.deepEqual([e3.rank, e1.rank, e2.rank, e4.rank], [1, 2, 2, 4]);
	assert.deepEqual([e3.award, e1.award, e2.award, e4.award],
	    ["A", "B", "B", "C"], "awards follow the shared ranks");
});

test("200 random competitions: the same as an independent implementation", () => {
	const r = rng(20261125);
	const users = makeUsers(DB, 30, tag());
	const comps = [];
	for (let i = 0; i < 200; i++)
		comps.push(randomCompetition(r, users));
	insertCompetitions(DB, comps, users[0]);
	const got = dbResults(DB, comps.map((c) => c.id));
	const seen = { zscore: 0, trimmed5: 0, ties: 0, flagged: 0,
	    unscored: 0, rows: 0 };
	for (const c of comps) {
		const ref = referenceResults(c);
		const rows = got.get(c.id);
		assert.equal(rows.length, ref.size, `competition ${c.id}: rows`);
		const ranks = new Map();
		for (const g of rows) {
			const w = ref.get(g.entry_id);
			const what = `competition ${c.id} (${c.method}) entry ` +
			    g.entry_id;
			assert.ok(w, what);
			if (w.score === null) {
				assert.equal(g.score, null, what);
				seen.unscored++;
			} else {
				near(g.score, w.score, `${what} score`);
				near(g.raw_score, w.raw_score, `${what} raw`);
			}
			assert.equal(g.rank, w.rank, `${what} rank`);
			assert.equal(g.flagged, w.flagged, `${what} flagged`);
			assert.equal(g.award, w.award, `${what} award`);
			assert.equal(g.judges, w.judges, `${what} judges`);
			assert.equal(g.votes, w.votes, `${what} votes`);
			assert.equal(g.criteria.length, w.criteria.length);
			g.criteria.forEach((x, i) => {
				assert.equal(x.id, w.criteria[i].id);
				if (w.criteria[i].mean === null)
					assert.equal(x.mean, null, what);
				else
					near(x.mean, w.criteria[i].mean,
					    `${what} criterion ${x.id}`);
			});
			seen.rows++;
			if (g.flagged)
				seen.flagged++;
			if (c.method === "zscore" && g.judges > 1)
				seen.zscore++;
			if (c.method === "trimmed" && g.judges >= 5)
				seen.trimmed5++;
			if (g.rank !== null) {
				if (ranks.has(g.rank))
					seen.ties++;
				ranks.set(g.rank, true);
			}
		}
	}
	// The random data did reach every rule.
	assert.ok(seen.rows > 500, `rows ${seen.rows}`);
	for (const k of ["zscore", "trimmed5", "ties", "flagged", "unscored"])
		assert.ok(seen[k] > 5, `${k}: ${seen[k]}`);
});

// ------------------------------------------------------------------
// Over HTTP.

// The worked example with real accounts for the teams (to log in as)
// and titles; returns the competition and the team members.
async function httpExample(method, extra = {}) {
	const judges = makeUsers(DB, 5, tag());
	const team = [];
	for (let i = 0; i < 4; i++)
		team.push(await newUser({ verified: true,
		    display_name: i === 1 ? "@张伟" : `队员 ${i + 1}` }));
	const ids = [...judges, ...team.map((t) => t.user.id)];
	const [c] = insertCompetitions(DB, [workedExample(ids, method,
	    extra)], judges[0]);
	return { c, team, judges };
}

test("results: staff from judging with progress, everyone once published", async () => {
	const { c, team } = await httpExample("mean");
	const staff = await staffLogin();
	const url = `/competitions/${c.id}/results`;

	let r = await get(url);
	assert.equal(r.status, 404, "not public while judging");
	r = await getAs(team[0], url);
	assert.equal(r.status, 404, "not for a team while judging");
	r = await getAs(staff, url);
	assert.equal(r.status, 200, r.text);
	assert.equal(r.data.method, "mean");
	assert.deepEqual(r.data.progress, { scored: 9, expected: 10 },
	    "nine submitted, one draft; the recused judge is not expected");
	const [first, second, third] = r.data.results;
	assert.deepEqual([first.rank, second.rank, third.rank], [1, 2, 3]);
	assert.equal(first.entry.id, c.entries[0].id);
	near(first.score, 253 / 3, "E1 over HTTP");
	assert.equal(first.score_text, "84.33");
	assert.equal(first.award, "一等奖");
	assert.equal(third.flagged, true);
	assert.ok(first.criteria.every((x) => "id" in x && "mean" in x));

	r = await getAs(staff, url, { json: false });
	assert.equal(r.status, 200);
	assert.match(r.text, /84\.33/);
	assert.match(r.text, /<progress max="10" value="9">/);
	assert.match(r.text, /class="result flagged"/, "flagged entries marked");
	assert.match(r.text, new RegExp(`action="/competitions/${c.id}/publish"`));

	phase(c.id, "review");
	r = await postAs(staff, `/competitions/${c.id}/publish`, { body: {} });
	assert.equal(r.status, 200, r.text);
	r = await get(url);
	assert.equal(r.status, 200, "public once published");
	assert.equal(r.data.results.length, 3);
	assert.equal(r.data.results[0].entry.title, "E1 智能花盆");
	r = await get(url + "?lang=en", { json: false });
	assert.equal(r.status, 200);
	assert.doesNotMatch(r.text, /\/publish"/, "no publish form for visitors");
	assert.doesNotMatch(r.text, /results\.csv/, "no export for visitors");
	r = await get(`/competitions/999999999/results`);
	assert.equal(r.status, 404);
});

test("publish: review, or judging with force and a reason (audited); twice is 409 wrong_phase", async () => {
	const { c, team } = await httpExample("mean");
	const staff = await staffLogin();
	const url = `/competitions/${c.id}/publish`;

	let r = await postAs(team[0], url, { body: { force: true,
	    reason: "x" } });
	assert.equal(r.status, 403, "members may not publish");
	r = await postAs(staff, url, { body: {} });
	assert.equal(r.status, 409);
	assert.equal(r.data.error.code, "wrong_phase", "judging needs force");
	r = await postAs(staff, url, { body: { force: true } });
	assert.equal(r.status, 422, "force needs a reason");
	assert.ok(r.data.error.fields.reason);
	r = await postAs(staff, url, { body: { force: true,
	    reason: "颁奖典礼提前 award ceremony moved" } });
	assert.equal(r.status, 200, r.text);
	assert.equal(r.data.competition.phase, "results");
	assert.equal(r.data.competition.forced, true);
	assert.equal(r.data.competition.certificates, 2);
	const audit = JSON.parse(sql(`SELECT row_to_json(a) FROM audit_log a
	    WHERE action = 'comp_publish' AND (details ->> 'competition_id')
	    = '${c.id}'`));
	assert.equal(audit.reason, "颁奖典礼提前 award ceremony moved");
	assert.equal(audit.details.forced, true);
	assert.equal(audit.actor_id, staff.user.id);

	r = await postAs(staff, url, { body: { force: true, reason: "again" } });
	assert.equal(r.status, 409);
	assert.equal(r.data.error.code, "wrong_phase");
	assert.match(r.data.error.message, /已经发布|already/);

	// A browser's form: 303 to the results.
	const other = await httpExample("mean");
	phase(other.c.id, "review");
	r = await postAs(staff, `/competitions/${other.c.id}/publish`, {
	    json: false, form: { csrf: staff.csrf } });
	assert.equal(r.status, 303);
	assert.equal(r.headers.get("location"),
	    `/competitions/${other.c.id}/results`);
	assert.equal(sql(`SELECT count(*) FROM comp_certificates k
	    JOIN comp_entries e ON e.id = k.entry_id
	    WHERE e.competition_id = ${other.c.id}`), "2");
});

test("results.csv: staff only; BOM, CRLF, Chinese, formulas neutralised, every judge's scores", async () => {
	const { c, team } = await httpExample("zscore");
	const staff = await staffLogin();
	const url = `/competitions/${c.id}/results.csv`;
	let r = await getAs(team[0], url);
	assert.equal(r.status, 403);
	r = await get(url);
	assert.equal(r.status, 401);

	const res = await fetch(BASE + url, { headers: {
	    cookie: staff.jar.header(), accept: "application/json" } });
	assert.equal(res.status, 200);
	assert.match(res.headers.get("content-type"), /^text\/csv; charset=utf-8/);
	assert.match(res.headers.get("content-disposition"),
	    /attachment; filename="competition-\d+-results\.csv"/);
	const bytes = Buffer.from(await res.arrayBuffer());
	assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], "BOM");
	const text = bytes.subarray(3).toString("utf8");
	assert.ok(text.endsWith("\r\n"));
	assert.doesNotMatch(text.replace(/\r\n/g, ""), /[\r\n]/,
	    "every line ends in CRLF");
	const lines = text.slice(0, -2).split("\r\n");
	// Header + 3 judges x 3 entries (draft, recused and withdrawn left out).
	assert.equal(lines.length, 1 + 9);
	const header = lines[0].split(",");
	assert.equal(header[0], "名次");
	assert.ok(header.includes("创意 Idea") && header.includes("制作 Build"));
	const cells = lines.slice(1).map((l) => l.split(","));
	const e2 = cells.filter((x) => x[1] === String(c.entries[1].id));
	assert.equal(e2.length, 3);
	assert.equal(e2[0][2], "E2 =1+2", "an '=' inside a cell is left alone");
	assert.ok(text.includes("@张伟"), "Chinese names as UTF-8");
	// The team cell starts with '@': neutralised.
	assert.ok(e2[0][3].startsWith("'@张伟"), e2[0][3]);
	// Numbers are plain numbers: Idea and Build of judge 1 for E2.
	const idea = header.indexOf("创意 Idea");
	const j1row = e2.find((x) => x[4].endsWith("_1"));
	assert.equal(j1row[idea], "6.0");
	assert.equal(j1row[idea + 1], "10.0");
	assert.equal(j1row[idea + 2], "54.0000", "judge total");
	assert.match(j1row[idea + 3], /^48\.01\d\d$/, "normalised total");

	// A title that is a formula on its own is prefixed.
	sql(`UPDATE comp_entries SET snapshot = '{"title": "=HYPERLINK(\\"http://x\\")"}'
	    WHERE id = ${c.entries[2].id}`);
	const t2 = await (await fetch(BASE + url + "?lang=en", { headers: {
	    cookie: staff.jar.header() } })).text();
	assert.ok(t2.includes(`"'=HYPERLINK(""http://x"")"`), t2);
	assert.ok(t2.startsWith("Rank,"), "headers in English");
});

test("votes: judging and public_vote only, never one's own team, at most votes_per_user", async () => {
	const { c, team } = await httpExample("mean");
	sql(`UPDATE competitions SET votes_per_user = 2 WHERE id = ${c.id}`);
	const voter = await newUser({ verified: true });
	const [e1, e2, e3] = c.entries.map((e) => e.id);

	let r = await postAs(voter, `/entries/${e1}/vote`, { body: {} });
	assert.equal(r.status, 200, r.text);
	assert.deepEqual(r.data.vote, { entry_id: e1, url: `/entries/${e1}`,
	    voted: true, votes_used: 1, votes_left: 1 });
	r = await postAs(voter, `/entries/${e1}/vote`, { body: {} });
	assert.equal(r.data.vote.votes_used, 1, "one vote per entry");
	r = await postAs(voter, `/entries/${e2}/vote`, { body: {} });
	assert.equal(r.data.vote.votes_left, 0);
	r = await postAs(voter, `/entries/${e3}/vote`, { body: {} });
	assert.equal(r.status, 409, "over the limit");
	assert.match(r.data.error.message, /票已经投完|used all/);
	r = await postAs(voter, `/entries/${e2}/unvote`, { body: {} });
	assert.equal(r.status, 200);
	assert.equal(r.data.vote.votes_left, 1);
	r = await postAs(voter, `/entries/${e3}/vote`, { body: {} });
	assert.equal(r.status, 200);

	r = await postAs(team[0], `/entries/${e1}/vote`, { body: {} });
	assert.equal(r.status, 403, "not for one's own entry");
	const unverified = await newUser();
	r = await postAs(unverified, `/entries/${e2}/vote`, { body: {} });
	assert.equal(r.status, 403);
	r = await postAs(voter, `/entries/${c.entries[3].id}/vote`, { body: {} });
	assert.equal(r.status, 404, "withdrawn entries");

	// Concurrent votes of one user cannot pass the limit.
	const racer = await newUser({ verified: true });
	sql(`UPDATE competitions SET votes_per_user = 1 WHERE id = ${c.id}`);
	const all = await Promise.all([e1, e2, e3].map((e) =>
	    postAs(racer, `/entries/${e}/vote`, { body: {} })));
	assert.equal(all.filter((x) => x.status === 200).length, 1,
	    all.map((x) => x.status).join(" "));

	phase(c.id, "review");
	r = await postAs(voter, `/entries/${e2}/vote`, { body: {} });
	assert.equal(r.status, 409);
	assert.equal(r.data.error.code, "wrong_phase");
	sql(`UPDATE competitions SET public_vote = false,
	    judging_ends_at = now() + interval '1 day' WHERE id = ${c.id}`);
	r = await postAs(voter, `/entries/${e2}/vote`, { body: {} });
	assert.equal(r.status, 404, "no public vote");

	// The tally in the results.
	sql(`UPDATE competitions SET public_vote = true WHERE id = ${c.id}`);
	phase(c.id, "review");
	const staff = await staffLogin();
	await postAs(staff, `/competitions/${c.id}/publish`, { body: {} });
	r = await get(`/competitions/${c.id}/results`);
	const votes = new Map(r.data.results.map((x) => [x.entry.id, x.votes]));
	assert.equal(votes.get(e1) + votes.get(e2) + votes.get(e3), 3);
	assert.equal(votes.get(e1), Number(sql(`SELECT count(*) FROM comp_votes
	    WHERE entry_id = ${e1}`)));
});

test("certificates: the team's printable page with a code and a QR code; /verify", async () => {
	const { c, team } = await httpExample("mean");
	const staff = await staffLogin();
	const [e1, e2, e3] = c.entries.map((e) => e.id);
	let r = await getAs(team[0], `/entries/${e1}/certificate`);
	assert.equal(r.status, 404, "nothing before the results");
	phase(c.id, "review");
	r = await postAs(staff, `/competitions/${c.id}/publish`, { body: {} });
	assert.equal(r.status, 200);

	r = await getAs(team[0], `/entries/${e1}/certificate`);
	assert.equal(r.status, 200, r.text);
	const cert = r.data.certificate;
	assert.equal(cert.award, "一等奖");
	assert.equal(cert.rank, 1);
	assert.match(cert.code, /^[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}$/);
	assert.equal(cert.verify_url, `${BASE}/verify/${cert.code}`,
	    "absolute, from MAKERSPACE_PUBLIC_URL");

	r = await getAs(team[0], `/entries/${e1}/certificate`, { json: false });
	assert.equal(r.status, 200);
	assert.match(r.text, /<svg xmlns="http:\/\/www.w3.org\/2000\/svg" viewBox="0 0 (\d+) \1"/);
	assert.ok(r.text.includes(cert.code));
	assert.ok(r.text.includes(`${BASE}/verify/${cert.code}`));
	assert.match(r.text, /comp_results\.css/, "the print stylesheet");
	const css = await get(r.text.match(/href="(\/static\/comp_results\.css[^"]*)"/)[1]);
	assert.match(css.text, /@page \{ size: A4/);
	assert.match(css.text, /@media print/);

	r = await getAs(team[1], `/entries/${e1}/certificate`);
	assert.equal(r.status, 404, "another team's certificate");
	r = await getAs(team[1], `/entries/${e2}/certificate`);
	assert.equal(r.status, 404, "no award, no certificate");
	r = await get(`/entries/${e1}/certificate`);
	assert.equal(r.status, 401);
	r = await getAs(team[2], `/entries/${e3}/certificate`);
	assert.equal(r.data.certificate.award, "二等奖");

	r = await get(`/verify/${cert.code}`);
	assert.equal(r.status, 200);
	assert.equal(r.data.certificate.award, "一等奖");
	assert.equal(r.data.certificate.rank, 1);
	assert.equal(r.data.certificate.entry.title, "E1 智能花盆");
	assert.equal(r.data.certificate.team[0].username, team[0].username);
	assert.ok(r.data.certificate.issued_at);
	r = await get(`/verify/${cert.code.toLowerCase()}`, { json: false });
	assert.equal(r.status, 200, "codes in any case");
	assert.ok(r.text.includes("一等奖"));
	r = await get("/verify/0000-0000-0000");
	assert.equal(r.status, 404);
	r = await get("/verify/not-a-code", { json: false });
	assert.equal(r.status, 404);
});
