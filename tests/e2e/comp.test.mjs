// Competitions, the core (issue 14): staff create and edit, phases from
// the database clock, entries with eligibility and the snapshot at the
// close, judging with conflicts of interest, blind judging, scores.
// Dates are moved in the database (as staff would move them over HTTP) so
// that each phase can be reached without waiting.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { login, newUser, postAs, getAs, get, sql } from "./lib.mjs";

let staff, maker, mate, judge, judge2, outsider;
const H = 3600 * 1000;
const iso = (ms) => new Date(Date.now() + ms).toISOString();

async function project(who, title = "Comp project " + Math.random()) {
	const r = await postAs(who, "/projects", { body: { title,
	    summary: "A thing", body: "Plain write-up.", status: "published" } });
	assert.equal(r.status, 201, r.text);
	return r.data.project.id;
}

async function competition(extra = {}) {
	const r = await postAs(staff, "/competitions", { body: {
	    title: "Maker contest", summary: "Build something",
	    brief: "Make **anything**.", opens_at: iso(-H), closes_at: iso(H),
	    judging_ends_at: iso(2 * H), max_team_size: 3,
	    criteria: [{ name: "Idea", description: "How new", weight: 60,
	        max_score: 10 }, { name: "Build", weight: 40, max_score: 5 }],
	    judges_per_entry: 2, awards: [{ label: "一等奖", top: 1 }],
	    ...extra } });
	assert.equal(r.status, 201, r.text);
	const c = r.data.competition;
	const a = await postAs(staff, `/competitions/${c.id}/announce`,
	    { body: {} });
	assert.equal(a.status, 200, a.text);
	return a.data.competition;
}

// Move the competition's dates so that it is in phase p now.
function phase(cid, p) {
	const d = { open: ["-1 hour", "1 hour", "2 hours"],
	    judging: ["-2 hours", "-1 hour", "1 hour"],
	    review: ["-3 hours", "-2 hours", "-1 hour"] }[p];
	sql(`UPDATE competitions SET opens_at = now() + interval '${d[0]}',
	    closes_at = now() + interval '${d[1]}',
	    judging_ends_at = now() + interval '${d[2]}' WHERE id = ${cid}`);
}

before(async () => {
	staff = await login("staff1");
	maker = await newUser({ verified: true, display_name: "Zelda Entrant" });
	mate = await newUser({ verified: true, display_name: "Quentin Teammate" });
	judge = await newUser({ verified: true, display_name: "Judge One" });
	judge2 = await newUser({ verified: true, display_name: "Judge Two" });
	outsider = await newUser({ verified: true });
});

test("staff create a competition in draft, visible to staff only until announced", async () => {
	const r = await postAs(staff, "/competitions", { body: {
	    title: "Draft contest", opens_at: iso(H), closes_at: iso(2 * H),
	    judging_ends_at: iso(3 * H),
	    criteria: [{ name: "All", weight: 100, max_score: 10 }] } });
	assert.equal(r.status, 201, r.text);
	assert.equal(r.data.competition.phase, "draft");
	const id = r.data.competition.id;
	assert.equal((await get(`/competitions/${id}`)).status, 404);
	assert.equal((await getAs(maker, `/competitions/${id}`)).status, 404);
	const list = await getAs(maker, "/competitions");
	assert.ok(!list.data.competitions.some((c) => c.id === id));
	assert.ok((await getAs(staff, "/competitions")).data.competitions
	    .some((c) => c.id === id));
	await postAs(staff, `/competitions/${id}/announce`, { body: {} });
	const page = await get(`/competitions/${id}`);
	assert.equal(page.status, 200);
	assert.equal(page.data.competition.phase, "upcoming");
	const html = await get(`/competitions/${id}`, { json: false });
	assert.match(html.text, /data-until="[^"]+"/);
	assert.match(html.text, /(hours|小时|minutes|分钟)/);
});

