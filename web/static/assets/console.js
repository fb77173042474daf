// The admin console at /_/: dashboard, users, the content of every type with forms
// generated from the OpenAPI document, files, webhooks, and the schema of each type. It uses
// the public and the admin API with the session cookie, nothing else.
import { h, api, field, form, notice, announce, busy, confirmDialog, route, mount, fmtDate, fmtBytes, values, showErrors, clearErrors, human } from "./lib.js";
import { loadTypes, itemForm, formBody, expandParam } from "./schema.js";

const app = document.getElementById("app");
let me = null;
let types = null;
let main = null;
// generation counts the renders; only the latest one may show its view.
let generation = 0;
// feed is the change feed that the content list on show follows; each render
// closes it.
let feed = null;
const PAGE = 20;

async function start() {
	const { data } = await api("GET", "/-/login");
	me = data && data.authenticated ? data : null;
	if (me && me.roles.includes("admin")) types = await loadTypes();
	render();
}

function shell() {
	if (app.querySelector(".shell")) return;
	const nav = (href, label) => h("li", {}, h("a", { href }, label));
	const logout = h("button", { type: "button", class: "link", onclick: async () => {
		await busy(logout, api("PUT", "/-/logout", {}));
		me = null;
		announce("Logged out");
		location.hash = "#/";
		render();
	} }, "Log out");
	main = h("main", { id: "main", tabindex: "-1" });
	app.replaceChildren(h("div", { class: "shell" },
		h("nav", { class: "sidebar", "aria-label": "Console" },
			h("a", { class: "brand", href: "#/" }, h("img", { src: "/_/assets/icon.svg", alt: "", width: 28, height: 28 }), "backrest"),
			h("ul", {}, nav("#/", "Dashboard"), nav("#/users", "Users"), nav("#/files", "Files"), nav("#/webhooks", "Webhooks")),
			h("h2", {}, "Content"),
			h("ul", {}, types.map((t) => nav(`#/content/${t.plural}`, t.title))),
			h("h2", {}, "Schema"),
			h("ul", {}, types.map((t) => nav(`#/schema/${t.plural}`, t.name))),
			h("div", { class: "who" }, h("div", {}, me.email), logout)),
		h("div", { class: "content" }, main)));
}

function markNav() {
	const hash = location.hash || "#/";
	for (const a of app.querySelectorAll(".sidebar li a")) {
		const href = a.getAttribute("href");
		const on = href === "#/" ? hash === "#/" || hash === "#" : hash === href || hash.startsWith(`${href}/`) || hash.startsWith(`${href}?`);
		if (on) a.setAttribute("aria-current", "page");
		else a.removeAttribute("aria-current");
	}
}

async function render() {
	if (location.hash && !location.hash.startsWith("#/")) return;
	if (feed) feed.close();
	feed = null;
	if (!me || !me.roles.includes("admin")) return loginPage();
	shell();
	markNav();
	const { parts, query } = route();
	const pages = { "": dashboard, users, files, webhooks, content, schema };
	const page = pages[parts[0] || ""];
	const gen = ++generation;
	main.setAttribute("aria-busy", "true");
	try {
		if (!page) throw new Error("There is no such page.");
		await page(gen, parts.slice(1), query);
	} catch (err) {
		if (gen !== generation) return;
		if (err.status === 403) {
			me = null;
			return loginPage();
		}
		show(gen, "Error", h("h1", {}, "Something went wrong"), notice("error-box", err.message));
	} finally {
		if (gen === generation) main.removeAttribute("aria-busy");
	}
}

// show puts the view of the render gen on the page, unless a later render (the
// person moved on while this one waited for the server) has taken its place.
function show(gen, title, ...view) {
	if (gen === generation) mount(main, title, "backrest console", ...view);
}

