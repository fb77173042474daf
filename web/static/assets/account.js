// The account pages at /: sign-up, log-in, forgotten password, the reset form,
// the pages the mailed links end on, and the profile. Hash routes, as the mailed
// links use them: #/welcome, #/reset/TOKEN, #/email-changed.
import { h, api, ApiError, field, form, notice, announce, busy, confirmDialog, route, mount } from "./lib.js";

const main = document.getElementById("main");

const pages = {
	"": home,
	login,
	signup,
	forgot,
	reset,
	welcome,
	"email-changed": emailChanged,
	profile,
};

async function me() {
	const { data } = await api("GET", "/-/login");
	return data && data.authenticated ? data : null;
}

// generation counts the renders; only the latest one may show its view (the
// person may move on while a page waits for the server).
let generation = 0;

// show puts the card of the render gen on the page, unless a later render has
// taken its place.
function show(gen, title, ...view) {
	showCards(gen, title, h("div", { class: "card" }, view));
}

function showCards(gen, title, ...cards) {
	if (gen === generation) mount(main, title, "backrest", ...cards);
}

function links(...items) {
	return h("p", { class: "card-links" }, items);
}

async function render() {
	if (location.hash && !location.hash.startsWith("#/")) return;
	const { parts } = route();
	const page = pages[parts[0] || ""] || notFound;
	const gen = ++generation;
	main.setAttribute("aria-busy", "true");
	try {
		await page(gen, parts.slice(1));
	} catch (err) {
		show(gen, "Something went wrong", h("h1", {}, "Something went wrong"), notice("error-box", err.message), links(h("a", { href: "#/" }, "Start again")));
	} finally {
		if (gen === generation) main.removeAttribute("aria-busy");
	}
}

async function home(gen) {
	const user = await me();
	if (gen === generation) location.replace(user ? "#/profile" : "#/login");
}

function notFound(gen) {
	show(gen, "Not found", h("h1", {}, "Page not found"), h("p", {}, "There is no such page."), links(h("a", { href: "#/" }, "Go to the start")));
}

async function login(gen) {
	const user = await me();
	show(gen, "Log in",
		h("h1", {}, "Log in"),
		user && notice("ok", `You are logged in as ${user.email}. `, h("a", { href: "#/profile" }, "Go to your profile")),
		form([
			field("login", { label: "E-mail address", type: "email", autocomplete: "username", required: true }),
			field("password", { label: "Password", type: "password", autocomplete: "current-password", required: true }),
		], "Log in", async (v) => {
			await api("PUT", "/-/login", { login: v.login, password: v.password });
			announce("Logged in");
			location.hash = "#/profile";
		}, { submitClass: "primary wide" }),
		links(h("a", { href: "#/forgot" }, "Forgot your password?"), h("a", { href: "#/signup" }, "Create an account")));
}

function signup(gen) {
	const done = h("div");
	const f = form([
		field("email", { label: "E-mail address", type: "email", autocomplete: "email", required: true }),
		field("password", { label: "Password", type: "password", autocomplete: "new-password", required: true }),
		field("firstname", { label: "First name", autocomplete: "given-name" }),
		field("lastname", { label: "Last name", autocomplete: "family-name" }),
	], "Create account", async (v) => {
		await api("POST", "/-/signup", v);
		f.hidden = true;
		done.replaceChildren(notice("ok", h("strong", {}, "Check your mail. "), `We sent a link to ${v.email}; follow it to confirm your account.`));
		done.querySelector(".notice").tabIndex = -1;
		done.querySelector(".notice").focus();
	}, { submitClass: "primary wide" });
	show(gen, "Create an account", h("h1", {}, "Create an account"), done, f,
		links(h("span", {}, "Have an account? ", h("a", { href: "#/login" }, "Log in"))));
}

function forgot(gen) {
	const done = h("div");
	const f = form([
		field("email", { label: "E-mail address", type: "email", autocomplete: "email", required: true,
			hint: "We mail you a link to set a new password." }),
	], "Send the link", async (v) => {
		await api("POST", "/-/reset/", { email: v.email });
		f.hidden = true;
		done.replaceChildren(notice("ok", h("strong", {}, "Check your mail. "), `If ${v.email} has an account, a link to set a new password is on its way.`));
		done.querySelector(".notice").tabIndex = -1;
		done.querySelector(".notice").focus();
	}, { submitClass: "primary wide" });
	show(gen, "Forgot password", h("h1", {}, "Forgot your password?"), done, f, links(h("a", { href: "#/login" }, "Back to log in")));
}