test("weights not summing to 100 are refused with 422", async () => {
	const r = await postAs(staff, "/competitions", { body: {
	    title: "Bad weights", opens_at: iso(H), closes_at: iso(2 * H),
	    judging_ends_at: iso(3 * H), criteria: [
	    { name: "A", weight: 50, max_score: 10 },
	    { name: "B", weight: 40, max_score: 10 }] } });
	assert.equal(r.status, 422, r.text);
	assert.ok(r.data.error.fields.criteria);
	const frac = await postAs(staff, "/competitions", { body: {
	    title: "Fraction", opens_at: iso(H), closes_at: iso(2 * H),
	    judging_ends_at: iso(3 * H), criteria: [
	    { name: "A", weight: 50.5, max_score: 10 },
	    { name: "B", weight: 49.5, max_score: 10 }] } });
	assert.equal(frac.status, 422, frac.text);
});

test("dates out of order are refused with 422", async () => {
	const r = await postAs(staff, "/competitions", { body: {
	    title: "Bad dates", opens_at: iso(2 * H), closes_at: iso(H),
	    judging_ends_at: iso(3 * H),
	    criteria: [{ name: "A", weight: 100, max_score: 10 }] } });
	assert.equal(r.status, 422, r.text);
	assert.ok(r.data.error.fields.closes_at);
	const c = await competition();
	const e = await postAs(staff, `/competitions/${c.id}`, { body: {
	    judging_ends_at: iso(-2 * H) } });
	assert.equal(e.status, 422, e.text);
});

test("criteria changed after judging started: 409; moving dates is audited", async () => {
	const c = await competition();
	const moved = await postAs(staff, `/competitions/${c.id}`, { body: {
	    closes_at: iso(90 * 60 * 1000) } });
	assert.equal(moved.status, 200, moved.text);
	const n = sql(`SELECT count(*) FROM audit_log WHERE action =
	    'competition_dates' AND (details ->> 'competition_id')::bigint = ${c.id}`);
	assert.equal(n, "1");
	phase(c.id, "judging");
	const r = await postAs(staff, `/competitions/${c.id}`, { body: {
	    criteria: [{ name: "Idea", weight: 50, max_score: 10 },
	    { name: "Build", weight: 40, max_score: 5 },
	    { name: "New", weight: 10, max_score: 5 }] } });
	assert.equal(r.status, 409, r.text);
	assert.equal(r.data.error.code, "criteria_fixed");
	const m = await postAs(staff, `/competitions/${c.id}`, { body: {
	    method: "zscore" } });
	assert.equal(m.status, 409, m.text);
	// The same criteria again (a form sent back whole) are no change.
	const same = await postAs(staff, `/competitions/${c.id}`, { body: {
	    summary: "still fine", criteria: [
	    { name: "Idea", description: "How new", weight: 60, max_score: 10 },
	    { name: "Build", weight: 40, max_score: 5 }] } });
	assert.equal(same.status, 200, same.text);
});

