// The home page's kept lists (app/home.c, migrations/0023_home_check.sql):
// the check reads only versions and the clock, so a competition's edit
// must bump its listing version and a change by the clock alone (a
// competition opening, then closing) must show without any write.
// Every read is repeated so that both workers answer.
import { test } from "node:test";
import assert from "node:assert/strict";

import { get, login, postAs } from "./lib.mjs";
import { isoIn } from "./comp_lib.mjs";

async function homes(n = 6) {
	const out = [];
	for (let i = 0; i < n; i++) {
		const r = await get("/", { json: false });
		assert.equal(r.status, 200);
		out.push(r.text);
	}
	return out;
}

const item = (html, id) => {
	const m = html.match(new RegExp(`<li class="comp-item"><a href="/competitions/${id}">[^<]*</a>.*?</li>`));
	return m ? m[0] : null;
};

const until = (ms) => new Promise((ok) => setTimeout(ok,
    Math.max(0, ms - Date.now())));

test("kept home lists follow a competition's edit and its dates by the clock", async () => {
	const staff = await login("staff1");
	await homes();
	const opens = Date.now() + 4000;
	const closes = opens + 4000;
	let r = await postAs(staff, "/competitions", { body: {
	    title: "首页计时赛", summary: "clock", opens_at: isoIn(opens - Date.now()),
	    closes_at: isoIn(closes - Date.now()),
	    judging_ends_at: isoIn(closes - Date.now() + 3600e3),
	    criteria: [{ name: "创意", weight: 100, max_score: 10 }] } });
	assert.equal(r.status, 201, r.text);
	const id = r.data.competition.id;
	for (const h of await homes())
		assert.equal(item(h, id), null, "not announced: not listed");
	r = await postAs(staff, `/competitions/${id}/announce`, { body: {} });
	assert.equal(r.status, 200, r.text);
	for (const h of await homes()) {
		const li = item(h, id);
		assert.ok(li, "announced: listed at once");
		assert.match(li, /首页计时赛/);
		assert.match(li, /开始报名/, "upcoming: shows when it opens");
	}
	r = await postAs(staff, `/competitions/${id}`, { body: {
	    title: "首页计时赛（改名）" } });
	assert.equal(r.status, 200, r.text);
	for (const h of await homes())
		assert.match(item(h, id), /首页计时赛（改名）/, "an edit shows");

	await until(opens + 1200);
	for (const h of await homes())
		assert.match(item(h, id), /截止报名/, "open by the clock alone");
	await until(closes + 1200);
	for (const h of await homes())
		assert.equal(item(h, id), null, "closed by the clock: gone");
	const j = await get("/");
	assert.ok(Array.isArray(j.data.competitions));
	assert.ok(j.data.lists_expire === null ||
	    j.data.lists_expire * 1000 > Date.now() - 1000,
	    "lists_expire: when the lists next change by the clock");
});
