// A competition from start to certificate, all over HTTP with the
// competition routes (app/comp.c, app/comp_judge.c) and the results
// routes (app/comp_results.c): staff create and announce it, two makers
// enter, staff close entries and add judges, the judges score, the
// results appear for staff with the judging's progress, staff publish,
// and a team sees its rank, award, scores per criterion and comments
// (never a judge's name), opens its certificate and /verify confirms it.
import { test } from "node:test";
import assert from "node:assert/strict";

import { BASE, get, getAs, login, newUser, postAs } from "./lib.mjs";
import { isoIn as iso, publishedProject } from "./comp_lib.mjs";

test("a competition over HTTP: enter, judge, results with progress, publish, feedback, certificate, verify", async () => {
	const staff = await login("staff1");
	const makerA = await newUser({ verified: true, display_name: "队长甲" });
	const makerB = await newUser({ verified: true, display_name: "队长乙" });
	const judges = [await newUser({ verified: true,
	    display_name: "评委张老师" }), await newUser({ verified: true,
	    display_name: "Judge Brown" })];

	let r = await postAs(staff, "/competitions", { body: {
	    title: "创客大赛 flow", summary: "results flow",
	    opens_at: iso(-3600e3), closes_at: iso(3600e3),
	    judging_ends_at: iso(7200e3), judges_per_entry: 2,
	    method: "mean", discrepancy: 30, blind: true,
	    criteria: [
		{ name: "创意", weight: 40, max_score: 10 },
		{ name: "制作", weight: 60, max_score: 20 }],
	    awards: [{ label: "一等奖", top: 1 }] } });
	assert.equal(r.status, 201, r.text);
	const cid = r.data.competition.id;
	r = await postAs(staff, `/competitions/${cid}/announce`, { body: {} });
	assert.equal(r.status, 200, r.text);
	r = await getAs(staff, `/competitions/${cid}`);
	const [idea, build] = r.data.competition.criteria.map((c) => c.id);

	const entries = [];
	for (const [who, title] of [[makerA, "自动浇花器"], [makerB, "Lamp"]]) {
		const pid = await publishedProject(who, title);
		r = await postAs(who, `/competitions/${cid}/entries`, { body: {
		    project_id: pid, statement: "我们的作品" } });
		assert.equal(r.status, 201, r.text);
		entries.push(r.data.entry.id);
	}
	r = await getAs(staff, `/competitions/${cid}/results`);
	assert.equal(r.status, 404, "no results while entries are open");

	// Entries close; judging starts.
	// iso() drops the milliseconds: closes_at stays a whole second or
	// more before judging_ends_at = iso(-500) below, however fast the
	// scoring in between runs.
	r = await postAs(staff, `/competitions/${cid}`, { body: {
	    opens_at: iso(-7200e3), closes_at: iso(-3000) } });
	assert.equal(r.status, 200, r.text);
	for (const j of judges) {
		r = await postAs(staff, `/competitions/${cid}/judges`, { body: {
		    username: j.username, action: "add" } });
		assert.equal(r.status, 200, r.text);
	}
	r = await postAs(staff, `/competitions/${cid}/assign`, { body: {
	    mode: "auto" } });
	assert.equal(r.status, 200, r.text);

	r = await getAs(staff, `/competitions/${cid}/results`);
	assert.equal(r.status, 200, r.text);
	assert.deepEqual(r.data.progress, { scored: 0, expected: 4 });

	// Judge 0: A 77 (8, 15), B 54 (6, 10); judge 1: A 76 (7, 16),
	// B 93 (9, 19).  A: 76.5, B: 73.5 (flagged: 93 - 54 > 30).
	const marks = [[[8, 15], [6, 10]], [[7, 16], [9, 19]]];
	for (let j = 0; j < 2; j++) {
		for (let e = 0; e < 2; e++) {
			const [a, b] = marks[j][e];
			r = await postAs(judges[j], `/entries/${entries[e]}/score`,
			    { body: { scores: { [idea]: a, [build]: b },
			    comment: `评语 ${j}-${e}: **good**`,
			    note: "staff only note", submit: true } });
			assert.equal(r.status, 200, r.text);
		}
	}
	r = await getAs(staff, `/competitions/${cid}/results`);
	assert.deepEqual(r.data.progress, { scored: 4, expected: 4 });
	assert.equal(r.data.results[0].entry.id, entries[0]);
	assert.equal(r.data.results[0].score, 76.5);
	assert.equal(r.data.results[1].score, 73.5);
	assert.equal(r.data.results[1].flagged, true);
	assert.equal(r.data.can_publish, true);

	// Judging ends; staff publish.
	r = await postAs(staff, `/competitions/${cid}`, { body: {
	    judging_ends_at: iso(-500) } });
	assert.equal(r.status, 200, r.text);
	r = await postAs(staff, `/competitions/${cid}/publish`, { body: {} });
	assert.equal(r.status, 200, r.text);
	r = await postAs(judges[0], `/entries/${entries[0]}/score`, { body: {
	    scores: { [idea]: 0, [build]: 0 }, submit: true } });
	assert.equal(r.status, 409, "scores are fixed once published");

	// The team's feedback.
	r = await getAs(makerA, `/entries/${entries[0]}`);
	assert.equal(r.status, 200, r.text);
	const e = r.data.entry;
	assert.equal(e.rank, 1);
	assert.equal(e.award, "一等奖");
	assert.equal(e.score, 76.5);
	assert.equal(e.feedback.reviews.length, 2);
	assert.deepEqual(e.feedback.reviews.map((x) => x.total), [77, 76]);
	assert.deepEqual(e.feedback.criteria.map((x) => x.mean), [7.5, 15.5]);
	assert.ok(e.feedback.reviews[0].comment_html.includes("<strong>good</strong>"));
	assert.equal(e.certificate_url, `/entries/${entries[0]}/certificate`);
	const html = (await getAs(makerA, `/entries/${entries[0]}`,
	    { json: false })).text;
	for (const text of [JSON.stringify(r.data), html]) {
		for (const j of judges) {
			assert.ok(!text.includes(j.username), "a judge's username");
			assert.ok(!text.includes(j.user.display_name),
			    "a judge's name");
		}
		assert.ok(!text.includes("staff only note"), "the note to staff");
	}
	assert.match(html, /评语 0-0/);
	assert.match(html, /一等奖/);
	// Another team sees the rank but not this team's feedback.
	r = await getAs(makerB, `/entries/${entries[0]}`);
	assert.equal(r.data.entry.rank, 1);
	assert.equal(r.data.entry.feedback, null);
	r = await get(`/competitions/${cid}/results`);
	assert.equal(r.status, 200, "published: public");

	// Certificate and verification.
	r = await getAs(makerA, `/entries/${entries[0]}/certificate`,
	    { json: false });
	assert.equal(r.status, 200);
	const code = r.text.match(/class="cert-code">([0-9A-F-]{14})</)[1];
	assert.ok(r.text.includes(`${BASE}/verify/${code}`));
	assert.match(r.text, /<svg /);
	r = await get(`/verify/${code}`);
	assert.equal(r.status, 200);
	assert.equal(r.data.certificate.entry.title, "自动浇花器");
	assert.equal(r.data.certificate.team[0].display_name, "队长甲");
});
