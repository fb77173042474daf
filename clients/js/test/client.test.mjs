// The client against a real server: built from this repository, started on a free
// port of 127.0.0.1 and stopped by its process id.
import assert from "node:assert/strict";
import { request as httpRequest } from "node:http";
import { Readable } from "node:stream";
import { after, before, test } from "node:test";
import { BackrestError, Client, SecondFactorRequired, parse, range } from "../dist/index.js";
import { start } from "../scripts/server.mjs";

const devOrigin = "http://localhost:5173";
let server;

before(async () => {
  server = await start({
    env: {
      BACKREST_CORS_ORIGINS: devOrigin,
      BACKREST_ARGON2_MEMORY: "64",
      BACKREST_ARGON2_TIME: "1",
      BACKREST_LIMIT_SIGNUP_ADDR: "1000/1m",
      BACKREST_LIMIT_RESET_ADDR: "1000/1m",
    },
  });
});
after(() => server?.stop());

/** The link to path of the mail the server wrote to the address. */
async function mailedLink(to, path) {
  const line = await server.waitLog((l) => l.includes("mail written to outbox") && l.includes(`to=${to}`) && l.includes(path));
  return line.match(new RegExp(`https?://[^\\s\\]"]*${path.replace(/[?]/g, "\\?")}[^\\s\\]"]*`))[0];
}

let n = 0;
/** A new active user with a client logged in by token. */
async function newUser() {
  const email = `user${++n}@example.com`;
  const client = new Client({ baseUrl: server.url });
  await client.signup({ email, password: "a good password" });
  await client.confirmSignup(await mailedLink(email, "/-/signup?token="));
  return { email, client };
}

test("sign-up, confirmation by token, profile and logout", async () => {
  const email = "ann@example.com";
  const client = new Client({ baseUrl: server.url });
  await client.signup({ email, password: "a good password", firstname: "Ann" });
  assert.equal(await client.me(), undefined);
  const confirmed = await client.confirmSignup(await mailedLink(email, "/-/signup?token="));
  assert.equal(confirmed.user.email, email);
  assert.equal(client.token, confirmed.token);
  assert.equal((await client.me()).email, email);
  await client.updateProfile({ lastname: "Smith" });
  const profile = await client.profile();
  assert.equal(profile.firstname, "Ann");
  assert.equal(profile.lastname, "Smith");
  assert.equal(profile.has_password, true);
  await client.logout();
  assert.equal(client.token, undefined);
  assert.equal(await client.me(), undefined);
});

test("login by token; a stale token asks to log in again", async () => {
  const { email } = await newUser();
  const client = new Client({ baseUrl: server.url });
  await assert.rejects(client.login(email, "wrong password"), (e) => e instanceof BackrestError && e.status === 400);
  const { user, token, expires } = await client.login(email, "a good password");
  assert.equal(user.email, email);
  assert.ok(token && Date.parse(expires) > Date.now());
  const other = new Client({ baseUrl: server.url, token });
  assert.equal((await other.profile()).email, email);
  await other.logout();
  await assert.rejects(client.profile(), (e) => {
    assert.ok(e instanceof BackrestError && e.needsLogin);
    assert.equal(e.status, 403);
    assert.equal(e.errors[0].description, "Session expired or unknown: log in again");
    return true;
  });
});

test("password reset", async () => {
  const { email } = await newUser();
  const client = new Client({ baseUrl: server.url });
  await client.requestReset(email);
  const link = await mailedLink(email, "/-/reset/");
  await client.reset(link.split("/-/reset/")[1], "another good password");
  await assert.rejects(client.login(email, "a good password"), BackrestError);
  assert.equal((await client.login(email, "another good password")).user.email, email);
});

