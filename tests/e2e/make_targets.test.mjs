// Every make target installs what it uses (issue 12, item 16): on a
// fresh checkout `make bench` lost its live-delivery figure because `ws`
// (npm) came only with `make test`, and `make fuzz` assumed clang and
// libFuzzer's runtime.  Asked as dry runs (`make -n`: nothing is built or
// installed), with node_modules made to look stale (-W package.json).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { ROOT } from "./lib.mjs";

function dryRun(...args) {
	const r = spawnSync("make", ["-n", "-C", ROOT, ...args],
	    { encoding: "utf8" });
	assert.equal(r.status, 0, r.stderr);
	return r.stdout.split("\n");
}

const at = (lines, re) => lines.findIndex((l) => re.test(l));

test("make bench installs the packages and the npm modules it uses",
    () => {
	const lines = dryRun("-W", "package.json", "bench");
	const deps = at(lines, /conf\/deps\.sh/);
	const npm = at(lines, /^npm ci\b/);
	const run = at(lines, /tests\/bench\/run\.sh/);
	assert.ok(deps >= 0, "the Debian packages (wrk, Node.js)");
	assert.ok(npm >= 0, "the npm modules (ws for live delivery)");
	assert.ok(deps < run && npm < run, "before the bench runs");
});

test("make fuzz and make unit install before compiling",
    () => {
	for (const target of ["fuzz", "unit"]) {
		const lines = dryRun("-W", "app/buf.c", target);
		const deps = at(lines, /conf\/deps\.sh/);
		const cc = at(lines, /^(clang|cc|gcc)\b|\$\(CC\)|-o build\//);
		assert.ok(deps >= 0, `${target}: conf/deps.sh`);
		assert.ok(cc < 0 || deps < cc, `${target}: packages first`);
	}
	const fuzz = dryRun("-W", "app/buf.c", "fuzz");
	assert.ok(fuzz.some((l) => /^clang /.test(l)) &&
	    fuzz.some((l) => /-fsanitize=fuzzer/.test(l)),
	    "the fuzzers are rebuilt by clang with libFuzzer");
	const pkgs = readFileSync(`${ROOT}/conf/deps.sh`, "utf8");
	for (const p of ["clang", "libclang-rt-14-dev", "wrk", "nginx",
	    "chromium"])
		assert.match(pkgs, new RegExp(`\\s${p}\\s`), p);
});
