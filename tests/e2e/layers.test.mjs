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

test("the RSS envelope is written once, in app/feed.c", () => {
	// The statements return a channel's content; the XML declaration,
	// rss and channel around it are feed.c's (issue #11, item 4).
	const sql = readFileSync(`${ROOT}/assets/sql/feed.sql`, "utf8")
	    .replace(/^--.*$/gm, "");
	assert.doesNotMatch(sql, /<\?xml|name rss|name channel/,
	    "assets/sql/feed.sql: no envelope in a statement");
	assert.equal([...sources.feed.matchAll(/<\?xml version/g)].length, 1,
	    "app/feed.c writes the envelope once");
});

// One stem per feature (issue #11, item 3): the templates and catalog
// keys a file of app/ names carry its stem; what is shared is the table
// of docs/architecture.md#one-stem-per-feature.
const shared = (row) => {
	const m = doc.match(new RegExp(`^\\| ${row} \\| ([^|]*)\\|`, "m"));
	assert.ok(m, `docs/architecture.md lists the ${row}`);
	return new Set([...m[1].matchAll(/`([^`]+)`/g)]
	    .flatMap((x) => x[1].split(/\s+/)));
};
const templates = Object.fromEntries(readdirSync(`${ROOT}/assets/templates`)
    .filter((f) => f.endsWith(".html")).map((f) => [f.slice(0, -5),
    readFileSync(`${ROOT}/assets/templates/${f}`, "utf8")]));
const partials = (t) => [...templates[t]
    .matchAll(/\{\{>\s*([\w.-]+)\s*\}\}/g)].map((m) => m[1]);
// A file's C without comments, #include lines and statement names
// (a statement may share a template's name), its strings kept.
const code = (f) => sources[f].replace(/\/\*[\s\S]*?\*\//g, " ")
    .replace(/^#\s*include .*$/gm, "").replace(/\.stmt\s*=\s*"[^"]*"/g, "");
const literals = (f) => [...code(f).matchAll(/"((?:\\.|[^"\\\n])*)"/g)]
    .map((m) => m[1]);

// The templates a file names: in a page table, a reply_page() or
// render_html() call, or any string equal to a template's name (tables
// of parts, a helper's argument).
function namedTemplates(f) {
	const src = code(f);
	const out = new Set();
	const call = new RegExp(String.raw`(?:\.tmpl\s*=\s*|` +
	    String.raw`reply_page\(\s*\w+,\s*[^,]+,\s*|` +
	    String.raw`render_html\(\s*\w+,\s*)"([^"]*)"`, "g");
	for (const m of src.matchAll(call))
		out.add(m[1]);
	for (const s of literals(f))
		if (s in templates)
			out.add(s);
	return out;
}

// A file's layer, from the Layers table.
function kindOf() {
	const L = layers();
	return (f) => OUTSIDE.has(f) ? "outside" :
	    L["pure modules"].has(f) ? "pure" : L.core.has(f) ? "core" :
	    L.helpers.has(f) ? "helper" : "feature";
}

test("templates carry the stem of the file that names them, and each is used",
    () => {
	const core = shared("core templates");
	const sharedParts = shared("shared partials");
	const kind = kindOf();
	const stems = new Set(files.filter((f) => kind(f) === "feature")
	    .map(stem));
	const problems = [];
	const used = new Set();
	for (const f of files) {
		if (kind(f) === "outside" || kind(f) === "pure")
			continue;
		for (const t of namedTemplates(f)) {
			used.add(t);
			if (!(t in templates))
				problems.push(`app/${f}.c names template ${t}: ` +
				    "no such file");
			else if (!core.has(t) && (kind(f) !== "feature" ||
			    !t.startsWith(`${stem(f)}_`)))
				problems.push(`app/${f}.c (stem ${stem(f)}) names ` +
				    `template ${t}`);
		}
	}
	for (const t of Object.keys(templates)) {
		if (!core.has(t) && !(t.includes("_") && stems.has(stem(t))))
			problems.push(`${t}.html: not <stem>_*.html of a feature`);
		for (const p of partials(t)) {
			if (!(p in templates))
				problems.push(`${t}.html includes ${p}: no such file`);
			else if (!core.has(p) && stem(p) !== stem(t) &&
			    !sharedParts.has(p))
				problems.push(`${t}.html includes ${p} of another ` +
				    "stem: list it in the shared partials or move it");
		}
	}
	// Used: named in app/, or included by a used template.
	const todo = [...used];
	while (todo.length > 0) {
		const t = todo.pop();
		for (const p of t in templates ? partials(t) : []) {
			if (!used.has(p)) {
				used.add(p);
				todo.push(p);
			}
		}
	}
	for (const t of Object.keys(templates))
		if (!used.has(t))
			problems.push(`${t}.html is used by nobody`);
	for (const p of sharedParts) {
		if (!Object.keys(templates).some((t) => stem(t) !== stem(p) &&
		    partials(t).includes(p)))
			problems.push(`shared partial ${p} is not shared: ` +
			    "take it off the list");
	}
	for (const t of core)
		if (!(t in templates))
			problems.push(`core template ${t}: no such file`);
	assert.deepEqual(problems, []);
});

test("the catalog keys a file of app/ names carry its stem", () => {
	const en = JSON.parse(readFileSync(`${ROOT}/assets/i18n/en.json`,
	    "utf8"));
	const common = shared("shared catalog keys");
	const kind = kindOf();
	const problems = [];
	for (const f of files) {
		if (kind(f) === "outside" || kind(f) === "pure")
			continue;
		const src = code(f);
		// Keys and key patterns ("x.y", "x.y.%s"), and the prefixes
		// render_label() completes.
		const keys = literals(f).filter((s) =>
		    /^[a-z][a-z_0-9]*\.[a-z_0-9.%]+$/.test(s));
		for (const m of src.matchAll(/render_label\([^,]+,\s*"([^"]+)"/g))
			keys.push(m[1]);
		for (const k of keys) {
			const top = k.split(".")[0];
			if (!(top in en) || common.has(top))
				continue;
			if (kind(f) !== "feature" || stem(top) !== stem(f))
				problems.push(`app/${f}.c (stem ${stem(f)}) names ` +
				    `catalog key ${k}`);
		}
	}
	assert.deepEqual(problems, []);
});
