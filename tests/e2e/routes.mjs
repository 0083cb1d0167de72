// The route table (conf/routes.conf) as data, for tests generated from
// it: a new route is covered without editing the tests.
import { readFileSync, readdirSync } from "node:fs";

import { ROOT } from "./lib.mjs";

// [{ route, handler }] in the table's order.
export function routes() {
	const out = [];
	for (const line of readFileSync(`${ROOT}/conf/routes.conf`, "utf8")
	    .split("\n")) {
		const m = line.match(/^route\s+(\S+)\s+(\S+)/);
		if (m)
			out.push({ route: m[1], handler: m[2] });
	}
	return out;
}

// A concrete path for a route.  ids: { projects, t, posts, u, c, ... }
// names the object to put after each path segment; anything else is 1
// (ids), "maker1" (usernames) or "general" (category slugs); secrets
// and content hashes are made of their alphabet.
export function concretePath(route, ids = {}) {
	let p = route.replace(/^\^/, "").replace(/\$$/, "")
	    .replace(/\[0-9a-f\]\{64\}/g, "0".repeat(64))
	    .replace(/\[A-Za-z0-9_-\]\{43\}/g, "A".repeat(43))
	    .replace(/\[A-Za-z0-9_.-\]\+/g, "app.css")
	    .replace(/\[A-Za-z0-9-\]\{1,40\}/g, ids.code ?? "0000-0000-0000")
	    .replace(/\(jpg\|png\)/g, "jpg")
	    .replace(/\[\.\]/g, ".");
	p = p.replace(/([a-z-]+)\/\[0-9\]\{1,18\}/g,
	    (_, seg) => `${seg}/${ids[seg] ?? 1}`);
	p = p.replace(/([a-z-]+)\/\[A-Za-z0-9_\]\{1,64\}/g,
	    (_, seg) => `${seg}/${ids[seg] ?? "maker1"}`);
	p = p.replace(/([a-z-]+)\/\[a-z0-9-\]\{1,40\}/g,
	    (_, seg) => `${seg}/${ids[seg] ?? "general"}`);
	return p;
}

// Field names read by each file of app/, and which file defines a handler.
export function appFields() {
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
