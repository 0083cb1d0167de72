// Hostile text in every field of every route, generated from the route
// table (conf/routes.conf) and the field names each handler's file reads,
// so a new route or field is covered without editing this file.  The
// server must answer every request with a status below 500 and no worker
// may restart (makerspace_worker_starts_total in /metrics and the log).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";

import { BASE, ROOT, get, login, serverLog } from "./lib.mjs";
import { workerStarts } from "./workers.mjs";

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

// A concrete path for a route: regex parts replaced by existing objects
// of the demo data (id 1 exists for projects, topics and posts).
function concretePath(route) {
	return route.replace(/^\^/, "").replace(/\$$/, "")
	    .replace(/\[0-9a-f\]\{64\}/g, "0".repeat(64))
	    .replace(/\[0-9\]\{1,18\}/g, "1")
	    .replace(/\[A-Za-z0-9_\]\{1,64\}/g, "maker1")
	    .replace(/\[a-z0-9-\]\{1,40\}/g, "general")
	    .replace(/\[A-Za-z0-9_.-\]\+/g, "app.css")
	    .replace(/\(jpg\|png\)/g, "jpg")
	    .replace(/\[\.\]/g, ".");
}

function routes() {
	const out = [];
	for (const line of readFileSync(`${ROOT}/conf/routes.conf`, "utf8")
	    .split("\n")) {
		const m = line.match(/^route\s+(\S+)\s+(\S+)/);
		if (m)
			out.push({ route: m[1], handler: m[2] });
	}
	return out;
}

// Field names read by each file of app/, and which file defines a handler.
function appFields() {
	const byFile = new Map();
	const handlerFile = new Map();
	const re = /(?:rq_query|rq_field|rq_text|form_get|form_value|form_count|form_get_nth)\((?:rq|&rq->(?:body|qs)),\s*"([A-Za-z0-9_]+)"/g;
	for (const f of readdirSync(`${ROOT}/app`)) {
		if (!f.endsWith(".c"))
			continue;
		const src = readFileSync(`${ROOT}/app/${f}`, "utf8");
		byFile.set(f, new Set([...src.matchAll(re)].map((m) => m[1])));
		for (const m of src.matchAll(/^(page_[a-z0-9_]+)\(/gm))
			handlerFile.set(m[1], f);
	}
	return { byFile, handlerFile };
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
	const staff = await login("staff1");
	const visitor = null;
	const startsBefore = await workerStarts();
	const logBefore = serverLog().length;
	const bad = [];
	let sent = 0;

	const tries = [];
	for (const { route, handler } of routes()) {
		if (route === "^/.*$" || route === "/live")
			continue;
		const path = concretePath(route);
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
	assert.doesNotMatch(log, /exited with status|restarting worker/,
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