test("entering: own project only, team verified and existing, within size, once", async () => {
	const c = await competition();
	const theirs = await project(outsider);
	const mine = await project(maker);
	let r = await postAs(maker, `/competitions/${c.id}/entries`, { body: {
	    project_id: theirs, team: [], statement: "x" } });
	assert.equal(r.status, 422, r.text);
	assert.equal(r.data.error.code, "not_your_project");
	const unverified = await newUser();
	r = await postAs(maker, `/competitions/${c.id}/entries`, { body: {
	    project_id: mine, team: [unverified.username] } });
	assert.equal(r.status, 422, r.text);
	assert.equal(r.data.error.code, "team_unverified");
	r = await postAs(maker, `/competitions/${c.id}/entries`, { body: {
	    project_id: mine, team: ["nobody_such_user_x"] } });
	assert.equal(r.status, 422, r.text);
	assert.equal(r.data.error.code, "team_unknown");
	const a = await newUser({ verified: true });
	const b = await newUser({ verified: true });
	const d = await newUser({ verified: true });
	r = await postAs(maker, `/competitions/${c.id}/entries`, { body: {
	    project_id: mine, team: [a.username, b.username, d.username] } });
	assert.equal(r.status, 422, r.text);
	assert.equal(r.data.error.code, "team_too_large");
	// Eligibility shown before submitting.
	const form = await getAs(maker, `/competitions/${c.id}/entries?project_id=${mine}&team=${unverified.username},${mate.username}`);
	assert.equal(form.status, 200, form.text);
	assert.equal(form.data.eligibility.ok, false);
	assert.ok(form.data.projects.some((p) => p.id === mine));
	assert.ok(!form.data.projects.some((p) => p.id === theirs));
	const html = await getAs(maker, `/competitions/${c.id}/entries?team=${unverified.username}`, { json: false });
	assert.match(html.text, /not verified|尚未实名认证/);
	r = await postAs(maker, `/competitions/${c.id}/entries`, { body: {
	    project_id: mine, team: [mate.username], statement: "Our **entry**." } });
	assert.equal(r.status, 201, r.text);
	assert.equal(r.data.entry.status, "submitted");
	// entries_per_person (1): the teammate is on an entry already.
	const other = await project(mate);
	r = await postAs(mate, `/competitions/${c.id}/entries`, { body: {
	    project_id: other } });
	assert.equal(r.status, 409, r.text);
	assert.equal(r.data.error.code, "entries_limit");
	const statement = await postAs(maker, `/competitions/${c.id}/entries`,
	    { body: { project_id: mine, statement: "x".repeat(8193) } });
	assert.equal(statement.status, 422);
});

test("two simultaneous identical entries: exactly one 201", async () => {
	const c = await competition({ entries_per_person: 5 });
	const mine = await project(maker);
	const rs = await Promise.all([1, 2, 3, 4].map(() =>
	    postAs(maker, `/competitions/${c.id}/entries`, { body: {
	    project_id: mine } })));
	const st = rs.map((r) => r.status).sort();
	assert.deepEqual(st, [201, 409, 409, 409], rs.map((r) => r.text).join());
});

test("entering at or after closes_at is refused (409 wrong_phase), also at 00:00 Asia/Shanghai", async () => {
	const c = await competition();
	const mine = await project(maker);
	sql(`UPDATE competitions SET closes_at = now() - interval '1 second'
	    WHERE id = ${c.id}`);
	const r = await postAs(maker, `/competitions/${c.id}/entries`, { body: {
	    project_id: mine } });
	assert.equal(r.status, 409, r.text);
	assert.equal(r.data.error.code, "wrong_phase");
	// Exactly at closes_at: the function with the clock equal to it.
	const uid = maker.user.id;
	phase(c.id, "open");
	// The statements run in one transaction, so now() is the same in
	// each: closes_at equals the clock exactly.  (No COMMIT: rolled back.)
	const exact = sql(`BEGIN;
	    UPDATE competitions SET closes_at = now() WHERE id = ${c.id};
	    CREATE TEMPORARY TABLE r (x text);
	    DO $$ BEGIN PERFORM comp_entry_create(${uid}, ${c.id}, ${mine},
	        '{}', '', ''); INSERT INTO r VALUES ('made');
	    EXCEPTION WHEN OTHERS THEN INSERT INTO r VALUES (SQLERRM); END $$;
	    SELECT x || ' ' || (SELECT competition_phase(c) FROM competitions c
	        WHERE id = ${c.id}) FROM r;`);
	assert.equal(exact, "comp.err.wrong_phase judging");
	const before = sql(`BEGIN;
	    UPDATE competitions SET closes_at = now() + interval '1 microsecond'
	    WHERE id = ${c.id};
	    SELECT competition_phase(c) FROM competitions c WHERE id = ${c.id};`);
	assert.equal(before, "open");
	// A form's local time is the site zone's: 2026-11-26T00:00 closes at
	// 16:00 UTC the day before; 23:59:59 is still open, 00:00:00 is not.
	const z = await postAs(staff, `/competitions/${c.id}`, { body: {
	    opens_at: "2026-11-01T00:00", closes_at: "2026-11-26T00:00",
	    judging_ends_at: "2026-12-01T00:00" } });
	assert.equal(z.status, 200, z.text);
	assert.equal(z.data.competition.closes_at, "2026-11-26T00:00:00+08:00");
	const at = (t) => sql(`SELECT competition_phase_at(c, '${t}')
	    FROM competitions c WHERE id = ${c.id}`);
	assert.equal(at("2026-11-25 23:59:59+08"), "open");
	assert.equal(at("2026-11-26 00:00:00+08"), "judging");
});

