// Worker restarts, as the server counts them: every worker process adds
// one to makerspace_worker_starts_total when it starts, so a figure above
// the configured number of workers means one ended and was restarted.
import { BASE } from "./lib.mjs";

export async function workerStarts(base = BASE) {
	const r = await fetch(`${base}/metrics`);
	const text = await r.text();
	const m = text.match(/^makerspace_worker_starts_total (\d+)$/m);
	if (!m)
		throw new Error(`/metrics has no worker starts (${r.status})`);
	return Number(m[1]);
}

// What Kore logs when a worker ends other than at shutdown ("exited with
// status N", "... gone", "restarting worker", "died from sandbox
// violation"), and what the sanitizers of the test build print.
export const WORKER_EXIT = /exited with status|restarting worker|\) gone|worker .* died|sandbox violation|AddressSanitizer|runtime error:/i;
