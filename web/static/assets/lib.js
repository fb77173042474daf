// What the account pages and the console share: building elements, calling the
// API, forms with errors beside their fields, busy buttons and announcements.

// h builds an element: attrs sets properties (on*, class, dataset) or attributes;
// children are nodes, strings or arrays of them (null and false are skipped).
export function h(tag, attrs = {}, ...children) {
	const el = document.createElement(tag);
	for (const [k, v] of Object.entries(attrs || {})) {
		if (v === null || v === undefined || v === false) continue;
		if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
		else if (k === "class") el.className = v;
		else if (k === "text") el.textContent = v;
		else if (k in el && typeof v !== "string") el[k] = v;
		else el.setAttribute(k, v === true ? "" : v);
	}
	append(el, children);
	return el;
}

function append(el, children) {
	for (const c of children) {
		if (c === null || c === undefined || c === false) continue;
		if (Array.isArray(c)) append(el, c);
		else el.append(c instanceof Node ? c : String(c));
	}
}

// ApiError is a failed call: status and the error list of the API's error shape.
export class ApiError extends Error {
	constructor(status, errors) {
		super(errors.map((e) => e.description).join(" ") || `Request failed (${status})`);
		this.status = status;
		this.errors = errors;
	}
}

// api calls the API and returns {data, headers, status}; a failure throws ApiError.
// A body that is a Blob is sent as is, anything else as JSON.
export async function api(method, path, body, headers = {}) {
	const init = { method, headers: { Accept: "application/json", ...headers }, credentials: "same-origin" };
	if (body instanceof Blob) init.body = body;
	else if (body !== undefined) {
		init.body = JSON.stringify(body);
		init.headers["Content-Type"] = "application/json";
	}
	let res;
	try {
		res = await fetch(path, init);
	} catch {
		throw new ApiError(0, [{ location: "", name: "", description: "The server cannot be reached. Check the connection and try again." }]);
	}
	const text = await res.text();
	let data = null;
	try { data = text ? JSON.parse(text) : null; } catch { data = null; }
	if (!res.ok) {
		const errors = data && Array.isArray(data.errors) ? data.errors : [{ location: "", name: "", description: `Request failed (${res.status})` }];
		throw new ApiError(res.status, errors);
	}
	return { data, headers: res.headers, status: res.status };
}

// announce reads a message out to screen readers and shows it briefly.
export function announce(message) {
	const live = document.getElementById("announcer");
	live.textContent = "";
	setTimeout(() => { live.textContent = message; }, 50);
	let toast = document.getElementById("toast");
	if (!toast) {
		toast = h("div", { id: "toast", class: "toast", "aria-hidden": "true" });
		document.body.append(toast);
	}
	toast.textContent = message;
	clearTimeout(announce.timer);
	announce.timer = setTimeout(() => { toast.textContent = ""; }, 4000);
}

// busy marks button as working while promise runs, and returns its result.
export async function busy(button, promise) {
	if (!button) return promise;
	button.setAttribute("aria-busy", "true");
	button.disabled = true;
	try {
		return await promise;
	} finally {
		button.removeAttribute("aria-busy");
		button.disabled = false;
	}
}

let uid = 0;
// nextId returns a fresh element id.
export function nextId(prefix = "f") {
	uid += 1;
	return `${prefix}-${uid}`;
}

// field returns a labelled control with a hint and an error slot for the field
// name: {label, hint, type, value, required, autocomplete, control (an element of
// its own), options ([value, label] pairs for a select)}.
export function field(name, o = {}) {
	const id = nextId(name.replace(/[^a-z0-9_-]/gi, ""));
	const hintId = o.hint ? `${id}-hint` : null;
	const errId = `${id}-error`;
	let control = o.control;
	if (!control && o.options) {
		control = h("select", {}, o.options.map(([v, l]) => h("option", { value: v, selected: String(o.value ?? "") === v }, l)));
	} else if (!control && o.type === "textarea") {
		control = h("textarea", { text: o.value ?? "" });
	} else if (!control) {
		control = h("input", { type: o.type || "text", value: o.value ?? "" });
	}
	control.id = id;
	control.name = name;
	if (o.autocomplete) control.setAttribute("autocomplete", o.autocomplete);
	if (o.required) { control.required = true; control.setAttribute("aria-required", "true"); }
	control.setAttribute("aria-describedby", [hintId, errId].filter(Boolean).join(" "));
	if (o.type === "checkbox") {
		control.checked = !!o.value;
		return h("div", { class: "field", "data-field": name, "data-label": o.label },
			h("label", { class: "check", for: id }, control, o.label),
			o.hint && h("span", { class: "hint", id: hintId }, o.hint),
			h("div", { class: "error", id: errId }));
	}
	return h("div", { class: "field", "data-field": name, "data-label": o.label },
		h("label", { for: id }, o.label, o.required ? h("span", { class: "muted" }, " (required)") : null),
		o.hint && h("span", { class: "hint", id: hintId }, o.hint),
		control,
		h("div", { class: "error", id: errId }));
}

