// The field names of docs/api.md for office hours and competitions, as
// clients read them: every key the contract names is present in the JSON
// of each route (values may be null where the contract allows), and
// every *_at field is RFC 3339 with an offset.  The feature files test
// the values; this file catches a renamed or forgotten key.
import { test } from "node:test";
import assert from "node:assert/strict";
import { login, newUser, postAs, getAs, get, sql } from "./lib.mjs";

const RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?([+-]\d\d:\d\d|Z)$/;
const iso = (ms) => new Date(Date.now() + ms).toISOString();

// Every key of keys is in obj; every *_at value present is RFC 3339.
function has(obj, keys, what) {
	assert.ok(obj && typeof obj === "object", `${what}: an object`);
	for (const k of keys)
		assert.ok(k in obj, `${what}: "${k}" in ${JSON.stringify(obj)}`);
	for (const [k, v] of Object.entries(obj))
		if (k.endsWith("_at") && v !== null)
			assert.match(String(v), RFC3339, `${what}.${k}`);
}

test("office hours: the keys of every route", async () => {
	const m = await newUser({ verified: true, role: "mentor" });
	const maker = await newUser({ verified: true });
	let r = await postAs(m, "/mentors/me", { body: { expertise: "contract",
	    bio: "A **bio**", place: "Room 1", notice_hours: 0,
	    window_days: 30, cancel_hours: 1 } });
	assert.equal(r.status, 200, r.text);
	r = await postAs(m, "/office-hours/rules", { body: { weekday: 3,
	    start: "19:00", end: "20:00", slot_minutes: 30,
	    buffer_minutes: 0, capacity: 2 } });
	assert.equal(r.status, 201, r.text);
	has(r.data, ["rule"], "POST /office-hours/rules");
	const start = new Date(Date.now() + 50 * 3600e3);
	start.setUTCSeconds(0, 0);
	r = await postAs(m, "/office-hours/slots", { body: {
	    starts_at: start.toISOString(), minutes: 20, capacity: 1,
	    online_url: "https://meet.example.edu/room" } });
	assert.equal(r.status, 201, r.text);
	has(r.data, ["slot"], "POST /office-hours/slots");
	const sid = r.data.slot.id;

	r = await get("/mentors?tag=contract");
	const listed = r.data.mentors.find((x) => x.username === m.username);
	has(listed, ["username", "display_name", "url", "expertise",
	    "bio_html", "next_slot_at"], "GET /mentors");
	r = await get(`/mentors/${m.username}`);
	has(r.data.mentor, ["username", "display_name", "expertise",
	    "bio_html", "place", "slots"], "GET /mentors/{username}");
	assert.ok(r.data.mentor.slots.length >= 1);
	r = await get(`/office-hours?mentor=${m.username}`);
	const s = r.data.slots.find((x) => x.id === sid);
	has(s, ["id", "url", "mentor", "starts_at", "ends_at", "place",
	    "online", "capacity", "seats_left", "waitlist"], "GET /office-hours");
	r = await get(`/office-hours/slots/${sid}`);
	has(r.data, ["slot"], "GET /office-hours/slots/{id}");

	r = await postAs(maker, `/office-hours/slots/${sid}/book`, { body: {
	    question: "How should I wire the stepper driver?" } });
	assert.equal(r.status, 201, r.text);
	has(r.data.booking, ["id", "url", "status"], "POST .../book");
	const bid = r.data.booking.id;
	const other = await newUser({ verified: true });
	r = await postAs(other, `/office-hours/slots/${sid}/book`, { body: {
	    question: "Can I join too, to learn about steppers?" } });
	assert.equal(r.status, 201, r.text);
	assert.equal(r.data.booking.status, "waitlisted");
	has(r.data.booking, ["position"], "a waitlisted booking");

	r = await getAs(m, `/office-hours/slots/${sid}`);
	has(r.data.slot, ["bookings"], "the slot, to its mentor");
	r = await getAs(maker, `/bookings/${bid}`);
	has(r.data.booking, ["id", "url", "slot", "mentor", "maker",
	    "question_html", "topic", "status", "position", "attendance",
	    "notes_html", "cancel_before", "created_at"], "GET /bookings/{id}");
	r = await getAs(maker, "/me/bookings");
	has(r.data, ["bookings", "sessions"], "GET /me/bookings");
	r = await getAs(m, "/me/bookings");
	assert.ok(r.data.sessions.length >= 1, "the mentor's sessions");
	r = await postAs(maker, "/settings/calendar", { body: {} });
	assert.equal(r.status, 201, r.text);
	has(r.data.calendar, ["url"], "POST /settings/calendar");
	r = await get("/");
	has(r.data, ["office_hours", "competitions"], "GET /");

	// The session happens (test set-up: the slot starts now); both
	// profiles count it, as given and as attended.
	sql(`UPDATE oh_slots SET starts_at = now() - interval '5 minutes',
	    ends_at = now() + interval '15 minutes' WHERE id = ${sid}`);
	r = await postAs(m, `/bookings/${bid}/attendance`, { body: {
	    attendance: "attended" } });
	assert.equal(r.status, 200, r.text);
	r = await get(`/u/${m.username}`);
	assert.equal(r.data.user.counts.sessions_given, 1);
	r = await get(`/u/${maker.username}`);
	assert.equal(r.data.user.counts.sessions_attended, 1);
	assert.equal(r.data.user.counts.sessions_given, 0);
	const html = (await get(`/u/${maker.username}?lang=en`,
	    { json: false })).text;
	assert.match(html, /<strong>1<\/strong> office hours sessions attended/);
});

