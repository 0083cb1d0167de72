// Real objects for tests generated from the route table: made over HTTP
// by their owners, as users do.  Returns the ids concretePath() puts into
// each route ({ projects, t, posts, u, c }) and the users.
import { login, newUser, postAs, setting, sql } from "./lib.mjs";

export async function makeObjects() {
	// Posts from new members are held by default; this maker is not new.
	const owner = await newUser({ verified: true });
	sql(`UPDATE users SET created_at = now() - interval '60 days'
	    WHERE id = ${owner.user.id}`);
	const p = await postAs(owner, "/projects", { body: {
	    title: "Route table project", summary: "for generated tests",
	    body: "A **project**.", tags: ["routes"], status: "published" } });
	if (p.status !== 201)
		throw new Error(`project: ${p.status} ${p.text}`);
	const project = p.data.project;
	await postAs(owner, `/projects/${project.id}/logs`, { body: {
	    title: "Day 1", body: "Started." } });
	await postAs(owner, `/projects/${project.id}/comments`, { body: {
	    body: "First comment." } });
	const t = await postAs(owner, "/topics", { body: { category: "general",
	    title: "Route table topic", body: "Question for everyone." } });
	if (t.status !== 201)
		throw new Error(`topic: ${t.status} ${t.text}`);
	const staff = await login("staff1");
	if (t.data.topic.status !== "published")
		await postAs(staff, `/mod/posts/${firstPost(t.data.topic.id)}`,
		    { body: { action: "approve" } });
	// A reply by someone else (the owner would wait out the pause
	// between a member's posts).
	const other = await newUser({ verified: true });
	sql(`UPDATE users SET created_at = now() - interval '60 days'
	    WHERE id = ${other.user.id}`);
	const r = await postAs(other, `/t/${t.data.topic.id}/posts`, { body: {
	    body: "A reply." } });
	// A competition open for entries with the owner's project in it.
	const c = await postAs(staff, "/competitions", { body: {
	    title: "Route table contest",
	    opens_at: new Date(Date.now() - 3600e3).toISOString(),
	    closes_at: new Date(Date.now() + 86400e3).toISOString(),
	    judging_ends_at: new Date(Date.now() + 2 * 86400e3).toISOString(),
	    criteria: [{ name: "All", weight: 100, max_score: 10 }] } });
	if (c.status !== 201)
		throw new Error(`competition: ${c.status} ${c.text}`);
	await postAs(staff, `/competitions/${c.data.competition.id}/announce`,
	    { body: {} });
	const e = await postAs(owner, `/competitions/${c.data.competition.id}` +
	    "/entries", { body: { project_id: project.id } });
	if (e.status !== 201)
		throw new Error(`entry: ${e.status} ${e.text}`);
	return {
		owner, staff,
		ids: { competitions: c.data.competition.id,
		    entries: e.data.entry.id, projects: project.id, t: t.data.topic.id,
		    posts: r.status === 201 ? r.data.post.id :
		    firstPost(t.data.topic.id),
		    u: owner.username, c: "general" },
	};
}

function firstPost(topicId) {
	return Number(sql(`SELECT min(id) FROM posts WHERE topic_id = ${topicId}`));
}

// A verified member whose id is none of the given ids (so a page that
// mixes the viewer's id into its links cannot pass by coincidence).
export async function viewerNotIn(ids, opts = {}) {
	const taken = new Set(Object.values(ids).map(String));
	for (;;) {
		const u = await newUser({ verified: true, ...opts });
		if (!taken.has(String(u.user.id)))
			return u;
	}
}

export { setting };