function loginPage() {
	main = h("main", { id: "main", tabindex: "-1" });
	app.replaceChildren(h("div", { class: "center-layout" },
		h("header", { class: "brand-bar" }, h("span", { class: "brand" }, h("img", { src: "/_/assets/icon.svg", alt: "", width: 28, height: 28 }), "backrest console")),
		main));
	const card = h("div", { class: "card" },
		h("h1", {}, "Log in to the console"),
		me && notice("error-box", `${me.email} is not an admin. Log in as an admin.`),
		form([
			field("login", { label: "E-mail address", type: "email", autocomplete: "username", required: true }),
			field("password", { label: "Password", type: "password", autocomplete: "current-password", required: true }),
		], "Log in", async (v) => {
			const { data } = await api("PUT", "/-/login", { login: v.login, password: v.password });
			if (data.status === "second_factor") {
				secondFactorPage(data.pending);
				return;
			}
			await loggedIn(data.user);
		}, { submitClass: "primary wide" }),
		h("p", { class: "card-links" }, h("a", { href: "/#/forgot" }, "Forgot your password?")));
	mount(main, "Log in", "backrest console", card);
}

// secondFactorPage asks for the code of a login that waits for its second factor.
function secondFactorPage(pending) {
	const card = h("div", { class: "card" },
		h("h1", {}, "Two-step verification"),
		form([
			field("code", { label: "Code from your authenticator app, or a recovery code", autocomplete: "one-time-code", required: true }),
		], "Continue", async (v) => {
			const code = v.code.trim();
			try {
				const { data } = await api("PUT", "/-/login/totp", /^[0-9]{6}$/.test(code) ? { pending, code } : { pending, recovery_code: code });
				await loggedIn(data.user);
			} catch (err) {
				if (err.status === 404) {
					loginPage();
					return;
				}
				throw err;
			}
		}, { submitClass: "primary wide" }),
		h("p", { class: "card-links" }, h("a", { href: "#/", onclick: (ev) => { ev.preventDefault(); loginPage(); } }, "Back to log in")));
	mount(main, "Two-step verification", "backrest console", card);
}

// loggedIn goes on after a login as user: into the console for an admin.
async function loggedIn(user) {
	me = user;
	if (!me.roles.includes("admin")) {
		await api("PUT", "/-/logout", {});
		loginPage();
		return;
	}
	types = await loadTypes();
	announce("Logged in");
	render();
}

function head(title, crumbs, ...actions) {
	return h("div", {},
		crumbs && h("nav", { class: "crumbs", "aria-label": "Breadcrumb" }, crumbs, " /"),
		h("div", { class: "page-head" }, h("h1", {}, title), h("div", { class: "actions" }, actions)));
}

function table(caption, columns, rows) {
	if (!rows.length) return h("div", { class: "table-wrap" }, h("p", { class: "empty" }, `No ${caption.toLowerCase()}.`));
	return h("div", { class: "table-wrap" }, h("table", {},
		h("caption", { class: "visually-hidden" }, caption),
		h("thead", {}, h("tr", {}, columns.map((c) => h("th", { scope: "col", class: c.num ? "num" : "" }, c.label)))),
		h("tbody", {}, rows.map((r) => h("tr", {}, columns.map((c) => h("td", { class: c.num ? "num" : "" }, c.cell(r))))))));
}

function pager(base, query, offset, count, total) {
	const go = (o) => {
		const q = new URLSearchParams(query);
		if (o) q.set("offset", o); else q.delete("offset");
		return `${base}?${q}`;
	};
	if (!total && !offset) return null;
	const shown = count ? `${offset + 1}–${offset + count} of ${total}` : `none of ${total}`;
	return h("nav", { class: "pager", "aria-label": "Pages" },
		offset > 0 ? h("a", { class: "button", href: go(Math.max(0, offset - PAGE)) }, "Previous") : null,
		h("span", {}, shown),
		offset + count < total ? h("a", { class: "button", href: go(offset + PAGE) }, "Next") : null);
}

// Dashboard

async function dashboard(gen) {
	const { data } = await api("GET", "/-/admin/stats");
	const stat = (label, value, href) => h("div", { class: "stat" }, h("dt", {}, href ? h("a", { href }, label) : label), h("dd", {}, value));
	show(gen, "Dashboard",
		head("Dashboard"),
		h("h2", {}, "Users"),
		h("dl", { class: "stats" },
			stat("All users", data.users.total, "#/users"), stat("Active", data.users.active, "#/users?active=true"),
			stat("Pending", data.users.pending, "#/users?active=false"), stat("Admins", data.users.admins, "#/users?role=admin")),
		h("h2", {}, "Content"),
		h("dl", { class: "stats" }, types.map((t) => stat(t.title, data.items[t.name] ?? 0, `#/content/${t.plural}`))),
		h("h2", {}, "Files"),
		h("dl", { class: "stats" }, stat("Files", data.files.count, "#/files"), stat("Stored", fmtBytes(data.files.bytes))));
}

