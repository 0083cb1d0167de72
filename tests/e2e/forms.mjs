// Forms read from pages: load a page as a given user, take one of its
// forms by its purpose, fill the fields a person would fill and submit it
// the way a browser does (the form's own action, method, enctype, hidden
// fields and CSRF token; Origin and Sec-Fetch-Site; a 303 followed).  A
// test that goes through here exercises the HTML a person gets, so a form
// whose action or fields are wrong fails where a hand-built POST passes.
//
//	const page = await openPage(maker, project.url);
//	const r = await page.form({ action: /\/like$/ }).submit();
//	// r.status 303, r.location, r.page: the page the browser lands on
//
// Counting: every form submitted through here is recorded by purpose
// (method, action with numbers as N, fields), see formsSubmitted().
import { parse } from "parse5";
import { BASE } from "./lib.mjs";

const ORIGIN = new URL(BASE).origin;
const submitted = new Map();

// Where a form's "near" text is looked for: the item it belongs to.
const ITEMS = new Set(["li", "article", "tr"]);

function attr(node, name) {
	const a = node.attrs?.find((x) => x.name === name);
	return a ? a.value : null;
}

function* walk(node) {
	yield node;
	for (const c of node.childNodes || [])
		yield* walk(c);
}

function textOf(node) {
	let s = "";
	for (const n of walk(node))
		if (n.nodeName === "#text")
			s += n.value;
	return s;
}

const squash = (s) => s.replace(/\s+/g, " ").trim();

function matches(want, value) {
	if (want === undefined)
		return true;
	if (value === null || value === undefined)
		return false;
	return want instanceof RegExp ? want.test(value) : value === want;
}

// What a browser sends for "a\nb" in a form: CRLF line breaks.
const crlf = (v) => String(v).replace(/\r\n|\r|\n/g, "\r\n");

export class Page {
	constructor(url, res, html, who) {
		this.url = url;
		this.status = res.status;
		this.headers = res.headers;
		this.html = html;
		this.who = who;
		this.doc = parse(html);
	}

	// Every <form> of the page, in document order.
	forms() {
		const out = [];
		for (const n of walk(this.doc))
			if (n.nodeName === "form")
				out.push(new Form(this, n));
		return out;
	}

	// The one form matching spec (see Form.matches); throws, listing
	// the page's forms, when there is none or more than one.
	form(spec = {}) {
		const all = this.forms();
		const hits = all.filter((f) => f.matches(spec));
		if (hits.length !== 1) {
			throw new Error(`${hits.length} forms on ${this.url} (as ` +
			    `${this.who?.username ?? "anonymous"}) match ` +
			    `${describe(spec)}; the page has: ` +
			    (all.map((f) => `${f.method} ${f.actionPath}`)
			    .join(", ") || "none"));
		}
		return hits[0];
	}

	hasForm(spec = {}) {
		return this.forms().some((f) => f.matches(spec));
	}

	// The href of the one link whose text or class matches; the link
	// a person follows (those app.js reveals are in the HTML, hidden).
	link(spec) {
		const hits = [];
		for (const n of walk(this.doc)) {
			if (n.nodeName !== "a" || attr(n, "href") === null)
				continue;
			if (spec.cls && !(attr(n, "class") || "").split(/\s+/)
			    .includes(spec.cls))
				continue;
			if (!matches(spec.href, attr(n, "href")))
				continue;
			if (!matches(spec.text, squash(textOf(n))))
				continue;
			if (spec.near && !nearText(n, spec.near))
				continue;
			hits.push(attr(n, "href"));
		}
		if (hits.length !== 1)
			throw new Error(`${hits.length} links on ${this.url} match ` +
			    describe(spec));
		return new URL(hits[0], ORIGIN + this.url).pathname +
		    new URL(hits[0], ORIGIN + this.url).search;
	}

	// The page's text, as a person reads it.
	text() {
		return squash(textOf(this.doc));
	}
}

function describe(spec) {
	return JSON.stringify(spec, (k, v) => v instanceof RegExp ?
	    v.toString() : v);
}

// Does the item (li, article, tr) around node show text?
function nearText(node, text) {
	for (let p = node.parentNode; p; p = p.parentNode)
		if (ITEMS.has(p.nodeName) && textOf(p).includes(text))
			return true;
	return false;
}

export class Form {
	constructor(page, node) {
		this.page = page;
		this.node = node;
		this.method = (attr(node, "method") || "get").toLowerCase();
		this.enctype = (attr(node, "enctype") ||
		    "application/x-www-form-urlencoded").toLowerCase();
		const u = new URL(attr(node, "action") || page.url,
		    ORIGIN + page.url);
		this.actionPath = u.pathname + u.search;
		this.controls = [];
		for (const n of walk(node))
			if (["input", "select", "textarea", "button"]
			    .includes(n.nodeName))
				this.controls.push(n);
	}

