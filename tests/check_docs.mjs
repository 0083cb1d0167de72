#!/usr/bin/env node
// tests/check_docs.mjs: `make check-docs`, and one counted check of
// tests/run.sh.  Keeps the project's own docs true to the tree.  It fails
// (one line per problem, exit status 1) when
//  - a route of conf/routes.conf has no heading in docs/api.md, or a
//    route heading of docs/api.md names no route of conf/routes.conf, or
//    names one twice;
//  - a file cites docs/<file> that does not exist, or docs/<file>.md#<id>
//    where <id> is no heading of that file (GitHub's heading ids);
//  - a Markdown link of README.md or docs/*.md points at a file or a
//    heading that does not exist;
//  - a comment cites README.md, "<Section>" and README.md has no such
//    heading;
//  - anything cites the design notes that lived outside the repository
//    (NOT_HERE below).  Migrations are left out of that one: they are
//    never edited once landed, and three of them name those notes.
//
// Route headings in docs/api.md are "### METHOD[, METHOD] /path", the
// path written as conf/routes.conf's regex with the placeholders of
// PLACEHOLDERS below ({id}, {username}, {slug}, {name}, {code}).
//
// No dependencies: node alone, from the repository's root or anywhere.
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const SELF = relative(ROOT, fileURLToPath(import.meta.url));

// The regex parts of routes.conf and how docs/api.md writes them.
const PLACEHOLDERS = [
	[/\[0-9a-f\]\{64\}\[\.\]\(jpg\|png\)/g, "{name}"],
	[/\[0-9\]\{1,18\}/g, "{id}"],
	[/\[A-Za-z0-9_\]\{1,64\}/g, "{username}"],
	[/\[a-z0-9-\]\{1,40\}/g, "{slug}"],
	[/\[A-Za-z0-9_-\]\{43\}/g, "{secret}"],
	[/\[A-Za-z0-9_.-\]\+/g, "{name}"],
	[/\[A-Za-z0-9-\]\{1,40\}/g, "{code}"],
	[/\[\.\]/g, "."],
];
const METHODS = "GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS";
const ROUTE_HEADING = new RegExp(`^(?:${METHODS})(?:,\\s*(?:${METHODS}))*` +
    "\\s+(\\/\\S*)$");

// Built from parts so that this file does not cite them itself.
const NOT_HERE = new RegExp("\\b(" + ["DESIGN", "KORE-NOTES", "API"]
    .join("|") + ")\\.md\\b");

// Where citations are looked for, and what is skipped on the way.
const SCAN = ["app", "assets", "conf", "tests", "migrations", "docs",
    "Makefile", "README.md", ".ci"];
const SKIP_DIRS = new Set(["node_modules", "artifacts", "build", "var"]);
const TEXT = /\.(c|h|sql|mjs|js|sh|lua|conf|in|md|json|html|css|txt|seeds)$/;

const problems = [];

function problem(where, what) {
	problems.push(`${where}: ${what}`);
}

function read(rel) {
	return readFileSync(join(ROOT, rel), "utf8");
}

