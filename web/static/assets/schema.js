// The content types as the OpenAPI document describes them, and the forms of
// their items generated from those descriptions.
import { h, api, ApiError, field, announce, fmtBytes, nextId, human } from "./lib.js";

const META = new Set(["id", "type", "owner", "creation_date", "modification_date", "__meta__", "categories"]);
const LISTED = new Set(["string", "enum", "integer", "number", "boolean", "datetime"]);
// USER_ID is the pattern of the ids of users, which user fields hold.
const USER_ID = "^[0-9a-f]{32}$";

// loadTypes reads the content types from the OpenAPI document: every collection
// path whose POST takes a TypeXCreate schema.
export async function loadTypes() {
	const { data: doc } = await api("GET", "/-/openapi.json");
	const schemas = doc.components.schemas;
	const types = [];
	// plurals maps the name of a type's schema to its plural, for the targets of
	// relations.
	const plurals = new Map();
	for (const [path, ops] of Object.entries(doc.paths)) {
		const m = /^\/-\/([^/{}]+)$/.exec(path);
		const ref = m && ops.post && ops.get && ops.post.requestBody?.content?.["application/json"]?.schema?.$ref;
		if (!ref || !ref.endsWith("Create")) continue;
		const createName = ref.split("/").pop();
		const full = schemas[createName.slice(0, -"Create".length)];
		const create = schemas[createName];
		if (!full || !create) continue;
		const params = ops.get.parameters || [];
		const sort = params.find((p) => p.name === "sort");
		// The full schema's required list keeps the type's order of fields; the
		// properties themselves come sorted by name.
		const order = full.required || [];
		const at = (n) => (order.includes(n) ? order.indexOf(n) : order.length);
		const fields = Object.keys(create.properties)
			.filter((n) => !META.has(n))
			.sort((a, b) => at(a) - at(b) || a.localeCompare(b))
			.map((n) => describe(n, create.properties[n], full.properties[n] || {}, (create.required || []).includes(n), expandOf(full)[n]));
		plurals.set(createName.slice(0, -"Create".length), m[1]);
		types.push({
			name: full.properties.type?.const || m[1],
			plural: m[1],
			title: m[1].charAt(0).toUpperCase() + m[1].slice(1),
			description: full.description || "",
			categories: "categories" in create.properties,
			fields,
			filters: params.filter((p) => !["limit", "offset", "sort"].includes(p.name))
				.map((p) => ({ name: p.name, label: p.name === "owner" ? "Owner id" : human(p.name), enum: p.schema?.enum })),
			sorts: sort?.schema?.enum || [],
			listColumns: fields.filter((f) => LISTED.has(f.kind) && f.name !== "title" && f.name !== "description").slice(0, 3).map((f) => f.name),
		});
	}
	for (const t of types) {
		for (const f of t.fields) if (f.target) f.target = plurals.get(f.target) || null;
	}
	return types.sort((a, b) => a.plural.localeCompare(b.plural));
}

// expandOf returns the schemas of what ?expand embeds in items of a type's full
// schema, by relation.
function expandOf(full) {
	for (const part of full.properties?.__meta__?.allOf || []) {
		if (part.properties?.expand) return part.properties.expand.properties || {};
	}
	return {};
}

