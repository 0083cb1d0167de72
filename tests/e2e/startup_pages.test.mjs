// The start-up check of the page tables (issue #11, item 3): every
// feature file exports its pages as one NULL-terminated table, app/init.c
// walks all of them at start-up, and a page that names a statement or a
// template that does not exist stops the start with a log line, before
// anything is served (it used to be a 500 at request time).
import { test } from "node:test";
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync,
    unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { DB, ROOT, startServer } from "./lib.mjs";

// A copy of assets/ that change() may break.
function assetsCopy(change) {
	const dir = mkdtempSync(path.join(tmpdir(), "mk-assets-"));
	cpSync(`${ROOT}/assets`, dir, { recursive: true });
	change(dir);
	return dir;
}

async function startWith(assets) {
	const run = mkdtempSync(path.join(tmpdir(), "mk-run-"));
	const srv = await startServer(DB, run, { MAKERSPACE_ASSETS: assets });
	return { srv, run };
}

test("the server starts with an intact copy of the assets", async () => {
	const assets = assetsCopy(() => {});
	const { srv, run } = await startWith(assets);
	try {
		assert.equal(srv.exitCode(), null, srv.output());
		const r = await fetch(`http://127.0.0.1:${srv.port}/healthz`);
		assert.equal(r.status, 200);
	} finally {
		await srv.stop();
		rmSync(run, { recursive: true });
		rmSync(assets, { recursive: true });
	}
});

test("a page naming a missing statement or template stops the start",
    async () => {
	const assets = assetsCopy((dir) => {
		// The statement of /healthz under another name (still valid
		// SQL, so only the page check can object).
		const f = `${dir}/sql/ops.sql`;
		writeFileSync(f, readFileSync(f, "utf8").replace(
		    "-- name: health_check", "-- name: health_check_renamed"));
		// The template of /notifications (a page, not a partial).
		unlinkSync(`${dir}/templates/notify_list.html`);
	});
	const { srv, run } = await startWith(assets);
	try {
		await new Promise((r) => setTimeout(r, 300));
		assert.notEqual(srv.exitCode(), null, "exited");
		assert.notEqual(srv.exitCode(), 0);
		const out = srv.output();
		assert.match(out,
		    /page healthz: statement health_check is not in \S+\/sql/);
		assert.match(out, /page notifications: template notify_list\.html is not in \S+\/templates/);
		assert.match(out, /2 page statement\(s\) or template\(s\) missing: refusing to start/);
		await assert.rejects(fetch(`http://127.0.0.1:${srv.port}/healthz`),
		    "nothing serves");
	} finally {
		await srv.stop();
		rmSync(run, { recursive: true });
		rmSync(assets, { recursive: true });
	}
});

// The tables themselves: every page a file declares is in its file's
// table, and every table is in app/init.c's list, so the check sees all.
test("every struct page is in its file's table, every table in init.c",
    () => {
	const init = readFileSync(`${ROOT}/app/init.c`, "utf8");
	const list = init.match(/init_page_tables\[\] = \{([\s\S]*?)\};/)[1];
	const problems = [];
	for (const f of readdirSync(`${ROOT}/app`).filter((x) =>
	    x.endsWith(".c"))) {
		const src = readFileSync(`${ROOT}/app/${f}`, "utf8");
		const pages = [...src.matchAll(
		    /^static const struct page (\w+) = \{/gm)].map((m) => m[1]);
		if (pages.length === 0)
			continue;
		const t = src.match(
		    /^const struct page \*const (\w+_pages)\[\] = \{([\s\S]*?)\};/m);
		if (!t) {
			problems.push(`${f}: no <stem>_pages[] table`);
			continue;
		}
		for (const p of pages) {
			if (!new RegExp(`&${p}\\b`).test(t[2]))
				problems.push(`${f}: ${p} is not in ${t[1]}`);
		}
		if (!/\bNULL\s*$/.test(t[2].trim()))
			problems.push(`${f}: ${t[1]} does not end with NULL`);
		if (!new RegExp(`\\b${t[1]}\\b`).test(list))
			problems.push(`${t[1]} is not in init.c's init_page_tables`);
		if (!new RegExp(`extern const struct page \\*const ${t[1]}\\[\\];`)
		    .test(readFileSync(`${ROOT}/app/app.h`, "utf8")))
			problems.push(`${t[1]} is not declared in app/app.h`);
	}
	assert.deepEqual(problems, []);
});
