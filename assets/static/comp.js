// The countdown on a competition's page (templates/comp_page.html): the
// server renders it; this keeps it current every 30 seconds from
// data-until, in the words the page carries (data-d, data-h, data-m,
// each with {n}).  The phase itself changes on the next load: it is the
// database's.
(function () {
	"use strict";
	function fmt(el, secs) {
		var d = Math.floor(secs / 86400), h = Math.floor(secs % 86400 / 3600),
		    m = Math.ceil(secs % 3600 / 60), out = [];
		if (m === 60) { m = 0; h++; }
		if (d) out.push(el.dataset.d.replace("{n}", d));
		if (h) out.push(el.dataset.h.replace("{n}", h));
		if (m || !out.length) out.push(el.dataset.m.replace("{n}", m));
		return out.join(" ");
	}
	function tick() {
		document.querySelectorAll("[data-until]").forEach(function (el) {
			var secs = (Date.parse(el.dataset.until) - Date.now()) / 1000;
			el.textContent = fmt(el, Math.max(secs, 0));
		});
	}
	if (document.querySelector("[data-until]")) {
		tick();
		setInterval(tick, 30000);
	}
})();
