// assets/static/live.js in Chromium on the real topic and board pages: a
// reader sees a new reply appear within a second, catches up on what was
// posted while the socket was down, and the board counts new topics in
// a banner that reloads the page.
import { test, after, before } from "node:test";
import assert from "node:assert/strict";
import { launch, watch, BASE, ARTIFACTS } from "./lib.mjs";
import { newUser, postAs } from "../e2e/lib.mjs";

const T = { timeout: 20000 };
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

let browser, staff;
before(async () => {
	browser = await launch();
	// Own staff account: its POST counter is not shared with other files.
	staff = await newUser({ verified: true, role: "staff" });
});
after(async () => { await browser?.close(); });

async function newTopic(title) {
	const r = await postAs(staff, "/topics", { body: { category: "general",
	    title, body: "第一帖 first" } });
	assert.equal(r.status, 201, r.text);
	return r.data.topic.id;
}

async function reply(topic, body) {
	const r = await postAs(staff, `/t/${topic}/posts`, { body: { body } });
	assert.equal(r.status, 201, r.text);
	return r.data.post;
}

// Resolves when the page's socket has its subscription acknowledged.
function subscribed(pg) {
	return new Promise((resolve) => {
		pg.on("websocket", (ws) => ws.on("framereceived", (f) => {
			if (String(f.payload).includes("\"subscribed\""))
				resolve();
		}));
	});
}

const numbers = (pg) => pg.$$eval("#posts article.post",
    (as) => as.map((a) => Number(a.dataset.number)));

test("a reader sees a new reply within a second, once", T, async () => {
	const { context, page: pg, problems } = await watch(browser,
	    { width: 375, height: 812 });
	const topic = await newTopic("浏览器实时 live in the browser");
	const ready = subscribed(pg);
	await pg.goto(`${BASE}/t/${topic}`);
	await ready;
	await sleep(200);	/* the catch-up fetch "subscribed" starts */

	const p = await reply(topic, "第二帖 second");
	const t0 = Date.now();
	await pg.waitForSelector(`#post-${p.number}`, { timeout: 1000 });
	const ms = Date.now() - t0;
	assert.ok(ms < 1000, `${ms} ms`);
	assert.deepEqual(await numbers(pg), [1, 2]);
	assert.equal(await pg.getAttribute("#posts", "data-last"), "2");
	assert.match(await pg.textContent(`#post-${p.number}`), /第二帖/);
	await pg.screenshot({ path: `${ARTIFACTS}/live-topic.png` });
	assert.deepEqual(problems, []);
	await context.close();
});

test("an edited post shows its new text; a deleted one goes", T,
    async () => {
	const { context, page: pg, problems } = await watch(browser,
	    { width: 375, height: 812 });
	const topic = await newTopic("编辑与删除 edit and delete");
	const a = await reply(topic, "原文 before");
	const b = await reply(topic, "要删除的 to delete");
	const ready = subscribed(pg);
	await pg.goto(`${BASE}/t/${topic}`);
	await ready;
	let r = await postAs(staff, `/posts/${a.id}`,
	    { body: { body: "修改后 after" } });
	assert.equal(r.status, 200, r.text);
	await pg.waitForFunction((id) => /修改后/.test(
	    document.getElementById(id).textContent), `post-${a.number}`,
	    { timeout: 1000 });
	r = await postAs(staff, `/mod/posts/${b.id}`,
	    { body: { action: "delete", reason: "test" } });
	assert.equal(r.status, 200, r.text);
	await pg.waitForSelector(`#post-${b.number}`,
	    { state: "detached", timeout: 1000 });
	assert.deepEqual(await numbers(pg), [1, 2]);
	assert.deepEqual(problems, []);
	await context.close();
});

test("after a dropped socket the reader catches up on what was missed",
    T, async () => {
	const { context, page: pg, problems } = await watch(browser,
	    { width: 375, height: 812 });
	const topic = await newTopic("断线重连 catch up");
	// Between the page and the server: a socket the test can cut.
	const sockets = [];
	let acks = 0;
	await pg.routeWebSocket(/\/live$/, (ws) => {
		const server = ws.connectToServer();
		server.onMessage((m) => {
			if (String(m).includes("\"subscribed\""))
				acks++;
			ws.send(m);
		});
		sockets.push({ ws, server });
	});
	await pg.goto(`${BASE}/t/${topic}`);
	for (let i = 0; i < 100 && acks < 1; i++)
		await sleep(20);
	assert.equal(acks, 1);

	await sockets[0].ws.close({ code: 1001, reason: "test" });
	await sockets[0].server.close();
	const missed = [await reply(topic, "断线时 missed one"),
	    await reply(topic, "断线时 missed two")];
	// Back-off 1-1.5 s; then "subscribed" makes it fetch what it missed.
	await pg.waitForSelector(`#post-${missed[1].number}`,
	    { timeout: 5000 });
	assert.equal(sockets.length, 2, "one reconnect");
	assert.deepEqual(await numbers(pg), [1, 2, 3]);

	const p = await reply(topic, "重连后 live again");
	await pg.waitForSelector(`#post-${p.number}`, { timeout: 1000 });
	assert.deepEqual(await numbers(pg), [1, 2, 3, 4]);
	assert.deepEqual(problems, []);
	await context.close();
});

test("the board counts new topics in a banner that reloads", T,
    async () => {
	const { context, page: pg, problems } = await watch(browser,
	    { width: 375, height: 812 });
	const ready = subscribed(pg);
	await pg.goto(`${BASE}/board`);
	await ready;
	const first = await newTopic("横幅一 banner one");
	await pg.waitForSelector(".live-banner a", { timeout: 1000 });
	assert.match(await pg.textContent(".live-banner a"), /^1 个新话题/);
	await newTopic("横幅二 banner two");
	await pg.waitForFunction(() => document.querySelector(
	    ".live-banner a").textContent.startsWith("2 "));
	await pg.screenshot({ path: `${ARTIFACTS}/live-board.png` });
	await Promise.all([pg.waitForEvent("load"),
	    pg.click(".live-banner a")]);
	assert.equal(await pg.$(".live-banner"), null, "reloaded");
	assert.ok(await pg.$(`#latest a[href="/t/${first}"]`),
	    "the new topic is listed after the reload");
	assert.deepEqual(problems, []);
	await context.close();
});
