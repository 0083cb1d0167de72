// An independent implementation of the scoring rules of docs/api.md
// ("Competitions": judge totals, mean, trimmed, zscore, criteria means,
// flagged, ranks, awards), written from the text and not from the SQL
// of migrations/0017_comp_results.sql, to check competition_results()
// against.
//
// Input: { method, discrepancy, awards: [{label, top}],
//   criteria: [{id, position, weight, max_score}],
//   entries: [{id, status}],
//   scores: [{entry_id, judge_id, submitted, recused,
//             items: {criterion_id: score}}],
//   votes: [{entry_id}] }
// Output: Map entry id -> { entry_id, rank, score, raw_score, judges,
//   criteria: [{id, mean}], flagged, award, votes } for every entry not
// withdrawn.

const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
const popSd = (xs) => {
	const m = mean(xs);
	return Math.sqrt(mean(xs.map((x) => (x - m) * (x - m))));
};

// A score rounded to 0.01 as PostgreSQL rounds a double converted to
// numeric (15 significant digits, then half away from zero), as an
// integer count of hundredths: equal keys share a rank.
export function hundredths(x) {
	let [mant, exp = "0"] = x.toPrecision(15).split("e");
	const neg = mant.startsWith("-");
	if (neg)
		mant = mant.slice(1);
	const [ip, fp = ""] = mant.split(".");
	const digits = BigInt(ip + fp);
	const scale = fp.length - Number(exp);
	let q;
	if (scale <= 2) {
		q = digits * 10n ** BigInt(2 - scale);
	} else {
		const div = 10n ** BigInt(scale - 2);
		q = digits / div;
		if (2n * (digits % div) >= div)
			q += 1n;
	}
	return neg ? -q : q;
}

export function referenceResults(comp) {
	const crit = [...comp.criteria].sort((a, b) =>
	    a.position - b.position || a.id - b.id);
	const live = new Set(comp.entries.filter((e) =>
	    e.status === "submitted").map((e) => e.id));
	// The totals that count.
	const counted = comp.scores.filter((s) => s.submitted && !s.recused &&
	    live.has(s.entry_id)).map((s) => {
		let total = 0;
		for (const c of crit) {
			const v = s.items[c.id];
			if (v !== undefined && v !== null)
				total += c.weight * v / c.max_score;
		}
		return { ...s, total };
	});
	const all = counted.map((s) => s.total);
	const M = all.length ? mean(all) : 0;
	const S = all.length ? popSd(all) : 0;
	const perJudge = new Map();
	for (const s of counted) {
		if (!perJudge.has(s.judge_id))
			perJudge.set(s.judge_id, []);
		perJudge.get(s.judge_id).push(s.total);
	}
	const judgeStats = new Map([...perJudge].map(([j, ts]) =>
	    [j, { n: ts.length, m: mean(ts), s: popSd(ts) }]));
	const z = (s) => {
		const j = judgeStats.get(s.judge_id);
		if (j.n < 2 || j.s < 1e-9)
			return s.total;
		return M + S * (s.total - j.m) / j.s;
	};

	const out = new Map();
	for (const id of [...live].sort((a, b) => a - b)) {
		const mine = counted.filter((s) => s.entry_id === id);
		const totals = mine.map((s) => s.total);
		const n = totals.length;
		let score = null, raw = null, flagged = false;
		if (n > 0) {
			raw = mean(totals);
			if (comp.method === "mean") {
				score = raw;
			} else if (comp.method === "trimmed") {
				if (n >= 5) {
					const sorted = [...totals].sort((a, b) =>
					    a - b);
					score = mean(sorted.slice(1, n - 1));
				} else {
					score = raw;
				}
			} else {
				score = mean(mine.map(z));
			}
			flagged = Math.max(...totals) - Math.min(...totals) >
			    comp.discrepancy + 1e-9;
		}
		const criteria = crit.map((c) => {
			const v = mine.map((s) => s.items[c.id]).filter((x) =>
			    x !== undefined && x !== null);
			return { id: c.id, mean: v.length ? mean(v) : null };
		});
		const votes = (comp.votes || []).filter((v) =>
		    v.entry_id === id).length;
		out.set(id, { entry_id: id, score, raw_score: raw, judges: n,
		    criteria, flagged, votes, rank: null, award: null });
	}
	const scored = [...out.values()].filter((r) => r.score !== null);
	for (const r of scored) {
		const k = hundredths(r.score);
		r.rank = 1 + scored.filter((o) => hundredths(o.score) > k).length;
		const a = (comp.awards || []).find((w) => w.top >= r.rank);
		r.award = a ? a.label : null;
	}
	return out;
}
