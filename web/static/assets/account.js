// The account pages at /: sign-up, log-in, forgotten password, the reset form,
// the pages the mailed links end on, and the profile. Hash routes, as the mailed
// links use them: #/welcome, #/reset/TOKEN, #/email-changed, #/signin/TOKEN. A
// login of a user with a second factor continues at #/second-factor; #/code signs
// in with a mailed code.
import { h, api, ApiError, field, form, notice, announce, busy, confirmDialog, route, mount, fmtDate } from "./lib.js";
import { methods, passkeysSupported, registerPasskey, signInWithPasskey, signinErrors } from "./signin.js";

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
	"second-factor": secondFactor,
	code: mailedCode,
	signin: signinLink,
};

// pending is the login waiting for its second factor: the answer of a login
// whose status is second_factor. It lives in memory only.
let pending = null;

// passwordSet tells the next render of the profile that the user has just set a
// first password.
let passwordSet = false;

// loggedIn goes on after a call that logs in: to the profile, or to the second
// factor when the answer says so.
function loggedIn(data) {
	if (data && data.status === "second_factor") {
		pending = data;
		location.hash = "#/second-factor";
		return;
	}
	announce("Logged in");
	location.hash = "#/profile";
}

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
	const [user, offered] = await Promise.all([me(), methods()]);
	const reason = route().query.get("error");
	show(gen, "Log in",
		h("h1", {}, "Log in"),
		reason && notice("error-box", signinErrors[reason] || "The sign-in failed. Try again."),
		user && notice("ok", `You are logged in as ${user.email}. `, h("a", { href: "#/profile" }, "Go to your profile")),
		form([
			field("login", { label: "E-mail address", type: "email", autocomplete: "username", required: true }),
			field("password", { label: "Password", type: "password", autocomplete: "current-password", required: true }),
		], "Log in", async (v) => {
			const { data } = await api("PUT", "/-/login", { login: v.login, password: v.password });
			loggedIn(data);
		}, { submitClass: "primary wide" }),
		otherWays(offered),
		links(h("a", { href: "#/forgot" }, "Forgot your password?"), h("a", { href: "#/code" }, "Sign in with a mailed code"),
			h("a", { href: "#/signup" }, "Create an account")));
}

function secondFactor(gen) {
	// A sign-in with a provider lands here with the pending login in the address.
	const fromProvider = route().query.get("pending");
	if (fromProvider) {
		pending = { pending: fromProvider };
		history.replaceState(null, "", "#/second-factor");
	}
	if (!pending) {
		if (gen === generation) location.replace("#/login");
		return;
	}
	let recovery = false;
	const holder = h("div");
	const build = () => {
		const name = recovery ? "recovery_code" : "code";
		const toggle = h("button", { type: "button", class: "link", onclick: () => { recovery = !recovery; build(); holder.querySelector("input").focus(); } },
			recovery ? "Use a code of the app instead" : "Use a recovery code instead");
		holder.replaceChildren(form([
			field(name, recovery
				? { label: "Recovery code", autocomplete: "off", required: true, hint: "One of the codes you saved when you turned on two-step verification. Each works once." }
				: { label: "Code", autocomplete: "one-time-code", required: true, hint: "The 6-digit code your authenticator app shows now." }),
		], "Continue", async (v) => {
			try {
				const { data } = await api("PUT", "/-/login/totp", { pending: pending.pending, [name]: v[name].trim() });
				pending = null;
				loggedIn(data);
			} catch (err) {
				if (err.status === 404) {
					pending = null;
					throw new ApiError(404, [{ location: "body", name: "", description: "This login has expired or took too many wrong codes. Log in again." }]);
				}
				throw err;
			}
		}, { submitClass: "primary wide", extra: toggle }));
		const input = holder.querySelector("input");
		if (!recovery) { input.inputMode = "numeric"; input.pattern = "[0-9]*"; }
	};
	build();
	show(gen, "Two-step verification", h("h1", {}, "Two-step verification"),
		h("p", {}, "Your password is right. Now prove it is you with your second factor."), holder,
		links(h("a", { href: "#/login" }, "Back to log in")));
}