// Users

async function users(gen, parts, query) {
	if (parts[0] === "new") return newUser(gen);
	if (parts[0]) return user(gen, parts[0]);
	const offset = Number(query.get("offset")) || 0;
	const q = new URLSearchParams({ limit: PAGE, offset });
	for (const k of ["q", "role", "active"]) if (query.get(k)) q.set(k, query.get(k));
	const res = await api("GET", `/-/admin/users?${q}`);
	const total = Number(res.headers.get("X-Total-Count")) || res.data.length;
	const search = h("form", { class: "toolbar", role: "search", onsubmit: (ev) => {
		ev.preventDefault();
		const v = values(ev.target);
		const next = new URLSearchParams();
		for (const [k, val] of Object.entries(v)) if (val) next.set(k, val);
		location.hash = `#/users?${next}`;
	} },
	field("q", { label: "Search", type: "search", value: query.get("q") || "", hint: "E-mail or name" }),
	field("role", { label: "Role", value: query.get("role") || "" }),
	field("active", { label: "State", value: query.get("active") || "", options: [["", "Any"], ["true", "Active"], ["false", "Inactive"]] }),
	h("button", { type: "submit" }, "Search"));
	show(gen, "Users",
		head("Users", null, h("a", { class: "button primary", href: "#/users/new" }, "New user")),
		search,
		table("Users", [
			{ label: "E-mail", cell: (u) => h("a", { href: `#/users/${u.id}` }, u.email) },
			{ label: "Name", cell: (u) => `${u.firstname} ${u.lastname}`.trim() },
			{ label: "Roles", cell: (u) => u.roles.map((r) => h("span", { class: "pill" }, r)) },
			{ label: "State", cell: (u) => h("span", { class: `pill ${u.active ? "on" : "off"}` }, state(u)) },
			{ label: "Created", cell: (u) => fmtDate(u.created) },
		], res.data),
		pager("#/users", query, offset, res.data.length, total));
}

function state(u) {
	return u.active ? "active" : u.pending ? "pending" : "inactive";
}

function userFields(u = {}) {
	return [
		field("email", { label: "E-mail address", type: "email", value: u.email, required: true }),
		field("firstname", { label: "First name", value: u.firstname }),
		field("lastname", { label: "Last name", value: u.lastname }),
		field("roles", { label: "Roles", value: (u.roles || []).join(", "), hint: "Separated by commas, such as admin, editor" }),
		field("active", { label: "Active", type: "checkbox", value: u.active ?? true, hint: "Inactive users cannot log in" }),
	];
}

function userBody(v) {
	return {
		email: v.email, firstname: v.firstname, lastname: v.lastname, active: v.active,
		roles: v.roles.split(",").map((r) => r.trim()).filter(Boolean),
	};
}

function newUser(gen) {
	show(gen, "New user",
		head("New user", h("a", { href: "#/users" }, "Users")),
		h("div", { class: "panel" }, form([
			...userFields(),
			field("password", { label: "Password", type: "password", autocomplete: "new-password", hint: "Leave empty to let the user set it" }),
			field("send_reset", { label: "Mail a link to set the password", type: "checkbox", value: false }),
		], "Create user", async (v) => {
			const body = { ...userBody(v), send_reset: v.send_reset };
			if (v.password) body.password = v.password;
			const { data } = await api("POST", "/-/admin/users", body);
			announce(`User ${data.email} created`);
			location.hash = `#/users/${data.id}`;
		})));
}

