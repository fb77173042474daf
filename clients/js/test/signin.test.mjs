// The sign-in calls without a password against a real server whose base URL names
// a domain (localhost: passkeys work) and that has an OpenID Connect provider
// that cannot be reached. The passkey ceremony itself needs a browser's
// authenticator: here a stand-in for navigator.credentials checks the options it
// is given and answers a credential that does not verify.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { BackrestError, Client, fromBase64url, toBase64url } from "../dist/index.js";
import { freePort, start } from "../scripts/server.mjs";

let server;
let base;

before(async () => {
  const port = await freePort();
  base = `http://localhost:${port}`;
  server = await start({
    port,
    env: {
      BACKREST_BASE_URL: base,
      BACKREST_OIDC: "corp=http://127.0.0.1:9/realms/main,backrest,s3cret",
      BACKREST_ARGON2_MEMORY: "64",
      BACKREST_ARGON2_TIME: "1",
      BACKREST_LIMIT_SIGNUP_ADDR: "1000/1m",
    },
  });
});
after(() => server?.stop());

let n = 0;
/** A new active user with a client logged in by token. */
async function newUser() {
  const email = `signin${++n}@example.com`;
  const client = new Client({ baseUrl: server.url });
  await client.signup({ email, password: "a good password" });
  const line = await server.waitLog((l) => l.includes("mail written to outbox") && l.includes(`to=${email}`));
  await client.confirmSignup(line.match(/https?:\/\/[^\s\]"]*\/-\/signup\?token=[^\s\]"]*/)[0]);
  return { email, client };
}

/** Whether e is a BackrestError of the status naming the parameter. */
function naming(status, name) {
  return (e) => e instanceof BackrestError && e.status === status && e.errors.some((x) => x.name === name);
}

test("sign-in methods: passkeys and the providers, whose login URL the client builds", async () => {
  const client = new Client({ baseUrl: server.url });
  const methods = await client.signinMethods();
  assert.equal(methods.passkeys, true);
  assert.deepEqual(methods.providers, [{ name: "corp", login: `${base}/-/oidc/corp/login`, link: `${base}/-/oidc/corp/link` }]);
  assert.equal(client.oidcLoginUrl("corp"), `${server.url}/-/oidc/corp/login`);
  assert.equal(client.oidcLinkUrl("corp"), `${server.url}/-/oidc/corp/link`);

  // The provider cannot be reached: the browser would be sent to the error target with the reason.
  const res = await fetch(client.oidcLoginUrl("corp"), { redirect: "manual" });
  assert.equal(res.status, 302);
  assert.match(res.headers.get("Location"), /error=unavailable/);
  const unknown = await fetch(client.oidcLoginUrl("nobody"), { redirect: "manual" });
  assert.equal(unknown.status, 404);
});

test("identities: none for a user who signed up with a password; unlinking an unknown one is a 404", async () => {
  const { client } = await newUser();
  assert.deepEqual(await client.identities(), []);
  await assert.rejects(client.unlinkIdentity(987654), (e) => e instanceof BackrestError && e.status === 404);
  await assert.rejects(new Client({ baseUrl: server.url }).identities(), (e) => e instanceof BackrestError && e.needsLogin);
});

test("passkeys: none at first; removing an unknown one is a 404", async () => {
  const { client } = await newUser();
  assert.deepEqual(await client.passkeys(), []);
  await assert.rejects(client.removePasskey(987654), (e) => e instanceof BackrestError && e.status === 404);
  await assert.rejects(new Client({ baseUrl: server.url }).passkeys(), (e) => e instanceof BackrestError && e.needsLogin);
});

/** A credential of made-up bytes, as navigator.credentials would answer one. */
function madeUp(response) {
  const rawId = new Uint8Array([1, 2, 3, 250, 251, 252]).buffer;
  return {
    id: toBase64url(rawId),
    rawId,
    type: "public-key",
    response: { clientDataJSON: new TextEncoder().encode('{"type":"webauthn.get"}').buffer, ...response },
    getClientExtensionResults: () => ({}),
    authenticatorAttachment: "platform",
  };
}

test("passkey sign-in: the options reach the authenticator as bytes; an assertion that does not verify is a 400 naming credential", async () => {
  const client = new Client({ baseUrl: server.url });
  let given;
  const credentials = {
    create: () => assert.fail("create called"),
    get: async (options) => {
      given = options.publicKey;
      return madeUp({ authenticatorData: new Uint8Array(37).buffer, signature: new Uint8Array([9, 9]).buffer, userHandle: new Uint8Array([7]).buffer });
    },
  };
  await assert.rejects(client.loginWithPasskey({ credentials }), naming(400, "credential"));
  assert.ok(given.challenge instanceof ArrayBuffer && given.challenge.byteLength >= 16);
  assert.equal(given.rpId, "localhost");
  assert.equal(client.token, undefined);
});

test("passkey registration: the creation options reach the authenticator as bytes; a credential that does not verify is a 400 naming credential", async () => {
  const { email, client } = await newUser();
  let given;
  const credentials = {
    create: async (options) => {
      given = options.publicKey;
      return madeUp({ attestationObject: new Uint8Array([0xa0]).buffer, getTransports: () => ["internal"] });
    },
    get: () => assert.fail("get called"),
  };
  await assert.rejects(client.registerPasskey("laptop", { credentials }), naming(400, "credential"));
  assert.ok(given.challenge instanceof ArrayBuffer && given.challenge.byteLength >= 16);
  assert.ok(given.user.id instanceof ArrayBuffer && given.user.id.byteLength > 0);
  assert.equal(given.user.name, email);
  assert.equal(given.rp.id, "localhost");
  assert.deepEqual(await client.passkeys(), []);
});

test("passkeys outside a browser, without a stand-in, fail before any call", async () => {
  const client = new Client({ baseUrl: server.url });
  await assert.rejects(client.loginWithPasskey(), (e) => e instanceof BackrestError && e.status === 0 && /browser/.test(e.message));
});

test("base64url: the conversions of the ceremony", () => {
  const bytes = new Uint8Array([0, 1, 2, 0xfb, 0xff, 0xfe, 0x3e, 0x3f]);
  const s = toBase64url(bytes);
  assert.equal(s, "AAEC-__-Pj8");
  assert.deepEqual(new Uint8Array(fromBase64url(s)), bytes);
  assert.deepEqual(new Uint8Array(fromBase64url("AAEC-__-Pj8=")), bytes);
  assert.equal(toBase64url(new Uint8Array(0)), "");
  assert.equal(toBase64url(bytes.subarray(3, 5)), "-_8");
});
