// Refused competition forms posted as a browser posts them (urlencoded,
// the CSRF token in the body, HTML wanted) come back AS THE FORM, with
// 422, the message and what was typed (issue 14 item 2; app/comp_again.c):
// the competition form (its criteria rows as sent, not empty ones), the
// entry form, the scoring form, the judges and assignment forms.  JSON
// clients still get the error document.
import { test, before } from "node:test";
import assert from "node:assert/strict";

import { BASE, login, newUser, post, postAs, getAs } from "./lib.mjs";
import { isoIn as iso } from "./comp_lib.mjs";

// A browser's form post: urlencoded fields with the csrf field.
function browserPost(who, path, fields) {
	const form = new URLSearchParams();
	for (const [k, v] of fields)
		form.append(k, String(v));
	form.append("csrf", who.csrf);
	return post(path, { jar: who.jar, json: false, form,
	    headers: { origin: BASE } });
}

// The HTML holds a form posting to action, the message and every value.
function formAgain(r, action, message, values) {
	assert.equal(r.status, 422, r.text.slice(0, 300));
	assert.match(r.headers.get("content-type"), /text\/html/);
	assert.ok(r.text.includes(`method="post" action="${action}"`),
	    `the form posting to ${action}`);
	assert.ok(r.text.includes('class="alert"'), "the message box");
	assert.ok(r.text.includes(message), `the message ${message}`);
	for (const v of values)
		assert.ok(r.text.includes(v), `kept: ${v}`);
}

let staff, maker, judge, cid, eid, crit;

before(async () => {
	staff = await login("staff1");
	maker = await newUser({ verified: true, display_name: "表单创客" });
	judge = await newUser({ verified: true, display_name: "表单评委" });
	let r = await postAs(staff, "/competitions", { body: {
	    title: "表单赛", opens_at: iso(-3600e3), closes_at: iso(3600e3),
	    judging_ends_at: iso(7200e3), judges_per_entry: 1,
	    criteria: [{ name: "创意", weight: 50, max_score: 10 },
		{ name: "制作", weight: 50, max_score: 10 }] } });
	assert.equal(r.status, 201, r.text);
	cid = r.data.competition.id;
	r = await postAs(staff, `/competitions/${cid}/announce`, { body: {} });
	assert.equal(r.status, 200, r.text);
	r = await getAs(staff, `/competitions/${cid}`);
	crit = r.data.competition.criteria.map((c) => c.id);
	r = await postAs(maker, "/projects", { body: { title: "表单项目",
	    summary: "s", body: "b", status: "published" } });
	assert.equal(r.status, 201, r.text);
	const pid = r.data.project.id;
	r = await postAs(maker, `/competitions/${cid}/entries`, { body: {
	    project_id: pid, statement: "first" } });
	assert.equal(r.status, 201, r.text);
	eid = r.data.entry.id;
});

test("a refused new competition keeps its criteria rows, not six empty ones", async () => {
	const r = await browserPost(staff, "/competitions", [
	    ["title", "权重不对的比赛"], ["opens_at", "2030-01-01T10:00"],
	    ["closes_at", "2030-02-01T10:00"],
	    ["judging_ends_at", "2030-03-01T10:00"],
	    ["criteria[0][name]", "外观 Look"], ["criteria[0][weight]", "30"],
	    ["criteria[0][max_score]", "10"],
	    ["criteria[0][description]", "好看吗"],
	    ["criteria[1][name]", "功能 Works"], ["criteria[1][weight]", "30"],
	    ["criteria[1][max_score]", "20"],
	    ["awards[0][label]", "金奖"], ["awards[0][top]", "1"],
	    ["blind", "false"], ["blind", "true"], ["method", "trimmed"]]);
	formAgain(r, "/competitions", "100", ['value="权重不对的比赛"',
	    'value="外观 Look"', 'value="好看吗"', 'value="功能 Works"',
	    'value="20"', 'value="金奖"', 'value="2030-02-01T10:00"',
	    'name="blind" value="true" checked',
	    '<option value="trimmed" selected>']);
	// Ten rows (the ones sent first), never the six-row fallback.
	assert.equal(r.text.match(/name="criteria\[\d+\]\[name\]"/g).length, 10);
	assert.ok(r.text.indexOf('value="外观 Look"') <
	    r.text.indexOf('name="criteria[2][name]"'), "sent rows first");
	// JSON clients: the error document as before.
	const j = await postAs(staff, "/competitions", { body: {
	    title: "x", opens_at: iso(0), closes_at: iso(1e6),
	    judging_ends_at: iso(2e6), criteria: [{ name: "a", weight: 30 }] } });
	assert.equal(j.status, 422);
	assert.equal(j.data.error.code, "weights_sum");
});