async function user(gen, id) {
	const [{ data: u }, { data: sessions }] = await Promise.all([api("GET", `/-/admin/users/${encodeURIComponent(id)}`),
		api("GET", `/-/admin/users/${encodeURIComponent(id)}/sessions`)]);
	const status = h("div", { role: "status" });
	const act = (label, path, done, cls, method = "POST") => {
		const b = h("button", { type: "button", class: cls || "" }, label);
		b.addEventListener("click", async () => {
			status.replaceChildren();
			try {
				await busy(b, api(method, path, method === "DELETE" ? undefined : {}));
				status.replaceChildren(notice("ok", done));
			} catch (err) {
				status.replaceChildren(notice("error-box", err.message));
			}
		});
		return b;
	};
	const del = h("button", { type: "button", class: "danger", onclick: async () => {
		if (!(await confirmDialog(`Delete ${u.email}?`, "The user and their sessions are deleted for good.", "Delete user"))) return;
		try {
			await busy(del, api("DELETE", `/-/admin/users/${u.id}`));
			announce(`User ${u.email} deleted`);
			location.hash = "#/users";
		} catch (err) {
			status.replaceChildren(notice("error-box", err.message));
		}
	} }, "Delete user");
	const saved = h("div", { role: "status" });
	show(gen, u.email,
		head(u.email, h("a", { href: "#/users" }, "Users")),
		h("div", { class: "grid-2" },
			h("div", { class: "panel" }, saved, form(userFields(u), "Save", async (v) => {
				saved.replaceChildren();
				const { data } = await api("PUT", `/-/admin/users/${u.id}`, userBody(v));
				Object.assign(u, data);
				saved.replaceChildren(notice("ok", "Saved."));
				announce("Saved");
			})),
			h("div", {},
				h("section", { class: "panel", "aria-labelledby": "u-about" }, h("h2", { id: "u-about" }, "About"),
					h("dl", { class: "meta" }, h("dt", {}, "Id"), h("dd", {}, u.id), h("dt", {}, "State"), h("dd", {}, state(u)), h("dt", {}, "Created"), h("dd", {}, fmtDate(u.created)),
						h("dt", {}, "Modified"), h("dd", {}, fmtDate(u.modified)))),
				h("section", { class: "panel", "aria-labelledby": "u-actions" }, h("h2", { id: "u-actions" }, "Actions"), status,
					h("div", { class: "actions" },
						act("End all sessions", `/-/admin/users/${u.id}/logout`, "Every session of the user has ended."),
						u.pending && act("Resend confirmation", `/-/admin/users/${u.id}/resend`, "The confirmation mail is sent again."),
						act("Reset two-step verification", `/-/admin/users/${u.id}/totp`, "The second factor is removed: the user logs in with the password alone.", "", "DELETE"),
						h("a", { class: "button", href: `#/files?owner=${u.id}` }, "Files"),
						del)))),
		h("section", { class: "panel", "aria-labelledby": "u-sessions" }, h("h2", { id: "u-sessions" }, "Sessions"), sessionTable(sessions)));
}

// sessionTable lists a user's sessions, each with a button that ends it.
function sessionTable(sessions) {
	const status = h("div", { role: "status" });
	const end = (s) => {
		const b = h("button", { type: "button", class: "danger" }, "End");
		b.addEventListener("click", async () => {
			status.replaceChildren();
			try {
				await busy(b, api("DELETE", s.__meta__.url));
			} catch (err) {
				status.replaceChildren(notice("error-box", err.message));
				return;
			}
			b.closest("tr").remove();
			status.replaceChildren(notice("ok", "The session has ended."));
		});
		return b;
	};
	return h("div", {}, status, table("Sessions", [
		{ label: "Device", cell: (s) => s.user_agent || "Unknown" },
		{ label: "Address", cell: (s) => s.client_addr || "-" },
		{ label: "Last used", cell: (s) => fmtDate(s.last_used) },
		{ label: "Signed in", cell: (s) => fmtDate(s.created) },
		{ label: "", cell: end },
	], sessions));
}

// Files