	// spec: action (path string or RegExp on the path), method,
	// hidden ({name: value} of hidden inputs), field (a name the form
	// has), button (text of its submit button), near (text of the list
	// item or article the form is in).
	matches(spec) {
		if (!matches(spec.action, this.actionPath) ||
		    !matches(spec.method, this.method))
			return false;
		for (const [k, v] of Object.entries(spec.hidden || {})) {
			if (!this.controls.some((c) => attr(c, "type") === "hidden" &&
			    attr(c, "name") === k && attr(c, "value") === v))
				return false;
		}
		for (const f of [].concat(spec.field || [])) {
			if (!this.controls.some((c) => attr(c, "name") === f))
				return false;
		}
		if (spec.button !== undefined &&
		    !this.submitters().some((b) => matches(spec.button,
		    squash(textOf(b) || attr(b, "value") || ""))))
			return false;
		if (spec.near !== undefined && !nearText(this.node, spec.near))
			return false;
		return true;
	}

	submitters() {
		return this.controls.filter((c) => (c.nodeName === "button" &&
		    (attr(c, "type") || "submit") === "submit") ||
		    (c.nodeName === "input" && attr(c, "type") === "submit"));
	}

	// The value a field shows now (first control of that name).
	value(name) {
		return this.entries().find(([k]) => k === name)?.[1];
	}

	names() {
		return [...new Set(this.controls.map((c) => attr(c, "name"))
		    .filter((x) => x))];
	}

	// The form data set, as the HTML gives it and with fill applied:
	// [[name, value]] in tree order (value a string, or a file).
	entries(fill = {}, submitter = null) {
		const left = new Set(Object.keys(fill));
		const out = [];
		const radios = new Map();
		for (const c of this.controls) {
			const name = attr(c, "name");
			if (attr(c, "disabled") !== null)
				continue;
			const type = (attr(c, "type") || (c.nodeName === "button" ?
			    "submit" : "text")).toLowerCase();
			if (c.nodeName === "button" || ["submit", "image", "reset",
			    "button"].includes(type)) {
				if (c === submitter && name)
					out.push([name, attr(c, "value") || ""]);
				continue;
			}
			if (!name)
				continue;
			const has = Object.hasOwn(fill, name);
			if (c.nodeName === "select") {
				const opts = [...walk(c)].filter((o) =>
				    o.nodeName === "option");
				const val = (o) => attr(o, "value") ?? squash(textOf(o));
				let pick = opts.find((o) => attr(o, "selected") !== null) ||
				    opts[0];
				if (has) {
					pick = opts.find((o) => val(o) === String(fill[name]));
					if (!pick)
						throw new Error(`${this.actionPath}: ${name} has ` +
						    `no option ${fill[name]} (${opts.map(val)})`);
					left.delete(name);
				}
				if (pick)
					out.push([name, val(pick)]);
				continue;
			}
			if (type === "checkbox") {
				let on = attr(c, "checked") !== null;
				if (has) {
					on = Boolean(fill[name]);
					left.delete(name);
				}
				if (on)
					out.push([name, attr(c, "value") ?? "on"]);
				continue;
			}
			if (type === "radio") {
				const v = attr(c, "value") ?? "on";
				if (has) {
					if (!radios.has(name))
						radios.set(name, false);
					if (v === String(fill[name])) {
						radios.set(name, true);
						out.push([name, v]);
					}
				} else if (attr(c, "checked") !== null) {
					out.push([name, v]);
				}
				continue;
			}
			if (type === "hidden") {
				// Nobody types into a hidden field.
				out.push([name, attr(c, "value") ?? ""]);
				continue;
			}
			if (type === "file") {
				if (has) {
					out.push([name, fill[name]]);
					left.delete(name);
				} else {
					out.push([name, { name: "", data: Buffer.alloc(0) }]);
				}
				continue;
			}
			let v = c.nodeName === "textarea" ? textOf(c) :
			    attr(c, "value") ?? "";
			if (has && left.has(name)) {
				v = String(fill[name]);
				left.delete(name);
				const max = Number(attr(c, "maxlength") ?? Infinity);
				if ([...v].length > max)
					throw new Error(`${this.actionPath}: ${name} takes at ` +
					    `most ${max} characters`);
			}
			out.push([name, v]);
		}
		for (const [name, ok] of radios) {
			if (!ok)
				throw new Error(`${this.actionPath}: ${name} has no ` +
				    `choice ${fill[name]}`);
			left.delete(name);
		}
		if (left.size)
			throw new Error(`${this.actionPath} (as ${this.page.who?.username
			    ?? "anonymous"}) has no field a person can fill named ` +
			    `${[...left]}; it has ${this.names()}`);
		return out;
	}