function describe(name, p, full, required, expanded) {
	const types = [].concat(p.type || []);
	const nullable = types.includes("null") || (p.oneOf || []).some((o) => o.type === "null");
	const base = types.find((t) => t !== "null");
	let kind;
	if ((p.oneOf || []).some((o) => o.$ref && o.$ref.endsWith("/FileInput"))) kind = "file";
	else if (p.enum) kind = "enum";
	else if (base === "string" && p.format === "date-time") kind = "datetime";
	else if (base === "string" && (p.maxLength || 0) > 500 && name !== "title") kind = "text";
	else if (base === "string" && name === "description") kind = "text";
	else if (base === "array" && p.items?.type === "integer") kind = "ids";
	else if (base) kind = base;
	else kind = "json";
	const rules = [];
	if (p.minimum !== undefined) rules.push(`at least ${p.minimum}`);
	if (p.maximum !== undefined) rules.push(`at most ${p.maximum}`);
	if (p.maxLength !== undefined) rules.push(`up to ${p.maxLength} characters`);
	if (p.pattern === USER_ID) rules.push("the id of a user (32 hex digits)");
	else if (p.pattern) rules.push(`matches ${p.pattern}`);
	if (p.enum) rules.push(`one of ${p.enum.filter((v) => v !== null).join(", ")}`);
	if (p.minItems !== undefined) rules.push(`at least ${p.minItems} items`);
	if (p.maxItems !== undefined) rules.push(`at most ${p.maxItems} items`);
	return {
		name, kind, required, nullable, base,
		enum: p.enum ? p.enum.filter((v) => v !== null) : null,
		min: p.minimum, max: p.maximum,
		// target is, for a relation to several items, the name of the schema of
		// their type (loadTypes makes it their plural).
		target: kind === "ids" ? (expanded?.items?.$ref || "").split("/").pop() || null : null,
		description: full.description || p.description || "",
		rules: rules.join("; "),
	};
}

// itemForm returns the form of an item of type t (item null: a new one), with a
// control per field and the categories.
export function itemForm(t, item, categories, isNew) {
	const expanded = item?.__meta__?.expand || {};
	const controls = t.fields.map((f) => (f.kind === "ids" ? idsField(f, item ? item[f.name] : [], expanded[f.name]) : control(f, item ? item[f.name] : undefined)));
	if (t.categories) controls.push(categoryField(categories, item ? item.categories || [] : []));
	return h("form", { novalidate: true },
		h("div", { class: "notice error-box", role: "alert", tabindex: "-1" }),
		controls,
		h("div", { class: "actions" }, h("button", { type: "submit", class: "primary" }, isNew ? `Create ${t.name}` : "Save")));
}

function hint(f) {
	return [f.description, f.rules].filter(Boolean).join(" · ") || null;
}

function control(f, value) {
	const o = { label: human(f.name), required: f.required, hint: hint(f) };
	switch (f.kind) {
	case "file":
		return fileField(f, value);
	case "enum":
		return field(f.name, { ...o, value: value ?? "", options: [["", f.required ? "Choose…" : "(none)"], ...f.enum.map((v) => [String(v), String(v)])] });
	case "boolean":
		return field(f.name, { ...o, type: "checkbox", value: !!value });
	case "integer":
	case "number": {
		const el = h("input", { type: "number", step: f.kind === "integer" ? "1" : "any", value: value ?? "" });
		if (f.min !== undefined) el.min = f.min;
		if (f.max !== undefined) el.max = f.max;
		return field(f.name, { ...o, control: el });
	}
	case "datetime":
		return field(f.name, { ...o, control: h("input", { type: "datetime-local", step: "1", value: localTime(value) }) });
	case "text":
		return field(f.name, { ...o, type: "textarea", value: value ?? "" });
	case "json":
		return field(f.name, { ...o, control: h("textarea", { class: "code", text: value === undefined || value === null ? "" : JSON.stringify(value, null, 2) }), hint: [hint(f), "JSON"].filter(Boolean).join(" · ") });
	default:
		return field(f.name, { ...o, value: value ?? "" });
	}
}

