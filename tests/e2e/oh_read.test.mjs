// Office hours pages kept per worker (app/oh_read.c): GET /office-hours
// and a mentor's page answer from what a worker rendered while the
// office_hours version holds.  Every write must show at once, on every
// worker and on a second node on the same database, and what is kept
// must never carry one viewer's parts to another.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { BASE, DB, newUser, postAs, startServer } from "./lib.mjs";

let node2, dir;

before(async () => {
	dir = mkdtempSync(path.join(tmpdir(), "oh-read-"));
	node2 = await startServer(DB, dir, {}, 2);
	assert.equal(node2.exitCode(), null, node2.output());
});

after(async () => {
	await node2.stop();
	rmSync(dir, { recursive: true, force: true });
});

const nodes = () => [BASE, `http://127.0.0.1:${node2.port}`];

// GET path on base as who (or nobody); JSON unless html.
async function at(base, path, who = null, html = false) {
	const headers = { accept: html ? "text/html" : "application/json" };
	if (who)
		headers.cookie = who.jar.header();
	const r = await fetch(base + path, { headers, redirect: "manual" });
	const text = await r.text();
	assert.equal(r.status, 200, `${base}${path}: ${text}`);
	return html ? text : JSON.parse(text);
}

// Every node, several times (both workers), HTML and JSON: check(json,
// html) must hold for each answer.
async function everywhere(path, who, check) {
	for (const base of nodes()) {
		for (let i = 0; i < 4; i++)
			check(await at(base, path, who), await at(base, path, who,
			    true));
	}
}

function tag() {
	return `kept${process.pid % 10000}x${Date.now() % 100000}`;
}

async function mentorWithSlot(expertise) {
	const m = await newUser({ verified: true, role: "mentor" });
	let r = await postAs(m, "/mentors/me", { body: { notice_hours: 0,
	    window_days: 60, expertise } });
	assert.equal(r.status, 200, r.text);
	const d = new Date(Date.now() + 30 * 3600e3);
	d.setUTCSeconds(0, 0);
	r = await postAs(m, "/office-hours/slots", { body: {
	    starts_at: d.toISOString().slice(0, 16) + "Z", minutes: 30,
	    capacity: 2 } });
	assert.equal(r.status, 201, r.text);
	return { m, slot: r.data.slot };
}

test("kept office hours pages show each booking at once, on every " +
    "worker and node", async () => {
	const { m, slot } = await mentorWithSlot("soldering");
	const list = `/office-hours?mentor=${m.username}`;
	const page = `/mentors/${m.username}`;
	const seats = (doc) => (doc.slots || doc.mentor.slots)
	    .find((s) => s.id === slot.id).seats_left;
	const full = `class="oh-slot full" href="/office-hours/slots/${slot.id}"`;
	for (const p of [list, page]) {
		await everywhere(p, null, (j, h) => {
			assert.equal(seats(j), 2);
			assert.ok(!h.includes(full));
		});
	}
	for (let i = 0; i < 2; i++) {
		const k = await newUser({ verified: true });
		const r = await postAs(k, `/office-hours/slots/${slot.id}/book`,
		    { body: { question: "How do I solder SMD parts by hand?" } });
		assert.equal(r.status, 201, r.text);
		for (const p of [list, page]) {
			await everywhere(p, null, (j, h) => {
				assert.equal(seats(j), 1 - i, p);
				assert.equal(h.includes(full), i === 1, p);
			});
		}
	}
});

test("a profile saved shows at once in the list by expertise and on the " +
    "mentor's page", async () => {
	const t = tag();
	const { m, slot } = await mentorWithSlot("welding");
	const list = `/office-hours?tag=${t}`;
	const href = `href="/office-hours/slots/${slot.id}"`;
	await everywhere(list, null, (j, h) => {
		assert.ok(!j.slots.some((s) => s.id === slot.id));
		assert.ok(!h.includes(href));
	});
	await everywhere(`/mentors/${m.username}`, null, (j, h) => {
		assert.deepEqual(j.mentor.expertise, ["welding"]);
		assert.ok(!h.includes(`?tag=${t}`));
	});
	const r = await postAs(m, "/mentors/me", { body: { notice_hours: 0,
	    window_days: 60, expertise: `welding, ${t}`, place: "Bench 7" } });
	assert.equal(r.status, 200, r.text);
	await everywhere(list, null, (j, h) => {
		assert.ok(j.slots.some((s) => s.id === slot.id));
		assert.ok(h.includes(href));
	});
	await everywhere(`/mentors/${m.username}`, null, (j, h) => {
		assert.deepEqual(j.mentor.expertise, ["welding", t]);
		assert.equal(j.mentor.place, "Bench 7");
		assert.ok(h.includes(`/mentors?tag=${t}`));
		assert.ok(h.includes("Bench 7"));
	});
});

test("what is kept carries no viewer's own parts to another", async () => {
	const { m } = await mentorWithSlot("sewing");
	const other = await newUser({ verified: true });
	const page = `/mentors/${m.username}`;
	const edit = 'href="/mentors/me"';
	// A plain reader fills the workers first, then the mentor, then
	// nobody: each must get their own.
	for (const [who, own] of [[other, false], [m, true], [null, false],
	    [other, false]]) {
		await everywhere(page, who, (j, h) => {
			assert.equal(j.own, own);
			assert.equal(j.me ? j.me.username : null,
			    who ? who.username : null);
			assert.equal(h.includes(edit), own);
			assert.equal(h.includes('href="/me/bookings"'), !!who);
		});
		await everywhere("/office-hours", who, (j, h) => {
			assert.equal(j.me ? j.me.username : null,
			    who ? who.username : null);
			assert.equal(h.includes('href="/me/bookings"'), !!who);
			for (const u of [m, other]) {
				if (u !== who)
					assert.ok(!h.includes(u.csrf),
					    "no one else's token");
			}
		});
	}
});
