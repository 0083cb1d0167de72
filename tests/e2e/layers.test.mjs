// The dependency rule of docs/architecture.md#layers, checked against
// the tree (issue #11, item 2): a file of app/ calls a function another
// file defines only when the layer tables of that page allow it.  Any
// file the page does not name is a feature, so new features are covered.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { ROOT } from "./lib.mjs";

const doc = readFileSync(`${ROOT}/docs/architecture.md`, "utf8");
const files = readdirSync(`${ROOT}/app`).filter((f) => f.endsWith(".c"))
    .map((f) => f.replace(/\.c$/, ""));
const OUTSIDE = new Set(["init", "migrate"]);
// A feature's stem: the files of one feature split by audience share it
// (comp.c, comp_judge.c, comp_results.c).
const stem = (f) => f.split("_")[0];

// The "Layers" table: layer name -> files.
function layers() {
	const out = {};
	for (const m of doc.matchAll(/^\| (features|helpers|core|pure modules) \| ([^|]*)\|/gm)) {
		const names = [...m[2].matchAll(/`([^`]+)`/g)]
		    .flatMap((x) => x[1].split(/\s+/));
		out[m[1]] = new Set(names);
	}
	return out;
}

// The core's levels, from the "Who may call whom" diagram: top is 0.
function coreLevels() {
	const block = doc.match(/Inside the core the levels are, from the top:\n\n```\n([\s\S]*?)```/)[1];
	const level = {};
	block.trim().split("\n").forEach((line, i) => {
		for (const w of line.split(/\s+/)) {
			if (!files.includes(w))
				break;
			level[w] = i;
		}
	});
	return level;
}

const strip = (s) => s.replace(/\/\*[\s\S]*?\*\//g, " ")
    .replace(/"(?:\\.|[^"\\\n])*"/g, '""')
    .replace(/'(?:\\.|[^'\\\n])*'/g, "''");

// { caller: { callee: [functions] } } over app/*.c.
function calls() {
	const def = new Map();
	const src = {};
	for (const f of files) {
		const s = strip(readFileSync(`${ROOT}/app/${f}.c`, "utf8"));
		src[f] = s;
		const lines = s.split("\n");
		for (let i = 1; i < lines.length; i++) {
			const m = lines[i].match(/^([a-z_]\w*)\(/);
			if (m && !/^static\b/.test(lines[i - 1]) &&
			    !/;\s*$/.test(lines[i]))
				def.set(m[1], f);
		}
	}
	const out = {};
	for (const f of files) {
		for (const m of src[f].matchAll(/\b([a-z_]\w*)\s*\(/g)) {
			const to = def.get(m[1]);
			if (to && to !== f)
				((out[f] ??= {})[to] ??= new Set()).add(m[1]);
		}
	}
	return out;
}

test("the tree follows the layers of docs/architecture.md", () => {
	const L = layers();
	const level = coreLevels();
	for (const k of ["helpers", "core", "pure modules"])
		assert.ok(L[k]?.size > 0, `the Layers table names the ${k}`);
	for (const f of L.core)
		assert.ok(f in level, `${f} has a level in the core's diagram`);
	const kind = (f) => OUTSIDE.has(f) ? "outside" :
	    L["pure modules"].has(f) ? "pure" : L.core.has(f) ? "core" :
	    L.helpers.has(f) ? "helper" : "feature";
	for (const f of [...L.core, ...L.helpers, ...L["pure modules"]])
		assert.ok(files.includes(f), `app/${f}.c exists`);

	const problems = [];
	for (const [from, to] of Object.entries(calls())) {
		for (const [callee, fns] of Object.entries(to)) {
			const a = kind(from), b = kind(callee);
			let ok;
			if (a === "outside")
				ok = true;
			else if (a === "feature")
				ok = b !== "outside" && (b !== "feature" ||
				    stem(from) === stem(callee));
			else if (a === "helper")
				ok = b === "core" || b === "pure";
			else if (a === "core")
				ok = b === "pure" || (b === "core" &&
				    level[callee] > level[from]);
			else
				ok = b === "pure";
			if (!ok)
				problems.push(`${from} (${a}) -> ${callee} (${b}): ` +
				    [...fns].join(", "));
		}
	}
	assert.deepEqual(problems, []);
});

// Copies that drift (issue #11, item 4) and names for numbers (item 5):
// each of these has one place, and a second copy fails here.
const sources = Object.fromEntries(files.map((f) => [f,
    readFileSync(`${ROOT}/app/${f}.c`, "utf8")]));

test("what a worker keeps rendered is struct kept (app/keep.c) everywhere",
    () => {
	// Tables of a struct of their own: only what is not a rendered page
	// or part (statements, connections, subscribers, static files, the
	// image bytes under their own budget, Kore's states, the requests
	// waiting for a kept office hours or competition page's one refresh).
	const own = new Set(["db_stmt", "db_conn_seen", "live_sub_head",
	    "media_entry", "http_state", "static_file", "oh_read_flight",
	    "ck_flight"]);
	for (const [f, src] of Object.entries(sources)) {
		for (const m of src.matchAll(
		    /^\s*static struct (\w+)\s+\w+\[/gm)) {
			assert.ok(m[1] === "kept" || own.has(m[1]),
			    `app/${f}.c keeps a table of struct ${m[1]}: ` +
			    "use struct kept and kept_slot_key() (app/keep.c)");
		}
	}
});

test("writes end in reply_result(), never a copy of it", () => {
	const copy = /if \(!rq->json\) \{[^}]*reply_redirect\([^}]*return \(RQ_DONE\);\s*\}\s*reply_json_text\(rq, [^;]*rq->res,/;
	for (const [f, src] of Object.entries(sources)) {
		if (f !== "reply")
			assert.doesNotMatch(src, copy, `app/${f}.c: use reply_result()`);
	}
});

test("can_reply and can_solve are the statements' (SQL), never C's", () => {
	for (const [f, src] of Object.entries(sources))
		assert.doesNotMatch(src, /"can_(reply|solve)"/, `app/${f}.c`);
});

test("rq->step is compared and set with names, never bare numbers", () => {
	for (const [f, src] of Object.entries(sources)) {
		assert.doesNotMatch(src, /rq->step\s*(==|!=|=|<|>)\s*[0-9]/,
		    `app/${f}.c: name the step (an enum like ACCOUNT_ST_*)`);
		assert.doesNotMatch(src,
		    /switch \(rq->step\) \{[^]*?case [0-9]+:/,
		    `app/${f}.c: name the step's cases`);
	}
});

test("one RSS builder: app/feed.c and assets/sql/feed.sql", () => {
	for (const [f, src] of Object.entries(sources)) {
		if (f !== "feed")
			assert.doesNotMatch(src, /rss\+xml|<rss/, `app/${f}.c`);
	}
	for (const f of readdirSync(`${ROOT}/assets/sql`)) {
		if (f !== "feed.sql")
			assert.doesNotMatch(readFileSync(`${ROOT}/assets/sql/${f}`,
			    "utf8"), /xmlelement\(name rss/, `assets/sql/${f}`);
	}
});
