// Mentor office hours (issue 13): profiles, rules and slots in the site
// zone, booking with every refusal of docs/api.md, the seat under a race,
// the waitlist, cancel, attendance, notes, share, no-show suspension.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { DB, get, getAs, postAs, newUser, login, setting, sql, startServer }
    from "./lib.mjs";

let saved;

before(() => {
	saved = sql("SELECT value FROM site_settings " +
	    "WHERE key = 'posts_per_minute'") || "60";
	setting("posts_per_minute", "100000");
	setting("board_hold_first_posts", "0");
	setting("board_new_seconds_between", "0");
});

after(() => {
	setting("posts_per_minute", saved);
	setting("board_hold_first_posts", "1");
	setting("board_new_seconds_between", "30");
	setting("bookings_per_week", "2");
	setting("oh_waitlist_max", "50");
});

// "YYYY-MM-DDTHH:MMZ" hours from now (whole minutes).
function inHours(h) {
	const d = new Date(Date.now() + h * 3600e3);
	d.setUTCSeconds(0, 0);
	return d.toISOString().slice(0, 16) + "Z";
}

async function mentor(profile = {}) {
	const m = await newUser({ verified: true, role: "mentor" });
	const r = await postAs(m, "/mentors/me", { body: { notice_hours: 0,
	    window_days: 60, cancel_hours: 24, ...profile } });
	assert.equal(r.status, 200, r.text);
	return m;
}

async function slot(m, hours, extra = {}) {
	const r = await postAs(m, "/office-hours/slots", { body: {
	    starts_at: inHours(hours), minutes: 30, capacity: 1, ...extra } });
	assert.equal(r.status, 201, r.text);
	return r.data.slot;
}

const maker = () => newUser({ verified: true });
const Q = "How do I level the bed of the 3D printer?";

function book(who, sid, body = { question: Q }) {
	return postAs(who, `/office-hours/slots/${sid}/book`, { body });
}

// Move a slot into the past/present (test set-up, as if time passed);
// i apart by 40 minutes, so one mentor's slots never overlap.
function started(sid, i = 0) {
	sql(`UPDATE oh_slots SET starts_at = now() - interval '5 minutes' -
	    ${i * 40} * interval '1 minute', ends_at = now() +
	    interval '25 minutes' - ${i * 40} * interval '1 minute'
	    WHERE id = ${sid}`);
}

test("mentor profile, directory by tag, mentor page with a week view",
    async () => {
	const m = await mentor({ expertise: "Arduino, Laser cutting",
	    bio: "I **solder**.", place: "Room 2" });
	const s = await slot(m, 50);
	const d = await get("/mentors?tag=arduino");
	assert.equal(d.status, 200);
	const me = d.data.mentors.find((x) => x.username === m.username);
	assert.ok(me, "listed under its tag");
	assert.deepEqual(me.expertise, ["arduino", "laser cutting"]);
	assert.match(me.bio_html, /<strong>solder<\/strong>/);
	assert.ok(me.next_slot_at.endsWith("+08:00"));
	const none = await get("/mentors?tag=knitting");
	assert.ok(!none.data.mentors.some((x) => x.username === m.username));
	const p = await get(`/mentors/${m.username}`);
	assert.equal(p.status, 200);
	assert.equal(p.data.mentor.slots[0].id, s.id);
	assert.equal(p.data.mentor.place, "Room 2");
	const h = await get(`/mentors/${m.username}`, { json: false });
	assert.match(h.text, /class="oh-week"/);
	assert.ok(h.text.includes(`href="/office-hours/slots/${s.id}"`));
	const form = await getAs(m, "/mentors/me", { json: false });
	assert.equal(form.status, 200);
	assert.match(form.text, /action="\/office-hours\/rules"/);
	const member = await maker();
	assert.equal((await getAs(member, "/mentors/me")).status, 404);
	assert.equal((await postAs(member, "/mentors/me", { body: {} })).status,
	    403);
	// Header link works.
	assert.equal((await get("/mentors", { json: false })).status, 200);
});

