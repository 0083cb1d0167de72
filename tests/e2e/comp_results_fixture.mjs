// Competitions with scores written straight into the database, for the
// checks of competition_results() (migrations/0017_comp_results.sql)
// against tests/e2e/comp_results_ref.mjs.  Test setup only: the scoring
// statement under test reads these rows exactly as it reads rows made
// over HTTP (tests/e2e/comp_results.test.mjs makes one competition that
// way too).
import { execFileSync } from "node:child_process";

// A deterministic generator (mulberry32), so a failure can be replayed.
export function rng(seed) {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

const q = (s) => `'${String(s).replace(/'/g, "''")}'`;

function psqlScript(db, script) {
	return execFileSync("psql", ["-XAtq", "-v", "ON_ERROR_STOP=1", db],
	    { input: script, encoding: "utf8", maxBuffer: 256 << 20 }).trim();
}

// Users to play judges, team members and voters: n of them, made once
// per call, returned as ids.
export function makeUsers(db, n, tag) {
	const out = psqlScript(db, `INSERT INTO users (username, display_name,
	    password_hash, verified_at) SELECT ${q(tag)} || '_' || g,
	    'Judge ' || g, 'x', now() FROM generate_series(1, ${n}) g
	    RETURNING id;`);
	return out.split("\n").map(Number);
}

// A random competition (plain data, the reference's input shape) over
// the given user ids.
export function randomCompetition(r, users, method) {
	const pick = (n) => Math.floor(r() * n);
	const ncrit = 1 + pick(6);
	// Weights: positive integers summing to 100.
	const cuts = new Set();
	while (cuts.size < ncrit - 1)
		cuts.add(1 + pick(99));
	const pts = [0, ...[...cuts].sort((a, b) => a - b), 100];
	const criteria = [];
	for (let i = 0; i < ncrit; i++)
		criteria.push({ position: i + 1, weight: pts[i + 1] - pts[i],
		    max_score: [5, 10, 10, 20, 3, 7, 100][pick(7)],
		    name: `C${i + 1}` });
	const njudges = 1 + pick(8);
	const judges = users.slice(0, njudges);
	const nentries = 1 + pick(12);
	const entries = [];
	for (let i = 0; i < nentries; i++)
		entries.push({ status: r() < 0.1 ? "withdrawn" : "submitted",
		    submitter: users[njudges + (i % (users.length - njudges))] });
	const scores = [];
	for (let e = 0; e < nentries; e++) {
		for (const j of judges) {
			if (r() < 0.25)
				continue;	// not assigned
			const items = {};
			criteria.forEach((c, ci) => {
				if (r() < 0.03)
					return;	// a criterion left out
				// Often the same scores, for ties and no spread.
				const v = r() < 0.2 ? c.max_score :
				    Math.round(r() * c.max_score * 2) / 2;
				items[ci] = v;
			});
			scores.push({ e, judge_id: j, items,
			    submitted: r() < 0.85, recused: r() < 0.08 });
		}
	}
	const votes = [];
	for (let e = 0; e < nentries; e++)
		for (let k = pick(4); k > 0; k--)
			votes.push({ e, user: users[pick(users.length)] });
	const nawards = pick(4);
	const awards = [];
	for (let i = 0, top = 0; i < nawards; i++) {
		top += 1 + pick(3);
		awards.push({ label: `Award ${i + 1}`, top });
	}
	return { method: method || ["mean", "trimmed", "zscore"][pick(3)],
	    discrepancy: [0, 5, 10, 20, 30, 100][pick(6)], awards, criteria,
	    entries, scores, votes, judges };
}

// Insert the competitions (in judging: the dates make the phase; public
// votes on) and
// fill in the database ids: criteria[].id, entries[].id, the reference's
// scores (entry_id, items by criterion id) and votes (entry_id).
export function insertCompetitions(db, comps, staffId) {
	let script = "BEGIN;\n";
	comps.forEach((c, k) => {
		script += `WITH c AS (INSERT INTO competitions (title, opens_at,
		    closes_at, judging_ends_at, method, discrepancy, awards,
		    announced_at, public_vote, created_by) VALUES
		    (${q("random " + k)}, now() - interval '2 days',
		    now() - interval '1 day', now() + interval '1 day',
		    ${q(c.method)}, ${c.discrepancy},
		    ${q(JSON.stringify(c.awards))}, now(), true, ${staffId})
		    RETURNING id)
		    SELECT 'c' || ${k} || ' ' || id FROM c;\n`;
	});
	script += "COMMIT;\n";
	const ids = psqlScript(db, script).split("\n").map((l) =>
	    Number(l.split(" ")[1]));
	script = "BEGIN;\n";
	comps.forEach((c, k) => {
		c.id = ids[k];
		for (const cr of c.criteria)
			script += `INSERT INTO comp_criteria (competition_id,
			    position, name, weight, max_score) VALUES (${c.id},
			    ${cr.position}, ${q(cr.name)}, ${cr.weight},
			    ${cr.max_score}) RETURNING 'r ${k} ' || id;\n`;
		c.entries.forEach((e) => {
			script += `INSERT INTO comp_entries (competition_id,
			    submitted_by, status, snapshot, snapshot_at) VALUES
			    (${c.id}, ${e.submitter}, ${q(e.status)},
			    ${e.title === undefined ? "NULL, NULL" :
			    q(JSON.stringify({ title: e.title })) + ", now()"})
			    RETURNING 'e ${k} ' || id;\n`;
		});
	});
	script += "COMMIT;\n";
	const crIds = new Map(), enIds = new Map();
	for (const l of psqlScript(db, script).split("\n")) {
		const [t, k, id] = l.split(" ");
		const m = t === "r" ? crIds : enIds;
		if (!m.has(k))
			m.set(k, []);
		m.get(k).push(Number(id));
	}
	script = "BEGIN;\n";
	comps.forEach((c, k) => {
		c.criteria.forEach((cr, i) => { cr.id = crIds.get(String(k))[i]; });
		c.entries.forEach((e, i) => { e.id = enIds.get(String(k))[i]; });
		for (const e of c.entries)
			for (const m of [e.submitter, ...(e.team || [])])
				script += `INSERT INTO comp_entry_members VALUES
				    (${e.id}, ${m});\n`;
		for (const j of c.judges)
			script += `INSERT INTO comp_judges (competition_id,
			    user_id) VALUES (${c.id}, ${j});\n`;
		for (const s of c.scores) {
			const eid = c.entries[s.e].id;
			s.entry_id = eid;
			script += `INSERT INTO comp_assignments (entry_id,
			    judge_id, competition_id, recused_at, recuse_reason)
			    VALUES (${eid}, ${s.judge_id}, ${c.id},
			    ${s.recused ? "now(), 'conflict'" : "NULL, NULL"});\n`;
			script += `INSERT INTO comp_scores (entry_id, judge_id,
			    submitted_at) VALUES (${eid}, ${s.judge_id},
			    ${s.submitted ? "now()" : "NULL"});\n`;
			const items = {};
			for (const [ci, v] of Object.entries(s.items)) {
				const crid = c.criteria[ci].id;
				items[crid] = v;
				script += `INSERT INTO comp_score_items VALUES
				    (${eid}, ${s.judge_id}, ${crid}, ${v});\n`;
			}
			s.items = items;
		}
		const seen = new Set();
		c.votes = c.votes.filter((v) => {
			const key = `${v.e} ${v.user}`;
			if (seen.has(key))
				return false;
			seen.add(key);
			return true;
		}).map((v) => {
			script += `INSERT INTO comp_votes (entry_id, user_id)
			    VALUES (${c.entries[v.e].id}, ${v.user});\n`;
			return { entry_id: c.entries[v.e].id };
		});
	});
	script += "COMMIT;\n";
	psqlScript(db, script);
	return comps;
}

// competition_results() of each competition: Map id -> rows.
export function dbResults(db, ids) {
	const out = psqlScript(db, `SELECT json_object_agg(c.id,
	    (SELECT coalesce(json_agg(r), '[]') FROM competition_results(c.id) r))
	    FROM competitions c WHERE c.id IN (${ids.join(",")});`);
	const o = JSON.parse(out);
	return new Map(Object.entries(o).map(([k, v]) => [Number(k), v]));
}

// For the tests generated from the route table (tests/e2e/authz.test.mjs):
// a competition with published results whose entry (team: the given
// members) won an award and has a certificate, and a competition in
// judging with public votes and an entry of `other`'s.  Returns
// { resultsComp, certEntry, certCode, voteEntry }.
export function resultObjects(db, { team, other, staffId }) {
	const judge = makeUsers(db, 1, `ro${Date.now() % 100000}`)[0];
	const [done, voting] = insertCompetitions(db, [{
		method: "mean", discrepancy: 30,
		awards: [{ label: "一等奖", top: 1 }],
		criteria: [{ position: 1, name: "All", weight: 100,
		    max_score: 10 }],
		entries: [{ status: "submitted", submitter: team[0],
		    team: team.slice(1), title: "matrix entry" }],
		judges: [judge],
		scores: [{ e: 0, judge_id: judge, items: { 0: 9 },
		    submitted: true }],
		votes: [],
	}, {
		method: "mean", discrepancy: 30, awards: [],
		criteria: [{ position: 1, name: "All", weight: 100,
		    max_score: 10 }],
		entries: [{ status: "submitted", submitter: other }],
		judges: [], scores: [], votes: [],
	}], staffId);
	const code = psqlScript(db, `UPDATE competitions SET judging_ends_at =
	    now() - interval '1 hour', votes_per_user = 100
	    WHERE id = ${done.id};
	    SELECT comp_publish(${done.id}, ${staffId}, false, '');
	    UPDATE competitions SET votes_per_user = 100 WHERE id = ${voting.id};
	    SELECT code FROM comp_certificates
	    WHERE entry_id = ${done.entries[0].id};`).split("\n").pop();
	return { resultsComp: done.id, certEntry: done.entries[0].id,
	    certCode: code, voteEntry: voting.entries[0].id };
}
