// The one Markdown pipeline over HTTP: POST /preview renders exactly as
// saving does, and what it renders is safe.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { post, newUser, postAs } from "./lib.mjs";

let me;
before(async () => { me = await newUser(); });

const VECTORS = [
	"<script>alert(1)</script>",
	"<img src=x onerror=alert(1)>",
	"<a href=\"javascript:alert(1)\">x</a>",
	"[x](javascript:alert(1))",
	"[x](JaVaScRiPt:alert(1))",
	"[x](vbscript:msgbox(1))",
	"[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
	"![x](data:image/png;base64,iVBORw0KGgo=)",
	"![x](javascript:alert(1))",
	"[x](&#106;avascript:alert(1))",
	"[x](javascript&#58;alert(1))",
	"<javascript:alert(1)>",
	"[x](//evil.example/path)",
	"<svg onload=alert(1)>",
	"<iframe src=//evil.example></iframe>",
	"[a\"onmouseover=alert(1)](http://x.example/\"onmouseover=\"alert(1))",
];

function assertSafe(html, what) {
	assert.doesNotMatch(html, /<script|<iframe|<svg|<img[^>]+src="(?!\/)/i,
	    `${what}: ${html}`);
	assert.doesNotMatch(html, /\son[a-z]+\s*=/i, `${what}: event handler`);
	assert.doesNotMatch(html, /(href|src)="\s*(javascript|vbscript|data):/i,
	    `${what}: scheme`);
	assert.doesNotMatch(html, /(href|src)="\/\//, `${what}: protocol-relative`);
}

test("POST /preview makes the known XSS vectors harmless", async () => {
	for (const v of VECTORS) {
		const r = await postAs(me, "/preview", { body: { body: v } });
		assert.equal(r.status, 200);
		assertSafe(r.data.html, v);
	}
});

test("outside links get rel, site links do not, mentions link", async () => {
	const r = await postAs(me, "/preview", { body: { body:
	    "[out](https://example.org) [in](/projects) hi @maker1 `@maker2`" } });
	assert.match(r.data.html,
	    /<a href="https:\/\/example\.org" rel="nofollow ugc noopener">out<\/a>/);
	assert.match(r.data.html, /<a href="\/projects">in<\/a>/);
	assert.match(r.data.html, /<a class="mention" href="\/u\/maker1">@maker1<\/a>/);
	assert.match(r.data.html, /<code>@maker2<\/code>/, "not inside code");
});

test("Chinese and emoji come back intact", async () => {
	const text = "智能花盆 🌱 用 ESP32 做的 👩‍🔬";
	const r = await postAs(me, "/preview", { body: { body: text } });
	assert.equal(r.data.html, `<p>${text}</p>\n`);
});

test("preview is exactly what saving stores", async () => {
	const bio = "# 我的简介\n\n**粗体** [链接](https://example.org) @maker2\n\n" +
	    "<b>raw</b> [bad](javascript:x)";
	const p = await postAs(me, "/preview", { body: { body: bio } });
	const s = await postAs(me, "/settings", { body: { bio } });
	assert.equal(s.status, 200);
	assert.equal(s.data.user.bio_html, p.data.html);
});

test("preview needs a login and the CSRF token, and caps the size",
    async () => {
	const anon = await post("/preview", { body: { body: "x" } });
	assert.equal(anon.status, 401);
	const noToken = await post("/preview", { jar: me.jar, body: { body: "x" } });
	assert.equal(noToken.status, 403);
	const big = await postAs(me, "/preview", { body: {
	    body: "a".repeat(64 * 1024 + 1) } });
	assert.equal(big.status, 413);
	assert.equal(big.data.error.code, "too_large");
	const max = await postAs(me, "/preview", { body: {
	    body: "a".repeat(64 * 1024) } });
	assert.equal(max.status, 200);
	const multipart = new FormData();
	multipart.append("body", "line one\nline two  \nthree");
	const mp = await postAs(me, "/preview", { multipart });
	assert.match(mp.data.html, /line one\nline two<br \/>\nthree/,
	    "multipart keeps line breaks");
	const form = await postAs(me, "/preview", { form: {
	    body: "one\n\ntwo" } });
	assert.equal(form.data.html, "<p>one</p>\n<p>two</p>\n",
	    "URL-encoded bodies keep line breaks too (Kore's parser would not)");
});

test("pathological Markdown at the 64 KiB cap answers quickly", async () => {
	const cases = ["[".repeat(65536), "*a **a ".repeat(8000),
	    "> ".repeat(32000) + "_]", "![[]()".repeat(10000),
	    "a_ ".repeat(21000), "`".repeat(65536)];
	for (const body of cases) {
		const t0 = performance.now();
		const r = await postAs(me, "/preview", { body: {
		    body: body.slice(0, 65536) } });
		const ms = performance.now() - t0;
		assert.equal(r.status, 200);
		// Bounded, not fast: the suite's server is the sanitizer
		// build (2-3x slower); speed is make bench's job.
		const budget = process.env.SERVER_SANITIZED ? 2000 : 500;
		assert.ok(ms < budget, `${body.slice(0, 8)}…: ${ms.toFixed(0)} ms`);
	}
});
