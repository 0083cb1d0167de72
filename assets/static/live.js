/*
 * Makerspace live updates (docs/api.md#get-live): progressive
 * enhancement on the topic and board pages; without it (or without
 * WebSocket) the pages work as they are.  No third-party code, ES5 only
 * (WeChat's browser), loaded with `defer` from our own origin.
 *
 * Topic page:  <section id="posts" data-topic="ID" data-last="N">
 *              with <article class="post" id="post-N" data-number="N"
 *              [data-id="POST_ID"]> per post, oldest first.  On a new
 *              post (and on each "subscribed", the server's cue that
 *              events from before it may have been missed) it fetches
 *              GET /t/ID?cursor=N as HTML and appends the articles it
 *              does not have yet; an edited post is replaced when its
 *              article carries data-id.
 * Board page:  <section id="latest" data-live="board"
 *              [data-live-one="1 new topic…"] [data-live-many="{n} new…"]>
 *              counts new topics in a banner that reloads the page.
 *
 * The socket reconnects with exponential back-off (1 s doubling to
 * 30 s, plus up to 50% jitter so a restarted server is not hit by every
 * reader at once) and pings every 25 s; no answer within 10 s counts as
 * a dead connection.
 */
(function () {
	"use strict";

	var PING_MS = 25000;
	var PONG_MS = 10000;
	var BACKOFF_MIN = 1000;
	var BACKOFF_MAX = 30000;

	var ws = null;
	var targets = [];		/* what to subscribe to */
	var backoff = BACKOFF_MIN;
	var retryTimer = null;
	var pingTimer = null;
	var pongTimer = null;
	var handlers = {};		/* by event type */

	function socketUrl() {
		return (location.protocol === "https:" ? "wss://" : "ws://") +
		    location.host + "/live";
	}

	function connect() {
		retryTimer = null;
		try {
			ws = new WebSocket(socketUrl());
		} catch (e) {
			ws = null;
			scheduleRetry();
			return;
		}
		ws.onopen = function () {
			for (var i = 0; i < targets.length; i++)
				send({ subscribe: targets[i] });
			pingTimer = setInterval(ping, PING_MS);
		};
		ws.onmessage = function (e) {
			var m;
			clearTimeout(pongTimer);
			pongTimer = null;
			try {
				m = JSON.parse(e.data);
			} catch (err) {
				return;
			}
			if (m && m.type === "subscribed")
				backoff = BACKOFF_MIN;
			if (m && handlers[m.type])
				handlers[m.type](m);
		};
		ws.onclose = drop;
		/* onerror is always followed by onclose. */
		ws.onerror = function () {};
	}

	function send(obj) {
		if (ws && ws.readyState === 1)
			ws.send(JSON.stringify(obj));
	}

	function ping() {
		send({ ping: 1 });
		/* No answer in time: the link is dead; start again. */
		if (pongTimer === null)
			pongTimer = setTimeout(drop, PONG_MS);
	}

	/* Closed, or given up on: forget this socket and try again later. */
	function drop() {
		var old = ws;

		stop();
		if (old) {
			try {
				old.close();
			} catch (e) {
				/* already closed */
			}
		}
		scheduleRetry();
	}

	function stop() {
		clearInterval(pingTimer);
		clearTimeout(pongTimer);
		pingTimer = null;
		pongTimer = null;
		if (ws) {
			ws.onopen = ws.onmessage = ws.onclose = ws.onerror =
			    null;
			ws = null;
		}
	}

	function scheduleRetry() {
		var wait;

		if (retryTimer !== null)
			return;
		wait = backoff + Math.floor(Math.random() * backoff / 2);
		backoff = Math.min(backoff * 2, BACKOFF_MAX);
		retryTimer = setTimeout(connect, wait);
	}

	/* Back online (phones): try at once instead of waiting. */
	function reconnectNow() {
		if (ws !== null)
			return;
		clearTimeout(retryTimer);
		retryTimer = null;
		backoff = BACKOFF_MIN;
		connect();
	}

	/* ---------------------------------------------------------------- */
	/* Topic page: fetch and append new posts.                          */

	function topicPage(section) {
		var topic = section.getAttribute("data-topic");
		var busy = false, again = false;

		if (!/^[0-9]+$/.test(topic))
			return;

		/* The newest number shown (data-last may be empty). */
		function last() {
			var as = section.querySelectorAll("article.post");
			var n = parseInt(section.getAttribute("data-last"), 10);
			var i, m;

			if (isNaN(n))
				n = 0;
			for (i = 0; i < as.length; i++) {
				m = parseInt(as[i].getAttribute("data-number"), 10);
				if (m > n)
					n = m;
			}
			return n;
		}

		function fetchPage(cursor, done) {
			var x = new XMLHttpRequest();
			x.open("GET", "/t/" + topic + "?cursor=" + cursor);
			x.setRequestHeader("Accept", "text/html");
			x.onload = function () {
				if (x.status !== 200)
					return done(null);
				done(new DOMParser().parseFromString(
				    x.responseText, "text/html"));
			};
			x.onerror = function () { done(null); };
			x.send();
		}

		/*
		 * Append what is new; a later page (rel=next, or the "later"
		 * link's ?cursor=) is fetched in turn.
		 */
		function catchUp() {
			if (busy) {
				again = true;
				return;
			}
			busy = true;
			again = false;
			fetchPage(last(), function (doc) {
				var more = doc !== null && append(doc) > 0 &&
				    doc.querySelector("[rel~=next], " +
				    "a[href*='?cursor=']") !== null;
				busy = false;
				if (more || again)
					catchUp();
			});
		}

		/* app.js reveals the reader's actions on new posts. */
		function changed() {
			var ev;

			try {
				ev = new CustomEvent("posts:changed");
			} catch (e) {
				ev = document.createEvent("Event");
				ev.initEvent("posts:changed", false, false);
			}
			document.dispatchEvent(ev);
		}

		/* New articles go after the last one we have. */
		function append(doc) {
			var posts = doc.querySelectorAll("article.post[id]");
			var have = section.querySelectorAll("article.post");
			var after = have.length ? have[have.length - 1] : null;
			var n, i, p, node, added = 0, max = last();

			for (i = 0; i < posts.length; i++) {
				p = posts[i];
				n = parseInt(p.getAttribute("data-number"), 10);
				if (isNaN(n) || document.getElementById(p.id))
					continue;
				node = document.importNode(p, true);
				section.insertBefore(node, after ? after.nextSibling :
				    section.firstChild);
				after = node;
				added++;
				if (n > max)
					max = n;
			}
			section.setAttribute("data-last", String(max));
			changed();
			return added;
		}

		/*
		 * An edited post we show (edits, and staff hiding, restoring
		 * or deleting it): fetch from just before it and swap it.
		 */
		function replace(postId) {
			var old = section.querySelector("article.post[data-id=\"" +
			    postId + "\"]");
			var n;

			if (old === null)
				return;
			n = parseInt(old.getAttribute("data-number"), 10);
			if (isNaN(n) || n < 1)
				return;
			fetchPage(n - 1, function (doc) {
				var fresh;

				if (doc === null || !old.parentNode)
					return;
				/* Not there any more: deleted by staff. */
				fresh = doc.getElementById(old.id);
				if (fresh)
					old.parentNode.replaceChild(
					    document.importNode(fresh, true), old);
				else
					old.parentNode.removeChild(old);
				changed();
			});
		}

		targets.push("topic:" + topic);
		handlers.subscribed = function (m) {
			if (m.target === "topic:" + topic)
				catchUp();
		};
		handlers.post = function (m) {
			if (String(m.topic_id) === topic)
				catchUp();
		};
		handlers.edit = function (m) {
			if (String(m.topic_id) === topic &&
			    /^[0-9]+$/.test(String(m.post_id)))
				replace(String(m.post_id));
		};
	}

	/* ---------------------------------------------------------------- */
	/* Board page: count new topics in a banner.                        */

	function boardPage(section) {
		var seen = {}, count = 0, banner = null, link;
		var zh = (document.documentElement.lang || "zh-CN")
		    .indexOf("zh") === 0;
		var one = section.getAttribute("data-live-one") ||
		    (zh ? "1 个新话题，点击查看" : "1 new topic: show it");
		var many = section.getAttribute("data-live-many") ||
		    (zh ? "{n} 个新话题，点击查看" : "{n} new topics: show them");

		targets.push("board");
		handlers.topic = function (m) {
			if (seen[m.topic_id])
				return;
			seen[m.topic_id] = true;
			count++;
			if (banner === null) {
				banner = document.createElement("p");
				banner.className = "live-banner";
				banner.setAttribute("role", "status");
				link = document.createElement("a");
				link.href = location.pathname + location.search;
				link.addEventListener("click", function (e) {
					e.preventDefault();
					location.reload();
				});
				banner.appendChild(link);
				section.insertBefore(banner, section.firstChild);
			}
			link.textContent = count === 1 ? one :
			    many.replace("{n}", String(count));
		};
	}

	function start() {
		var posts = document.querySelector("#posts[data-topic]");
		var board = document.querySelector("[data-live=board]");

		if (!window.WebSocket || !window.JSON)
			return;
		if (posts)
			topicPage(posts);
		if (board)
			boardPage(board);
		if (targets.length === 0)
			return;
		window.addEventListener("online", reconnectNow);
		connect();
	}

	if (document.readyState === "loading")
		document.addEventListener("DOMContentLoaded", start);
	else
		start();
})();