test("the entry is frozen at the close; moving closes_at later reopens it", async () => {
	const c = await competition();
	const mine = await project(maker, "Before the close");
	const e = await postAs(maker, `/competitions/${c.id}/entries`, { body: {
	    project_id: mine, team: [mate.username] } });
	assert.equal(e.status, 201, e.text);
	const eid = e.data.entry.id;
	phase(c.id, "judging");
	// Nobody read the entry; the project changes after the close.
	const u = await postAs(maker, `/projects/${mine}`, { body: {
	    title: "After the close" } });
	assert.equal(u.status, 200, u.text);
	let v = await getAs(maker, `/entries/${eid}`);
	assert.equal(v.status, 200, v.text);
	assert.equal(v.data.entry.title, "Before the close");
	assert.equal(v.data.entry.frozen, true);
	assert.equal(sql(`SELECT snapshot ->> 'title' FROM comp_entries WHERE id = ${eid}`),
	    "Before the close");
	// Staff move closes_at later: open again, the entry follows the project.
	const m = await postAs(staff, `/competitions/${c.id}`, { body: {
	    closes_at: iso(H), judging_ends_at: iso(2 * H) } });
	assert.equal(m.status, 200, m.text);
	v = await getAs(maker, `/entries/${eid}`);
	assert.equal(v.data.entry.title, "After the close");
	assert.equal(v.data.entry.frozen, false);
	const ed = await postAs(maker, `/entries/${eid}`, { body: {
	    statement: "Edited while open" } });
	assert.equal(ed.status, 200, ed.text);
	phase(c.id, "judging");
	v = await getAs(maker, `/entries/${eid}`);
	assert.equal(v.data.entry.frozen, true);
	const late = await postAs(maker, `/entries/${eid}`, { body: {
	    statement: "too late" } });
	assert.equal(late.status, 409);
	assert.equal(late.data.error.code, "wrong_phase");
	const wd = await postAs(maker, `/entries/${eid}/withdraw`, { body: {} });
	assert.equal(wd.status, 409);
});

test("withdraw while open; visibility of an entry", async () => {
	const c = await competition();
	const mine = await project(maker);
	const e = await postAs(maker, `/competitions/${c.id}/entries`, { body: {
	    project_id: mine } });
	const eid = e.data.entry.id;
	assert.equal((await getAs(outsider, `/entries/${eid}`)).status, 404);
	assert.equal((await get(`/entries/${eid}`)).status, 404);
	assert.equal((await getAs(staff, `/entries/${eid}`)).status, 200);
	const other = await postAs(outsider, `/entries/${eid}/withdraw`, { body: {} });
	assert.equal(other.status, 404);
	const wd = await postAs(maker, `/entries/${eid}/withdraw`, { body: {} });
	assert.equal(wd.status, 200, wd.text);
	assert.equal(wd.data.entry.status, "withdrawn");
	const again = await postAs(maker, `/competitions/${c.id}/entries`, { body: {
	    project_id: mine } });
	assert.equal(again.status, 201, again.text);
});

