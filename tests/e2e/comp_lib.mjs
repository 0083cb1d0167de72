// What the competition tests share: dates relative to now and a maker's
// published project to enter, both made as users make them (over HTTP).
import assert from "node:assert/strict";

import { postAs } from "./lib.mjs";

// The instant ms from now, RFC 3339 in UTC, in whole seconds (a date
// moved to "just passed" stays at least a second before the next one).
export const isoIn = (ms) => new Date(Date.now() + ms).toISOString()
    .replace(/\.\d+Z$/, "Z");

// A new published project of who's: its id.
export async function publishedProject(who, title = "Comp project " +
    Math.random()) {
	const r = await postAs(who, "/projects", { body: { title,
	    summary: "for a competition", body: "How we made it.",
	    status: "published" } });
	assert.equal(r.status, 201, r.text);
	return r.data.project.id;
}
