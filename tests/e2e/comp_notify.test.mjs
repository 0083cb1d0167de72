// Competitions tell the people they concern (migrations/0022_comp_notify.sql,
// app/notify.c): a maker put on a team by someone else, a judge given
// entries (once per competition, however many), and every team member
// when results are published, winners with a link to their certificate;
// in the reader's language.  All over HTTP.
import { test } from "node:test";
import assert from "node:assert/strict";

import { getAs, login, newUser, postAs } from "./lib.mjs";
import { isoIn as iso, publishedProject } from "./comp_lib.mjs";

async function notes(who, lang) {
	const r = await getAs(who, "/notifications" +
	    (lang ? `?lang=${lang}` : ""));
	assert.equal(r.status, 200, r.text);
	return r.data.notifications;
}

const ofType = (list, type) => list.filter((n) => n.type === type);


test("competitions notify the team, the judges and, on publishing, every member", async () => {
	const staff = await login("staff1");
	const captain = await newUser({ verified: true, display_name: "队长丙" });
	const mate = await newUser({ verified: true });
	const other = await newUser({ verified: true });
	const judges = [await newUser({ verified: true }),
	    await newUser({ verified: true })];

	let r = await postAs(staff, "/competitions", { body: {
	    title: "通知测试赛", title_en: "Notice Cup", summary: "notify",
	    opens_at: iso(-3600e3), closes_at: iso(3600e3),
	    judging_ends_at: iso(7200e3), judges_per_entry: 2,
	    method: "mean", criteria: [{ name: "创意", weight: 100,
	    max_score: 10 }], awards: [{ label: "一等奖", top: 1 }] } });
	assert.equal(r.status, 201, r.text);
	const cid = r.data.competition.id;
	r = await postAs(staff, `/competitions/${cid}/announce`, { body: {} });
	assert.equal(r.status, 200, r.text);
	r = await getAs(staff, `/competitions/${cid}`);
	const crit = r.data.competition.criteria[0].id;

	// The captain enters with a mate: the mate hears, the captain not.
	r = await postAs(captain, `/competitions/${cid}/entries`, { body: {
	    project_id: await publishedProject(captain, "浇花器"),
	    team: [mate.username], statement: "ours" } });
	assert.equal(r.status, 201, r.text);
	const won = r.data.entry.id;
	let n = ofType(await notes(mate), "comp_team");
	assert.equal(n.length, 1);
	assert.equal(n[0].url, `/entries/${won}`);
	assert.match(n[0].text, /队长丙/);
	assert.match(n[0].text, /通知测试赛/);
	assert.equal(ofType(await notes(captain), "comp_team").length, 0);
	// An edit that keeps the team tells nobody again.
	r = await postAs(captain, `/entries/${won}`, { body: {
	    team: [mate.username], statement: "ours, edited" } });
	assert.equal(r.status, 200, r.text);
	assert.equal(ofType(await notes(mate), "comp_team").length, 1);
	n = ofType(await notes(mate, "en"), "comp_team");
	assert.match(n[0].text, /Notice Cup/, "the English title in English");

	r = await postAs(other, `/competitions/${cid}/entries`, { body: {
	    project_id: await publishedProject(other, "Lamp"),
	    statement: "mine" } });
	assert.equal(r.status, 201, r.text);
	const lost = r.data.entry.id;

	// Judging: two entries each, one notification per judge.
	r = await postAs(staff, `/competitions/${cid}`, { body: {
	    opens_at: iso(-7200e3), closes_at: iso(-3000) } });
	assert.equal(r.status, 200, r.text);
	for (const j of judges) {
		assert.equal(ofType(await notes(j), "comp_assigned").length, 0);
		r = await postAs(staff, `/competitions/${cid}/judges`, { body: {
		    username: j.username, action: "add" } });
		assert.equal(r.status, 200, r.text);
	}
	r = await postAs(staff, `/competitions/${cid}/assign`, { body: {
	    mode: "auto" } });
	assert.equal(r.status, 200, r.text);
	for (const j of judges) {
		n = ofType(await notes(j), "comp_assigned");
		assert.equal(n.length, 1, "one for the batch");
		assert.equal(n[0].url, "/judging");
		assert.match(n[0].text, /通知测试赛/);
	}

	for (const [j, marks] of [[judges[0], [9, 5]], [judges[1], [8, 6]]]) {
		for (const [e, m] of [[won, marks[0]], [lost, marks[1]]]) {
			r = await postAs(j, `/entries/${e}/score`, { body: {
			    scores: { [crit]: m }, submit: true } });
			assert.equal(r.status, 200, r.text);
		}
	}
	for (const who of [captain, mate, other])
		assert.equal((await notes(who)).filter((x) =>
		    x.type === "comp_results" || x.type === "comp_award").length,
		    0, "nothing before publishing");

	r = await postAs(staff, `/competitions/${cid}`, { body: {
	    judging_ends_at: iso(-500) } });
	assert.equal(r.status, 200, r.text);
	r = await postAs(staff, `/competitions/${cid}/publish`, { body: {} });
	assert.equal(r.status, 200, r.text);

	for (const who of [captain, mate]) {
		n = ofType(await notes(who), "comp_award");
		assert.equal(n.length, 1);
		assert.equal(n[0].url, `/entries/${won}/certificate`);
		assert.match(n[0].text, /一等奖/);
		assert.equal(ofType(await notes(who), "comp_results").length, 0);
		r = await getAs(who, n[0].url, { json: false });
		assert.equal(r.status, 200, "the link opens the certificate");
	}
	n = ofType(await notes(other), "comp_results");
	assert.equal(n.length, 1);
	assert.equal(n[0].url, `/entries/${lost}`);
	n = ofType(await notes(other, "en"), "comp_results");
	assert.match(n[0].text, /Notice Cup/);
});