// One competition through judging.
async function judged(extra = {}, statement = "We built it.") {
	const c = await competition(extra);
	const mine = await project(maker, "Blind entry title");
	const e = await postAs(maker, `/competitions/${c.id}/entries`, { body: {
	    project_id: mine, team: [mate.username], statement } });
	assert.equal(e.status, 201, e.text);
	for (const j of [judge, judge2]) {
		const r = await postAs(staff, `/competitions/${c.id}/judges`, {
		    body: { username: j.username, action: "add" } });
		assert.equal(r.status, 200, r.text);
	}
	return { c, eid: e.data.entry.id, pid: mine };
}

test("assignment: balanced, judges_per_entry, conflicts excluded (team, office hours)", async () => {
	const { c, eid } = await judged();
	// A judge who is on the team is never assigned.
	await postAs(staff, `/competitions/${c.id}/judges`, { body: {
	    username: mate.username, action: "add" } });
	// An office-hours booking between judge2 (as mentor) and the maker,
	// made over HTTP, in a slot before closes_at.
	sql(`UPDATE users SET role = 'mentor' WHERE id = ${judge2.user.id}`);
	const slot = await postAs(judge2, "/office-hours/slots", { body: {
	    starts_at: new Date(Date.now() + 38 * H).toISOString().slice(0, 16),
	    minutes: 30, capacity: 1 } });
	assert.equal(slot.status, 201, slot.text);
	const bk = await postAs(maker, `/office-hours/slots/${slot.data.slot.id}/book`,
	    { body: { question: "How do I wire the pump to the ESP32?" } });
	assert.equal(bk.status, 201, bk.text);
	assert.equal(bk.data.booking.status, "confirmed");
	const moved = await postAs(staff, `/competitions/${c.id}`, { body: {
	    closes_at: iso(48 * H), judging_ends_at: iso(72 * H) } });
	assert.equal(moved.status, 200, moved.text);
	const m0 = await postAs(staff, `/competitions/${c.id}/assign`, { body: {
	    entry_id: eid, username: judge2.username } });
	assert.equal(m0.status, 409, m0.text);
	assert.equal(m0.data.error.code, "conflict");
	const a = await postAs(staff, `/competitions/${c.id}/assign`, { body: {
	    mode: "auto" } });
	assert.equal(a.status, 200, a.text);
	const rows = sql(`SELECT judge_id FROM comp_assignments WHERE entry_id = ${eid}`)
	    .split("\n").filter((x) => x).map(Number);
	assert.deepEqual(rows, [judge.user.id]);
	assert.deepEqual(a.data.short, [eid]);
	// Manual assignment of a conflicted judge: 409 conflict.
	const m = await postAs(staff, `/competitions/${c.id}/assign`, { body: {
	    entry_id: eid, username: judge2.username } });
	assert.equal(m.status, 409, m.text);
	assert.equal(m.data.error.code, "conflict");
	// A conflict is refused on scoring too (the slot moved into the
	// past, the competition into judging, the assignment made by hand).
	sql(`UPDATE oh_slots SET starts_at = now() - interval '10 days',
	    ends_at = now() - interval '10 days' + interval '30 minutes'
	    WHERE id = ${slot.data.slot.id}`);
	phase(c.id, "judging");
	sql(`INSERT INTO comp_assignments (entry_id, judge_id, competition_id)
	    VALUES (${eid}, ${judge2.user.id}, ${c.id})`);
	const s = await postAs(judge2, `/entries/${eid}/score`, { body: {
	    scores: {}, submit: false } });
	assert.equal(s.status, 403, s.text);
	assert.equal(s.data.error.code, "conflict");
	const page = await getAs(staff, `/competitions/${c.id}/judges`);
	assert.equal(page.status, 200, page.text);
});