test("profile and rules refuse bad input with the field named", async () => {
	const m = await mentor();
	const bad = [
		[{ weekday: 1, start: "19:00", end: "19:00", slot_minutes: 20 },
		    "end"],
		[{ weekday: 1, start: "19:00", end: "18:00", slot_minutes: 20 },
		    "end"],
		[{ weekday: 1, start: "19:00", end: "20:00", slot_minutes: 5 },
		    "slot_minutes"],
		[{ weekday: 1, start: "19:00", end: "20:00", slot_minutes: 301 },
		    "slot_minutes"],
		[{ weekday: 1, start: "19:00", end: "20:00", slot_minutes: 20,
		    capacity: 51 }, "capacity"],
		[{ weekday: 1, start: "19:00", end: "20:00", slot_minutes: 20,
		    capacity: 0 }, "capacity"],
		[{ weekday: 8, start: "19:00", end: "20:00", slot_minutes: 20 },
		    "weekday"],
		[{ weekday: 1, start: "25:00", end: "26:00", slot_minutes: 20 },
		    "start"],
		[{ weekday: 1, start: "19:00", end: "20:00", slot_minutes: 20,
		    online_url: "http://meet.example.org/x" }, "online_url"],
		[{ weekday: 1, start: "19:00", end: "20:00", slot_minutes: 20,
		    online_url: "javascript:alert(1)" }, "online_url"],
		[{ weekday: 1, start: "19:00", end: "20:00", slot_minutes: 20,
		    place: "javascript:alert(1)" }, "place"],
		[{ weekday: 1, start: "19:00", end: "20:00", slot_minutes: 20,
		    from: "2026-02-30" }, "from"],
		[{ weekday: 1, start: "19:00", end: "20:00", slot_minutes: 20,
		    until: "2027-13-01" }, "until"],
		[{ weekday: 1, start: "19:00", end: "19:15", slot_minutes: 20 },
		    "slot_minutes"],
	];
	for (const [body, field] of bad) {
		const r = await postAs(m, "/office-hours/rules", { body });
		assert.equal(r.status, 422, JSON.stringify(body));
		assert.ok(r.data.error.fields[field], `${field}: ${r.text}`);
	}
	for (const [body, field] of [
	    [{ starts_at: "2026-02-30T10:00", minutes: 30 }, "starts_at"],
	    [{ starts_at: inHours(30), minutes: 5 }, "minutes"],
	    [{ starts_at: inHours(30), minutes: 30, capacity: 99 }, "capacity"],
	    [{ starts_at: inHours(30), minutes: 30,
		online_url: "https://x.org/\"><script>" }, "online_url"],
	    [{ starts_at: inHours(-3), minutes: 30 }, "starts_at"]]) {
		const r = await postAs(m, "/office-hours/slots", { body });
		assert.equal(r.status, 422, JSON.stringify(body));
		assert.ok(r.data.error.fields[field], r.text);
	}
	const p = await postAs(m, "/mentors/me", { body: { window_days: 91 } });
	assert.equal(p.status, 422);
	assert.ok(p.data.error.fields.window_days);
	const t = await postAs(m, "/mentors/me", { body: { expertise:
	    ["x".repeat(25)] } });
	assert.equal(t.status, 422);
	assert.ok(t.data.error.fields.expertise);
	// Markdown: a javascript: link never becomes one.
	const b = await postAs(m, "/mentors/me", { body: {
	    bio: "[x](javascript:alert(1))" } });
	assert.equal(b.status, 200);
	const page = await get(`/mentors/${m.username}`);
	assert.ok(!/href="javascript:/i.test(page.data.mentor.bio_html));
});

test("a weekly rule makes slots at the local time; overlaps are 409; " +
    "deleting keeps booked slots", async () => {
	const m = await mentor();
	const r = await postAs(m, "/office-hours/rules", { body: { weekday: 3,
	    start: "19:00", end: "20:00", slot_minutes: 20, buffer_minutes: 10,
	    capacity: 2, online_url: "https://meet.example.org/room" } });
	assert.equal(r.status, 201, r.text);
	const rule = r.data.rule;
	const p = await get(`/mentors/${m.username}`);
	const slots = p.data.mentor.slots;
	assert.ok(slots.length >= 2 * 8, `${slots.length} slots`);
	for (const s of slots) {
		assert.match(s.starts_at, /T19:00:00\+08:00$|T19:30:00\+08:00$/);
		assert.equal(s.weekday, 3);
	}
	// Generating again changes nothing (idempotent).
	const n = sql(`SELECT count(*) FROM oh_slots WHERE rule_id = ${rule.id}`);
	sql(`UPDATE oh_rules SET generated_until = generated_until - 14
	    WHERE id = ${rule.id}`);
	sql("SELECT oh_extend(NULL)");
	assert.equal(sql(`SELECT count(*) FROM oh_slots
	    WHERE rule_id = ${rule.id}`), n);
	const o = await postAs(m, "/office-hours/rules", { body: { weekday: 3,
	    start: "19:30", end: "21:00", slot_minutes: 30 } });
	assert.equal(o.status, 409, o.text);
	assert.equal(o.data.error.code, "overlap");
	const one = await postAs(m, "/office-hours/slots", { body: {
	    starts_at: slots[0].starts_at.slice(0, 16), minutes: 15 } });
	assert.equal(one.status, 409, one.text);
	// Book one slot, then delete the rule.
	const k = await maker();
	assert.equal((await book(k, slots[0].id)).status, 201);
	const other = await mentor();
	const d0 = await postAs(other, `/office-hours/rules/${rule.id}/delete`,
	    { body: {} });
	assert.equal(d0.status, 404, "someone else's rule");
	const d = await postAs(m, `/office-hours/rules/${rule.id}/delete`,
	    { body: {} });
	assert.equal(d.status, 200, d.text);
	assert.equal(d.data.booked_slots_kept, 1);
	const after = await get(`/mentors/${m.username}`);
	assert.deepEqual(after.data.mentor.slots.map((s) => s.id),
	    [slots[0].id]);
});

test("booking refusals: each status and code with a message", async () => {
	const m = await mentor({ notice_hours: 12, window_days: 10 });
	const soon = await slot(m, 3);
	const far = await slot(m, 24 * 20);
	const a = await slot(m, 30);
	const k = await maker();
	let r = await postAs(m, `/office-hours/slots/${a.id}/book`, { body: {
	    question: Q } });
	assert.equal(r.status, 422);
	assert.equal(r.data.error.code, "own_slot");
	r = await book(k, soon.id);
	assert.equal(r.status, 422);
	assert.equal(r.data.error.code, "too_soon");
	assert.match(r.data.error.message, /12/);
	r = await book(k, far.id);
	assert.equal(r.status, 422);
	assert.equal(r.data.error.code, "too_far");
	r = await book(k, a.id, { question: "x".repeat(10000) });
	assert.equal(r.status, 422);
	assert.ok(r.data.error.fields.question);
	r = await book(k, a.id, { question: "short" });
	assert.equal(r.status, 422);
	r = await book(k, a.id, {});
	assert.equal(r.status, 422);
	r = await book(k, a.id, { question: "[x](javascript:alert(1)) " + Q });
	assert.equal(r.status, 201, r.text);
	const bk = await getAs(k, r.data.booking.url);
	assert.ok(!/javascript:/i.test(bk.data.booking.question_html));
	r = await book(k, a.id);
	assert.equal(r.status, 409);
	assert.equal(r.data.error.code, "already_booked");
	// Another mentor's slot at the same time: overlapping booking.
	const m2 = await mentor();
	const same = await postAs(m2, "/office-hours/slots", { body: {
	    starts_at: a.starts_at, minutes: 30 } });
	assert.equal(same.status, 201, same.text);
	r = await book(k, same.data.slot.id);
	assert.equal(r.status, 409);
	assert.equal(r.data.error.code, "overlapping_booking");
	// A past slot.
	const past = await slot(m2, 40);
	sql(`UPDATE oh_slots SET starts_at = now() - interval '2 hours',
	    ends_at = now() - interval '1 hour' WHERE id = ${past.id}`);
	r = await book(k, past.id);
	assert.equal(r.status, 422);
	assert.equal(r.data.error.code, "past");
	// Someone else's booking: 404, and an unknown slot 404.
	const other = await maker();
	assert.equal((await getAs(other, bk.data.booking.url)).status, 404);
	assert.equal((await postAs(other, `${bk.data.booking.url}/cancel`,
	    { body: {} })).status, 404);
	assert.equal((await book(other, 999999999)).status, 404);
	// A booking for a board topic the maker may see.
	const t = await postAs(other, "/topics", { body: { category: "help",
	    title: "My printer jams", body: "It jams after ten minutes." } });
	assert.equal(t.status, 201, t.text);
	r = await book(other, a.id, { topic_id: t.data.topic.id });
	assert.equal(r.status, 201, r.text);
	r = await book(other, a.id, { topic_id: 999999999 });
	assert.ok([409, 422].includes(r.status));
	// HTML: the form again with the message, no crash.
	const h = await postAs(other, `/office-hours/slots/${far.id}/book`,
	    { form: { question: Q }, json: false });
	assert.equal(h.status, 422);
	assert.match(h.text, /role="alert"/);
});

test("bookings_per_week: 429 limit_reached saying when it frees up",
    async () => {
	setting("bookings_per_week", "2");
	const m = await mentor();
	const k = await maker();
	// Three slots in one site-zone week (Mon-Sun), 10 days ahead.
	const base = new Date(Date.now() + 10 * 86400e3);
	const monday = new Date(Date.UTC(base.getUTCFullYear(),
	    base.getUTCMonth(), base.getUTCDate() - ((base.getUTCDay() + 6) % 7)));
	const at = (day, h) => {
		const d = new Date(monday.getTime() + day * 86400e3);
		return d.toISOString().slice(0, 10) + `T${h}:00`;
	};
	const ids = [];
	for (const [day, h] of [[1, "10"], [2, "10"], [3, "10"]]) {
		const r = await postAs(m, "/office-hours/slots", { body: {
		    starts_at: at(day, h), minutes: 30 } });
		assert.equal(r.status, 201, r.text);
		ids.push(r.data.slot.id);
	}
	assert.equal((await book(k, ids[0])).status, 201);
	assert.equal((await book(k, ids[1])).status, 201);
	const r = await book(k, ids[2]);
	assert.equal(r.status, 429, r.text);
	assert.equal(r.data.error.code, "limit_reached");
	const next = new Date(monday.getTime() + 7 * 86400e3).toISOString()
	    .slice(0, 10);
	assert.ok(r.data.error.message.includes(next), r.data.error.message);
	assert.ok(r.data.error.frees_at.startsWith(next));
});

test("20 simultaneous requests for the last seat: one confirmed, the " +
    "rest waitlisted in order; a cancel promotes and notifies", async () => {
	const m = await mentor();
	const s = await slot(m, 60, { capacity: 1 });
	const makers = [];
	for (let i = 0; i < 20; i++)
		makers.push(await maker());
	const rs = await Promise.all(makers.map((k) => book(k, s.id)));
	for (const r of rs)
		assert.equal(r.status, 201, r.text);
	const confirmed = rs.filter((r) => r.data.booking.status ===
	    "confirmed");
	const waiting = rs.filter((r) => r.data.booking.status === "waitlisted");
	assert.equal(confirmed.length, 1);
	assert.equal(waiting.length, 19);
	assert.deepEqual(waiting.map((r) => r.data.booking.position)
	    .sort((a, b) => a - b), Array.from({ length: 19 }, (_, i) => i + 1));
	assert.equal(sql(`SELECT count(*) FROM oh_bookings WHERE slot_id =
	    ${s.id} AND status = 'confirmed'`), "1");
	// The mentor was told.
	assert.ok(Number(sql(`SELECT count(*) FROM notifications
	    WHERE user_id = ${m.user.id} AND type = 'oh_booked'`)) === 1);
	// The confirmed maker cancels: the first in line gets the seat.
	const iWin = rs.indexOf(confirmed[0]);
	const first = rs.findIndex((r) => r.data.booking.position === 1);
	const c = await postAs(makers[iWin], `${confirmed[0].data.booking.url}` +
	    "/cancel", { body: {} });
	assert.equal(c.status, 200, c.text);
	const again = await postAs(makers[iWin],
	    `${confirmed[0].data.booking.url}/cancel`, { body: {} });
	assert.equal(again.status, 409);
	assert.equal(again.data.error.code, "already_cancelled");
	const p = await getAs(makers[first], rs[first].data.booking.url);
	assert.equal(p.data.booking.status, "confirmed");
	const n = await getAs(makers[first], "/notifications");
	assert.ok(n.data.notifications.some((x) => x.type === "oh_promoted"));
	const two = await getAs(makers[rs.findIndex((r) =>
	    r.data.booking.position === 2)], "/me/bookings");
	assert.equal(two.data.bookings[0].position, 1);
});

test("a full slot without waitlist room is 409 slot_full", async () => {
	setting("oh_waitlist_max", "1");
	try {
		const m = await mentor();
		const s = await slot(m, 70);
		assert.equal((await book(await maker(), s.id)).data.booking.status,
		    "confirmed");
		assert.equal((await book(await maker(), s.id)).data.booking.status,
		    "waitlisted");
		const r = await book(await maker(), s.id);
		assert.equal(r.status, 409);
		assert.equal(r.data.error.code, "slot_full");
	} finally {
		setting("oh_waitlist_max", "50");
	}
});

test("cancel: maker cutoff by the database clock, mentor needs a message, " +
    "the maker hears it; sequence rises on every change", async () => {
	const m = await mentor();
	const k = await maker();
	const s = await slot(m, 48);
	const b = (await book(k, s.id)).data.booking;
	const seq0 = Number(sql(`SELECT sequence FROM oh_bookings
	    WHERE id = ${b.id}`));
	// The cutoff (24 h before) has passed for a slot 5 h away.
	sql(`UPDATE oh_slots SET starts_at = now() + interval '5 hours',
	    ends_at = now() + interval '6 hours' WHERE id = ${s.id}`);
	let r = await postAs(k, `${b.url}/cancel`, { body: {} });
	assert.equal(r.status, 409);
	assert.equal(r.data.error.code, "cutoff_passed");
	r = await postAs(m, `${b.url}/cancel`, { body: {} });
	assert.equal(r.status, 422);
	assert.ok(r.data.error.fields.message);
	r = await postAs(m, `${b.url}/cancel`, { body: {
	    message: "I am ill, sorry; please book next week" } });
	assert.equal(r.status, 200, r.text);
	const n = await getAs(k, "/notifications");
	const note = n.data.notifications.find((x) => x.type === "oh_cancelled");
	assert.ok(note && note.text.includes("I am ill"), JSON.stringify(note));
	const seq1 = Number(sql(`SELECT sequence FROM oh_bookings
	    WHERE id = ${b.id}`));
	assert.ok(seq1 > seq0);
	const g = await getAs(k, b.url);
	assert.equal(g.data.booking.status, "cancelled");
	assert.equal(g.data.booking.cancel_message,
	    "I am ill, sorry; please book next week");
});

test("attendance and notes from the start, share as a solved help topic " +
    "that search finds", async () => {
	const m = await mentor();
	const k = await maker();
	sql(`UPDATE users SET created_at = now() - interval '60 days'
	    WHERE id IN (${m.user.id}, ${k.user.id})`);
	const s = await slot(m, 30);
	const word = `levelling${Date.now() % 100000}`;
	const b = (await book(k, s.id, { question: `# Bed ${word}\n\n${Q}` }))
	    .data.booking;
	let r = await postAs(m, `${b.url}/attendance`, { body: {
	    attendance: "attended" } });
	assert.equal(r.status, 409);
	assert.equal(r.data.error.code, "not_started");
	r = await postAs(m, `${b.url}/notes`, { body: { notes: "Use paper." } });
	assert.equal(r.status, 409);
	r = await postAs(k, `${b.url}/share`, { body: {} });
	assert.equal(r.status, 409);
	assert.equal(r.data.error.code, "no_notes");
	started(s.id);
	r = await postAs(m, `${b.url}/attendance`, { body: { attendance: "maybe" } });
	assert.equal(r.status, 422);
	r = await postAs(k, `${b.url}/attendance`, { body: {
	    attendance: "attended" } });
	assert.equal(r.status, 403, "the maker does not mark themselves");
	r = await postAs(m, `${b.url}/attendance`, { body: {
	    attendance: "attended" } });
	assert.equal(r.status, 200, r.text);
	r = await postAs(m, `${b.url}/notes`, { body: {
	    notes: "Use a sheet of **paper** under the nozzle." } });
	assert.equal(r.status, 200, r.text);
	// The mentor's sessions show who, the question, attendance.
	const sess = await getAs(m, "/me/bookings", { json: false });
	assert.ok(sess.text.includes(k.user.display_name));
	assert.ok(sess.text.includes(word));
	r = await postAs(m, `${b.url}/share`, { body: {} });
	assert.equal(r.status, 403, "only the maker shares");
	r = await postAs(k, `${b.url}/share`, { body: {} });
	assert.equal(r.status, 201, r.text);
	const topic = r.data.topic;
	assert.ok(topic.solved_post_id);
	assert.match(topic.title, new RegExp(word));
	const t = await get(topic.url);
	assert.equal(t.status, 200);
	assert.equal(t.data.topic.category.slug, "help");
	assert.ok(JSON.stringify(t.data).includes("<strong>paper</strong>"));
	const found = await get(`/search?q=${word}`);
	assert.ok(JSON.stringify(found.data).includes(topic.url),
	    "search finds the shared topic");
	r = await postAs(k, `${b.url}/share`, { body: {} });
	assert.equal(r.status, 409);
	assert.equal(r.data.error.code, "already_shared");
});

test("no-shows suspend booking (403 with until), visible; staff lift it " +
    "(audited)", async () => {
	setting("bookings_per_week", "10");
	const m = await mentor();
	const k = await maker();
	for (let i = 0; i < 3; i++) {
		const s = await slot(m, 30 + i);
		const b = (await book(k, s.id)).data.booking;
		started(s.id, i);
		const r = await postAs(m, `${b.url}/attendance`, { body: {
		    attendance: "no_show" } });
		assert.equal(r.status, 200, r.text);
	}
	const s = await slot(m, 80);
	const r = await book(k, s.id);
	assert.equal(r.status, 403, r.text);
	assert.equal(r.data.error.code, "booking_suspended");
	assert.ok(r.data.error.until);
	const mine = await getAs(k, "/me/bookings");
	assert.ok(mine.data.suspended_until);
	const staff = await login("staff1");
	const list = await getAs(staff, "/admin/office-hours");
	assert.equal(list.status, 200);
	assert.ok(list.data.suspended.some((x) => x.username === k.username));
	assert.equal((await getAs(k, "/admin/office-hours")).status, 403);
	const bad = await postAs(staff, `/admin/users/${k.username}`, { body: {
	    booking_suspended_until: "2030-01-01" } });
	assert.equal(bad.status, 422);
	const lift = await postAs(staff, `/admin/users/${k.username}`, { body: {
	    booking_suspended_until: "", reason: "talked at the desk" } });
	assert.equal(lift.status, 200, lift.text);
	assert.equal(lift.data.user.booking_suspended_until, null);
	assert.equal(sql(`SELECT count(*) FROM audit_log WHERE action =
	    'booking_unsuspend' AND target = '${k.username}'`), "1");
	assert.equal((await book(k, s.id)).status, 201);
	setting("bookings_per_week", "2");
});

test("pages render in both languages for their people", async () => {
	const m = await mentor();
	const k = await maker();
	const s = await slot(m, 30);
	const b = (await book(k, s.id)).data.booking;
	for (const [who, p] of [[null, "/mentors"], [null, "/office-hours"],
	    [null, `/mentors/${m.username}`], [null, `/office-hours/slots/${s.id}`],
	    [k, `/office-hours/slots/${s.id}`], [m, `/office-hours/slots/${s.id}`],
	    [k, b.url], [m, b.url], [k, "/me/bookings"], [m, "/me/bookings"],
	    [m, "/mentors/me"]]) {
		for (const lang of ["en", "zh-CN"]) {
			const r = who ? await getAs(who, `${p}?lang=${lang}`,
			    { json: false }) : await get(`${p}?lang=${lang}`,
			    { json: false });
			assert.equal(r.status, 200, `${p} ${lang}`);
			assert.ok(!/\boh\.[a-z_.]+\b/.test(r.text.replace(/<[^>]*>/g,
			    "")), `${p}: a catalog key shown`);
		}
	}
	const sp = await getAs(m, `/office-hours/slots/${s.id}`);
	assert.equal(sp.data.slot.bookings.length, 1, "the mentor sees them");
	const vp = await getAs(await maker(), `/office-hours/slots/${s.id}`);
	assert.equal(vp.data.slot.bookings, null, "others do not");
	const form = await getAs(await maker(), `/office-hours/slots/${s.id}`,
	    { json: false });
	assert.match(form.text, /data-preview="question-preview"/);
	const home = await get("/");
	assert.ok(Array.isArray(home.data.office_hours));
	assert.ok(home.data.office_hours.length > 0);
	const list = await get("/office-hours?from=2026-02-30");
	assert.equal(list.status, 400);
});

test("MAKERSPACE_TZ=Europe/Berlin: local wall-clock times, 19:00 stays " +
    "19:00 across the DST change", async () => {
	const run = mkdtempSync(path.join(tmpdir(), "mk-oh-tz-"));
	const srv = await startServer(DB, run, { MAKERSPACE_TZ: "Europe/Berlin" });
	try {
		assert.equal(srv.exitCode(), null, srv.output());
		const base = `http://127.0.0.1:${srv.port}`;
		const m = await newUser({ verified: true, role: "mentor" });
		const call = async (p, body) => {
			const r = await fetch(base + p, { method: "POST", headers: {
			    accept: "application/json", "content-type":
			    "application/json", cookie: m.jar.header(),
			    "x-csrf-token": m.csrf }, body: JSON.stringify(body) });
			return { status: r.status, data: await r.json() };
		};
		// One-off slots on both sides of the 2027 spring change.
		const w = await call("/office-hours/slots", {
		    starts_at: "2027-03-21T19:00", minutes: 30 });
		assert.equal(w.status, 201, JSON.stringify(w.data));
		assert.equal(w.data.slot.starts_at, "2027-03-21T19:00:00+01:00");
		const s = await call("/office-hours/slots", {
		    starts_at: "2027-03-28T19:00", minutes: 30 });
		assert.equal(s.data.slot.starts_at, "2027-03-28T19:00:00+02:00");
		// A weekly rule's slots come out of PostgreSQL's zone rules:
		// the same function the server runs, in the server's zone.
		const rr = await call("/office-hours/rules", { weekday: 7,
		    start: "19:00", end: "19:30", slot_minutes: 30 });
		assert.equal(rr.status, 201, JSON.stringify(rr.data));
		const times = sql(`SET TimeZone TO 'Europe/Berlin';
		    SELECT string_agg(to_char(starts_at, 'YYYY-MM-DD HH24:MI OF'),
		    ',' ORDER BY starts_at) FROM oh_rules r,
		    oh_rule_times(r, '2027-03-20', '2027-04-05')
		    WHERE r.id = ${rr.data.rule.id}`);
		assert.equal(times, "2027-03-21 19:00 +01,2027-03-28 19:00 +02," +
		    "2027-04-04 19:00 +02");
		// And the slots it made now are at 19:00 Berlin time.
		const p = await fetch(`${base}/mentors/${m.username}`,
		    { headers: { accept: "application/json" } });
		const doc = await p.json();
		const made = doc.mentor.slots.filter((x) => x.rule_id ===
		    rr.data.rule.id);
		assert.ok(made.length > 0);
		for (const x of made)
			assert.match(x.starts_at, /T19:00:00\+0[12]:00$/);
	} finally {
		await srv.stop();
		rmSync(run, { recursive: true, force: true });
	}
});