test("items: create, filter, page after page, change, delete", async () => {
  const { client } = await newUser();
  const me = await client.profile();
  for (let i = 0; i < 7; i++) {
    await client.create("documents", { title: `doc ${i}`, slug: `doc-${i}`, priority: i, status: i % 2 ? "published" : "draft" });
  }
  const first = await client.list("documents", { owner: me.id, limit: 3, sort: "priority" });
  assert.equal(first.total, 7);
  assert.deepEqual(first.items.map((d) => d.priority), [0, 1, 2]);
  assert.ok(first.next);
  const all = [];
  for await (const d of client.all("documents", { owner: me.id, limit: 3, sort: "priority" })) all.push(d.priority);
  assert.deepEqual(all, [0, 1, 2, 3, 4, 5, 6]);
  const published = await client.list("documents", { owner: me.id, status: "published", sort: "priority" });
  assert.deepEqual(published.items.map((d) => d.priority), [1, 3, 5]);
  assert.equal(published.next, undefined);
  const some = await client.list("documents", { owner: me.id, priority: [2, 4], sort: "-priority" });
  assert.deepEqual(some.items.map((d) => d.slug), ["doc-4", "doc-2"]);
  const doc = first.items[0];
  assert.equal((await client.update("documents", doc.id, { title: "changed" })).title, "changed");
  assert.equal((await client.get("documents", doc.id)).title, "changed");
  await client.delete("documents", doc.id);
  await assert.rejects(client.get("documents", doc.id), (e) => e.status === 404);
  await assert.rejects(client.list("documents", { sort: "nonsense" }), (e) => e.status === 400 && e.errors[0].name === "sort");
});

test("items: range filters, search and paging by cursor", async () => {
  const { client } = await newUser();
  const me = await client.profile();
  const day = (i) => new Date(Date.UTC(2026, 0, 1 + i));
  for (let i = 0; i < 9; i++) {
    await client.create("documents", {
      title: i % 3 ? `Crème brûlée ${i}` : `Plain ${i}`, slug: `r-${i}`, priority: i, published_at: day(i).toISOString(),
    });
  }
  const mine = { owner: me.id, sort: "priority" };
  const mid = await client.list("documents", { ...mine, ...range("priority", { gte: 2, lt: 5 }) });
  assert.deepEqual(mid.items.map((d) => d.priority), [2, 3, 4]);
  assert.equal(mid.total, 3);
  const dated = await client.list("documents", { ...mine, ...range("published_at", { gt: day(6) }) });
  assert.deepEqual(dated.items.map((d) => d.priority), [7, 8]);

  const found = await client.search("documents", "CREME brulee", { ...mine, ...range("priority", { lte: 5 }) });
  assert.deepEqual(found.items.map((d) => d.priority), [1, 2, 4, 5]);

  // Pages by cursor, without counting; a page's cursor resumes the listing later.
  const seen = [];
  let cursor;
  for await (const page of client.pages("documents", { ...mine, limit: 2, total: false })) {
    assert.equal(page.total, undefined);
    seen.push(...page.items.map((d) => d.priority));
    cursor ??= page.cursor;
  }
  assert.deepEqual(seen, [0, 1, 2, 3, 4, 5, 6, 7, 8]);
  const resumed = await client.list("documents", { ...mine, limit: 3, cursor });
  assert.deepEqual(resumed.items.map((d) => d.priority), [2, 3, 4]);
  assert.equal(resumed.total, 9); // the walk did not count: this page does
  await assert.rejects(client.list("documents", { ...mine, sort: "-priority", cursor }), (e) => e.status === 400 && e.errors[0].name === "cursor");
  await assert.rejects(client.list("documents", { "priority.gte": "high" }), (e) => e.status === 400 && e.errors[0].name === "priority.gte");
  await assert.rejects(client.search("documents", " "), (e) => e.status === 400 && e.errors[0].name === "q");
});

