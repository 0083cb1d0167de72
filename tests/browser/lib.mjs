// Browser tests: Debian's chromium driven by playwright-core.  Every page
// opened through watch() fails the test on a console error, an uncaught
// exception, or any request to a host other than the server under test.
import { chromium } from "playwright-core";
import { mkdirSync } from "node:fs";

export const BASE = process.env.BASE_URL;
export const ARTIFACTS = process.env.ARTIFACTS || "tests/artifacts";
mkdirSync(ARTIFACTS, { recursive: true });

export async function launch() {
	return chromium.launch({
		executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
		args: ["--no-sandbox", "--disable-gpu", "--disable-quic",
		    "--no-first-run", "--disable-background-networking",
		    "--disable-component-update", "--disable-sync"],
	});
}

// A new context with the given viewport; returns { page, problems }.
export async function watch(browser, viewport, opts = {}) {
	const context = await browser.newContext({ viewport,
	    locale: opts.locale || "zh-CN", ...(opts.context || {}) });
	const page = await context.newPage();
	const problems = [];
	const origin = new URL(BASE).origin;
	// A form posted with a mistake comes back with 401/422 on purpose;
	// Chromium logs that status as a console error.  Tests that expect
	// it list the statuses in opts.formStatuses; nothing else is allowed.
	const allowed = (opts.formStatuses || []).map((s) =>
	    `the server responded with a status of ${s} `);
	page.on("console", (m) => {
		if (m.type() !== "error")
			return;
		if (allowed.some((a) => m.text().includes(a)))
			return;
		problems.push(`console: ${m.text()}`);
	});
	page.on("pageerror", (e) => problems.push(`exception: ${e.message}`));
	page.on("request", (r) => {
		const u = r.url();
		if (!u.startsWith(origin) && !u.startsWith("data:") &&
		    !u.startsWith("blob:"))
			problems.push(`third-party request: ${u}`);
	});
	return { context, page, problems };
}
