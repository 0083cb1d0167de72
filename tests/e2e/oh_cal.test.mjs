// Office hours in calendars (app/oh_cal.c, app/ical.c): a booking's
// .ics, the secret feed URL, and the reminders 24 hours and 1 hour
// before.  Every generated file is parsed by ical.js (tests/e2e/oh_cal.mjs).
import { test } from "node:test";
import assert from "node:assert/strict";
import { BASE, get, getAs, postAs, sql, newUser, login, setting }
    from "./lib.mjs";
import { openPage } from "./forms.mjs";
import { newMentor, newMaker, newSlot, book, cancel, shanghaiDate,
    parseIcs, events, makeDue, remindersDone } from "./oh_cal.mjs";

const HOST = new URL(BASE).host;

// Text that needs every escape: commas, semicolons, a backslash, line
// breaks, quotes, and enough Chinese to be folded many times.
const PLACE = "创客空间 2 楼, 电子工作台; \"B\" 区";
const QUESTION = "继电器怎么安全地接到 Arduino 上, 要不要二极管; " +
    "电源用 12V\\5V?\n第二行: 保险丝选多大?\r\n" +
    "我已经试过的方法".repeat(20);

async function ics(who, id, accept) {
	const r = await get(`/bookings/${id}.ics`, { jar: who?.jar,
	    headers: accept ? { accept } : {} });
	return r;
}

test("a booking's .ics: one VEVENT in UTC, stable UID, escaped text, " +
    "CRLF and 75-octet lines, text/calendar whatever Accept says",
    async () => {
	const mentor = await newMentor({ display_name: "李老师, 电子; 组" });
	const maker = await newMaker();
	const date = shanghaiDate(3);
	const slot = await newSlot(mentor, { date, time: "19:00", minutes: 20,
	    place: PLACE });
	const b = await book(maker, slot, QUESTION);
	assert.equal(b.status, "confirmed");

	for (const accept of ["application/json", "text/html", "*/*", null]) {
		const r = await ics(maker, b.id, accept);
		assert.equal(r.status, 200, `${accept}: ${r.text}`);
		assert.match(r.headers.get("content-type"), /^text\/calendar/,
		    `Accept ${accept}`);
	}
	const r = await ics(maker, b.id, "application/json");
	const cal = parseIcs(r.text, "booking");
	assert.equal(cal.getFirstPropertyValue("method"), "PUBLISH");
	const evs = events(cal);
	assert.equal(evs.length, 1);
	const [ev] = evs;
	// 19:00 in Asia/Shanghai (UTC+8, no DST) is 11:00Z.
	assert.equal(ev.start, `${date}T11:00:00.000Z`);
	assert.equal(ev.end, `${date}T11:20:00.000Z`);
	assert.match(r.text, new RegExp(`\r\nDTSTART:${date.replace(/-/g, "")}` +
	    "T110000Z\r\n"), "written in UTC, no floating time");
	assert.equal(ev.uid, `booking-${b.id}@${HOST}`);
	assert.equal(ev.status, "CONFIRMED");
	assert.equal(ev.location, PLACE, "the place round-trips");
	assert.ok(ev.description.startsWith(QUESTION.replace(/\r\n/g, "\n")),
	    "the question round-trips (line breaks as \\n)");
	assert.match(ev.summary, /李老师, 电子; 组/);
	assert.equal(ev.url, `${BASE}/bookings/${b.id}`);
	// The escapes as written.
	assert.match(r.text, /LOCATION:创客空间 2 楼\\, 电子工作台\\; "B" 区\r\n/);
	assert.match(r.text.replace(/\r\n /g, ""),
	    /DESCRIPTION:继电器怎么安全地接到 Arduino 上\\, 要不要二极管\\; 电源用 12V\\\\5V\?\\n第二行/);

	// The booking's page links to it.
	const page = await getAs(maker, `/bookings/${b.id}`, { json: false });
	assert.ok(page.text.includes(`href="/bookings/${b.id}.ics"`));

	// The mentor sees the same event (same UID), named after the maker.
	const m = events(parseIcs((await ics(mentor, b.id)).text, "mentor"));
	assert.equal(m[0].uid, ev.uid);
	assert.equal(m[0].start, ev.start);
	assert.match(m[0].summary, new RegExp(maker.user.display_name));
});

