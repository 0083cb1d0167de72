// The request pipeline (docs/architecture.md, docs/api.md#conventions):
// content negotiation, errors in both forms, security headers, health,
// metrics, static assets and language negotiation.
import { test } from "node:test";
import assert from "node:assert/strict";
import { get, post, request, Jar } from "./lib.mjs";

function assertSecurityHeaders(res, what) {
	const csp = res.headers.get("content-security-policy") || "";
	assert.match(csp, /default-src 'self'/, `${what}: CSP default-src`);
	assert.match(csp, /script-src 'self'(;|$)/, `${what}: CSP script-src`);
	assert.match(csp, /frame-ancestors 'none'/, `${what}: frame-ancestors`);
	assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/,
	    `${what}: no unsafe-*`);
	assert.doesNotMatch(csp, /https?:\/\/|\*/, `${what}: no other origins`);
	assert.equal(res.headers.get("x-content-type-options"), "nosniff",
	    `${what}: nosniff`);
	assert.equal(res.headers.get("referrer-policy"), "same-origin",
	    `${what}: referrer-policy`);
	const server = res.headers.get("server") || "";
	assert.doesNotMatch(server, /kore|[0-9]\.[0-9]/i,
	    `${what}: no Kore version in Server`);
}

test("home page as JSON is the document the template renders", async () => {
	const r = await get("/");
	assert.equal(r.status, 200);
	assert.match(r.headers.get("content-type"), /^application\/json/);
	assert.ok(Array.isArray(r.data.projects), "projects list");
	assert.ok(Array.isArray(r.data.topics), "topics list");
	assert.ok(Array.isArray(r.data.office_hours), "office hours list");
});

test("home page as HTML is in Simplified Chinese by default", async () => {
	const r = await get("/", { json: false });
	assert.equal(r.status, 200);
	assert.match(r.headers.get("content-type"), /^text\/html; charset=utf-8/);
	assert.match(r.text, /<html lang="zh-CN">/);
	assert.match(r.text, /创客空间/);
	for (const href of ["/projects", "/board", "/competitions", "/mentors"])
		assert.ok(r.text.includes(`href="${href}"`), `nav ${href}`);
	assert.doesNotMatch(r.text, /<script>|<style>| on[a-z]+=/i,
	    "no inline script or style");
});

test("?lang=en switches to English and is remembered in a cookie",
    async () => {
	const jar = new Jar();
	const r = await get("/?lang=en", { json: false, jar });
	assert.match(r.text, /<html lang="en">/);
	assert.match(r.text, /Makerspace/);
	assert.equal(jar.cookies.get("lang"), "en");
	const again = await get("/", { json: false, jar });
	assert.match(again.text, /<html lang="en">/, "cookie remembered");
	const back = await get("/?lang=zh-CN", { json: false, jar });
	assert.match(back.text, /<html lang="zh-CN">/);
});

test("Accept-Language is honoured after ?lang and the cookie", async () => {
	const en = await get("/", { json: false,
	    headers: { "accept-language": "en-GB,en;q=0.9,zh;q=0.5" } });
	assert.match(en.text, /<html lang="en">/);
	const zh = await get("/", { json: false,
	    headers: { "accept-language": "zh-TW,zh;q=0.9" } });
	assert.match(zh.text, /<html lang="zh-CN">/);
	const cookieWins = await get("/", { json: false, headers: {
	    "accept-language": "en", cookie: "lang=zh-CN" } });
	assert.match(cookieWins.text, /<html lang="zh-CN">/);
	const explicitWins = await get("/?lang=zh-CN", { json: false,
	    headers: { "accept-language": "en", cookie: "lang=en" } });
	assert.match(explicitWins.text, /<html lang="zh-CN">/);
	const unknown = await get("/?lang=xx", { json: false,
	    headers: { "accept-language": "fr" } });
	assert.match(unknown.text, /<html lang="zh-CN">/, "site default");
});

test("unknown routes answer 404 in the API's error shape", async () => {
	const r = await get("/no/such/page");
	assert.equal(r.status, 404);
	assert.equal(r.data.error.code, "not_found");
	assert.equal(typeof r.data.error.message, "string");
	assert.match(r.data.error.message, /[\u4e00-\u9fff]/,
	    "message in Chinese by default");
	const en = await get("/no/such/page?lang=en");
	assert.match(en.data.error.message, /could not find/);
});