test("uploads with progress: bytes and a Node stream", async () => {
  const { client } = await newUser();
  const bytes = new Uint8Array(300 * 1024).map((_, i) => i % 251);
  const seen = [];
  const f = await client.upload(bytes, { filename: "bytes.bin", onProgress: (loaded, total) => seen.push([loaded, total]) });
  assert.equal(f.size, bytes.byteLength);
  assert.equal(f.filename, "bytes.bin");
  assert.ok(seen.length > 1);
  assert.deepEqual(seen.at(-1), [bytes.byteLength, bytes.byteLength]);
  assert.deepEqual(new Uint8Array(await (await fetch(f.url, { headers: { Authorization: `Bearer ${client.token}` } })).arrayBuffer()), bytes);

  let loaded = 0;
  const stream = Readable.from(["hello ", "from ", "a stream"].map((s) => Buffer.from(s)));
  const g = await client.upload(stream, { filename: "hello.txt", contentType: "text/plain", onProgress: (l) => (loaded = l) });
  assert.equal(g.size, 19);
  assert.equal(loaded, 19);
  assert.equal(g.mimetype.split(";")[0], "text/plain");
});

test("a Vite dev server's origin: preflight and credentialed calls, others refused", async () => {
  const { client } = await newUser();
  const browser = { Origin: devOrigin, "Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "cors" };
  const pre = await fetch(server.url + "/-/userprofile", {
    method: "OPTIONS",
    headers: { ...browser, "Access-Control-Request-Method": "PUT", "Access-Control-Request-Headers": "authorization,content-type" },
  });
  assert.equal(pre.status, 204);
  assert.equal(pre.headers.get("access-control-allow-origin"), devOrigin);
  assert.equal(pre.headers.get("access-control-allow-credentials"), "true");
  assert.match(pre.headers.get("access-control-allow-methods"), /\bPUT\b/);
  assert.match(pre.headers.get("access-control-allow-headers").toLowerCase(), /authorization/);
  assert.ok(Number(pre.headers.get("access-control-max-age")) > 0);
  assert.match(pre.headers.get("vary"), /Origin/);

  const put = (origin) =>
    fetch(server.url + "/-/userprofile", {
      method: "PUT",
      headers: { ...browser, Origin: origin, Authorization: `Bearer ${client.token}`, "Content-Type": "application/json" },
      body: JSON.stringify({ firstname: origin }),
    });
  const ok = await put(devOrigin);
  assert.equal(ok.status, 200);
  assert.equal(ok.headers.get("access-control-allow-origin"), devOrigin);
  assert.equal((await client.profile()).firstname, devOrigin);

  const refused = await put("http://localhost:5174");
  assert.equal(refused.status, 403);
  assert.equal(refused.headers.get("access-control-allow-origin"), null);
  assert.equal((await refused.json()).errors[0].description, "Cross-origin request refused");
  assert.equal((await client.profile()).firstname, devOrigin);
});

/**
 * The part of a browser's XMLHttpRequest that the client's uploads use, over
 * node:http: it sends the body in chunks and reports each one as the upload's
 * progress once the socket has taken it, as a browser does.
 */
class NodeXHR {
  static sent = 0;
  upload = {};
  headers = {};
  open(method, url) {
    this.method = method;
    this.url = url;
  }
  setRequestHeader(name, value) {
    this.headers[name] = value;
  }
  async send(body) {
    NodeXHR.sent++;
    const bytes = body instanceof Blob ? new Uint8Array(await body.arrayBuffer()) : new Uint8Array(body);
    const req = httpRequest(this.url, { method: this.method, headers: { ...this.headers, "Content-Length": bytes.byteLength } }, (res) => {
      let text = "";
      res.setEncoding("utf8").on("data", (d) => (text += d));
      res.on("end", () => {
        this.status = res.statusCode;
        this.responseText = text;
        this.onload();
      });
    });
    req.on("error", () => this.onerror());
    const chunk = 64 * 1024;
    for (let i = 0; i < bytes.byteLength; i += chunk) {
      const part = bytes.subarray(i, i + chunk);
      await new Promise((ok) => req.write(part, ok));
      this.upload.onprogress?.({ loaded: i + part.byteLength, total: bytes.byteLength, lengthComputable: true });
    }
    req.end();
  }
}

test("uploads with progress in a browser: XMLHttpRequest's upload events", async (t) => {
  const { client } = await newUser();
  globalThis.XMLHttpRequest = NodeXHR;
  t.after(() => delete globalThis.XMLHttpRequest);
  const blob = new Blob([new Uint8Array(200 * 1024).fill(7)], { type: "application/octet-stream" });
  const seen = [];
  const f = await client.upload(blob, { filename: "blob.bin", onProgress: (loaded, total) => seen.push([loaded, total]) });
  assert.equal(f.size, blob.size);
  assert.ok(seen.length > 1);
  assert.deepEqual(seen.at(-1), [blob.size, blob.size]);
  assert.equal(NodeXHR.sent, 1);
  // An error answer rejects with the API's error.
  const anonymous = new Client({ baseUrl: server.url });
  await assert.rejects(anonymous.upload(new Blob(["small"]), { onProgress: () => {} }), (e) => e instanceof BackrestError && e.needsLogin);
});

/** The TOTP code (RFC 6238: SHA-1, 6 digits, 30 s) of a base32 secret at time ms. */
async function totpCode(secret, ms = Date.now()) {
  const { createHmac } = await import("node:crypto");
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = "";
  for (const c of secret.replace(/=+$/, "")) bits += alphabet.indexOf(c).toString(2).padStart(5, "0");
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(ms / 30000)));
  const mac = createHmac("sha1", key).update(counter).digest();
  const o = mac[mac.length - 1] & 0xf;
  return String((mac.readUInt32BE(o) & 0x7fffffff) % 1000000).padStart(6, "0");
}