async function files(gen, _parts, query) {
	const offset = Number(query.get("offset")) || 0;
	const q = new URLSearchParams({ limit: PAGE, offset });
	if (query.get("owner")) q.set("owner", query.get("owner"));
	const res = await api("GET", `/-/admin/files?${q}`);
	const total = Number(res.headers.get("X-Total-Count")) || res.data.length;
	show(gen, "Files",
		head("Files", query.get("owner") ? h("a", { href: `#/users/${query.get("owner")}` }, "Owner") : null),
		table("Files", [
			{ label: "Name", cell: (f) => h("a", { href: f.url, download: f.filename }, f.filename) },
			{ label: "Type", cell: (f) => f.mimetype },
			{ label: "Size", num: true, cell: (f) => fmtBytes(f.size) },
			{ label: "Owner", cell: (f) => h("a", { href: `#/users/${f.owner}` }, String(f.owner).slice(0, 8)) },
			{ label: "Held by", cell: (f) => (f.item ? h("a", { href: `#/content/${pluralOf(f.item.type)}/${f.item.id}` }, `${f.item.type} ${f.item.id} (${f.item.field})`) : h("span", { class: "muted" }, "nothing")) },
			{ label: "Uploaded", cell: (f) => fmtDate(f.created) },
		], res.data),
		pager("#/files", query, offset, res.data.length, total));
}

// Webhooks

const KINDS = ["create", "update", "delete"];
const list = (s) => s.split(",").map((x) => x.trim()).filter(Boolean);

async function webhooks(gen, parts, query) {
	if (parts[0] === "new") return newWebhook(gen);
	if (parts[0]) return webhookPage(gen, parts[0], query);
	const { data } = await api("GET", "/-/admin/webhooks");
	show(gen, "Webhooks",
		head("Webhooks", null, h("a", { class: "button primary", href: "#/webhooks/new" }, "New webhook")),
		table("Webhooks", [
			{ label: "URL", cell: (w) => h("a", { href: `#/webhooks/${w.id}` }, w.url) },
			{ label: "Types", cell: (w) => (w.types.length ? w.types.join(", ") : "all") },
			{ label: "Kinds", cell: (w) => w.kinds.join(", ") },
			{ label: "State", cell: (w) => h("span", { class: `pill ${w.active ? "on" : "off"}` }, w.active ? "active" : "inactive") },
			{ label: "Pending", num: true, cell: (w) => String(w.status.pending) },
			{ label: "Failed", num: true, cell: (w) => String(w.status.failed) },
			{ label: "Last error", cell: (w) => w.status.last_error || h("span", { class: "muted" }, "none") },
		], data));
}

function webhookFields(w = {}) {
	return [
		field("url", { label: "URL", type: "url", value: w.url, required: true, hint: "Where events are POSTed: http:// or https://" }),
		field("types", { label: "Types", value: (w.types || []).join(", "), hint: "Names of content types, separated by commas; empty: every type" }),
		...KINDS.map((k) => field(`kind_${k}`, { label: `Send ${k}s`, type: "checkbox", value: !w.kinds || w.kinds.includes(k) })),
		field("active", { label: "Active", type: "checkbox", value: w.active ?? true, hint: "Events of an inactive webhook are queued and delivered once it is active again" }),
	];
}

function webhookBody(v) {
	return { url: v.url, types: list(v.types), kinds: KINDS.filter((k) => v[`kind_${k}`]), active: v.active };
}

// secretNotice shows a generated secret, which the server never shows again.
function secretNotice(secret) {
	return notice("ok", h("span", {}, "The webhook's secret, shown this once: ", h("code", {}, secret)));
}

function newWebhook(gen) {
	const panel = h("div", { class: "panel" });
	panel.append(form([
		...webhookFields(),
		field("secret", { label: "Secret", hint: "16 to 256 characters; leave empty to have one generated" }),
	], "Create webhook", async (v) => {
		const body = webhookBody(v);
		if (v.secret) body.secret = v.secret;
		const { data } = await api("POST", "/-/admin/webhooks", body);
		announce("Webhook created");
		if (data.secret) {
			panel.replaceChildren(secretNotice(data.secret), h("a", { class: "button", href: `#/webhooks/${data.id}` }, "Go to the webhook"));
		} else {
			location.hash = `#/webhooks/${data.id}`;
		}
	}));
	show(gen, "New webhook", head("New webhook", h("a", { href: "#/webhooks" }, "Webhooks")), panel);
}