function mailedCode(gen) {
	const step = h("div");
	const ask = form([
		field("email", { label: "E-mail address", type: "email", autocomplete: "username", required: true,
			hint: "We mail you a code and a link that sign you in, no password needed." }),
	], "Send the code", async (v) => {
		await api("POST", "/-/login/code", { email: v.email });
		ask.hidden = true;
		const enter = form([
			field("code", { label: "Code from the mail", autocomplete: "one-time-code", required: true, hint: `If ${v.email} has an account, an 8-digit code is on its way.` }),
		], "Sign in", async (c) => {
			const { data } = await api("PUT", "/-/login/code", { email: v.email, code: c.code.trim() });
			loggedIn(data);
		}, { submitClass: "primary wide" });
		enter.querySelector("input").inputMode = "numeric";
		step.replaceChildren(enter);
		enter.querySelector("input").focus();
	}, { submitClass: "primary wide" });
	show(gen, "Sign in with a code", h("h1", {}, "Sign in with a code"), ask, step, links(h("a", { href: "#/login" }, "Log in with a password")));
}

async function signinLink(gen, [token]) {
	if (!token) return notFound(gen);
	try {
		const { data } = await api("PUT", "/-/login/code", { link: token });
		if (gen === generation) loggedIn(data);
	} catch (err) {
		if (err.status !== 400) throw err;
		show(gen, "Sign-in link", h("h1", {}, "This link does not work"),
			notice("error-box", "The link was used already or has expired."),
			links(h("a", { class: "button primary", href: "#/code" }, "Get a new code"), h("a", { href: "#/login" }, "Log in with a password")));
	}
}

// otherWays offers the sign-ins without a password that the server and the
// browser support: a passkey, and each provider.
function otherWays(offered) {
	const withPasskey = offered.passkeys && passkeysSupported();
	if (!withPasskey && !offered.providers.length) return null;
	const status = h("div", { role: "alert" });
	const passkey = withPasskey && h("button", { type: "button", class: "wide", onclick: async () => {
		status.replaceChildren();
		let data;
		try {
			data = await busy(passkey, signInWithPasskey());
		} catch (err) {
			status.replaceChildren(notice("error-box", err instanceof ApiError ? err.message : "No passkey was used. Try again, or log in with your password."));
			return;
		}
		loggedIn(data);
	} }, "Log in with a passkey");
	return h("div", { class: "other-ways" },
		h("p", { class: "muted" }, "Or"),
		status,
		passkey,
		offered.providers.map((p) => h("a", { class: "button wide", href: p.login }, `Log in with ${p.name}`)));
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

	// A user who signed up with a provider or a passkey has no password: the
	// server asks for none to confirm a change, and this page offers to set one.
	const { data: { has_password: hasPassword } } = await api("GET", "/-/userprofile");
	const pwDone = h("div", { role: "status" }, passwordSet ? notice("ok", "Your password is set. Your other sessions have ended.") : null);
	passwordSet = false;
	const password = hasPassword ? form([
		field("current", { label: "Current password", type: "password", autocomplete: "current-password" }),
		field("password", { label: "New password", type: "password", autocomplete: "new-password", required: true }),
	], "Change password", async (v, _b, f) => {
		await api("PUT", "/-/password", { current: v.current, password: v.password });
		f.reset();
		pwDone.replaceChildren(notice("ok", "Your password is changed. Your other sessions have ended."));
	}) : form([
		field("password", { label: "New password", type: "password", autocomplete: "new-password", required: true,
			hint: "You sign in without one now; with one you can also log in with your e-mail address." }),
	], "Set password", async (v) => {
		await api("PUT", "/-/password", { password: v.password });
		passwordSet = true;
		announce("Your password is set");
		await render();
	});

	const mailDone = h("div", { role: "status" });
	const email = form([
		field("email", { label: "New e-mail address", type: "email", autocomplete: "email", required: true }),
		hasPassword && field("password", { label: "Your password", type: "password", autocomplete: "current-password", required: true }),
	], "Change e-mail address", async (v, _b, f) => {
		await api("PUT", "/-/email", hasPassword ? { email: v.email, password: v.password } : { email: v.email });
		f.reset();
		mailDone.replaceChildren(notice("ok", h("strong", {}, "Check your mail. "), `Follow the link we sent to ${v.email} to confirm the change.`));
	});

	const [offered, keys, ids] = await Promise.all([methods(), api("GET", "/-/passkeys"), api("GET", "/-/identities")]);
	const passkeys = passkeysSection(offered, keys.data);
	const identities = identitiesSection(offered, ids.data);

	const del = form([
		hasPassword && field("password", { label: "Password, to confirm", type: "password", autocomplete: "current-password", required: true }),
	], "Delete my account", async (v) => {
		if (!(await confirmDialog("Delete your account?", "Your account and its sessions are deleted for good.", "Delete"))) return;
		await api("POST", "/-/userprofile", hasPassword ? { password: v.password } : {});
		announce("Your account is deleted");
		location.hash = "#/signup";
	}, { submitClass: "danger" });

	const [{ data: sessions }, { data: totp }] = await Promise.all([api("GET", "/-/userprofile/sessions"), api("GET", "/-/userprofile/totp")]);

	showCards(gen, "Your profile",
		h("div", { class: "card" },
			h("div", { class: "page-head" }, h("h1", {}, "Your profile"), logout),
			h("p", {}, "Logged in as ", h("strong", {}, user.email), user.roles.length ? ` · roles: ${user.roles.join(", ")}` : ""),
			user.roles.includes("admin") && h("p", {}, h("a", { href: "/_/" }, "Open the admin console"))),
		section("Names", namesDone, names),
		section(hasPassword ? "Password" : "Set a password", pwDone, password),
		section("E-mail address", mailDone, email),
		passkeys,
		identities,
		section("Two-step verification", twoStep(totp, hasPassword)),
		section("Devices", devices(sessions, hasPassword)),
		section("Delete account", h("p", { class: "muted" }, "This cannot be undone."), del));
}