test("unknown routes answer a 404 page to browsers", async () => {
	const r = await get("/nope", { json: false });
	assert.equal(r.status, 404);
	assert.match(r.headers.get("content-type"), /text\/html/);
	assert.match(r.text, /<html lang="zh-CN">/);
	assert.match(r.text, /404/);
	assertSecurityHeaders(r, "404 page");
});

test("a path with HTML in it is escaped on the 404 page", async () => {
	const r = await get("/%3Cscript%3Ealert(1)%3C/script%3E", {
	    json: false });
	assert.equal(r.status, 404);
	assert.doesNotMatch(r.text, /<script>alert/);
});

test("every kind of response carries the security headers", async () => {
	for (const [path, json] of [["/", true], ["/", false],
	    ["/healthz", true], ["/nope", true], ["/static/app.css", false],
	    ["/metrics", false]]) {
		const r = await get(path, { json });
		assertSecurityHeaders(r, `${path} (${json ? "json" : "html"})`);
	}
});

test("wrong methods get 405 with the error shape", async () => {
	const r = await request("PUT", "/", { body: {} });
	assert.equal(r.status, 405);
	assert.equal(r.data.error.code, "method_not_allowed");
	const p = await post("/", { body: {} });
	assert.equal(p.status, 405);
});

test("GET /healthz runs a query and says ok", async () => {
	const r = await get("/healthz");
	assert.equal(r.status, 200);
	assert.deepEqual(r.data, { status: "ok" });
	assert.equal(r.headers.get("cache-control"), "no-store");
});

test("GET /metrics counts requests by route and status", async () => {
	await get("/healthz");
	await get("/definitely-missing");
	const r = await get("/metrics", { json: false });
	assert.equal(r.status, 200);
	assert.match(r.headers.get("content-type"), /^text\/plain; version=0\.0\.4/);
	assert.match(r.text,
	    /makerspace_http_requests_total\{route="\/healthz",status="200"\} [1-9]/);
	assert.match(r.text,
	    /makerspace_http_requests_total\{route="\^\/\.\*\$",status="404"\} [1-9]/);
	assert.match(r.text,
	    /makerspace_http_request_duration_seconds_bucket\{route="\/healthz",le="\+Inf"\} [1-9]/);
	assert.match(r.text, /makerspace_db_errors_total [0-9]+/);
	assert.match(r.text, /makerspace_websockets_open [0-9]+/);
	// The histogram is cumulative: +Inf equals _count.
	const inf = r.text.match(/duration_seconds_bucket\{route="\/healthz",le="\+Inf"\} (\d+)/)[1];
	const count = r.text.match(/duration_seconds_count\{route="\/healthz"\} (\d+)/)[1];
	assert.equal(inf, count);
});

test("static assets have validators and versioned URLs are immutable",
    async () => {
	const home = await get("/", { json: false });
	const m = home.text.match(/href="(\/static\/app\.css\?v=([0-9a-f]{16}))"/);
	assert.ok(m, "the layout links the versioned stylesheet");
	const css = await get(m[1], { json: false });
	assert.equal(css.status, 200);
	assert.equal(css.headers.get("content-type"), "text/css; charset=utf-8");
	assert.match(css.headers.get("cache-control"), /immutable/);
	const etag = css.headers.get("etag");
	assert.equal(etag, `"${m[2]}"`);
	const plain = await get("/static/app.css", { json: false });
	assert.match(plain.headers.get("cache-control"), /must-revalidate/);
	const again = await get("/static/app.css", { json: false,
	    headers: { "if-none-match": etag } });
	assert.equal(again.status, 304);
	assert.equal(again.text, "");
	const js = await get("/static/app.js", { json: false });
	assert.equal(js.headers.get("content-type"),
	    "text/javascript; charset=utf-8");
	const missing = await get("/static/nope.css", { json: false });
	assert.equal(missing.status, 404);
	const traversal = await get("/static/..%2Fapp.h", { json: false });
	assert.equal(traversal.status, 404);
});

test("nothing on the home page loads from another host", async () => {
	const r = await get("/", { json: false });
	const urls = [...r.text.matchAll(/(?:src|href)="([^"]+)"/g)]
	    .map((m) => m[1]);
	assert.ok(urls.length > 3);
	for (const u of urls)
		assert.ok(u.startsWith("/") || u.startsWith("?"),
		    `site-relative: ${u}`);
});

test("a query string that is not valid is refused with 400", async () => {
	const r = await get("/?lang=%zz");
	assert.equal(r.status, 400);
	assert.equal(r.data.error.code, "bad_request");
});