test("a booking's .ics: its maker, its mentor and staff; anyone else 404, " +
    "visitors 401", async () => {
	const mentor = await newMentor();
	const maker = await newMaker();
	const other = await newMaker();
	const otherMentor = await newMentor();
	const staff = await newUser({ verified: true, role: "staff" });
	const b = await book(maker, await newSlot(mentor));
	for (const who of [maker, mentor, staff])
		assert.equal((await ics(who, b.id)).status, 200);
	for (const who of [other, otherMentor]) {
		const r = await ics(who, b.id, "application/json");
		assert.equal(r.status, 404);
		assert.equal(r.data.error.code, "not_found");
	}
	assert.equal((await ics(maker, 999999999)).status, 404);
	assert.equal((await ics(null, b.id, "application/json")).status, 401);
});

test("SEQUENCE rises with every change, the UID stays, STATUS follows: " +
    "waitlisted TENTATIVE, promoted CONFIRMED, cancelled CANCELLED",
    async () => {
	const mentor = await newMentor();
	const first = await newMaker();
	const second = await newMaker();
	const slot = await newSlot(mentor, { capacity: 1 });
	const a = await book(first, slot);
	const b = await book(second, slot);
	assert.equal(b.status, "waitlisted");
	const ev = async () => events(parseIcs((await ics(second, b.id)).text,
	    "sequence"))[0];
	const e0 = await ev();
	assert.equal(e0.status, "TENTATIVE");

	await cancel(first, a);	// the second is promoted
	const e1 = await ev();
	assert.equal(e1.status, "CONFIRMED");
	assert.equal(e1.uid, e0.uid);
	assert.ok(e1.sequence > e0.sequence, `${e1.sequence} > ${e0.sequence}`);

	await cancel(second, b);
	const e2 = await ev();
	assert.equal(e2.status, "CANCELLED");
	assert.equal(e2.uid, e0.uid);
	assert.ok(e2.sequence > e1.sequence, `${e2.sequence} > ${e1.sequence}`);
	// The first maker's own file says cancelled too.
	const ea = events(parseIcs((await ics(first, a.id)).text, "first"))[0];
	assert.equal(ea.status, "CANCELLED");
	assert.ok(ea.sequence > 0);
});