async function webhookPage(gen, id, query) {
	const offset = Number(query.get("offset")) || 0;
	const q = new URLSearchParams({ limit: PAGE, offset });
	if (query.get("state")) q.set("state", query.get("state"));
	const base = `/-/admin/webhooks/${encodeURIComponent(id)}`;
	const [{ data: w }, res] = await Promise.all([api("GET", base), api("GET", `${base}/deliveries?${q}`)]);
	const total = Number(res.headers.get("X-Total-Count")) || res.data.length;
	const status = h("div", { role: "status" });
	const rotate = h("button", { type: "button", onclick: async () => {
		if (!(await confirmDialog("Rotate the secret?", "Signatures use the new secret from the next attempt on: update the receiver.", "Rotate secret"))) return;
		try {
			const { data } = await busy(rotate, api("PUT", base, { rotate_secret: true }));
			status.replaceChildren(secretNotice(data.secret));
		} catch (err) {
			status.replaceChildren(notice("error-box", err.message));
		}
	} }, "Rotate secret");
	const del = h("button", { type: "button", class: "danger", onclick: async () => {
		if (!(await confirmDialog("Delete this webhook?", "The webhook and its deliveries, pending ones included, are deleted for good.", "Delete webhook"))) return;
		try {
			await busy(del, api("DELETE", base));
			announce("Webhook deleted");
			location.hash = "#/webhooks";
		} catch (err) {
			status.replaceChildren(notice("error-box", err.message));
		}
	} }, "Delete webhook");
	const saved = h("div", { role: "status" });
	const st = w.status;
	const dd = (v) => h("dd", {}, v ?? "–");
	show(gen, w.url,
		head(`Webhook ${w.id}`, h("a", { href: "#/webhooks" }, "Webhooks")),
		h("div", { class: "grid-2" },
			h("div", { class: "panel" }, saved, form(webhookFields(w), "Save", async (v) => {
				saved.replaceChildren();
				await api("PUT", base, webhookBody(v));
				saved.replaceChildren(notice("ok", "Saved."));
				announce("Saved");
			})),
			h("div", {},
				h("section", { class: "panel", "aria-labelledby": "w-state" }, h("h2", { id: "w-state" }, "Deliveries"),
					h("dl", { class: "meta" },
						h("dt", {}, "Pending"), dd(String(st.pending)), h("dt", {}, "Failed"), dd(String(st.failed)),
						h("dt", {}, "Last delivered event"), dd(st.last_delivered_event && `${st.last_delivered_event}, ${fmtDate(st.last_delivered)}`),
						h("dt", {}, "Next attempt"), dd(st.next_attempt && fmtDate(st.next_attempt)),
						h("dt", {}, "Last error"), dd(st.last_error && `${st.last_error} (${fmtDate(st.last_error_at)})`),
						st.missed ? [h("dt", {}, "Missed events"), dd(String(st.missed))] : null)),
				h("section", { class: "panel", "aria-labelledby": "w-actions" }, h("h2", { id: "w-actions" }, "Actions"), status,
					h("div", { class: "actions" }, rotate, del)))),
		h("h2", {}, "Recent deliveries"),
		table("Deliveries", [
			{ label: "Event", num: true, cell: (d) => String(d.event) },
			{ label: "Item", cell: (d) => h("a", { href: `#/content/${pluralOf(d.type)}/${d.item}` }, `${d.type} ${d.item}`) },
			{ label: "Kind", cell: (d) => d.kind },
			{ label: "State", cell: (d) => h("span", { class: `pill ${d.state === "delivered" ? "on" : "off"}` }, d.state) },
			{ label: "Attempts", num: true, cell: (d) => String(d.attempts) },
			{ label: "Last error", cell: (d) => d.last_error || h("span", { class: "muted" }, "none") },
			{ label: "Changed", cell: (d) => fmtDate(d.occurred) },
		], res.data),
		pager(`#/webhooks/${w.id}`, query, offset, res.data.length, total));
}

function pluralOf(name) {
	const t = types.find((x) => x.name === name);
	return t ? t.plural : name;
}

// Content

