// Every page of the route table, rendered for two different users of the
// same role: each form's action and each link must be the same for both
// (after the viewer's own name), and a form on an object's page must
// carry that object's id.  This is the test that sees a template using
// the viewer's id where it meant the page's (the like and comment forms
// of the project page once posted to /projects/<viewer id>/...).
import { test, before } from "node:test";
import assert from "node:assert/strict";

import { getAs } from "./lib.mjs";
import { makeObjects, viewerNotIn } from "./objects.mjs";
import { concretePath, routes } from "./routes.mjs";

let objs;
before(async () => { objs = await makeObjects(); });

// Form actions and links of a page, the viewer's own name made neutral,
// and the other viewer's (staff's user list shows both accounts).
function targets(html, who, other) {
	const out = [];
	for (const m of html.matchAll(/\s(action|href)="([^"]*)"/g)) {
		out.push(`${m[1]} ${m[2]}`.split(who.username).join("<me>")
		    .split(other.username).join("<other>")
		    .replace(/[?&]next=[^"&]*/, "")
		    .replace(/^(action \/settings\/(sessions|tokens)\/)\d+/,
		    "$1<own>"));
	}
	return out.sort();
}

function pages() {
	return routes().filter(({ route }) => !/delete|\.rss|^\^\/media|^\^\/static|^\/live$|^\^\/\.\*\$$|favicon|metrics|logout/.test(route))
	    .map(({ route }) => concretePath(route, objs.ids));
}

for (const role of ["member", "staff"]) {
	test(`every page: ${role}s with different ids see the same forms ` +
	    "and links, carrying the page's ids", async () => {
		const opts = role === "staff" ? { role: "staff" } : {};
		const a = await viewerNotIn(objs.ids, opts);
		const b = await viewerNotIn({ ...objs.ids, a: a.user.id }, opts);
		let compared = 0, forms = 0;
		for (const path of pages()) {
			const ra = await getAs(a, path, { json: false });
			const rb = await getAs(b, path, { json: false });
			assert.equal(ra.status, rb.status, path);
			if (ra.status !== 200)
				continue;
			const ta = targets(ra.text, a, b);
			assert.deepEqual(ta, targets(rb.text, b, a),
			    `${path}: the forms and links depend on the viewer`);
			compared++;
			for (const t of ta) {
				if (!t.startsWith("action "))
					continue;
				forms++;
				for (const [seg, id] of [["projects",
				    objs.ids.projects], ["t", objs.ids.t]]) {
					const own = path.match(
					    new RegExp(`^/${seg}/(\\d+)`));
					const m = t.match(
					    new RegExp(`^action /${seg}/(\\d+)`));
					if (own && m)
						assert.equal(Number(m[1]), id,
						    `${path}: ${t}`);
				}
				for (const who of [a, b])
					assert.ok(!t.match(new RegExp(
					    `/(projects|t|posts)/${who.user.id}(/|$)`)) ||
					    Object.values(objs.ids).includes(who.user.id),
					    `${path}: ${t} names the viewer's id`);
			}
		}
		assert.ok(compared >= 15, `only ${compared} pages compared`);
		assert.ok(forms >= 10, `only ${forms} forms seen`);
	});
}