test("devices: list the sessions and end another", async () => {
  const { email, client } = await newUser();
  const other = new Client({ baseUrl: server.url });
  await other.login(email, "a good password");
  const sessions = await client.sessions();
  assert.equal(sessions.length, 2);
  const theirs = sessions.find((s) => !s.current);
  await client.endSession(theirs.id);
  await assert.rejects(other.profile(), (e) => e instanceof BackrestError && e.status === 403);
  assert.equal((await client.sessions()).length, 1);
});

test("second factor: login throws SecondFactorRequired, a code completes it", async () => {
  const { email, client } = await newUser();
  const { secret, url } = await client.beginTOTP("a good password");
  assert.match(url, /^otpauth:\/\/totp\//);
  const codes = await client.confirmTOTP(await totpCode(secret));
  assert.equal(codes.length, 10);
  const again = new Client({ baseUrl: server.url });
  const pending = await again.login(email, "a good password").then(
    () => assert.fail("logged in without the second factor"),
    (e) => e,
  );
  assert.ok(pending instanceof SecondFactorRequired);
  const { user } = await again.completeLogin(pending.pending, { recovery_code: codes[0] });
  assert.equal(user.email, email);
  assert.equal((await again.me()).email, email);
});

test("sign-in by mailed link", async () => {
  const { email } = await newUser();
  const client = new Client({ baseUrl: server.url });
  await client.requestLoginCode(email);
  const link = await mailedLink(email, "/-/login/code/");
  const { user } = await client.loginWithCode({ link: decodeURIComponent(link.split("/-/login/code/")[1]) });
  assert.equal(user.email, email);
  assert.equal((await client.me()).email, email);
});

/** The events of a subscription, in order: next() waits for the next one. */
function eventQueue() {
  const events = [];
  let wake = () => {};
  let read = 0;
  return {
    push(e) {
      events.push(e);
      wake();
    },
    async next() {
      while (read === events.length) await new Promise((resolve) => (wake = resolve));
      return events[read++];
    },
  };
}

/** Subscribes and resolves once the feed is open. */
function subscribed(client, collections, options = {}) {
  const events = eventQueue();
  const errors = [];
  return new Promise((resolve) => {
    const sub = client.subscribe(collections, events.push, {
      ...options,
      onOpen: () => resolve({ sub, events, errors }),
      onError: (e) => {
        errors.push(e);
        if (sub.closed) resolve({ sub, events, errors });
      },
    });
  });
}

test("change feed: items, one item, resuming after the last event, profile changes and the session's end", async () => {
  const { client } = await newUser();
  const { sub, events } = await subscribed(client, "documents");
  const doc = await client.create("documents", { title: "live", slug: "live" });
  let e = await events.next();
  assert.equal(e.type, "create");
  assert.equal(e.item.id, doc.id);
  assert.equal(e.item.title, "live");
  await client.update("documents", doc.id, { title: "changed" });
  e = await events.next();
  assert.equal(e.type, "update");
  assert.equal(e.item.title, "changed");
  assert.equal(sub.lastEventId, e.id);
  const seen = sub.lastEventId;
  sub.close();
  assert.ok(sub.closed);

  // Changes made while closed arrive when resuming after the last event seen.
  const a = await client.create("documents", { title: "a", slug: "a" });
  await client.delete("documents", doc.id);
  const resumed = await subscribed(client, ["documents", "announcements"], { lastEventId: seen });
  e = await resumed.events.next();
  assert.equal(e.type, "create");
  assert.equal(e.item.id, a.id);
  e = await resumed.events.next();
  assert.deepEqual([e.type, e.item], ["delete", { id: doc.id, type: "document" }]);
  assert.ok(Number(e.id) > Number(seen));

  // One item only.
  const one = await subscribed(client, "documents", { id: a.id });
  const b = await client.create("documents", { title: "b", slug: "b" });
  await client.update("documents", a.id, { title: "a2" });
  e = await one.events.next();
  assert.deepEqual([e.type, e.item.id, e.item.title], ["update", a.id, "a2"]);
  assert.equal((await resumed.events.next()).item.id, b.id);
  assert.equal((await resumed.events.next()).item.title, "a2");
  one.sub.close();

  await client.updateProfile({ firstname: "Zed" });
  e = await resumed.events.next();
  assert.equal(e.type, "profile-changed");
  assert.equal(e.user.firstname, "Zed");

  await client.logout();
  assert.deepEqual(await resumed.events.next(), { type: "session-ended" });
  assert.ok(resumed.sub.closed);
});

test("change feed: an error answer closes the feed with the API's error", async () => {
  const { client } = await newUser();
  const { sub, errors } = await subscribed(client, "nonsense");
  assert.ok(sub.closed);
  assert.ok(errors[0] instanceof BackrestError);
  assert.equal(errors[0].status, 400);
  assert.equal(errors[0].errors[0].name, "types");
  const bad = await subscribed(client, "documents", { lastEventId: "x" });
  assert.equal(bad.errors[0].errors[0].name, "Last-Event-ID");
});

test("change feed: the parser reads Server-Sent Events split anywhere, with any line ending", async () => {
  const text = ": hello\r\nretry: 5\r\n\r\nid: 7\revent: create\ndata: {\"a\":\r\ndata: 1}\n\nevent: x\ndata\n\n";
  const bytes = new TextEncoder().encode(text);
  for (const size of [1, 2, 3, 7, bytes.length]) {
    const body = new ReadableStream({
      start(c) {
        for (let i = 0; i < bytes.length; i += size) c.enqueue(bytes.slice(i, i + size));
        c.close();
      },
    });
    const got = [];
    for await (const ev of parse(body)) got.push(ev);
    assert.deepEqual(got, [
      { type: "", data: "", retry: 5 },
      { type: "create", data: '{"a":\n1}', id: "7" },
      { type: "x", data: "" },
    ], `chunks of ${size}`);
  }
});