test("competitions: the keys of every route", async () => {
	const staff = await login("staff1");
	const maker = await newUser({ verified: true });
	const judge = await newUser({ verified: true });
	let r = await postAs(staff, "/competitions", { body: {
	    title: "Contract contest", summary: "keys", brief: "**Brief**",
	    rules: "Rules", opens_at: iso(-3600e3), closes_at: iso(3600e3),
	    judging_ends_at: iso(7200e3), judges_per_entry: 1,
	    public_vote: true,
	    criteria: [{ name: "Idea", weight: 100, max_score: 10 }],
	    awards: [{ label: "一等奖", top: 1 }] } });
	assert.equal(r.status, 201, r.text);
	has(r.data, ["competition"], "POST /competitions");
	const cid = r.data.competition.id;
	r = await postAs(staff, `/competitions/${cid}/announce`, { body: {} });
	assert.equal(r.status, 200, r.text);
	r = await get("/competitions");
	has(r.data.competitions.find((c) => c.id === cid), ["id", "url",
	    "title", "summary", "phase", "opens_at", "closes_at",
	    "judging_ends_at", "entry_count"], "GET /competitions");
	r = await getAs(maker, `/competitions/${cid}`);
	const c = r.data.competition;
	has(c, ["id", "url", "title", "summary", "brief_html", "rules_html",
	    "phase", "opens_at", "closes_at", "judging_ends_at",
	    "max_team_size", "criteria", "blind", "public_vote", "entry_count",
	    "awards", "my_entries", "i_judge"], "GET /competitions/{id}");
	has(c.criteria[0], ["id", "name", "description", "weight",
	    "max_score"], "criteria[]");
	assert.equal(c.phase, "open");

	r = await postAs(maker, "/projects", { body: { title: "Contract lamp",
	    summary: "A lamp", body: "Write-up.", status: "published" } });
	assert.equal(r.status, 201, r.text);
	r = await postAs(maker, `/competitions/${cid}/entries`, { body: {
	    project_id: r.data.project.id, statement: "Our *lamp*" } });
	assert.equal(r.status, 201, r.text);
	has(r.data.entry, ["id", "url", "status"], "POST .../entries");
	const eid = r.data.entry.id;
	r = await getAs(maker, `/entries/${eid}`);
	has(r.data.entry, ["id", "url", "competition", "title", "summary",
	    "body_html", "photos", "statement_html", "team", "status",
	    "submitted_at", "rank", "award", "score", "feedback"],
	    "GET /entries/{id}");

	r = await postAs(staff, `/competitions/${cid}`, { body: {
	    closes_at: iso(-1000) } });
	assert.equal(r.status, 200, r.text);
	r = await postAs(staff, `/competitions/${cid}/judges`, { body: {
	    username: judge.username, action: "add" } });
	assert.equal(r.status, 200, r.text);
	r = await postAs(staff, `/competitions/${cid}/assign`, { body: {
	    entry_id: eid, username: judge.username } });
	assert.equal(r.status, 200, r.text);
	r = await getAs(judge, "/judging");
	has(r.data.assignments.find((a) => a.entry.id === eid ||
	    a.entry === eid) ?? r.data.assignments[0], ["entry", "competition",
	    "status"], "GET /judging");
	const crit = c.criteria[0].id;
	r = await postAs(judge, `/entries/${eid}/score`, { body: {
	    scores: { [crit]: 7.5 }, comment: "Nice", note: "n",
	    submit: true } });
	assert.equal(r.status, 200, r.text);
	has(r.data, ["score"], "POST /entries/{id}/score");
	r = await getAs(staff, `/competitions/${cid}/results`);
	assert.equal(r.status, 200, r.text);
	has(r.data, ["results", "method", "progress"], "GET .../results");
	has(r.data.progress, ["scored", "expected"], "progress");
	has(r.data.results[0], ["rank", "entry", "score", "raw_score",
	    "judges", "criteria", "flagged", "award", "votes"], "results[]");
	has(r.data.results[0].criteria[0], ["id", "mean"], "results[].criteria");

	r = await postAs(staff, `/competitions/${cid}`, { body: {
	    judging_ends_at: iso(-500) } });
	assert.equal(r.status, 200, r.text);
	r = await postAs(staff, `/competitions/${cid}/publish`, { body: {} });
	assert.equal(r.status, 200, r.text);
	r = await getAs(maker, `/entries/${eid}/certificate`, { json: false });
	assert.equal(r.status, 200);
	const code = r.text.match(/class="cert-code">([0-9A-F-]{14})</)[1];
	r = await get(`/verify/${code}`);
	has(r.data.certificate, ["competition", "entry", "award", "rank",
	    "team", "issued_at"], "GET /verify/{code}");

	// The award is on the maker's profile, with its certificate.
	r = await get(`/u/${maker.username}`);
	assert.deepEqual(r.data.user.awards.map((a) => [a.award, a.verify_url,
	    a.competition.id]), [["一等奖", `/verify/${code}`, cid]]);
	const html = (await get(`/u/${maker.username}`, { json: false })).text;
	assert.ok(html.includes(`href="/verify/${code}"`));
	r = await get(`/u/${judge.username}`);
	assert.deepEqual(r.data.user.awards, [], "judges win nothing");
});