// devices lists the sessions of the user, each with a button that ends it.
function devices(sessions, hasPassword) {
	const status = h("div", { role: "status" });
	const rows = sessions.map((s) => {
		const end = h("button", { type: "button", class: s.current ? "" : "danger" }, s.current ? "Log out here" : "End");
		const row = h("li", { class: "device" },
			h("div", {}, h("strong", {}, s.user_agent || "Unknown device"), s.current ? h("span", { class: "muted" }, " (this device)") : null),
			h("div", { class: "muted" }, `Last used ${fmtDate(s.last_used)}${s.client_addr ? ` from ${s.client_addr}` : ""} · signed in ${fmtDate(s.created)}`),
			end);
		end.addEventListener("click", async () => {
			status.replaceChildren();
			try {
				await busy(end, api("DELETE", `/-/userprofile/sessions/${encodeURIComponent(s.id)}`));
			} catch (err) {
				status.replaceChildren(notice("error-box", err.message));
				return;
			}
			if (s.current) {
				announce("Logged out");
				location.hash = "#/login";
				return;
			}
			row.remove();
			status.replaceChildren(notice("ok", "The session has ended: that device is logged out."));
		});
		return row;
	});
	return h("div", {}, h("p", { class: "muted" }, `Where you are logged in. End a session you do not recognise${hasPassword ? ", then change your password" : ""}.`),
		status, h("ul", { class: "devices" }, rows));
}

