// The content types as the OpenAPI document describes them, and the forms of
// their items generated from those descriptions.
import { h, api, ApiError, field, announce, fmtBytes, nextId, human } from "./lib.js";

const META = new Set(["id", "type", "owner", "creation_date", "modification_date", "__meta__", "categories"]);
const LISTED = new Set(["string", "enum", "integer", "number", "boolean", "datetime"]);

// loadTypes reads the content types from the OpenAPI document: every collection
// path whose POST takes a TypeXCreate schema.
export async function loadTypes() {
	const { data: doc } = await api("GET", "/-/openapi.json");
	const schemas = doc.components.schemas;
	const types = [];
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
			.map((n) => describe(n, create.properties[n], full.properties[n] || {}, (create.required || []).includes(n)));
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
	return types.sort((a, b) => a.plural.localeCompare(b.plural));
}

function describe(name, p, full, required) {
	const types = [].concat(p.type || []);
	const nullable = types.includes("null") || (p.oneOf || []).some((o) => o.type === "null");
	const base = types.find((t) => t !== "null");
	let kind;
	if ((p.oneOf || []).some((o) => o.$ref && o.$ref.endsWith("/FileInput"))) kind = "file";
	else if (p.enum) kind = "enum";
	else if (base === "string" && p.format === "date-time") kind = "datetime";
	else if (base === "string" && (p.maxLength || 0) > 500 && name !== "title") kind = "text";
	else if (base === "string" && name === "description") kind = "text";
	else if (base) kind = base;
	else kind = "json";
	const rules = [];
	if (p.minimum !== undefined) rules.push(`at least ${p.minimum}`);
	if (p.maximum !== undefined) rules.push(`at most ${p.maximum}`);
	if (p.maxLength !== undefined) rules.push(`up to ${p.maxLength} characters`);
	if (p.pattern) rules.push(`matches ${p.pattern}`);
	if (p.enum) rules.push(`one of ${p.enum.filter((v) => v !== null).join(", ")}`);
	return {
		name, kind, required, nullable, base,
		enum: p.enum ? p.enum.filter((v) => v !== null) : null,
		min: p.minimum, max: p.maximum,
		description: full.description || p.description || "",
		rules: rules.join("; "),
	};
}

// itemForm returns the form of an item of type t (item null: a new one), with a
// control per field and the categories.
export function itemForm(t, item, categories, isNew) {
	const controls = t.fields.map((f) => control(f, item ? item[f.name] : undefined));
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
		} else {
			const el = f.elements.namedItem(fl.name);
			const raw = el.type === "checkbox" ? el.checked : el.value;
			if (fl.kind === "boolean") v = raw;
			else if (raw === "") v = empty(fl);
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
