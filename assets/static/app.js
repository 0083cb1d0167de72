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
	 * data-reply (the reader may reply).  Run again on "posts:changed",
	 * which live.js sends after adding or replacing posts.
	 */
	function postActions() {
		var sec = document.getElementById("posts");
		var me, staff, asker, reply, bars, i;

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

	/* "Reply" under a post: the reply box answers that post. */
	function replyLinks() {
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
