/*
 * Makerspace: progressive enhancement only.  Every page works without
 * this file; it is loaded with `defer` from our own origin (the CSP
 * forbids inline script).  Data for scripts comes in data-* attributes.
 */
(function () {
	"use strict";

	/* Show <time datetime> values in the reader's local format. */
	function localTimes() {
		var els = document.querySelectorAll("time[datetime]");
		var lang = document.documentElement.lang || "zh-CN";
		for (var i = 0; i < els.length; i++) {
			var d = new Date(els[i].getAttribute("datetime"));
			if (isNaN(d.getTime()))
				continue;
			try {
				els[i].textContent = d.toLocaleString(lang, {
					year: "numeric", month: "short",
					day: "numeric", hour: "2-digit",
					minute: "2-digit"
				});
			} catch (e) {
				/* Old browsers: keep the server's text. */
			}
		}
	}

	if (document.readyState === "loading")
		document.addEventListener("DOMContentLoaded", localTimes);
	else
		localTimes();
})();
