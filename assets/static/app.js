/*
 * Makerspace: progressive enhancement only.  Every page works without
 * this file; it is loaded with `defer` from our own origin (the CSP
 * forbids inline script).  Data for scripts comes in data-* attributes.
 */
(function () {
	"use strict";

	/*
	 * <time datetime> values in the reader's local format.  Those of
	 * class "rel" (topic rows, posts, devices) say how long ago
	 * instead ("3 分钟前", "yesterday"), with the absolute time as
	 * their title (hover) and shown by a tap or a long press.  The
	 * server's text ("2026-12-03 17:16") stays where Intl is missing.
	 */
	var DAY = 86400;

	function absolute(d, lang) {
		try {
			return d.toLocaleString(lang, { year: "numeric",
			    month: "short", day: "numeric", hour: "2-digit",
			    minute: "2-digit" });
		} catch (e) {
			return null;
		}
	}

	function relative(d, lang) {
		var s = (Date.now() - d.getTime()) / 1000, rtf;

		if (!window.Intl || !Intl.RelativeTimeFormat)
			return null;
		try {
			rtf = new Intl.RelativeTimeFormat(lang,
			    { numeric: "auto" });
			if (s < 45)
				return rtf.format(0, "second");
			if (s < 45 * 60)
				return rtf.format(-Math.round(s / 60), "minute");
			if (s < 22 * 3600)
				return rtf.format(-Math.round(s / 3600), "hour");
			if (s < 6.5 * DAY)
				return rtf.format(-Math.max(1, Math.round(s / DAY)),
				    "day");
			return d.toLocaleDateString(lang, { month: "short",
			    day: "numeric", year: d.getFullYear() ===
			    new Date().getFullYear() ? undefined : "numeric" });
		} catch (e) {
			return null;
		}
	}

	function localTimes() {
		var els = document.querySelectorAll("time[datetime]");
		var lang = document.documentElement.lang || "zh-CN";
		var i, d, abs, rel, el;

		for (i = 0; i < els.length; i++) {
			el = els[i];
			d = new Date(el.getAttribute("datetime"));
			if (isNaN(d.getTime()))
				continue;
			abs = absolute(d, lang);
			if (!/(^| )rel( |$)/.test(el.className)) {
				if (abs)
					el.textContent = abs;
				continue;
			}
			rel = relative(d, lang);
			if (abs)
				el.title = abs;
			if (rel && el.getAttribute("data-shown") !== "absolute")
				el.textContent = rel;
		}
	}

	/* A tap (or a long press) on a relative time shows the absolute one. */
	function timeToggle() {
		var timer = null;

		function flip(el) {
			var abs = el.getAttribute("data-shown") === "absolute";
			el.setAttribute("data-shown", abs ? "relative" :
			    "absolute");
			if (!abs)
				el.textContent = el.title;
			else
				localTimes();
		}
		function relTime(ev) {
			var t = ev.target.closest ?
			    ev.target.closest("time.rel[title]") : null;
			return t && !t.closest("a") ? t : null;
		}
		document.addEventListener("click", function (ev) {
			var t = relTime(ev);
			if (t)
				flip(t);
		});
		document.addEventListener("touchstart", function (ev) {
			var t = relTime(ev);
			clearTimeout(timer);
			if (t)
				timer = setTimeout(function () {
					timer = "fired";
					t.textContent = t.title;
					t.setAttribute("data-shown", "absolute");
				}, 500);
		}, { passive: true });
		document.addEventListener("touchend", function (ev) {
			/* A long press showed it: no click to flip it back. */
			if (timer === "fired" && ev.cancelable)
				ev.preventDefault();
			clearTimeout(timer);
			timer = null;
		});
		setInterval(localTimes, 60000);
	}

	/*
	 * <details class="menu">: one open at a time; a click outside or
	 * Escape closes it (without script it closes from its summary).
	 */
	function menus() {
		function closeAll(except) {
			var open = document.querySelectorAll("details.menu[open]");
			for (var i = 0; i < open.length; i++) {
				if (open[i] !== except)
					open[i].removeAttribute("open");
			}
		}
		document.addEventListener("click", function (ev) {
			closeAll(ev.target.closest ?
			    ev.target.closest("details.menu") : null);
		});
		document.addEventListener("keydown", function (ev) {
			var open;
			if (ev.key !== "Escape")
				return;
			open = document.querySelector("details.menu[open]");
			if (open) {
				open.removeAttribute("open");
				open.querySelector("summary").focus();
			}
		});
	}

	/* The CSRF token of the page's first form (every form has one). */
	function csrfToken(el) {
		var f = (el && el.form) || document;
		var i = f.querySelector("input[name=csrf]");
		return i ? i.value : "";
	}

	/*
	 * Live Markdown preview: textarea[data-preview=<id>] is rendered by
	 * POST /preview (the same pipeline as saving) into element <id>.
	 */
	function livePreview() {
		var areas = document.querySelectorAll("textarea[data-preview]");
		Array.prototype.forEach.call(areas, function (ta) {
			var out = document.getElementById(ta.getAttribute(
			    "data-preview"));
			var timer = null;
			if (!out || !window.fetch)
				return;
			function render() {
				var body = new FormData();
				body.append("body", ta.value);
				fetch("/preview", { method: "POST", body: body,
				    credentials: "same-origin",
				    headers: { "Accept": "application/json",
				    "X-CSRF-Token": csrfToken(ta) } })
				    .then(function (r) { return r.json(); })
				    .then(function (d) {
					if (d.html !== undefined) {
						/* Safe HTML from md.c. */
						out.innerHTML = d.html;
						out.hidden = false;
					}
				    }).catch(function () {});
			}
			ta.addEventListener("input", function () {
				clearTimeout(timer);
				timer = setTimeout(render, 400);
			});
			if (ta.value)
				render();
		});
	}

	/*
	 * Shrink a large photo in the browser before sending it (phones take
	 * 12-50 MP pictures; the server keeps at most 1600 px).  Browsers
	 * draw images upright, so the EXIF orientation is applied here too.
	 * Falls back to the original file whenever anything is missing.
	 */
	var MAX_SIDE = 2560;
	function shrink(file, done) {
		if (!window.URL || !window.HTMLCanvasElement ||
		    file.size < 1500000 || !/^image\/(jpeg|png|webp)$/.test(
		    file.type)) {
			done(file);
			return;
		}
		var img = new Image();
		var url = URL.createObjectURL(file);
		img.onload = function () {
			var w = img.naturalWidth, h = img.naturalHeight;
			var k = Math.min(1, MAX_SIDE / Math.max(w, h));
			URL.revokeObjectURL(url);
			if (k >= 1) {
				done(file);
				return;
			}
			var c = document.createElement("canvas");
			c.width = Math.round(w * k);
			c.height = Math.round(h * k);
			c.getContext("2d").drawImage(img, 0, 0, c.width,
			    c.height);
			if (!c.toBlob) {
				done(file);
				return;
			}
			c.toBlob(function (blob) {
				done(blob && blob.size < file.size ? blob : file);
			}, "image/jpeg", 0.9);
		};
		img.onerror = function () {
			URL.revokeObjectURL(url);
			done(file);
		};
		img.src = url;
	}

	/* form[data-upload]: send with a progress bar, then reload. */
	function uploads() {
		var forms = document.querySelectorAll("form[data-upload]");
		Array.prototype.forEach.call(forms, function (form) {
			var bar = form.querySelector("progress");
			var msg = form.querySelector(".upload-status");
			if (!window.XMLHttpRequest || !window.FormData)
				return;
			form.addEventListener("submit", function (ev) {
				var input = form.querySelector("input[type=file]");
				if (!input.files || !input.files.length)
					return;
				ev.preventDefault();
				shrink(input.files[0], function (file) {
					var data = new FormData(form);
					data.set("photo", file, input.files[0].name);
					var x = new XMLHttpRequest();
					x.open("POST", form.action);
					x.setRequestHeader("Accept",
					    "application/json");
					x.upload.onprogress = function (e) {
						if (bar && e.lengthComputable) {
							bar.hidden = false;
							bar.value = 100 * e.loaded /
							    e.total;
						}
					};
					x.onload = function () {
						var d = {};
						try { d = JSON.parse(x.responseText); }
						catch (e) { d = {}; }
						if (x.status === 201) {
							location.reload();
							return;
						}
						if (msg)
							msg.textContent = d.error ?
							    d.error.message :
							    String(x.status);
					};
					x.send(data);
				});
			});
		});
	}

	/*
	 * Topic pages: the posts are the same HTML for every reader (the
	 * server keeps them per topic version), so the reader's own actions
	 * are revealed here from section#posts: data-me (the reader's id),
	 * data-staff, data-asker (the author of a solvable topic) and
	 * data-reply (the reader may reply).  A post's menu (edit, mark as
	 * solution, flag) shows when it holds something for this reader.
	 * Run again on "posts:changed", which live.js sends after adding or
	 * replacing posts.
	 */
	function postActions() {
		var sec = document.getElementById("posts");
		var me, staff, asker, reply, bars, i, menu;

		if (!sec)
			return;
		me = sec.getAttribute("data-me") || "";
		staff = sec.getAttribute("data-staff") === "1";
		asker = sec.getAttribute("data-asker") || "";
		reply = sec.getAttribute("data-reply") === "1";
		bars = sec.querySelectorAll(".post-actions");
		for (i = 0; i < bars.length; i++) {
			var own = me !== "" &&
			    bars[i].getAttribute("data-author") === me;
			show(bars[i], ".need-reply", reply);
			show(bars[i], ".own-only", own || staff);
			show(bars[i], ".others-only", me !== "" && !own);
			show(bars[i], ".asker-only", staff ||
			    (me !== "" && asker === me));
			menu = bars[i].querySelector(".post-menu");
			if (menu)
				menu.hidden = !menu.querySelector(
				    ".menu-panel > a:not([hidden])");
		}
	}

	function show(bar, sel, on) {
		var el = bar.querySelector(sel);
		if (el)
			el.hidden = !on;
	}

	/*
	 * Topic lists are the same HTML for every reader; the reader's
	 * unread counts come in data-unread (topic id -> count, -1 when never
	 * opened) and are written into each row's .unread-badge.
	 */
	function unreadBadges() {
		var secs = document.querySelectorAll("[data-unread]");
		var i, j, map, badges, n, label;

		for (i = 0; i < secs.length; i++) {
			try {
				map = JSON.parse(secs[i].getAttribute(
				    "data-unread") || "{}") || {};
			} catch (e) {
				map = {};
			}
			badges = secs[i].querySelectorAll(".unread-badge");
			for (j = 0; j < badges.length; j++) {
				n = map[badges[j].getAttribute("data-topic")];
				if (n === undefined || n === 0)
					continue;
				label = n < 0 ? secs[i].getAttribute(
				    "data-label-new") : n + " " +
				    secs[i].getAttribute("data-label-unread");
				badges[j].textContent = " · " + label;
				badges[j].className = "unread-badge badge new";
			}
		}
	}

	/*
	 * "Reply" under a post (or the sticky one): the reply box answers
	 * that post (or the topic).  The sticky button steps aside while
	 * the box has focus, not to cover what is being typed.
	 */
	function replyLinks() {
		var form = document.getElementById("reply");
		var sticky = document.querySelector(".sticky-reply");

		if (form && sticky) {
			form.addEventListener("focusin", function () {
				sticky.className += " is-off";
			});
			form.addEventListener("focusout", function () {
				sticky.className = sticky.className.replace(
				    / is-off/g, "");
			});
		}
		document.addEventListener("click", function (ev) {
			var a = ev.target.closest ?
			    ev.target.closest("a[data-reply-to]") : null;
			var to = document.getElementById("reply_to");
			var box = document.getElementById("body");
			if (!a || !to)
				return;
			to.value = a.getAttribute("data-reply-to");
			if (box)
				box.focus();
		});
	}

	function start() {
		localTimes();
		timeToggle();
		menus();
		livePreview();
		uploads();
		postActions();
		unreadBadges();
		replyLinks();
		document.addEventListener("posts:changed", function () {
			postActions();
			localTimes();
		});
	}

	if (document.readyState === "loading")
		document.addEventListener("DOMContentLoaded", start);
	else
		start();
})();