function reset(gen, [token]) {
	if (!token) return notFound(gen);
	const done = h("div");
	const f = form([
		field("password", { label: "New password", type: "password", autocomplete: "new-password", required: true }),
		field("confirm", { label: "New password again", type: "password", autocomplete: "new-password", required: true }),
	], "Set the password", async (v, _btn, theForm) => {
		if (v.password !== v.confirm) {
			throw new ApiError(400, [{ location: "body", name: "confirm", description: "The two passwords differ" }]);
		}
		await api("PUT", `/-/reset/${encodeURIComponent(token)}`, { password: v.password });
		theForm.hidden = true;
		done.replaceChildren(notice("ok", h("strong", {}, "Your password is set. "), "Log in with it now."));
		done.append(h("p", {}, h("a", { class: "button primary", href: "#/login" }, "Log in")));
		done.querySelector(".notice").tabIndex = -1;
		done.querySelector(".notice").focus();
	}, { submitClass: "primary wide" });
	show(gen, "Set a new password", h("h1", {}, "Set a new password"), done, f);
}

async function welcome(gen) {
	const user = await me();
	if (!user) {
		show(gen, "Welcome", h("h1", {}, "Welcome"), notice("ok", "Your account is confirmed."), h("p", {}, "Log in to continue."),
			links(h("a", { class: "button primary", href: "#/login" }, "Log in")));
		return;
	}
	show(gen, "Welcome", h("h1", {}, `Welcome${user.firstname ? `, ${user.firstname}` : ""}!`),
		notice("ok", `Your account is confirmed and you are logged in as ${user.email}.`),
		links(h("a", { class: "button primary", href: "#/profile" }, "Go to your profile")));
}

async function emailChanged(gen) {
	const user = await me();
	show(gen, "E-mail address changed", h("h1", {}, "E-mail address changed"),
		notice("ok", user ? `Your e-mail address is now ${user.email}.` : "Your e-mail address is changed. Log in with the new one."),
		links(h("a", { class: "button primary", href: user ? "#/profile" : "#/login" }, user ? "Go to your profile" : "Log in")));
}

async function profile(gen) {
	const user = await me();
	if (!user) {
		if (gen === generation) location.replace("#/login");
		return;
	}
	const logout = h("button", { type: "button", onclick: async () => {
		await busy(logout, api("PUT", "/-/logout", {}));
		announce("Logged out");
		location.hash = "#/login";
	} }, "Log out");

	const namesDone = h("div", { role: "status" });
	const names = form([
		field("firstname", { label: "First name", value: user.firstname, autocomplete: "given-name" }),
		field("lastname", { label: "Last name", value: user.lastname, autocomplete: "family-name" }),
	], "Save names", async (v) => {
		await api("PUT", "/-/userprofile", { firstname: v.firstname, lastname: v.lastname });
		namesDone.replaceChildren(notice("ok", "Your names are saved."));
	});

	const pwDone = h("div", { role: "status" });
	const password = form([
		field("current", { label: "Current password", type: "password", autocomplete: "current-password" }),
		field("password", { label: "New password", type: "password", autocomplete: "new-password", required: true }),
	], "Change password", async (v, _b, f) => {
		await api("PUT", "/-/password", { current: v.current, password: v.password });
		f.reset();
		pwDone.replaceChildren(notice("ok", "Your password is changed. Your other sessions have ended."));
	});

	const mailDone = h("div", { role: "status" });
	const email = form([
		field("email", { label: "New e-mail address", type: "email", autocomplete: "email", required: true }),
		field("password", { label: "Your password", type: "password", autocomplete: "current-password", required: true }),
	], "Change e-mail address", async (v, _b, f) => {
		await api("PUT", "/-/email", { email: v.email, password: v.password });
		f.reset();
		mailDone.replaceChildren(notice("ok", h("strong", {}, "Check your mail. "), `Follow the link we sent to ${v.email} to confirm the change.`));
	});

	const del = form([
		field("password", { label: "Password, to confirm", type: "password", autocomplete: "current-password", required: true }),
	], "Delete my account", async (v) => {
		if (!(await confirmDialog("Delete your account?", "Your account and its sessions are deleted for good.", "Delete"))) return;
		await api("POST", "/-/userprofile", { password: v.password });
		announce("Your account is deleted");
		location.hash = "#/signup";
	}, { submitClass: "danger" });

	showCards(gen, "Your profile",
		h("div", { class: "card" },
			h("div", { class: "page-head" }, h("h1", {}, "Your profile"), logout),
			h("p", {}, "Logged in as ", h("strong", {}, user.email), user.roles.length ? ` · roles: ${user.roles.join(", ")}` : ""),
			user.roles.includes("admin") && h("p", {}, h("a", { href: "/_/" }, "Open the admin console"))),
		section("Names", namesDone, names),
		section("Password", pwDone, password),
		section("E-mail address", mailDone, email),
		section("Delete account", h("p", { class: "muted" }, "This cannot be undone."), del));
}

function section(title, ...children) {
	const id = `s-${title.toLowerCase().replace(/\W+/g, "-")}`;
	return h("section", { class: "card", "aria-labelledby": id }, h("h2", { id }, title), children);
}

window.addEventListener("hashchange", render);
render();