function typeOf(plural) {
	const t = types.find((x) => x.plural === plural);
	if (!t) throw new Error("There is no such type.");
	return t;
}

async function content(gen, parts, query) {
	const t = typeOf(parts[0]);
	if (parts[1] === "new") return editItem(gen, t, null);
	if (parts[1]) return editItem(gen, t, parts[1]);
	const offset = Number(query.get("offset")) || 0;
	const q = new URLSearchParams({ limit: PAGE, offset });
	for (const p of t.filters) if (query.get(p.name)) q.set(p.name, query.get(p.name));
	if (query.get("sort")) q.set("sort", query.get("sort"));
	// The list follows the changes of the type live, whoever makes them. The feed
	// is open before the list is read, so that no change falls in between.
	const list = h("div", {});
	let shown = false;
	await follow(t.plural, async () => {
		if (!shown) return; // the list is yet to be read
		try {
			const view = await itemList(t, query, q, offset);
			if (gen === generation) list.replaceChildren(...view);
		} catch {
			// The list stays as it was; the next change tries again.
		}
	});
	list.append(...await itemList(t, query, q, offset));
	shown = true;
	const filterForm = h("form", { class: "toolbar", "aria-label": "Filters", onsubmit: (ev) => {
		ev.preventDefault();
		const next = new URLSearchParams();
		for (const [k, val] of Object.entries(values(ev.target))) if (val !== "" && val !== false) next.set(k, val);
		location.hash = `#/content/${t.plural}?${next}`;
	} },
	t.filters.map((p) => field(p.name, p.enum
		? { label: p.label, value: query.get(p.name) || "", options: [["", "Any"], ...p.enum.map((v) => [String(v), String(v)])] }
		: { label: p.label, value: query.get(p.name) || "" })),
	field("sort", { label: "Sort by", value: query.get("sort") || "", options: [["", "Newest first"], ...t.sorts.map((s) => [s, sortLabel(s)])] }),
	h("button", { type: "submit" }, "Apply"));
	show(gen, t.title,
		head(t.title, null,
			h("a", { class: "button", href: `#/schema/${t.plural}` }, "Schema"),
			h("a", { class: "button primary", href: `#/content/${t.plural}/new` }, `New ${t.name}`)),
		t.description && h("p", { class: "lead" }, t.description),
		filterForm,
		list);
}

// itemList reads a page of items of type t (the API query q) and returns its
// table and pager.
async function itemList(t, query, q, offset) {
	const res = await api("GET", `/-/${t.plural}?${q}`);
	const total = Number(res.headers.get("X-Total-Count")) || res.data.length;
	const extra = t.listColumns.map((name) => ({ label: human(name), cell: (it) => cellText(it[name]) }));
	return [
		table(t.title, [
			{ label: "Id", num: true, cell: (it) => it.id },
			{ label: "Title", cell: (it) => h("a", { href: `#/content/${t.plural}/${it.id}` }, it.title || `(untitled ${it.id})`) },
			...extra,
			{ label: "Modified", cell: (it) => fmtDate(it.modification_date) },
		], res.data),
		pager(`#/content/${t.plural}`, query, offset, res.data.length, total),
	].filter(Boolean);
}

// follow opens the change feed of the items of a type (its plural), which calls
// refresh after changes (a burst of them makes one call), and resolves once the
// feed is open, or failed to open.
function follow(plural, refresh) {
	if (feed) feed.close();
	feed = new EventSource(`/-/events?types=${encodeURIComponent(plural)}`);
	let waiting = null;
	const changed = () => {
		if (waiting) return;
		waiting = setTimeout(() => {
			waiting = null;
			refresh();
		}, 100);
	};
	for (const kind of ["create", "update", "delete", "reload"]) feed.addEventListener(kind, changed);
	const mine = feed;
	mine.addEventListener("session-ended", () => mine.close());
	return new Promise((resolve) => {
		mine.addEventListener("open", resolve, { once: true });
		mine.addEventListener("error", resolve, { once: true });
	});
}

function sortLabel(s) {
	return s.startsWith("-") ? `${s.slice(1)}, descending` : `${s}, ascending`;
}