test("the feed: a secret URL (shown once, only its hash stored) with the " +
    "bookings as maker and the sessions as mentor; a new URL revokes the " +
    "old, and it can be turned off", async () => {
	const mentor = await newMentor();
	const maker = await newMaker();
	const otherMentor = await newMentor();
	const mine = await book(maker, await newSlot(mentor, { time: "10:00" }));
	// The mentor also books someone else's slot as a maker.
	const asMaker = await book(mentor, await newSlot(otherMentor,
	    { time: "15:00" }));

	const c = await postAs(mentor, "/settings/calendar", { body: {} });
	assert.equal(c.status, 201, c.text);
	const url = c.data.calendar.url;
	assert.match(url, new RegExp(`^${BASE}/calendar/[A-Za-z0-9_-]{43}\\.ics$`));
	const token = url.match(/calendar\/(.*)\.ics$/)[1];
	assert.equal(Number(sql(`SELECT count(*) FROM calendar_tokens
	    WHERE token_hash = encode(sha256('${token}'), 'hex')`)), 1,
	    "the hash is stored");
	assert.equal(sql(`SELECT count(*) FROM calendar_tokens
	    WHERE token_hash LIKE '%${token.slice(0, 20)}%'`), "0");

	// No cookie: the token is the credential.
	const f = await get(new URL(url).pathname, { headers:
	    { accept: "application/json" } });
	assert.equal(f.status, 200, f.text);
	assert.match(f.headers.get("content-type"), /^text\/calendar/);
	const cal = parseIcs(f.text, "feed");
	const evs = events(cal);
	const uids = evs.map((e) => e.uid).sort();
	assert.deepEqual(uids, [`booking-${mine.id}@${HOST}`,
	    `booking-${asMaker.id}@${HOST}`].sort());
	for (const e of evs) {
		assert.ok(e.start.endsWith("Z"));
		assert.equal(e.status, "CONFIRMED");
	}

	// The settings say that a URL exists, never the URL.
	const s = await getAs(mentor, "/settings");
	assert.ok(s.data.calendar.created_at);
	assert.ok(!s.text.includes(token));
	const html = await getAs(mentor, "/settings", { json: false });
	assert.match(html.text, /action="\/settings\/calendar\/delete"/);
	assert.ok(!html.text.includes(token));

	// A new URL revokes the old.
	const c2 = await postAs(mentor, "/settings/calendar", { body: {} });
	assert.equal(c2.status, 201);
	assert.notEqual(c2.data.calendar.url, url);
	assert.equal((await get(new URL(url).pathname)).status, 404);
	const path2 = new URL(c2.data.calendar.url).pathname;
	assert.equal((await get(path2)).status, 200);

	// Turned off: 404.
	const d = await postAs(mentor, "/settings/calendar/delete", { body: {} });
	assert.equal(d.status, 200);
	assert.equal(d.data.revoked, true);
	assert.equal((await get(path2)).status, 404);
	const again = await postAs(mentor, "/settings/calendar/delete",
	    { body: {} });
	assert.equal(again.data.revoked, false, "turning off twice is no error");
	assert.equal((await getAs(mentor, "/settings")).data.calendar, null);
});

test("the feed: wrong tokens are 404; the created page shows the URL once",
    async () => {
	for (const t of ["A".repeat(43), "-".repeat(43), "_x".repeat(21) + "y"]) {
		const r = await get(`/calendar/${t}.ics`,
		    { headers: { accept: "application/json" } });
		assert.equal(r.status, 404, t);
		assert.equal(r.data.error.code, "not_found");
	}
	assert.equal((await get(`/calendar/${"A".repeat(42)}.ics`)).status, 404);
	const u = await newMaker();
	const settings = await getAs(u, "/settings", { json: false });
	const csrf = settings.text.match(/name="csrf" value="([^"]*)"/)[1];
	const r = await postAs(u, "/settings/calendar", { json: false,
	    form: { csrf } });
	assert.equal(r.status, 201);
	assert.match(r.headers.get("cache-control"), /no-store/);
	const m = r.text.match(/\/calendar\/([A-Za-z0-9_-]{43})\.ics/);
	assert.ok(m, "the URL is on the page");
	assert.ok(r.text.includes(`value="${BASE}/calendar/${m[1]}.ics"`),
	    "in a field to copy");
	assert.equal((await get(`/calendar/${m[1]}.ics`)).status, 200);
});

test("reminders are planned 24 hours and 1 hour before the start", async () => {
	const mentor = await newMentor();
	const maker = await newMaker();
	const slot = await newSlot(mentor, { time: "19:00" });
	const b = await book(maker, slot);
	const rows = sql(`SELECT r.kind || ' ' ||
	    extract(epoch FROM s.starts_at - r.due_at)::int
	    FROM oh_reminders r JOIN oh_bookings b ON b.id = r.booking_id
	    JOIN oh_slots s ON s.id = b.slot_id
	    WHERE r.booking_id = ${b.id} ORDER BY r.kind`).split("\n");
	assert.deepEqual(rows, ["1h 3600", "24h 86400"]);
});

