// Password rules (NIST SP 800-63B; app/pwcheck.c): 8-128 characters,
// refused only when common or leaked, or when they hold the username.
// The 1,000 random passwords and the 1,000 most common ones are checked
// against the pure checker in tests/unit/test_pwcheck.c; here a handful
// go through sign-up and settings over HTTP.
import { test } from "node:test";
import assert from "node:assert/strict";
import { randomInt } from "node:crypto";
import { readFileSync } from "node:fs";
import { post, newUser, postAs, login, ROOT } from "./lib.mjs";

let seq = 0;
const uname = () => `pw${process.pid % 10000}x${Date.now() % 100000}x${++seq}`;

function randomPassword() {
	const n = randomInt(12, 25);
	let s = "";
	for (let i = 0; i < n; i++)
		s += String.fromCharCode(randomInt(32, 127));
	return s;
}

async function signup(password, lang = "zh-CN") {
	return post(`/signup?lang=${lang}`, { body: { username: uname(),
	    password, display_name: "Pw" } });
}

test("strong random passwords are accepted at sign-up", async () => {
	// cracklib refused this one as "too simple" (issue 12, item 3).
	const passwords = ["Pw-8a106bc598434338", "Pw-0123456789abcdef",
	    "correct horse battery staple", "我的密码很长很安全",
	    "密码".repeat(64)];
	for (let i = 0; i < 12; i++)
		passwords.push(randomPassword());
	for (const pw of passwords) {
		const r = await signup(pw);
		assert.equal(r.status, 201, `${JSON.stringify(pw)}: ${r.text}`);
	}
});

test("the most common passwords are refused at sign-up, with the reason",
    async () => {
	const top = readFileSync(`${ROOT}/tests/fixtures/passwords-top1000.txt`,
	    "utf8").split("\n").filter((l) => l && !l.startsWith("#"));
	const long = top.filter((p) => p.length >= 8).slice(0, 6);
	assert.ok(long.length === 6);
	for (const pw of [...long, "Password1", "WOAINI1314", "19900101"]) {
		const r = await signup(pw, "en");
		assert.equal(r.status, 422, pw);
		assert.match(r.data.error.fields.password, /common or leaked/, pw);
	}
	const short = await signup(top[0]);
	assert.equal(short.status, 422);
	assert.match(short.data.error.fields.password, /8 到 128/);
	const zh = await signup("password1");
	assert.match(zh.data.error.fields.password, /常见或已泄露/);
});

test("lengths are counted in characters, not bytes", async () => {
	const seven = await signup("密码密码密码密");	// 21 bytes
	assert.equal(seven.status, 422);
	assert.ok(seven.data.error.fields.password);
	const eight = await signup("密码密码密码密码");
	assert.equal(eight.status, 201, eight.text);
	const over = await signup("密".repeat(129));
	assert.equal(over.status, 422);
});

test("a password holding the username is refused", async () => {
	const username = uname();
	const r = await post("/signup?lang=en", { body: { username,
	    password: `My-${username.toUpperCase()}-pass`, display_name: "X" } });
	assert.equal(r.status, 422);
	assert.match(r.data.error.fields.password, /username/);
});

test("changing the password follows the same rules", async () => {
	const u = await newUser();
	const common = await postAs(u, "/settings?lang=en", { body: {
	    current_password: u.password, new_password: "iloveyou1" } });
	assert.equal(common.status, 422);
	assert.match(common.data.error.fields.new_password, /common or leaked/);
	const mine = await postAs(u, "/settings", { body: {
	    current_password: u.password, new_password: `x${u.username}x` } });
	assert.equal(mine.status, 422);
	const strong = "Pw-8a106bc598434338";
	const ok = await postAs(u, "/settings", { body: {
	    current_password: u.password, new_password: strong } });
	assert.equal(ok.status, 200, ok.text);
	await login(u.username, strong);
});