	// Fill and submit.  opts.button picks the submit button by text;
	// a browser does not submit a form whose required fields are empty
	// (unless the form says novalidate), and neither does this.
	async submit(fill = {}, opts = {}) {
		const subs = this.submitters();
		const submitter = opts.button === undefined ? subs[0] :
		    subs.find((b) => matches(opts.button, squash(textOf(b))));
		const data = this.entries(fill, submitter);
		if (attr(this.node, "novalidate") === null && !opts.novalidate) {
			for (const c of this.controls) {
				if (attr(c, "required") === null)
					continue;
				const entry = data.find(([k]) => k === attr(c, "name"));
				const v = entry?.[1];
				if (v === undefined || v === "" || (typeof v === "object" &&
				    !v.data?.length))
					throw new Error(`${this.actionPath}: ${attr(c, "name")}` +
					    " is required; a browser would not send this");
			}
		}
		const who = this.page.who;
		// A kind of form: its method, action (ids as N), and what it
		// asks for (a fixed hidden action, or the fields a person fills).
		const fixed = this.controls.find((c) => attr(c, "type") ===
		    "hidden" && attr(c, "name") === "action");
		const asks = this.names().filter((n) => !this.controls.some((c) =>
		    attr(c, "name") === n && attr(c, "type") === "hidden"));
		const key = `${this.method.toUpperCase()} ${this.actionPath
		    .replace(/\?.*/, "").replace(/\/[0-9]+(?=\/|$)/g, "/N")
		    .replace(/\/(admin\/users|u|members)\/[A-Za-z0-9_]+/g,
		    "/$1/NAME")} ${fixed ? `action=${attr(fixed, "value")}` :
		    `(${asks.join(",")})`}`;
		submitted.set(key, (submitted.get(key) || 0) + 1);
		const headers = { accept: "text/html,application/xhtml+xml",
		    origin: ORIGIN, "sec-fetch-site": "same-origin",
		    "sec-fetch-mode": "navigate", referer: ORIGIN + this.page.url };
		if (who?.jar?.cookies.size)
			headers.cookie = who.jar.header();
		let url = this.actionPath, body;
		if (this.method === "get") {
			const q = new URLSearchParams(data.map(([k, v]) => [k, v]));
			url = url.replace(/\?.*/, "") + "?" + q;
			delete headers.origin;
		} else if (this.enctype === "multipart/form-data") {
			body = new FormData();
			for (const [k, v] of data) {
				if (typeof v === "object")
					body.append(k, new Blob([v.data], { type: v.type ||
					    "application/octet-stream" }), v.name);
				else
					body.append(k, crlf(v));
			}
		} else {
			body = new URLSearchParams(data.map(([k, v]) => [k, crlf(v)]));
		}
		const res = await fetch(BASE + url, { method: this.method
		    .toUpperCase(), headers, body, redirect: "manual" });
		who?.jar?.store(res);
		const out = { status: res.status, location: res.headers
		    .get("location"), headers: res.headers };
		if ([301, 302, 303].includes(res.status) && out.location) {
			await res.arrayBuffer();
			out.page = await openPage(who, out.location);
		} else {
			out.page = new Page(url, res, await res.text(), who);
		}
		out.text = out.page.html;
		return out;
	}
}

// GET a page as who ({jar} from lib.mjs, or null: nobody) as a browser
// does, following redirects.
export async function openPage(who, path) {
	let url = path;
	for (let i = 0; i < 5; i++) {
		const headers = { accept: "text/html,application/xhtml+xml",
		    "sec-fetch-site": "same-origin", "sec-fetch-mode": "navigate" };
		if (who?.jar?.cookies.size)
			headers.cookie = who.jar.header();
		const res = await fetch(BASE + url, { headers, redirect: "manual" });
		who?.jar?.store(res);
		const loc = res.headers.get("location");
		if ([301, 302, 303, 307].includes(res.status) && loc) {
			await res.arrayBuffer();
			const u = new URL(loc, ORIGIN + url);
			url = u.pathname + u.search;
			continue;
		}
		return new Page(url, res, await res.text(), who);
	}
	throw new Error(`${path}: too many redirects`);
}

// { "POST /projects/N/like": times, ... } for this process.
export function formsSubmitted() {
	return Object.fromEntries(submitted);
}