function localTime(v) {
	if (!v) return "";
	const d = new Date(v);
	if (Number.isNaN(d.getTime())) return "";
	const p = (n) => String(n).padStart(2, "0");
	return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

// expandParam returns the ?expand= that embeds, in a read of an item of t, the
// items of its relations to several items, whose titles idsField shows; "" when
// it has none.
export function expandParam(t) {
	const names = t.fields.filter((f) => f.kind === "ids").map((f) => f.name);
	return names.length ? `?expand=${names.join(",")}` : "";
}

// idsField is the control of a relation to several items: the ids in order, each
// with its item's title where known (embedded by ?expand=, or read when added),
// a button to remove each, and a box to add an id. The ids are kept in the box's
// data-ids, as JSON.
function idsField(f, ids, embedded) {
	const id = nextId(f.name);
	const errId = `${id}-error`;
	const hintId = `${id}-hint`;
	const titles = new Map((embedded || []).map((it) => [it.id, it.title]));
	const list = h("ol", { class: "ids" });
	const status = h("div", { class: "hint", role: "status" });
	const input = h("input", { type: "number", min: "1", step: "1", id, "aria-describedby": `${hintId} ${errId}` });
	const box = h("div", { class: "field", "data-field": f.name, "data-label": human(f.name), "data-ids": JSON.stringify(ids || []) });
	const current = () => JSON.parse(box.dataset.ids);
	const set = (next) => {
		box.dataset.ids = JSON.stringify(next);
		draw();
	};
	const draw = () => {
		const all = current();
		list.replaceChildren(...all.map((n, i) => {
			const title = titles.get(n);
			const label = title === undefined ? `${f.target || "item"} ${n}` : `${title || "(untitled)"} (${n})`;
			return h("li", {},
				f.target && title !== undefined ? h("a", { href: `#/content/${f.target}/${n}` }, label) : h("span", {}, label),
				h("button", { type: "button", class: "link", onclick: () => {
					set(all.filter((_, j) => j !== i));
					announce(`${label} removed`);
				} }, "Remove", h("span", { class: "visually-hidden" }, ` ${label}`)));
		}));
		if (!all.length) list.append(h("li", { class: "muted" }, "None"));
	};
	const add = async () => {
		const n = Number(input.value);
		box.querySelector(".error").textContent = "";
		if (!Number.isInteger(n) || n < 1) {
			box.querySelector(".error").textContent = "Give the id of an item: a whole number.";
			return;
		}
		if (current().includes(n)) {
			box.querySelector(".error").textContent = `The item ${n} is in the list already.`;
			return;
		}
		// The id goes in at once, so that a save right away has it; its title follows.
		input.value = "";
		set([...current(), n]);
		if (f.target && !titles.has(n)) {
			try {
				const { data } = await api("GET", `/-/${f.target}/${n}`);
				titles.set(n, data.title);
				draw();
			} catch {
				// The server says why when the item is saved.
			}
		}
		status.textContent = `${titles.has(n) ? titles.get(n) : `Item ${n}`} is added; it is saved when you save.`;
	};
	input.addEventListener("keydown", (ev) => {
		if (ev.key === "Enter") {
			ev.preventDefault();
			add();
		}
	});
	draw();
	box.append(
		h("label", { for: id }, human(f.name), f.required ? h("span", { class: "muted" }, " (required)") : null),
		h("span", { class: "hint", id: hintId }, [hint(f), "Item ids, in order"].filter(Boolean).join(" · ")),
		list,
		h("div", { class: "ids-add" }, input, h("button", { type: "button", onclick: add }, `Add to ${human(f.name).toLowerCase()}`)),
		status,
		h("div", { class: "error", id: errId }));
	return box;
}

// fileField is a file control: the current file (an image previewed), an upload
// that sends the file at once, and removal. The chosen file's id is kept in the
// box's data-file: "" unchanged, "null" removed, else the id.
function fileField(f, current) {
	const id = nextId(f.name);
	const errId = `${id}-error`;
	const statusId = `${id}-status`;
	const preview = h("div", { class: "file-box" });
	const status = h("div", { class: "hint", id: statusId, role: "status" });
	const input = h("input", { type: "file", id, "aria-describedby": `${statusId} ${errId}` });
	const box = h("div", { class: "field", "data-field": f.name, "data-label": human(f.name), "data-file": "" },
		h("label", { for: id }, human(f.name), f.required ? h("span", { class: "muted" }, " (required)") : null),
		preview, input, status, h("div", { class: "error", id: errId }));
	const showFile = (file) => {
		preview.replaceChildren();
		if (!file) return;
		if (String(file.mimetype).startsWith("image/")) preview.append(h("img", { src: file.url, alt: `Preview of ${file.filename}` }));
		const remove = h("button", { type: "button", class: "link", onclick: () => {
			box.dataset.file = "null";
			preview.replaceChildren();
			input.value = "";
			status.textContent = "The file is removed when you save.";
		} }, "Remove");
		preview.append(h("div", {}, h("a", { href: file.url, download: file.filename }, `Download ${file.filename}`), h("div", { class: "muted" }, `${file.mimetype} · ${fmtBytes(file.size)}`), remove));
	};
	showFile(current);
	input.addEventListener("change", async () => {
		const file = input.files[0];
		if (!file) return;
		box.querySelector(".error").textContent = "";
		status.replaceChildren(h("span", { class: "spinner", "aria-hidden": "true" }), ` Uploading ${file.name}…`);
		input.setAttribute("aria-busy", "true");
		try {
			const { data } = await api("POST", `/-/files?filename=${encodeURIComponent(file.name)}`, file,
				{ "Content-Type": file.type || "application/octet-stream" });
			box.dataset.file = String(data.id);
			showFile(data);
			status.textContent = `${data.filename} is uploaded; it is attached when you save.`;
			announce(`${data.filename} uploaded`);
		} catch (err) {
			status.textContent = "";
			box.querySelector(".error").textContent = err.message;
		} finally {
			input.removeAttribute("aria-busy");
		}
	});
	return box;
}

function categoryField(categories, chosen) {
	const known = new Set(categories.map((c) => c.title));
	const groups = new Map();
	for (const c of categories) {
		const g = c.group || "";
		if (!groups.has(g)) groups.set(g, []);
		groups.get(g).push(c.title);
	}
	const box = (title) => {
		const id = nextId("cat");
		return h("label", { class: "check", for: id }, h("input", { type: "checkbox", id, name: "category", value: title, checked: chosen.includes(title) }), title);
	};
	const otherId = nextId("cat-other");
	return h("fieldset", { "data-field": "categories", "data-label": "categories" },
		h("legend", {}, "Categories"),
		[...groups].map(([g, titles]) => h("div", {}, g && h("div", { class: "muted" }, g), h("div", { class: "checks" }, titles.map(box)))),
		h("div", { class: "field" },
			h("label", { for: otherId }, "Other categories"),
			h("span", { class: "hint", id: `${otherId}-hint` }, "Separated by commas"),
			h("input", { type: "text", id: otherId, name: "categories_other", "aria-describedby": `${otherId}-hint`, value: chosen.filter((c) => !known.has(c)).join(", ") })),
		h("div", { class: "error" }));
}

// formBody returns the JSON body of form f for type t: a new item leaves out what is
// empty, a change sends every field (empty ones as null where they may be null).
export function formBody(t, f, isNew) {
	const body = {};
	const bad = [];
	const empty = (fl) => (isNew ? undefined : fl.nullable ? null : "");
	for (const fl of t.fields) {
		let v;
		if (fl.kind === "file") {
			const state = f.querySelector(`[data-field="${fl.name}"]`).dataset.file;
			v = state === "" ? undefined : state === "null" ? null : Number(state);
		} else if (fl.kind === "ids") {
			v = JSON.parse(f.querySelector(`[data-field="${fl.name}"]`).dataset.ids);
			if (isNew && !v.length) v = undefined;
		} else {
			const el = f.elements.namedItem(fl.name);
			const raw = el.type === "checkbox" ? el.checked : el.value;
			if (fl.kind === "boolean") v = raw;
			else if (raw === "") v = fl.kind === "json" && !isNew ? null : empty(fl);
			else if (fl.kind === "integer" || fl.kind === "number" || (fl.kind === "enum" && (fl.base === "integer" || fl.base === "number"))) v = Number(raw);
			else if (fl.kind === "datetime") v = new Date(raw).toISOString();
			else if (fl.kind === "json") {
				try { v = JSON.parse(raw); } catch { bad.push({ location: "body", name: fl.name, description: "This is not valid JSON" }); }
			} else v = raw;
		}
		if (v !== undefined) body[fl.name] = v;
	}
	if (t.categories) {
		const chosen = [...f.querySelectorAll("input[name=category]:checked")].map((el) => el.value);
		const other = f.elements.namedItem("categories_other").value.split(",").map((s) => s.trim()).filter(Boolean);
		const all = [...new Set([...chosen, ...other])];
		if (!isNew || all.length) body.categories = all;
	}
	if (bad.length) throw new ApiError(400, bad);
	return body;
}