// twoStep offers to turn the second factor on (secret, first code, recovery
// codes) or off.
function twoStep(totp, hasPassword) {
	const box = h("div");
	const off = () => {
		const f = form([
			hasPassword ? field("password", { label: "Password, to turn it on", type: "password", autocomplete: "current-password",
				hint: "Turning it on asks for a code from an authenticator app at each log-in." })
				: h("p", { class: "muted" }, "Turning it on asks for a code from an authenticator app at each sign-in."),
		], "Turn on two-step verification", async (v) => {
			const { data } = await api("POST", "/-/userprofile/totp", v.password ? { password: v.password } : {});
			const confirm = form([
				field("code", { label: "Code from the app", autocomplete: "one-time-code", required: true }),
			], "Confirm", async (c) => {
				const { data: done } = await api("PUT", "/-/userprofile/totp", { code: c.code.trim() });
				totp.enabled = true;
				totp.recovery_codes_left = done.recovery_codes.length;
				box.replaceChildren(notice("ok", h("strong", {}, "Two-step verification is on. "), "Save these recovery codes somewhere safe: each signs you in once if you lose your app. They are shown only now."),
					h("ul", { class: "codes" }, done.recovery_codes.map((rc) => h("li", {}, h("code", {}, rc)))),
					h("p", {}, h("button", { type: "button", onclick: () => { box.replaceChildren(...on()); } }, "I have saved them")));
				box.querySelector(".notice").tabIndex = -1;
				box.querySelector(".notice").focus();
			});
			box.replaceChildren(
				h("p", {}, "Add this account to your authenticator app: open the link on this device, or type the secret in."),
				h("p", {}, h("a", { href: data.url }, "Open in an authenticator app")),
				h("p", {}, "Secret: ", h("code", { class: "secret" }, data.secret)),
				confirm);
			confirm.querySelector("input").focus();
		});
		return [f];
	};
	const on = () => {
		const f = form([
			field("code", { label: "Code from the app, or a recovery code", autocomplete: "one-time-code" }),
			hasPassword && field("password", { label: "Or your password", type: "password", autocomplete: "current-password" }),
		], "Turn off two-step verification", async (v) => {
			const body = v.password ? { password: v.password } : /^[0-9]{6}$/.test(v.code.trim()) ? { code: v.code.trim() } : { recovery_code: v.code };
			if (v.password && v.code) {
				throw new ApiError(400, [{ location: "body", name: "password", description: "Give a code or the password, not both" }]);
			}
			await api("POST", "/-/userprofile/totp/disable", body);
			announce("Two-step verification is off");
			box.replaceChildren(notice("ok", "Two-step verification is off."), ...off());
		}, { submitClass: "danger" });
		return [h("p", {}, h("strong", {}, "On. "), `${totp.recovery_codes_left} recovery codes left.`), f];
	};
	box.replaceChildren(...(totp.enabled ? on() : off()));
	return box;
}

// passkeysSection lists the user's passkeys, each with a button that removes it,
// and adds one.
function passkeysSection(offered, keys) {
	if (!offered.passkeys || !passkeysSupported()) return null;
	const status = h("div", { role: "status" });
	const list = h("ul", { class: "plain-list" }, keys.map((k) => h("li", {},
		h("span", {}, h("strong", {}, k.name), ` · added ${fmtDate(k.created)}`, k.last_used ? ` · last used ${fmtDate(k.last_used)}` : ""),
		removeButton(`Remove passkey ${k.name}`, `/-/passkeys/${k.id}`, status))));
	const add = form([
		field("name", { label: "Name of the new passkey", value: "Passkey", hint: "Such as the device it is on" }),
	], "Add a passkey", async (v) => {
		try {
			await registerPasskey(v.name);
		} catch (err) {
			if (err instanceof ApiError) throw err;
			throw new Error("No passkey was made. Try again.");
		}
		announce("Passkey added");
		render();
	});
	return section("Passkeys", h("p", { class: "muted" }, "Log in with your device's screen lock or a security key instead of a password."),
		status, keys.length ? list : h("p", {}, "You have no passkeys."), add);
}

// identitiesSection lists the user's accounts at providers, each with a button
// that unlinks it, and links the providers.
function identitiesSection(offered, ids) {
	if (!offered.providers.length && !ids.length) return null;
	const status = h("div", { role: "status" });
	const list = h("ul", { class: "plain-list" }, ids.map((i) => h("li", {},
		h("span", {}, h("strong", {}, i.provider), i.email ? ` · ${i.email}` : ""),
		removeButton(`Unlink ${i.provider}${i.email ? ` (${i.email})` : ""}`, `/-/identities/${i.id}`, status, "Unlink"))));
	return section("Linked accounts", status, ids.length ? list : h("p", {}, "No accounts at other providers are linked."),
		links(...offered.providers.map((p) => h("a", { class: "button", href: p.link }, `Link ${p.name}`))));
}

// removeButton deletes path and shows the profile again; a refusal appears in status.
function removeButton(label, path, status, text = "Remove") {
	const b = h("button", { type: "button", class: "danger", "aria-label": label, onclick: async () => {
		status.replaceChildren();
		try {
			await busy(b, api("DELETE", path));
		} catch (err) {
			status.replaceChildren(notice("error-box", err.message));
			return;
		}
		announce(`${text}d`);
		render();
	} }, text);
	return b;
}

function section(title, ...children) {
	const id = `s-${title.toLowerCase().replace(/\W+/g, "-")}`;
	return h("section", { class: "card", "aria-labelledby": id }, h("h2", { id }, title), children);
}

window.addEventListener("hashchange", render);
render();
