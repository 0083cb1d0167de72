// Hostile text in every field of every route, generated from the route
// table (conf/routes.conf) and the field names each handler's file reads,
// so a new route or field is covered without editing this file.  The
// server must answer every request with a status below 500 and no worker
// may restart (makerspace_worker_starts_total in /metrics and the log).
import { test } from "node:test";
import assert from "node:assert/strict";
import { BASE, get, login, newUser, postAs, serverLog } from "./lib.mjs";
import { makeObjects } from "./objects.mjs";
import { appFields, concretePath, routes } from "./routes.mjs";
import { WORKER_EXIT, workerStarts } from "./workers.mjs";

// Percent-encoded for query strings and urlencoded bodies.
const HOSTILE = {
	invalid_byte: "%FF",
	nul: "a%00b",
	overlong: "%C0%AF",
	noncharacter: "%EF%BF%BF",
};

// The same values as raw bytes, for JSON and multipart bodies.
function rawBytes(pct) {
	return Buffer.from(pct.replace(/%([0-9A-F]{2})/g,
	    (_, h) => String.fromCharCode(parseInt(h, 16))), "latin1");
}

const COMMON = ["q", "next", "lang", "cursor", "before", "csrf", "body",
    "title"];

function multipart(fields, value) {
	const boundary = "----hostile7MA4YWxkTrZu0gW";
	const parts = [];
	for (const name of fields) {
		parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: ` +
		    `form-data; name="${name}"\r\n\r\n`), value,
		    Buffer.from("\r\n"));
	}
	parts.push(Buffer.from(`--${boundary}--\r\n`));
	return { body: Buffer.concat(parts),
	    type: `multipart/form-data; boundary=${boundary}` };
}

// A JSON body whose string values are the raw bytes (not valid JSON text
// when the bytes are not UTF-8, which is the point) or \u escapes.
function jsonBody(fields, value, escaped) {
	const parts = fields.map((n) => Buffer.concat([Buffer.from(
	    `"${n}":"`), escaped ? Buffer.from(escaped) : value,
	    Buffer.from('"')]));
	const out = [Buffer.from("{")];
	parts.forEach((p, i) => {
		if (i > 0)
			out.push(Buffer.from(","));
		out.push(p);
	});
	out.push(Buffer.from("}"));
	return Buffer.concat(out);
}

async function send(method, path, opts) {
	const headers = { accept: opts.json ? "application/json" :
	    "text/html", origin: BASE, ...opts.headers };
	if (opts.who) {
		headers.cookie = opts.who.jar.header();
		headers["x-csrf-token"] = opts.who.csrf;
	}
	const res = await fetch(BASE + path, { method, headers,
	    body: opts.body, redirect: "manual" });
	await res.arrayBuffer();
	return res.status;
}

test("hostile text in every field of every route: no 5xx, no worker restart",
    async () => {
	const { byFile, handlerFile } = appFields();
	const { ids } = await makeObjects();
	// A staff member of its own: these thousands of POSTs count against
	// the user's per-minute limit, which other tests' staff1 must not meet.
	const staff = await newUser({ verified: true, role: "staff" });
	const visitor = null;
	const startsBefore = await workerStarts();
	const logBefore = serverLog().length;
	const bad = [];
	let sent = 0;

	const tries = [];
	for (const { route, handler } of routes()) {
		if (route === "^/.*$" || route === "/live")
			continue;
		const path = concretePath(route, ids);
		const file = handlerFile.get(handler);
		const fields = [...new Set([...COMMON,
		    ...(file ? byFile.get(file) : [])])];
		for (const who of [visitor, staff]) {
			for (const [label, pct] of Object.entries(HOSTILE)) {
				const raw = rawBytes(pct);
				const tag = `${label}, ${who ? "staff" : "visitor"}`;
				const add = (method, p, opts) => tries.push({
				    method, p, opts: { ...opts, who }, tag });
				add("GET", path + "?" + fields.map((n) =>
				    `${n}=${pct}`).join("&"), { json: false });
				for (const name of fields) {
					add("GET", `${path}?${name}=${pct}`,
					    { json: true });
					add("POST", path, { json: true, headers: {
					    "content-type":
					    "application/x-www-form-urlencoded" },
					    body: `${name}=${pct}` });
				}
				const mp = multipart(fields, raw);
				add("POST", path, { json: false, headers: {
				    "content-type": mp.type }, body: mp.body });
				add("POST", path, { json: true, headers: {
				    "content-type": "application/json" },
				    body: jsonBody(fields, raw) });
				add("POST", path, { json: true, headers: {
				    "content-type": "application/json" },
				    body: jsonBody(fields, raw, label === "nul" ?
				    "a\\u0000b" : "\\uffff\\ud800") });
			}
		}
	}
	// Sixteen at a time: a worker that dies takes others' requests too.
	let next = 0;
	await Promise.all(Array.from({ length: 16 }, async () => {
		while (next < tries.length) {
			const t = tries[next++];
			const status = await send(t.method, t.p, t.opts);
			sent++;
			if (status >= 500)
				bad.push(`${t.method} ${t.p} (${t.tag}): ${status}`);
		}
	}));
	assert.ok(sent > 5000, `only ${sent} requests were sent`);
	const log = serverLog().slice(logBefore);
	assert.doesNotMatch(log, WORKER_EXIT,
	    "a worker ended during the hostile requests");
	assert.equal(await workerStarts(), startsBefore,
	    "a worker was restarted during the hostile requests");
	assert.deepEqual(bad.slice(0, 20), [], `${bad.length} answers were 5xx`);
});

test("a query parameter that is not UTF-8 is refused with 400 naming it",
    async () => {
	const r = await get("/projects?q=%FF");
	assert.equal(r.status, 400);
	assert.equal(r.data.error.code, "bad_request");
	assert.ok(r.data.error.fields.q, "the field is named");
	const ok = await get("/projects?q=%E6%89%93%E5%8D%B0");
	assert.equal(ok.status, 200);
	assert.equal(ok.data.q, "打印");
});

test("U+FFFE and U+FFFF are refused in every text field, so feeds stay " +
    "well-formed XML", async () => {
	const maker = await newUser({ verified: true });
	for (const ch of ["\uffff", "\ufffe"]) {
		const t = await postAs(maker, "/topics", { body: {
		    category: "general", title: `坏标题 ${ch} x`,
		    body: "body" } });
		assert.equal(t.status, 422, t.text);
		assert.ok(t.data.error.fields.title, t.text);
		const p = await postAs(maker, "/projects", { body: {
		    title: "ok", summary: `s${ch}`, status: "published" } });
		assert.equal(p.status, 422, p.text);
		assert.ok(p.data.error.fields.summary, p.text);
	}
	for (const feed of ["/board.rss", "/projects.rss", "/c/general.rss"]) {
		const r = await get(feed);
		assert.equal(r.status, 200);
		assert.doesNotMatch(r.text, /[\ufffe\uffff\u0000-\u0008]/);
	}
});