test("a refused competition edit shows the edit form with the dates typed", async () => {
	const r = await browserPost(staff, `/competitions/${cid}`, [
	    ["title", "表单赛 改"], ["opens_at", "2031-05-01T10:00"],
	    ["closes_at", "2031-04-01T10:00"],
	    ["judging_ends_at", "2031-06-01T10:00"],
	    ["criteria[0][name]", "创意"], ["criteria[0][weight]", "50"],
	    ["criteria[0][max_score]", "10"],
	    ["criteria[1][name]", "制作"], ["criteria[1][weight]", "50"],
	    ["criteria[1][max_score]", "10"]]);
	formAgain(r, `/competitions/${cid}`, "", ['value="表单赛 改"',
	    'value="2031-04-01T10:00"', 'value="2031-05-01T10:00"',
	    'value="创意"', 'value="制作"']);
});

test("a refused entry keeps the project, the team and the statement", async () => {
	const other = await newUser({ verified: true });
	let r = await postAs(other, "/projects", { body: { title: "另一个项目",
	    summary: "s", body: "b", status: "published" } });
	const pid2 = r.data.project.id;
	r = await postAs(other, "/projects", { body: { title: "第三个项目",
	    summary: "s", body: "b", status: "published" } });
	r = await browserPost(other, `/competitions/${cid}/entries`, [
	    ["project_id", pid2], ["team", "nobody_at_all_x9"],
	    ["statement", "我们的说明 <kept>"]]);
	formAgain(r, `/competitions/${cid}/entries`, "nobody_at_all_x9", [
	    `<option value="${pid2}" selected>`, 'value="nobody_at_all_x9"',
	    "我们的说明 &lt;kept&gt;</textarea>"]);
	// A missing project: refused before the database, the same form.
	r = await browserPost(other, `/competitions/${cid}/entries`, [
	    ["project_id", ""], ["statement", "still here"]]);
	formAgain(r, `/competitions/${cid}/entries`, "", ["still here</textarea>"]);
	assert.match(r.text, /class="problem"/);
});

test("a refused score keeps every score, the comment and the note", async () => {
	let r = await postAs(staff, `/competitions/${cid}`, { body: {
	    closes_at: iso(-1000) } });
	assert.equal(r.status, 200, r.text);
	// The judges form: an unknown user.
	r = await browserPost(staff, `/competitions/${cid}/judges`, [
	    ["action", "add"], ["username", "no_such_judge_77"]]);
	formAgain(r, `/competitions/${cid}/judges`, "",
	    ['id="judge-name" name="username" value="no_such_judge_77"']);
	assert.match(r.text, /class="problem"/);
	r = await postAs(staff, `/competitions/${cid}/judges`, { body: {
	    username: judge.username, action: "add" } });
	assert.equal(r.status, 200, r.text);
	// The assignment form: the entry and the name typed, under it.
	r = await browserPost(staff, `/competitions/${cid}/assign`, [
	    ["entry_id", "999999999"], ["username", judge.username]]);
	formAgain(r, `/competitions/${cid}/assign`, "", [
	    'value="999999999"',
	    `id="a-user" name="username" value="${judge.username}"`]);
	r = await postAs(staff, `/competitions/${cid}/assign`, { body: {
	    mode: "auto" } });
	assert.equal(r.status, 200, r.text);

	r = await browserPost(judge, `/entries/${eid}/score`, [
	    [`scores[${crit[0]}]`, "7.5"], [`scores[${crit[1]}]`, "11"],
	    ["comment", "评语留着"], ["note", "给工作人员"], ["submit", "true"]]);
	formAgain(r, `/entries/${eid}/score`, "", [
	    `name="scores[${crit[0]}]" type="number" min="0" max="10" ` +
	    'step="0.5" inputmode="decimal" value="7.5"',
	    `name="scores[${crit[1]}]" type="number" min="0" max="10" ` +
	    'step="0.5" inputmode="decimal" value="11" aria-invalid="true"',
	    "评语留着</textarea>", "给工作人员</textarea>"]);
	assert.match(r.text, /class="problem"/);
	// A recusal without a reason: the scoring page with the message.
	r = await browserPost(judge, `/entries/${eid}/recuse`, [["reason", ""]]);
	formAgain(r, `/entries/${eid}/recuse`, "", []);
	// Not a judge here: nothing to show again, the error page.
	const stranger = await newUser({ verified: true });
	r = await browserPost(stranger, `/entries/${eid}/score`, [
	    [`scores[${crit[0]}]`, "5"]]);
	assert.ok([403, 404].includes(r.status), String(r.status));
	assert.ok(!r.text.includes("score-form"));
});
