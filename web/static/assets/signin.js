// Sign-in without a password: passkeys (WebAuthn through navigator.credentials)
// and the OpenID Connect providers, for the account pages.
import { api } from "./lib.js";

// methods returns what the server offers: {passkeys: bool, providers: [{name, login, link}]}.
export async function methods() {
	const { data } = await api("GET", "/-/signin");
	return data;
}

// passkeysSupported reports whether this browser can use passkeys.
export function passkeysSupported() {
	return typeof window.PublicKeyCredential === "function" && !!navigator.credentials;
}

function fromB64url(s) {
	const b64 = s.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((s.length + 3) % 4);
	return Uint8Array.from(atob(b64), (c) => c.charCodeAt(0)).buffer;
}

function toB64url(buf) {
	let s = "";
	for (const b of new Uint8Array(buf)) s += String.fromCharCode(b);
	return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

// creationOptions turns the server's JSON options into those create() takes.
function creationOptions(o) {
	const pk = { ...o.publicKey, challenge: fromB64url(o.publicKey.challenge), user: { ...o.publicKey.user, id: fromB64url(o.publicKey.user.id) } };
	if (pk.excludeCredentials) pk.excludeCredentials = pk.excludeCredentials.map((c) => ({ ...c, id: fromB64url(c.id) }));
	return { publicKey: pk };
}

// requestOptions turns the server's JSON options into those get() takes.
function requestOptions(o) {
	const pk = { ...o.publicKey, challenge: fromB64url(o.publicKey.challenge) };
	if (pk.allowCredentials) pk.allowCredentials = pk.allowCredentials.map((c) => ({ ...c, id: fromB64url(c.id) }));
	return { publicKey: pk };
}

// credentialJSON encodes a credential as PublicKeyCredential.toJSON() does.
function credentialJSON(c) {
	const r = c.response;
	const response = { clientDataJSON: toB64url(r.clientDataJSON) };
	if (r.attestationObject) {
		response.attestationObject = toB64url(r.attestationObject);
		if (r.getTransports) response.transports = r.getTransports();
	}
	if (r.authenticatorData) {
		response.authenticatorData = toB64url(r.authenticatorData);
		response.signature = toB64url(r.signature);
		if (r.userHandle) response.userHandle = toB64url(r.userHandle);
	}
	return { id: c.id, rawId: toB64url(c.rawId), type: c.type, response,
		clientExtensionResults: c.getClientExtensionResults ? c.getClientExtensionResults() : {},
		authenticatorAttachment: c.authenticatorAttachment || undefined };
}

// registerPasskey creates a passkey for the signed-in user and stores it under name.
export async function registerPasskey(name) {
	const { data: options } = await api("POST", "/-/webauthn/register/options", {});
	const cred = await navigator.credentials.create(creationOptions(options));
	const { data } = await api("POST", "/-/passkeys", { name, credential: credentialJSON(cred) });
	return data;
}

// signInWithPasskey signs in with a passkey the authenticator offers.
export async function signInWithPasskey() {
	const { data: options } = await api("POST", "/-/webauthn/login/options", {});
	const cred = await navigator.credentials.get(requestOptions(options));
	const { data } = await api("PUT", "/-/webauthn/login", { credential: credentialJSON(cred) });
	return data;
}

// signinErrors are the sentences of the reasons a sign-in with a provider failed.
export const signinErrors = {
	state: "The sign-in took too long or did not start here. Try again.",
	denied: "The sign-in was cancelled at the provider.",
	token: "The provider's answer could not be verified. Try again.",
	email: "The provider gave no usable e-mail address, or one of an account here that it has not verified. Log in to that account, then link the provider from your profile.",
	linked: "That account at the provider is linked to another account here.",
	inactive: "This account is deactivated.",
	session: "You were logged out before the link was made. Log in and try again.",
	unavailable: "The provider cannot be reached. Try again later.",
};