test("due reminders become notifications, in the reader's language, once; " +
    "cancelled bookings get none", async () => {
	setting("reminder_batch", "100");
	const mentor = await newMentor({ display_name: "Mentor Wang" });
	const maker = await newMaker();
	const gone = await newMaker();
	const slot = await newSlot(mentor, { capacity: 2, time: "20:00" });
	const b = await book(maker, slot);
	const c = await book(gone, slot);
	await cancel(gone, c);
	makeDue([b.id, c.id]);
	await remindersDone([b.id, c.id]);

	const sent = sql(`SELECT kind || ':' || outcome FROM oh_reminders
	    WHERE booking_id IN (${b.id}, ${c.id})
	    ORDER BY booking_id, kind`).split("\n");
	assert.deepEqual(sent, ["1h:sent", "24h:sent", "1h:skipped",
	    "24h:skipped"]);
	const n = await getAs(maker, "/notifications");
	const mine = n.data.notifications.filter((x) =>
	    x.type.startsWith("oh_reminder_"));
	assert.deepEqual(mine.map((x) => x.type).sort(),
	    ["oh_reminder_1h", "oh_reminder_24h"]);
	for (const x of mine) {
		assert.equal(x.url, `/bookings/${b.id}`);
		assert.match(x.text, /提醒.*Mentor Wang/, x.text);
	}
	const en = await login(maker.username, maker.password);
	await postAs(en, "/settings", { body: { locale: "en" } });
	const t = await getAs(en, "/notifications",
	    { headers: { "accept-language": "en" } });
	assert.match(t.data.notifications.find((x) =>
	    x.type === "oh_reminder_1h").text, /^Reminder: .*Mentor Wang.*hour/);
	const none = await getAs(gone, "/notifications");
	assert.equal(none.data.notifications.filter((x) =>
	    x.type.startsWith("oh_reminder_")).length, 0,
	    "a cancelled booking gets no reminder");
});

test("a booking made after a reminder fell due gets only the later one",
    async () => {
	const mentor = await newMentor();
	await postAs(mentor, "/mentors/me", { body: { notice_hours: 0 } });
	sql(`INSERT INTO mentor_profiles (user_id, notice_hours)
	    VALUES (${mentor.user.id}, 0) ON CONFLICT (user_id)
	    DO UPDATE SET notice_hours = 0`);
	const maker = await newMaker();
	// In about 5 hours: the 24-hour reminder's time has passed.
	const start = new Date(Date.now() + 5 * 3600e3 + 8 * 3600e3);
	const date = start.toISOString().slice(0, 10);
	const time = start.toISOString().slice(11, 16);
	const b = await book(maker, await newSlot(mentor, { date, time }));
	assert.equal(sql(`SELECT string_agg(kind, ',') FROM oh_reminders
	    WHERE booking_id = ${b.id}`), "1h");
});

test("the calendar forms of the settings page, as a browser submits them: " +
    "make the URL, make a new one, turn it off", async () => {
	const u = await newMaker();
	const page = await openPage(u, "/settings");
	assert.equal(page.status, 200);
	const made = await page.form({ action: "/settings/calendar" }).submit();
	assert.equal(made.status, 201, made.text.slice(0, 300));
	const first = made.text.match(/\/calendar\/([A-Za-z0-9_-]{43})\.ics/)[1];
	assert.equal((await get(`/calendar/${first}.ics`)).status, 200);

	const again = await openPage(u, "/settings");
	assert.ok(!again.html.includes(first), "never shown again");
	const made2 = await again.form({ action: "/settings/calendar" }).submit();
	assert.equal(made2.status, 201);
	const second = made2.text.match(/\/calendar\/([A-Za-z0-9_-]{43})\.ics/)[1];
	assert.equal((await get(`/calendar/${first}.ics`)).status, 404);

	const last = await openPage(u, "/settings");
	const off = await last.form({ action: "/settings/calendar/delete" })
	    .submit();
	assert.equal(off.status, 303);
	assert.equal(off.location, "/settings#calendar");
	assert.equal((await get(`/calendar/${second}.ics`)).status, 404);
	assert.ok(off.page.form({ action: "/settings/calendar" }),
	    "the page offers a new URL again");
});
