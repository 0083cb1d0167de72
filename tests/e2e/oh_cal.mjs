// Helpers of the office-hours calendar tests (oh_cal*.test.mjs): real
// slots and bookings over HTTP, and the checks every generated iCalendar
// file must pass (parsed by Mozilla's ical.js, the parser of Thunderbird).
import assert from "node:assert/strict";
import ICAL from "ical.js";
import { get, newUser, postAs, sql } from "./lib.mjs";

// A verified mentor of their own (slots of one mentor never overlap).
export async function newMentor(opts = {}) {
	return newUser({ verified: true, role: "mentor", ...opts });
}

export async function newMaker(opts = {}) {
	return newUser({ verified: true, ...opts });
}

// The local date (YYYY-MM-DD) in Asia/Shanghai, days from today.
export function shanghaiDate(days) {
	const d = new Date(Date.now() + days * 86400e3 + 8 * 3600e3);
	return d.toISOString().slice(0, 10);
}

// A one-off slot of mentor at "<date>T<hhmm>:00+08:00".
export async function newSlot(mentor, { date = shanghaiDate(3),
    time = "19:00", minutes = 20, capacity = 1, place, online_url } = {}) {
	const body = { starts_at: `${date}T${time}:00+08:00`, minutes,
	    capacity };
	if (place !== undefined)
		body.place = place;
	if (online_url !== undefined)
		body.online_url = online_url;
	const r = await postAs(mentor, "/office-hours/slots", { body });
	assert.equal(r.status, 201, `slot: ${r.text}`);
	return r.data.slot;
}


export async function book(maker, slot, question =
    "How do I wire a relay safely to an Arduino?") {
	const r = await postAs(maker, `/office-hours/slots/${slot.id}/book`,
	    { body: { question } });
	assert.equal(r.status, 201, `book: ${r.text}`);
	return r.data.booking;
}

export async function cancel(who, booking, message) {
	const r = await postAs(who, `/bookings/${booking.id}/cancel`,
	    { body: message ? { message } : {} });
	assert.equal(r.status, 200, `cancel: ${r.text}`);
}

// Make every reminder of these bookings due now (as if the clock had
// moved on), for the timers to find.
export function makeDue(ids) {
	sql(`UPDATE oh_reminders SET due_at = now() - interval '1 second'
	    WHERE booking_id IN (${ids.join(",")}) AND sent_at IS NULL`);
}

// Wait until no reminder of these bookings is left to send.  The server
// under test is asked for /healthz meanwhile: Kore answers a keep-alive
// connection idle for 10 s with a 408 that the next request would get.
export async function remindersDone(ids, ms = 20000) {
	const until = Date.now() + ms;
	for (;;) {
		await get("/healthz");
		const left = Number(sql(`SELECT count(*) FROM oh_reminders
		    WHERE booking_id IN (${ids.join(",")}) AND sent_at IS NULL`));
		if (left === 0)
			return;
		if (Date.now() > until)
			throw new Error(`${left} reminders still unsent`);
		await new Promise((r) => setTimeout(r, 200));
	}
}

// The raw form of an iCalendar file (RFC 5545 section 3.1): CRLF after
// every line and nowhere else, no physical line over 75 octets, no fold
// inside a UTF-8 character (each line decodes on its own).
export function checkRaw(text, what = "calendar") {
	const buf = Buffer.from(text, "utf8");
	assert.ok(text.endsWith("\r\n"), `${what}: ends with CRLF`);
	assert.doesNotMatch(text, /\r(?!\n)|(?<!\r)\n/,
	    `${what}: no bare CR or LF`);
	let start = 0;
	for (let i = 0; i + 1 < buf.length; i++) {
		if (buf[i] !== 0x0d)
			continue;
		const line = buf.subarray(start, i);
		assert.ok(line.length <= 75,
		    `${what}: a line of ${line.length} octets: ${line}`);
		assert.doesNotThrow(() => new TextDecoder("utf-8",
		    { fatal: true }).decode(line),
		    `${what}: a fold cut a character`);
		start = i + 2;
		i++;
	}
}

// Parse with ical.js after the raw checks: the VCALENDAR component.
export function parseIcs(text, what) {
	checkRaw(text, what);
	const cal = new ICAL.Component(ICAL.parse(text));
	assert.equal(cal.name, "vcalendar");
	assert.equal(cal.getFirstPropertyValue("version"), "2.0");
	assert.ok(cal.getFirstPropertyValue("prodid"));
	return cal;
}

// One VEVENT as plain values.
export function eventOf(vevent) {
	const ev = new ICAL.Event(vevent);
	const v = (n) => vevent.getFirstPropertyValue(n);
	return {
		uid: ev.uid, sequence: ev.sequence, status: v("status"),
		start: ev.startDate.toJSDate().toISOString(),
		end: ev.endDate.toJSDate().toISOString(),
		startUtc: ev.startDate.zone?.tzid === "UTC" ||
		    ev.startDate.timezone === "Z" ||
		    ev.startDate.toString().endsWith("Z"),
		summary: ev.summary, description: ev.description,
		location: ev.location, url: v("url"),
	};
}

export function events(cal) {
	return cal.getAllSubcomponents("vevent").map(eventOf);
}

export { ICAL };