// form builds a form whose submit runs action(values, submitButton); errors of the
// call appear beside their fields, others in a summary at the top.
export function form(children, submitLabel, action, o = {}) {
	const summary = h("div", { class: "notice error-box", role: "alert", tabindex: "-1" });
	const submit = h("button", { type: "submit", class: o.submitClass || "primary" }, submitLabel);
	const f = h("form", { novalidate: true, class: o.class || "" }, summary, children,
		h("div", { class: "actions" }, submit, o.extra));
	f.addEventListener("submit", async (ev) => {
		ev.preventDefault();
		clearErrors(f);
		try {
			await busy(submit, action(values(f), submit, f));
		} catch (err) {
			showErrors(f, err);
		}
	});
	return f;
}

// values returns the named controls of form f as strings (checkboxes: booleans).
export function values(f) {
	const out = {};
	for (const el of f.elements) {
		if (!el.name || el.disabled) continue;
		out[el.name] = el.type === "checkbox" ? el.checked : el.value;
	}
	return out;
}

// clearErrors removes the errors shown on form f.
export function clearErrors(f) {
	f.querySelector(".notice.error-box").replaceChildren();
	for (const e of f.querySelectorAll("[data-field] .error")) e.textContent = "";
	for (const e of f.querySelectorAll("[aria-invalid]")) e.removeAttribute("aria-invalid");
}

// fieldError shows message beside the field name of form f; false when f has no such field.
export function fieldError(f, name, message) {
	const box = [...f.querySelectorAll("[data-field]")].find((el) => el.dataset.field === name);
	if (!box) return false;
	const slot = box.querySelector(".error");
	slot.textContent = slot.textContent ? `${slot.textContent} ${message}` : message;
	for (const c of box.querySelectorAll("input, select, textarea")) c.setAttribute("aria-invalid", "true");
	return true;
}

// showErrors shows the errors of err on form f: beside their fields where the form
// has them, the rest in the summary, which lists every error and takes the focus.
export function showErrors(f, err) {
	const errors = err instanceof ApiError ? err.errors : [{ name: "", description: err.message || String(err) }];
	const summary = f.querySelector(".notice.error-box");
	const items = [];
	for (const e of errors) {
		const name = String(e.name || "").split(/[.[]/)[0];
		const placed = name && e.location !== "path" && fieldError(f, name, e.description);
		const control = placed && [...f.querySelectorAll("[data-field]")].find((el) => el.dataset.field === name).querySelector("input, select, textarea");
		items.push(h("li", {}, control
			? h("a", { href: `#${control.id}`, onclick: (ev) => { ev.preventDefault(); control.focus(); } }, `${labelOf(f, name)}: ${e.description}`)
			: e.description));
	}
	summary.replaceChildren(h("strong", {}, errors.length > 1 ? "There are problems:" : "There is a problem:"), h("ul", {}, items));
	summary.focus();
}

function labelOf(f, name) {
	const box = [...f.querySelectorAll("[data-field]")].find((el) => el.dataset.field === name);
	return (box && box.dataset.label) || name;
}

// notice returns a status box (kind "ok" or "error-box") read out when it appears.
export function notice(kind, ...children) {
	return h("div", { class: `notice ${kind}`, role: kind === "ok" ? "status" : "alert" }, children);
}

// confirmDialog asks a yes/no question in a modal dialog; resolves to true on yes.
export function confirmDialog(title, text, yesLabel) {
	return new Promise((resolve) => {
		const titleId = nextId("dlg");
		const no = h("button", { type: "button", onclick: () => close(false) }, "Cancel");
		const yes = h("button", { type: "button", class: "danger solid", onclick: () => close(true) }, yesLabel);
		const dlg = h("dialog", { "aria-labelledby": titleId }, h("h2", { id: titleId }, title), h("p", {}, text), h("div", { class: "actions" }, no, yes));
		const close = (v) => { dlg.close(); dlg.remove(); resolve(v); };
		dlg.addEventListener("cancel", (ev) => { ev.preventDefault(); close(false); });
		document.body.append(dlg);
		dlg.showModal();
		no.focus();
	});
}

// route returns the hash route: its path segments and its query.
export function route() {
	const hash = location.hash.startsWith("#/") ? location.hash.slice(2) : "";
	const [path, query = ""] = hash.split("?");
	return { parts: path.split("/").filter(Boolean).map(decodeURIComponent), query: new URLSearchParams(query) };
}

// mount replaces the contents of main with view, sets the title and moves the
// focus to the page's heading, so that keyboard and screen reader users start there.
export function mount(main, title, suffix, ...view) {
	document.title = `${title} · ${suffix}`;
	main.replaceChildren(...view.flat().filter(Boolean));
	const heading = main.querySelector("h1");
	if (heading) {
		heading.tabIndex = -1;
		heading.focus({ preventScroll: false });
	}
}

// human turns a field name into a label: published_at is "Published at".
export function human(name) {
	const s = String(name).replace(/_/g, " ");
	return s.charAt(0).toUpperCase() + s.slice(1);
}

// fmtDate formats an RFC 3339 time for people.
export function fmtDate(s) {
	if (!s) return "";
	const d = new Date(s);
	return Number.isNaN(d.getTime()) ? s : d.toLocaleString();
}

// fmtBytes formats a byte count.
export function fmtBytes(n) {
	if (n < 1024) return `${n} B`;
	const units = ["KB", "MB", "GB", "TB"];
	let v = n;
	let i = -1;
	do { v /= 1024; i += 1; } while (v >= 1024 && i < units.length - 1);
	return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}