test("auto assignment balances loads", async () => {
	const c = await competition({ judges_per_entry: 1, entries_per_person: 10 });
	const js = [];
	for (let i = 0; i < 3; i++) {
		const j = await newUser({ verified: true });
		js.push(j);
		await postAs(staff, `/competitions/${c.id}/judges`, { body: {
		    username: j.username, action: "add" } });
	}
	for (let i = 0; i < 6; i++) {
		const p = await project(outsider);
		const r = await postAs(outsider, `/competitions/${c.id}/entries`,
		    { body: { project_id: p } });
		assert.equal(r.status, 201, r.text);
	}
	const a = await postAs(staff, `/competitions/${c.id}/assign`, { body: {
	    mode: "auto" } });
	assert.equal(a.data.assigned, 6);
	const loads = sql(`SELECT count(*) FROM comp_assignments WHERE
	    competition_id = ${c.id} GROUP BY judge_id`).split("\n").map(Number);
	assert.deepEqual(loads, [2, 2, 2]);
});

test("scoring: assigned judge only, halves, ranges, phase; draft then submit; recusal", async () => {
	const { c, eid } = await judged();
	await postAs(staff, `/competitions/${c.id}/assign`, { body: {
	    entry_id: eid, username: judge.username } });
	const crit = (await get(`/competitions/${c.id}`)).data.competition.criteria;
	const [k1, k2] = crit.map((k) => k.id);
	// Before judging: 409 wrong_phase.
	let r = await postAs(judge, `/entries/${eid}/score`, { body: {
	    scores: { [k1]: 5 } } });
	assert.equal(r.status, 409, r.text);
	assert.equal(r.data.error.code, "wrong_phase");
	phase(c.id, "judging");
	r = await postAs(outsider, `/entries/${eid}/score`, { body: {
	    scores: { [k1]: 5 } } });
	assert.ok([403, 404].includes(r.status), r.text);
	r = await postAs(judge2, `/entries/${eid}/score`, { body: {
	    scores: { [k1]: 5 } } });
	assert.equal(r.status, 403, r.text);
	assert.equal(r.data.error.code, "not_assigned");
	r = await postAs(judge, `/entries/${eid}/score`, { body: {
	    scores: { [k1]: 11 } } });
	assert.equal(r.status, 422, r.text);
	assert.equal(r.data.error.code, "score_range");
	r = await postAs(judge, `/entries/${eid}/score`, { body: {
	    scores: { [k1]: 7.25 } } });
	assert.equal(r.status, 422, r.text);
	assert.equal(r.data.error.code, "score_step");
	r = await postAs(judge, `/entries/${eid}/score`, { body: {
	    scores: { [k1]: -1 } } });
	assert.equal(r.status, 422, r.text);
	r = await postAs(judge, `/entries/${eid}/score`, { body: {
	    scores: { [k1]: 7.5 }, submit: true } });
	assert.equal(r.status, 422, r.text);
	assert.equal(r.data.error.code, "score_missing");
	r = await postAs(judge, `/entries/${eid}/score`, { body: {
	    scores: { [k1]: 7.5 }, comment: "Nice **idea**", note: "staff only" } });
	assert.equal(r.status, 200, r.text);
	assert.equal(r.data.score.status, "draft");
	r = await postAs(judge, `/entries/${eid}/score`, { body: {
	    scores: { [k2]: 4.5 }, submit: true } });
	assert.equal(r.status, 200, r.text);
	assert.equal(r.data.score.status, "submitted");
	assert.equal(Number(r.data.score.total), 81);
	const q = await getAs(judge, "/judging");
	assert.equal(q.status, 200);
	const mine = q.data.assignments.find((x) => x.entry.id === eid);
	assert.equal(mine.status, "submitted");
	// A form post with scores[id] fields.
	const form = new URLSearchParams({ [`scores[${k1}]`]: "8",
	    [`scores[${k2}]`]: "5", submit: "true", comment: "Form" });
	r = await postAs(judge, `/entries/${eid}/score`, { form });
	assert.equal(r.status, 200, r.text);
	assert.equal(Number(r.data.score.total), 88);
	// After judging: 409.
	phase(c.id, "review");
	r = await postAs(judge, `/entries/${eid}/score`, { body: {
	    scores: { [k1]: 6 }, submit: true } });
	assert.equal(r.status, 409, r.text);
	phase(c.id, "judging");
	const no = await postAs(judge, `/entries/${eid}/recuse`, { body: {} });
	assert.equal(no.status, 422);
	const rc = await postAs(judge, `/entries/${eid}/recuse`, { body: {
	    reason: "I mentored them" } });
	assert.equal(rc.status, 200, rc.text);
	r = await postAs(judge, `/entries/${eid}/score`, { body: {
	    scores: { [k1]: 6 } } });
	assert.equal(r.status, 403, r.text);
	const sp = await getAs(staff, `/competitions/${c.id}/judges`);
	assert.match(JSON.stringify(sp.data), /I mentored them/);
});

