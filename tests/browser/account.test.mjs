// A person on a phone: sign up, log out, log in, change settings, log out.
import { test, after, before } from "node:test";
import assert from "node:assert/strict";
import { launch, watch, BASE, ARTIFACTS } from "./lib.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test("sign up → log out → log in → settings → log out at 375 px",
    async () => {
	const { context, page, problems } = await watch(browser,
	    { width: 375, height: 812 }, { formStatuses: [401, 422] });
	const username = `phone${Date.now() % 1e7}`;
	const password = "Kx9-mPq2-vL7-zzT";

	await page.goto(BASE + "/");
	await page.click('a[href="/signup"]');
	await page.waitForURL("**/signup");
	// A weak password first: the form comes back with the message.
	await page.fill("#username", username);
	await page.fill("#display_name", "手机用户");
	await page.fill("#password", "password");
	await page.click("button[type=submit]");
	await page.waitForSelector(".alert");
	assert.match(await page.textContent(".field .problem"), /密码/);
	assert.equal(await page.inputValue("#username"), username,
	    "what was typed is kept");
	await page.fill("#password", password);
	await page.click("button[type=submit]");
	await page.waitForURL(BASE + "/");
	// The header names the display name; the profile link the username.
	assert.equal((await page.textContent(".user-menu .me-name")).trim(),
	    "手机用户");
	assert.equal(await page.locator(
	    `.user-menu a[href="/u/${username}"]`).count(), 1);
	await page.screenshot({ path: `${ARTIFACTS}/account-signed-up.png` });

	// Log out is inside the user menu.
	await page.click(".user-menu summary");
	await page.click(".account form[action='/logout'] button");
	await page.waitForSelector('.account a[href="/login"]');

	await page.click('.account a[href="/login"]');
	await page.fill("#username", username);
	await page.fill("#password", "wrong-password-1");
	await page.click("button[type=submit]");
	assert.match(await page.textContent(".alert"), /用户名或密码错误/);
	await page.fill("#password", password);
	await page.click("button[type=submit]");
	await page.waitForURL(BASE + "/");

	await page.goto(BASE + "/settings");
	assert.equal(await page.inputValue("#display_name"), "手机用户");
	await page.fill("#display_name", "新名字");
	await page.fill("#bio", "我喜欢 **3D 打印**");
	await page.check('input[name=locale][value="en"]');
	await page.click("form[action='/settings'] button[type=submit]");
	await page.waitForURL("**/settings?saved=1");
	assert.equal(await page.getAttribute("html", "lang"), "en",
	    "the saved language applies");
	assert.equal(await page.inputValue("#display_name"), "新名字");
	const width = await page.evaluate(() =>
	    document.documentElement.scrollWidth);
	assert.ok(width <= 375, `settings fit the phone (${width}px)`);
	await page.screenshot({ path: `${ARTIFACTS}/account-settings.png`,
	    fullPage: true });

	await page.goto(BASE + `/u/${username}`);
	assert.match(await page.innerHTML(".prose"), /<strong>3D 打印<\/strong>/);

	await page.click(".user-menu summary");
	await page.click(".account form[action='/logout'] button");
	await page.waitForSelector('.account a[href="/login"]');
	await page.goto(BASE + "/settings");
	await page.waitForURL("**/login?next=/settings");
	assert.deepEqual(problems, []);
	await context.close();
});