function cellText(v) {
	if (v === null || v === undefined) return "";
	if (typeof v === "object") return v.filename || JSON.stringify(v).slice(0, 60);
	return String(v).slice(0, 80);
}

async function editItem(gen, t, id) {
	let item = null;
	if (id) item = (await api("GET", `/-/${t.plural}/${encodeURIComponent(id)}${expandParam(t)}`)).data;
	const { data: categories } = t.categories ? await api("GET", "/-/categories") : { data: [] };
	const saved = h("div", { role: "status" });
	const f = itemForm(t, item, categories, !id);
	f.addEventListener("submit", async (ev) => {
		ev.preventDefault();
		clearErrors(f);
		saved.replaceChildren();
		const submit = f.querySelector("button[type=submit]");
		try {
			const body = formBody(t, f, !id);
			const res = await busy(submit, api(id ? "PUT" : "POST", id ? `/-/${t.plural}/${item.id}` : `/-/${t.plural}`, body));
			announce(id ? "Saved" : `${t.name} created`);
			if (!id) {
				location.hash = `#/content/${t.plural}/${res.data.id}`;
				return;
			}
			Object.assign(item, res.data);
			saved.replaceChildren(notice("ok", "Saved."));
		} catch (err) {
			showErrors(f, err);
		}
	});
	const side = item && h("div", {},
		h("section", { class: "panel", "aria-labelledby": "i-about" }, h("h2", { id: "i-about" }, "About"),
			h("dl", { class: "meta" },
				h("dt", {}, "Id"), h("dd", {}, item.id),
				h("dt", {}, "Owner"), h("dd", {}, h("a", { href: `#/users/${item.owner}` }, item.owner.slice(0, 8))),
				h("dt", {}, "Created"), h("dd", {}, fmtDate(item.creation_date)),
				h("dt", {}, "Modified"), h("dd", {}, fmtDate(item.modification_date)),
				h("dt", {}, "JSON"), h("dd", {}, h("a", { href: item.__meta__ && item.__meta__.url }, "View")))),
		h("section", { class: "panel", "aria-labelledby": "i-danger" }, h("h2", { id: "i-danger" }, "Delete"),
			deleteButton(t, item)));
	show(gen, id ? `${t.name} ${item.id}` : `New ${t.name}`,
		head(id ? item.title || `${t.name} ${item.id}` : `New ${t.name}`, h("a", { href: `#/content/${t.plural}` }, t.title)),
		h("div", { class: "grid-2" }, h("div", { class: "panel" }, saved, f), side));
}

function deleteButton(t, item) {
	const status = h("div", { role: "status" });
	const b = h("button", { type: "button", class: "danger", onclick: async () => {
		if (!(await confirmDialog(`Delete ${t.name} ${item.id}?`, "It is deleted for good.", "Delete"))) return;
		try {
			await busy(b, api("DELETE", `/-/${t.plural}/${item.id}`));
			announce(`${t.name} ${item.id} deleted`);
			location.hash = `#/content/${t.plural}`;
		} catch (err) {
			status.replaceChildren(notice("error-box", err.message));
		}
	} }, `Delete this ${t.name}`);
	return h("div", {}, status, b);
}

// Schema

function schema(gen, parts) {
	const t = typeOf(parts[0]);
	show(gen, `${t.title} schema`,
		head(`Schema of ${t.name}`, h("a", { href: `#/content/${t.plural}` }, t.title)),
		t.description && h("p", {}, t.description),
		h("p", {}, "Served at ", h("code", {}, `/-/${t.plural}`), t.categories ? " · with categories" : ""),
		table("Fields", [
			{ label: "Field", cell: (p) => h("code", {}, p.name) },
			{ label: "Type", cell: (p) => p.kind },
			{ label: "Required", cell: (p) => (p.required ? "yes" : "") },
			{ label: "Rules", cell: (p) => p.rules },
			{ label: "Description", cell: (p) => p.description || "" },
		], t.fields));
}

window.addEventListener("hashchange", render);
start().catch((err) => {
	app.replaceChildren(h("main", { id: "main", class: "content" }, h("h1", {}, "The console cannot start"), notice("error-box", err.message)));
});
