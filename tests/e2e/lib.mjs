// Shared helpers for the end-to-end tests: a real server over HTTP
// (BASE_URL) and the real PostgreSQL behind it (psql on DATABASE_URL).
import { execFileSync, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import net from "node:net";

export const BASE = process.env.BASE_URL;
export const DB = process.env.DATABASE_URL;
export const ROOT = process.env.ROOT;
export const PG_BASE = process.env.PG_BASE;

// A cookie jar per simulated user.
export class Jar {
	constructor() { this.cookies = new Map(); }
	header() {
		return [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
	}
	store(res) {
		for (const c of res.headers.getSetCookie()) {
			const [pair] = c.split(";");
			const i = pair.indexOf("=");
			const name = pair.slice(0, i).trim();
			const value = pair.slice(i + 1).trim();
			if (/max-age=0/i.test(c) || value === "")
				this.cookies.delete(name);
			else
				this.cookies.set(name, value);
		}
	}
}

// One request.  opts: json (Accept JSON, default true), body (object:
// sent as JSON unless form/multipart), form (URLSearchParams body),
// multipart (FormData), headers, jar, csrf (X-CSRF-Token).
export async function request(method, path, opts = {}) {
	const headers = { ...(opts.headers || {}) };
	if (opts.json !== false)
		headers.accept ??= "application/json";
	else
		headers.accept ??= "text/html,application/xhtml+xml";
	if (opts.jar && opts.jar.cookies.size)
		headers.cookie = opts.jar.header();
	if (opts.csrf)
		headers["x-csrf-token"] = opts.csrf;
	let body;
	if (opts.form) {
		body = opts.form instanceof URLSearchParams ? opts.form :
		    new URLSearchParams(opts.form);
	} else if (opts.multipart) {
		body = opts.multipart;
	} else if (opts.body !== undefined) {
		headers["content-type"] ??= "application/json";
		body = typeof opts.body === "string" ? opts.body :
		    JSON.stringify(opts.body);
	} else if (opts.raw !== undefined) {
		body = opts.raw;
	}
	const res = await fetch(BASE + path, {
		method, headers, body, redirect: "manual",
	});
	if (opts.jar)
		opts.jar.store(res);
	const text = await res.text();
	let data = null;
	if ((res.headers.get("content-type") || "").includes("json")) {
		try { data = JSON.parse(text); } catch { data = null; }
	}
	return { status: res.status, headers: res.headers, text, data };
}

export const get = (path, opts) => request("GET", path, opts);
export const post = (path, opts) => request("POST", path, opts);

// Run SQL against the test database; returns trimmed text output.
export function sql(query, url = DB) {
	return execFileSync("psql", ["-XAtq", "-v", "ON_ERROR_STOP=1", url,
	    "-c", query], { encoding: "utf8" }).trim();
}

export function freePort() {
	return new Promise((resolve) => {
		const s = net.createServer();
		s.listen(0, "127.0.0.1", () => {
			const { port } = s.address();
			s.close(() => resolve(port));
		});
	});
}

// The server processes themselves: behind the proxy (tests/proxy.sh)
// NODE_URLS names each node, which /metrics answers directly (app/proxy.c);
// otherwise BASE is the one server.
export const NODES = (process.env.NODE_URLS || BASE || "").split(/\s+/)
    .filter(Boolean);

// A Prometheus figure (no labels) added up over every node.
export async function metricSum(name) {
	let sum = 0;
	for (const node of NODES) {
		const r = await fetch(`${node}/metrics`);
		const text = await r.text();
		if (r.status !== 200)
			throw new Error(`${node}/metrics: ${r.status} ${text}`);
		const m = text.match(new RegExp(`^${name} (\\d+)$`, "m"));
		if (!m)
			throw new Error(`${node}/metrics has no ${name}`);
		sum += Number(m[1]);
	}
	return sum;
}

export function serverLog() {
	return readFileSync(process.env.SERVER_LOG, "utf8");
}

// Start a second server (own port, own config, `workers` worker
// processes) against `url`, with env added to the environment; resolves
// { proc, port, output() } once /healthz answers or the process exits.
export async function startServer(url, runDir, env = {}, workers = 1) {
	const port = await freePort();
	execFileSync(`${ROOT}/conf/serve.sh`, ["conf", runDir, String(port),
	    String(workers), `${ROOT}/build/app.so`]);
	let out = "";
	const proc = spawn("/usr/bin/kore", ["-f", "-n", "-r", "-c",
	    `${runDir}/kore.conf`], {
		env: { ...process.env, DATABASE_URL: url,
		    MAKERSPACE_ASSETS: `${ROOT}/assets`, ...env },
	});
	proc.stdout.on("data", (d) => { out += d; });
	proc.stderr.on("data", (d) => { out += d; });
	// The exit code, or the signal's name when it was killed.
	let exited = null;
	proc.on("exit", (code, signal) => { exited = code ?? signal; });
	for (let i = 0; i < 100 && exited === null; i++) {
		try {
			const r = await fetch(`http://127.0.0.1:${port}/healthz`);
			if (r.status === 200)
				break;
		} catch { /* not up yet */ }
		await new Promise((r) => setTimeout(r, 100));
	}
	return {
		proc, port, output: () => out, exitCode: () => exited,
		stop: () => new Promise((resolve) => {
			if (exited !== null || proc.exitCode !== null ||
			    proc.signalCode !== null)
				return resolve();
			proc.on("exit", () => resolve());
			proc.kill("SIGTERM");
		}),
	};
}

// Accounts: a logged-in user is { jar, csrf, user }.
export const DEMO_PASSWORD = "demo-password-123";
let userSeq = 0;

export async function login(username, password = DEMO_PASSWORD) {
	const jar = new Jar();
	const r = await post("/login", { jar, body: { username, password } });
	if (r.status !== 200)
		throw new Error(`login ${username}: ${r.status} ${r.text}`);
	return { jar, csrf: r.data.csrf_token, user: r.data.user };
}

// A new account through POST /signup; opts.verified/role are then set
// directly in the database (test setup, not the behaviour under test).
export async function newUser(opts = {}) {
	const username = opts.username ||
	    `u${process.pid % 100000}_${Date.now() % 100000}_${++userSeq}`;
	const password = opts.password || "Kx9-mPq2-vL7-zzT";
	const jar = new Jar();
	const r = await post("/signup", { jar, body: { username, password,
	    display_name: opts.display_name || `Tester ${userSeq}` } });
	if (r.status !== 201)
		throw new Error(`signup ${username}: ${r.status} ${r.text}`);
	if (opts.verified)
		sql(`UPDATE users SET verified_at = now() WHERE username = '${username}'`);
	if (opts.role)
		sql(`UPDATE users SET role = '${opts.role}' WHERE username = '${username}'`);
	return { jar, csrf: r.data.csrf_token, user: r.data.user, username,
	    password };
}

// A POST as a logged-in user, with the CSRF header.
export function postAs(who, path, opts = {}) {
	return post(path, { jar: who.jar, csrf: who.csrf, ...opts });
}

export function getAs(who, path, opts = {}) {
	return get(path, { jar: who.jar, ...opts });
}

export function setting(key, value) {
	sql(`INSERT INTO site_settings (key, value) VALUES ('${key}', '${value}')
	    ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`);
}

// A visitor who opened a form page (/login, /signup, /reset/...): their
// cookie jar (with the ms_pre cookie) and the page's CSRF token.
export async function visitorForm(path = "/login") {
	const jar = new Jar();
	const r = await get(path, { jar, json: false });
	const m = r.text.match(/name="csrf" value="([^"]*)"/);
	return { jar, csrf: m ? m[1] : null, page: r };
}

// The Kore parent of the server under test (tests/run.sh writes its
// pidfile next to the cluster), or pass a startServer()'s proc.pid.
export function serverPid() {
	return Number(readFileSync(`${PG_BASE.replace(/\/[^/]*$/, "")}/run/kore.pid`,
	    "utf8"));
}

// The worker processes of a Kore parent.
export function workerPids(parent = serverPid()) {
	return readFileSync(`/proc/${parent}/task/${parent}/children`, "utf8")
	    .trim().split(/\s+/).filter(Boolean).map(Number);
}

// A process's memory (VmRSS, VmHWM in KiB) and CPU time (user + system,
// all threads, in clock ticks: 100 a second on Linux) from /proc.
export function procStats(pid) {
	const status = readFileSync(`/proc/${pid}/status`, "utf8");
	const kb = (k) => Number(status.match(new RegExp(`^${k}:\\s+(\\d+)`,
	    "m"))[1]);
	// Fields after the command name (which may hold spaces).
	const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
	const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
	return { rss: kb("VmRSS"), hwm: kb("VmHWM"),
	    cpu: Number(f[11]) + Number(f[12]) };
}