test("blind: nothing a judge sees names the team", async () => {
	// The team mentions itself in its statement: masked for the judge.
	const said = () => `We built it with @${mate.username} and ` +
	    `@${maker.username.toUpperCase()}, see **@${mate.username}**.`;
	const { c, eid } = await judged({ blind: true }, said());
	await postAs(staff, `/competitions/${c.id}/assign`, { body: {
	    entry_id: eid, username: judge.username } });
	phase(c.id, "judging");
	const names = [maker.username, maker.user.display_name || "Zelda Entrant",
	    mate.username, "Quentin Teammate", "Zelda Entrant"];
	const seen = [];
	for (const json of [true, false]) {
		for (const path of [`/entries/${eid}`, `/entries/${eid}/score`,
		    "/judging", `/competitions/${c.id}`]) {
			const r = await getAs(judge, path, { json });
			assert.equal(r.status, 200, `${path}: ${r.text}`);
			seen.push(r.text);
		}
	}
	const all = seen.join("\n");
	for (const n of names)
		assert.ok(!all.toLowerCase().includes(n.toLowerCase()),
		    `judge sees ${n}`);
	assert.ok(!/\/projects\/\d+/.test(all), "no link to the project");
	assert.ok(all.includes("Blind entry title"));
	assert.ok(all.includes('<span class="mention-hidden">@…</span>'),
	    "the mentions are masked, the statement is still there");
	assert.ok(all.includes("We built it with"));
	// The team itself still sees its mentions as links.
	const own = await getAs(maker, `/entries/${eid}`);
	assert.ok(own.data.entry.statement_html.includes(
	    `href="/u/${mate.username}"`));
	// Not blind: the team is there for the judge, mentions too.
	const open = await judged({}, said());
	await postAs(staff, `/competitions/${open.c.id}/assign`, { body: {
	    entry_id: open.eid, username: judge.username } });
	phase(open.c.id, "judging");
	const v = await getAs(judge, `/entries/${open.eid}`);
	assert.ok(v.data.entry.team.some((m) => m.username === mate.username));
	assert.ok(v.data.entry.statement_html.includes(
	    `href="/u/${mate.username}"`));
});

test("the home page lists open competitions; /competitions renders", async () => {
	const c = await competition({ title: "Home listed contest" });
	const home = await get("/", { json: false });
	assert.match(home.text, /Home listed contest/);
	const list = await get("/competitions", { json: false });
	assert.equal(list.status, 200);
	assert.match(list.text, new RegExp(`/competitions/${c.id}`));
	for (const p of [`/competitions/${c.id}/edit`, "/competitions/new",
	    `/competitions/${c.id}/judges`]) {
		const r = await getAs(staff, p, { json: false });
		assert.equal(r.status, 200, `${p}: ${r.text.slice(0, 300)}`);
	}
	const f = await getAs(maker, `/competitions/${c.id}/entries`, { json: false });
	assert.equal(f.status, 200);
});