// Lines of a Markdown file outside fenced code blocks, with numbers.
function proseLines(text) {
	const out = [];
	let fence = null;

	text.split("\n").forEach((line, i) => {
		const m = line.match(/^\s*(```|~~~)/);
		if (m) {
			if (fence === null)
				fence = m[1];
			else if (fence === m[1])
				fence = null;
			return;
		}
		if (fence === null)
			out.push({ n: i + 1, line });
	});
	return out;
}

// GitHub's id of a heading: lower case, punctuation dropped, spaces to
// hyphens; a repeated id gets -1, -2, ...
function headingIds(text) {
	const ids = new Set();
	const seen = new Map();

	for (const { line } of proseLines(text)) {
		const m = line.match(/^#{1,6}\s+(.*?)\s*#*\s*$/);
		if (!m)
			continue;
		let id = m[1].toLowerCase()
		    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, "")
		    .replace(/ /g, "-");
		const k = seen.get(id) ?? 0;
		seen.set(id, k + 1);
		if (k > 0)
			id = `${id}-${k}`;
		ids.add(id);
	}
	return ids;
}

function headingTexts(text) {
	return new Set(proseLines(text).map(({ line }) =>
	    line.match(/^#{1,6}\s+(.*?)\s*#*\s*$/)).filter(Boolean)
	    .map((m) => m[1]));
}

const README_HEADINGS = headingTexts(read("README.md"));

const idCache = new Map();
function idsOf(rel) {
	if (!idCache.has(rel))
		idCache.set(rel, headingIds(read(rel)));
	return idCache.get(rel);
}

// conf/routes.conf as docs/api.md writes it.
function configRoutes() {
	const out = [];

	read("conf/routes.conf").split("\n").forEach((line, i) => {
		const m = line.match(/^\s*route\s+(\S+)\s+(\S+)/);
		if (!m)
			return;
		let path = m[1].replace(/^\^/, "").replace(/\$$/, "");
		for (const [re, to] of PLACEHOLDERS)
			path = path.replace(re, to);
		if (/[[\]()|+*?^$\\]/.test(path))
			problem(`conf/routes.conf:${i + 1}`, `${m[1]} has a pattern ` +
			    `without a placeholder (add one to ${SELF})`);
		out.push(path);
	});
	return out;
}

function checkRoutes() {
	const routes = configRoutes();
	const documented = new Map();

	if (!existsSync(join(ROOT, "docs/api.md"))) {
		problem("docs/api.md", "missing");
		return;
	}
	for (const { n, line } of proseLines(read("docs/api.md"))) {
		const h = line.match(/^###\s+(.*?)\s*$/);
		const m = h ? h[1].match(ROUTE_HEADING) : null;
		if (!m)
			continue;
		if (documented.has(m[1]))
			problem(`docs/api.md:${n}`, `${m[1]} is documented twice ` +
			    `(also line ${documented.get(m[1])})`);
		documented.set(m[1], n);
		if (!routes.includes(m[1]))
			problem(`docs/api.md:${n}`, `${m[1]} is not a route of ` +
			    "conf/routes.conf");
	}
	for (const r of routes) {
		if (!documented.has(r))
			problem("docs/api.md", `the route ${r} of conf/routes.conf ` +
			    "is not documented (a heading \"### METHOD " + r + "\")");
	}
	return routes.length;
}

function* files(rel) {
	const abs = join(ROOT, rel);

	if (!existsSync(abs))
		return;
	if (!statSync(abs).isDirectory()) {
		yield rel;
		return;
	}
	for (const e of readdirSync(abs, { withFileTypes: true })) {
		if (e.isDirectory()) {
			if (!SKIP_DIRS.has(e.name) && !e.name.startsWith("corpus-"))
				yield* files(join(rel, e.name));
		} else if (TEXT.test(e.name) || e.name === "Makefile" ||
		    e.name === "run") {
			yield join(rel, e.name);
		}
	}
}

// docs/<file>[#id] anywhere; README.md, "<Section>" in comments.
function checkCitations(rel) {
	const text = read(rel);

	if (rel === SELF)
		return;
	text.split("\n").forEach((line, i) => {
		const where = `${rel}:${i + 1}`;

		for (const m of line.matchAll(
		    /(?<![\w./-])docs\/([\w./-]*\w)(?:#([\w-]*\w))?/g)) {
			const target = `docs/${m[1]}`;
			if (!existsSync(join(ROOT, target)))
				problem(where, `cites ${target}, which does not exist`);
			else if (m[2] && target.endsWith(".md") &&
			    !idsOf(target).has(m[2]))
				problem(where, `cites ${target}#${m[2]}: no such ` +
				    "heading");
		}
		for (const m of line.matchAll(/README\.md,?\s+"([^"]+)"/g)) {
			if (!README_HEADINGS.has(m[1]))
				problem(where, `cites README.md "${m[1]}": no such ` +
				    "heading");
		}
		if (!rel.startsWith("migrations/") && NOT_HERE.test(line))
			problem(where, `cites ${line.match(NOT_HERE)[0]}, which is ` +
			    "not in the repository: cite docs/ instead");
	});
}

// Relative links of a Markdown file: the file, and the heading of an id.
function checkLinks(rel) {
	for (const { n, line } of proseLines(read(rel))) {
		for (const m of line.matchAll(/\]\(([^)\s]+)\)/g)) {
			const url = m[1];
			if (/^(https?|mailto):/.test(url))
				continue;
			const [path, id] = url.split("#");
			const target = path === "" ? rel :
			    relative(ROOT, resolve(ROOT, dirname(rel), path));
			if (!existsSync(join(ROOT, target))) {
				problem(`${rel}:${n}`, `links to ${url}: no such file`);
				continue;
			}
			if (id && target.endsWith(".md") && !idsOf(target).has(id))
				problem(`${rel}:${n}`, `links to ${url}: no such heading`);
		}
	}
}

const nroutes = checkRoutes();
let nfiles = 0;
for (const top of SCAN) {
	for (const f of files(top)) {
		checkCitations(f);
		if (f === "README.md" || (f.startsWith("docs/") &&
		    f.endsWith(".md")))
			checkLinks(f);
		nfiles++;
	}
}

if (problems.length > 0) {
	for (const p of problems)
		console.log(`docs: ${p}`);
	console.log(`docs: ${problems.length} problem(s)`);
	process.exit(1);
}
console.log(`docs: ${nroutes} routes documented, citations of ${nfiles} ` +
    "files resolve");
