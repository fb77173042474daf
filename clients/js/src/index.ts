// A small typed client for backrest's JSON API, for browsers and Node 20+ (it uses
// the platform's fetch). The types come from the server's OpenAPI document
// (schema.ts, generated); this file holds the flows around them.
import type { components, paths } from "./schema.js";
import { openFeed, type FeedEvent, type SubscribeOptions, type Subscription } from "./events.js";
import { creationOptions, credentialJSON, requestOptions, type CreationOptionsJSON, type Credentials, type RequestOptionsJSON } from "./webauthn.js";

export type { components, paths };
export { parse, type FeedEvent, type ParsedEvent, type SubscribeOptions, type Subscription } from "./events.js";
export {
  creationOptions,
  credentialJSON,
  fromBase64url,
  requestOptions,
  toBase64url,
  type CreationOptionsJSON,
  type CredentialDescriptorJSON,
  type CredentialJSON,
  type Credentials,
  type RequestOptionsJSON,
} from "./webauthn.js";

/** A user as the API answers it. */
export type User = components["schemas"]["User"];
/** The caller's profile: the user, and whether it has a password (has_password). */
export type Profile = components["schemas"]["Profile"];
/** A stored file as the API answers it. */
export type StoredFile = components["schemas"]["File"];
/** One entry of an error answer. */
export interface FieldError {
  location: string;
  name: string;
  description: string;
}

/** The names of the collections in the paths P: /-/NAME with a list and a create. */
export type Collection<P = paths> = {
  [K in keyof P]: K extends `/-/${infer N}`
    ? N extends `${string}/${string}` | `${string}{${string}`
      ? never
      : P[K] extends { get: { responses: { 200: { content: { "application/json": unknown[] } } } }; post: unknown }
        ? N
        : never
    : never;
}[keyof P];

type Op<P, K, M extends string> = K extends keyof P ? (M extends keyof P[K] ? P[K][M] : never) : never;
type JSONBody<O> = O extends { requestBody?: { content: { "application/json": infer B } } } ? B : never;

/** An item of the collection C. */
export type Item<C extends Collection<P>, P = paths> =
  Op<P, `/-/${C}`, "get"> extends { responses: { 200: { content: { "application/json": (infer I)[] } } } } ? I : never;
/** The body that creates an item of the collection C. */
export type ItemInput<C extends Collection<P>, P = paths> = JSONBody<Op<P, `/-/${C}`, "post">>;
/** The body that changes an item of the collection C (the keys sent). */
export type ItemChange<C extends Collection<P>, P = paths> = JSONBody<Op<P, `/-/${C}/{id}`, "put">>;
type Query<C extends Collection<P>, P> =
  Op<P, `/-/${C}`, "get"> extends { parameters: { query?: infer Q } } ? NonNullable<Q> : never;
/** The query of a list of C: filters (a value, or several for any of them), sort, limit. */
export type ListQuery<C extends Collection<P>, P = paths> = {
  [K in keyof Query<C, P>]?: Query<C, P>[K] | Query<C, P>[K][];
};

/** A page of a list: its items, the total over all pages and the next page's URL. */
export interface Page<I> {
  items: I[];
  /** X-Total-Count: counted for a first page and carried by the cursor after it; undefined with total: false. */
  total: number | undefined;
  next: string | undefined;
  /** The cursor of the next page (the cursor parameter of next), to resume the listing later with the same query. */
  cursor: string | undefined;
}

/** The bounds of a range filter: greater than, at least, less than, at most. Dates are sent as RFC 3339. */
export interface Bounds<V = number | string | Date> {
  gt?: V;
  gte?: V;
  lt?: V;
  lte?: V;
}

/**
 * The query parameters of a range filter on a field, to spread into a list query:
 * `{ ...range("priority", { gte: 2, lt: 5 }) }` is `{ "priority.gte": 2, "priority.lt": 5 }`.
 */
export function range<F extends string, V extends number | string | Date>(field: F, bounds: Bounds<V>): { [K in `${F}.${keyof Bounds}`]?: V } {
  const out: Record<string, V> = {};
  for (const op of ["gt", "gte", "lt", "lte"] as const) {
    const v = bounds[op];
    if (v !== undefined) out[`${field}.${op}`] = v;
  }
  return out as { [K in `${F}.${keyof Bounds}`]?: V };
}

/** An error answer of the API, or a failure to reach it. */
export class BackrestError extends Error {
  /** The HTTP status; 0 when no answer arrived. */
  readonly status: number;
  /** The entries of the error answer. */
  readonly errors: FieldError[];

  constructor(status: number, errors: FieldError[], message?: string) {
    super(message ?? (errors.map((e) => `${e.name}: ${e.description}`).join("; ") || `HTTP ${status}`));
    this.name = "BackrestError";
    this.status = status;
    this.errors = errors;
  }

  /** Whether the call needs a session and the caller has none that works: log in (again). */
  get needsLogin(): boolean {
    return this.status === 403 && this.errors.some((e) => e.location === "header" && e.name === "authorization");
  }
}

/** A session: a device where the user is logged in. */
export type Session = components["schemas"]["Session"];
/** An identity at an OpenID Connect provider, linked to the user. */
export type Identity = components["schemas"]["Identity"];
/** A passkey (WebAuthn credential) of the user. */
export type Passkey = components["schemas"]["Passkey"];
/** The ways to sign in without a password that the server offers (GET /-/signin). */
export type SigninMethods = Answer<Op<paths, "/-/signin", "get">>;
/** An OpenID Connect provider users may sign in with, and the links that start a sign-in and a link. */
export type Provider = SigninMethods["providers"][number];

type Answer<O> = O extends { responses: { 200: { content: { "application/json": infer A } } } } ? A : never;

/**
 * Thrown by login and loginWithCode for a user with a second factor: no session
 * exists yet. completeLogin with pending and a code (or recovery code) finishes it.
 */
export class SecondFactorRequired extends Error {
  /** The pending login, to send back with the code. */
  readonly pending: string;
  /** When the pending login dies. */
  readonly expires: string;

  constructor(pending: string, expires: string) {
    super("second factor required");
    this.name = "SecondFactorRequired";
    this.pending = pending;
    this.expires = expires;
  }
}

type LoginAnswer = { status: string; user: User; token?: string; expires?: string; pending?: string };

/** The settings of a Client. */
export interface ClientOptions {
  /** The server's URL, such as http://127.0.0.1:8080; empty for the page's own origin. */
  baseUrl?: string;
  /** A session token to send as a bearer token (see login's token option). */
  token?: string;
  /** The fetch to use; the platform's by default. */
  fetch?: typeof fetch;
}

/** What upload sends: bytes, a Blob (or File), or a stream of bytes (such as a Node Readable). */
export type UploadBody = Blob | ArrayBuffer | Uint8Array | string | ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>;

/** Options of an upload. */
export interface UploadOptions {
  /** The file's name; a File's own name by default. */
  filename?: string;
  /** The content type; the Blob's by default. */
  contentType?: string;
  /** The body's size, for the progress of a stream. */
  size?: number;
  /** Called as bytes are sent: loaded so far, and the total when known. */
  onProgress?: (loaded: number, total: number | undefined) => void;
}

interface RequestOptions {
  query?: Record<string, unknown>;
  body?: unknown;
}

const isBrowser = typeof document !== "undefined";

/** A client of one backrest server. In a browser the session cookie is sent along. */
export class Client<P = paths> {
  /** The bearer token sent with each call, if any. */
  token: string | undefined;
  readonly baseUrl: string;
  private readonly fetch: typeof fetch;

  constructor(options: ClientOptions = {}) {
    this.baseUrl = (options.baseUrl ?? "").replace(/\/+$/, "");
    this.token = options.token;
    this.fetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  }

  /** Sends a call and answers its decoded JSON with the response. Error answers throw BackrestError. */
  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<{ data: T; response: Response }> {
    const headers: Record<string, string> = { Accept: "application/json" };
    let body: string | undefined;
    if (options.body !== undefined) {
      headers["Content-Type"] = "application/json";
      body = JSON.stringify(options.body);
    }
    const response = await this.send(this.url(path, options.query), { method, headers, body });
    return { data: (await decode(response)) as T, response };
  }

  /** Signs up: the server mails a confirmation link. */
  async signup(input: JSONBody<Op<paths, "/-/signup", "post">>): Promise<void> {
    await this.request("POST", "/-/signup", { body: input });
  }

  /**
   * Confirms a sign-up from its link (or the link's token), as an app that opens
   * the link itself does: the answer carries the session, whose token the client
   * keeps.
   */
  async confirmSignup(linkOrToken: string): Promise<{ user?: User; token?: string; expires?: string }> {
    const token = linkOrToken.includes("token=") ? new URL(linkOrToken).searchParams.get("token") ?? "" : linkOrToken;
    const { data } = await this.request<{ user?: User; token?: string; expires?: string }>("GET", "/-/signup", {
      query: { token, session: "token" },
    });
    if (data.token) this.token = data.token;
    return data;
  }

  /**
   * Logs in. The server sets its session cookie; with token (the default outside
   * browsers) the answer also carries the session's token, which the client then
   * sends as a bearer token.
   */
  async login(login: string, password: string, options: { token?: boolean } = {}): Promise<{ user: User; token?: string; expires?: string }> {
    const token = options.token ?? !isBrowser;
    return this.loggedIn("PUT", "/-/login", token ? { login, password, token } : { login, password });
  }

  /** Sends a call that logs in, keeps the session's token, and throws SecondFactorRequired for a pending login. */
  private async loggedIn(method: string, path: string, body: unknown): Promise<{ user: User; token?: string; expires?: string }> {
    const { data } = await this.request<LoginAnswer>(method, path, { body });
    if (data.status === "second_factor") throw new SecondFactorRequired(data.pending ?? "", data.expires ?? "");
    if (data.token) this.token = data.token;
    return { user: data.user, token: data.token, expires: data.expires };
  }

  /** Completes a pending login (see SecondFactorRequired) with a current code, or a recovery code. */
  async completeLogin(pending: string, proof: { code: string } | { recovery_code: string }, options: { token?: boolean } = {}): Promise<{ user: User; token?: string; expires?: string }> {
    const token = options.token ?? !isBrowser;
    return this.loggedIn("PUT", "/-/login/totp", { pending, ...proof, ...(token ? { token } : {}) });
  }

  /** Asks for a sign-in code and link by mail (the same answer whether the address has an account). */
  async requestLoginCode(email: string): Promise<void> {
    await this.request("POST", "/-/login/code", { body: { email } });
  }

  /** Signs in with a mailed code, or with the token of the mailed link ({ link }). */
  async loginWithCode(proof: { email: string; code: string } | { link: string }, options: { token?: boolean } = {}): Promise<{ user: User; token?: string; expires?: string }> {
    const token = options.token ?? !isBrowser;
    return this.loggedIn("PUT", "/-/login/code", { ...proof, ...(token ? { token } : {}) });
  }

  /** The caller's sessions (devices), the current one marked. */
  async sessions(): Promise<Session[]> {
    return (await this.request<Session[]>("GET", "/-/userprofile/sessions")).data;
  }

  /** Ends one of the caller's sessions. */
  async endSession(id: string): Promise<void> {
    await this.request("DELETE", `/-/userprofile/sessions/${encodeURIComponent(id)}`);
  }

  /** Begins enrolling a TOTP second factor: the secret and its otpauth URL, shown once. */
  async beginTOTP(password?: string): Promise<{ secret: string; url: string }> {
    return (await this.request<{ secret: string; url: string }>("POST", "/-/userprofile/totp", { body: password === undefined ? {} : { password } })).data;
  }

  /** Enables the second factor with its first code; answers the recovery codes, shown once. */
  async confirmTOTP(code: string): Promise<string[]> {
    return (await this.request<{ recovery_codes: string[] }>("PUT", "/-/userprofile/totp", { body: { code } })).data.recovery_codes;
  }

  /** Disables the second factor, proven by a code, a recovery code or the password. */
  async disableTOTP(proof: { code: string } | { recovery_code: string } | { password: string }): Promise<void> {
    await this.request("POST", "/-/userprofile/totp/disable", { body: proof });
  }

  /** The ways to sign in without a password: whether passkeys work, and the OpenID Connect providers. */
  async signinMethods(): Promise<SigninMethods> {
    return (await this.request<SigninMethods>("GET", "/-/signin")).data;
  }

  /**
   * The URL that signs in with the provider: a browser navigates to it (a page
   * load, not a fetch), goes through the provider and comes back to the server's
   * sign-in target with the session cookie (or to the second-factor target with a
   * pending login, or to the error target with the reason).
   */
  oidcLoginUrl(provider: string): string {
    return this.url(`/-/oidc/${encodeURIComponent(provider)}/login`);
  }

  /**
   * The URL that links an identity at the provider to the caller's account: like
   * oidcLoginUrl, for a browser signed in by cookie on a page of the server's own
   * site (a cross-site start is refused).
   */
  oidcLinkUrl(provider: string): string {
    return this.url(`/-/oidc/${encodeURIComponent(provider)}/link`);
  }

  /** The caller's identities at providers, oldest first. */
  async identities(): Promise<Identity[]> {
    return (await this.request<Identity[]>("GET", "/-/identities")).data;
  }

  /** Unlinks one of the caller's identities; a 409 when it is their last way to sign in. */
  async unlinkIdentity(id: number): Promise<void> {
    await this.request("DELETE", `/-/identities/${encodeURIComponent(id)}`);
  }

  /** The caller's passkeys, oldest first; a 404 when the server has no passkeys (see signinMethods). */
  async passkeys(): Promise<Passkey[]> {
    return (await this.request<Passkey[]>("GET", "/-/passkeys")).data;
  }

  /** Removes one of the caller's passkeys; a 409 when it is their last way to sign in. */
  async removePasskey(id: number): Promise<void> {
    await this.request("DELETE", `/-/passkeys/${encodeURIComponent(id)}`);
  }

  /**
   * Registers a passkey for the caller, in a browser: asks for the creation
   * options, lets the authenticator make the credential
   * (navigator.credentials.create, or options.credentials) and stores it under name.
   */
  async registerPasskey(name: string, options: { credentials?: Credentials } = {}): Promise<Passkey> {
    const credentials = credentialsOf(options);
    const { data: creation } = await this.request<CreationOptionsJSON>("POST", "/-/webauthn/register/options", { body: {} });
    const credential = await credentials.create(creationOptions(creation));
    if (!credential) throw new BackrestError(0, [], "no passkey was made");
    return (await this.request<Passkey>("POST", "/-/passkeys", { body: { name, credential: credentialJSON(credential as PublicKeyCredential) } })).data;
  }

  /**
   * Signs in with a passkey, in a browser: asks for the request options (naming no
   * user), lets the authenticator offer its passkeys (navigator.credentials.get, or
   * options.credentials) and sends the assertion. Like login: the token option,
   * and SecondFactorRequired for a user with a second factor.
   */
  async loginWithPasskey(options: { token?: boolean; credentials?: Credentials } = {}): Promise<{ user: User; token?: string; expires?: string }> {
    const credentials = credentialsOf(options);
    const { data: request } = await this.request<RequestOptionsJSON>("POST", "/-/webauthn/login/options", { body: {} });
    const credential = await credentials.get(requestOptions(request));
    if (!credential) throw new BackrestError(0, [], "no passkey was used");
    const token = options.token ?? !isBrowser;
    const body = { credential: credentialJSON(credential as PublicKeyCredential), ...(token ? { token } : {}) };
    return this.loggedIn("PUT", "/-/webauthn/login", body);
  }

  /** Logs out: ends the session and forgets its token. */
  async logout(): Promise<void> {
    await this.request("PUT", "/-/logout");
    this.token = undefined;
  }

  /** The caller's user, or undefined when not logged in. */
  async me(): Promise<User | undefined> {
    const { data } = await this.request<User & { authenticated: boolean }>("GET", "/-/login");
    if (!data.authenticated) return undefined;
    const { authenticated: _, ...user } = data;
    return user as User;
  }

  /** Asks for a password reset mail. */
  async requestReset(email: string): Promise<void> {
    await this.request("POST", "/-/reset/", { body: { email } });
  }

  /** Sets a new password with the token of a reset link. */
  async reset(token: string, password: string): Promise<void> {
    await this.request("PUT", `/-/reset/${encodeURIComponent(token)}`, { body: { password } });
  }

  /** The caller's profile, with has_password: false for a user who signed up with a provider or a passkey and set none. */
  async profile(): Promise<Profile> {
    return (await this.request<Profile>("GET", "/-/userprofile")).data;
  }

  /** Changes the caller's profile (the keys sent). */
  async updateProfile(change: JSONBody<Op<paths, "/-/userprofile", "put">>): Promise<void> {
    await this.request("PUT", "/-/userprofile", { body: change });
  }

  /** One page of a collection; page.next is the URL of the next page, if any. */
  async list<C extends Collection<P>>(collection: C, query: ListQuery<C, P> = {}): Promise<Page<Item<C, P>>> {
    return this.page<Item<C, P>>(this.url(`/-/${collection}`, query));
  }

  /** The page at a URL that a page's next gave. */
  async page<I>(url: string): Promise<Page<I>> {
    const response = await this.send(url, { method: "GET", headers: { Accept: "application/json" } });
    const items = (await decode(response)) as I[];
    const total = response.headers.get("X-Total-Count");
    const next = nextLink(response.headers.get("Link"));
    const cursor = next === undefined ? undefined : (new URL(next).searchParams.get("cursor") ?? undefined);
    return { items, total: total === null ? undefined : Number(total), next, cursor };
  }

  /**
   * The items of a collection whose text holds every word of text (a part of a word or more, regardless of case and
   * accents), with the rest of the query: one page.
   */
  async search<C extends Collection<P>>(collection: C, text: string, query: ListQuery<C, P> = {}): Promise<Page<Item<C, P>>> {
    return this.page<Item<C, P>>(this.url(`/-/${collection}`, { ...query, q: text }));
  }

  /** The pages of a collection matching the query, one after the other (by cursor, following Link rel=next). */
  async *pages<C extends Collection<P>>(collection: C, query: ListQuery<C, P> = {}): AsyncGenerator<Page<Item<C, P>>> {
    let page = await this.list(collection, query);
    for (;;) {
      yield page;
      if (!page.next) return;
      page = await this.page<Item<C, P>>(page.next);
    }
  }

  /** Every item of a collection matching the query, page after page (following Link rel=next). */
  async *all<C extends Collection<P>>(collection: C, query: ListQuery<C, P> = {}): AsyncGenerator<Item<C, P>> {
    let page = await this.list(collection, query);
    for (;;) {
      yield* page.items;
      if (!page.next) return;
      page = await this.page<Item<C, P>>(page.next);
    }
  }

  /** The item of the id. */
  async get<C extends Collection<P>>(collection: C, id: number | string): Promise<Item<C, P>> {
    return (await this.request<Item<C, P>>("GET", `/-/${collection}/${encodeURIComponent(id)}`)).data;
  }

  /** Creates an item. */
  async create<C extends Collection<P>>(collection: C, input: ItemInput<C, P>): Promise<Item<C, P>> {
    return (await this.request<Item<C, P>>("POST", `/-/${collection}`, { body: input })).data;
  }

  /** Changes an item (the keys sent). */
  async update<C extends Collection<P>>(collection: C, id: number | string, change: ItemChange<C, P>): Promise<Item<C, P>> {
    return (await this.request<Item<C, P>>("PUT", `/-/${collection}/${encodeURIComponent(id)}`, { body: change })).data;
  }

  /** Deletes an item. */
  async delete<C extends Collection<P>>(collection: C, id: number | string): Promise<void> {
    await this.request("DELETE", `/-/${collection}/${encodeURIComponent(id)}`);
  }

  /**
   * Follows the changes to the items of the collections (or, with options.id, to
   * one item) that the caller may view, from now or, with options.lastEventId,
   * from after that event: onEvent receives each one. The feed reconnects by
   * itself, resuming after the last event received, until close is called, an
   * error answer arrives (see options.onError) or the session ends.
   */
  subscribe<C extends Collection<P>>(
    collections: C | C[],
    onEvent: (event: FeedEvent<Item<C, P>, User>) => void,
    options: SubscribeOptions = {},
  ): Subscription {
    const types = (Array.isArray(collections) ? collections : [collections]).join(",");
    const url = this.url("/-/events", { types, id: options.id, lastEventId: options.lastEventId });
    return openFeed<Item<C, P>, User>({ url, token: this.token, fetch: this.fetch, error: (r) => decode(r).then(() => new BackrestError(r.status, []), (e: Error) => e) }, onEvent, options);
  }

  /**
   * Uploads a file. With onProgress, a browser sends it with XMLHttpRequest (whose
   * upload events count the bytes); elsewhere the bytes are counted as fetch reads
   * them from the body.
   */
  async upload(body: UploadBody, options: UploadOptions = {}): Promise<StoredFile> {
    const filename = options.filename ?? (typeof File !== "undefined" && body instanceof File ? body.name : undefined);
    const url = this.url("/-/files", filename ? { filename } : {});
    const contentType = options.contentType || (body instanceof Blob && body.type) || "application/octet-stream";
    const size = options.size ?? sizeOf(body);
    if (options.onProgress && typeof XMLHttpRequest !== "undefined" && !isStream(body)) {
      return this.xhrUpload(url, body as XMLHttpRequestBodyInit, contentType, options.onProgress);
    }
    let sent: BodyInit = body as BodyInit;
    if (isStream(body) || options.onProgress) {
      sent = counted(body, size, options.onProgress);
    }
    const headers: Record<string, string> = { Accept: "application/json", "Content-Type": contentType };
    const init: RequestInit & { duplex?: "half" } = { method: "POST", headers, body: sent };
    if (sent instanceof ReadableStream) init.duplex = "half";
    return (await decode(await this.send(url, init))) as StoredFile;
  }

  private xhrUpload(url: string, body: XMLHttpRequestBodyInit, contentType: string, onProgress: NonNullable<UploadOptions["onProgress"]>): Promise<StoredFile> {
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open("POST", url);
      xhr.withCredentials = true;
      xhr.setRequestHeader("Accept", "application/json");
      xhr.setRequestHeader("Content-Type", contentType);
      if (this.token) xhr.setRequestHeader("Authorization", `Bearer ${this.token}`);
      xhr.upload.onprogress = (e) => onProgress(e.loaded, e.lengthComputable ? e.total : undefined);
      xhr.onerror = () => reject(new BackrestError(0, [], "network error"));
      xhr.onload = () => {
        let data: unknown;
        try {
          data = JSON.parse(xhr.responseText);
        } catch {
          data = undefined;
        }
        if (xhr.status >= 200 && xhr.status < 300) resolve(data as StoredFile);
        else reject(errorOf(xhr.status, data));
      };
      xhr.send(body);
    });
  }

  /** The absolute URL of a path with a query; arrays repeat their parameter. */
  url(path: string, query: Record<string, unknown> = {}): string {
    const params = new URLSearchParams();
    for (const [name, value] of Object.entries(query)) {
      for (const v of Array.isArray(value) ? value : [value]) {
        if (v !== undefined && v !== null) params.append(name, v instanceof Date ? v.toISOString() : String(v));
      }
    }
    const q = params.toString();
    return this.baseUrl + path + (q ? `?${q}` : "");
  }

  private async send(url: string, init: RequestInit): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.token) headers.set("Authorization", `Bearer ${this.token}`);
    try {
      return await this.fetch(url, { ...init, headers, credentials: "include" });
    } catch (e) {
      throw new BackrestError(0, [], `network error: ${(e as Error).message}`);
    }
  }
}

function credentialsOf(options: { credentials?: Credentials }): Credentials {
  const c = options.credentials ?? (typeof navigator !== "undefined" ? navigator.credentials : undefined);
  if (!c) throw new BackrestError(0, [], "passkeys need a browser (navigator.credentials)");
  return c;
}

/** The URL of a Link header's rel="next". */
export function nextLink(link: string | null): string | undefined {
  for (const part of (link ?? "").split(",")) {
    const m = /<([^>]*)>\s*;\s*rel="?next"?/.exec(part);
    if (m) return m[1];
  }
  return undefined;
}

async function decode(response: Response): Promise<unknown> {
  const text = await response.text();
  let data: unknown;
  try {
    data = text ? JSON.parse(text) : undefined;
  } catch {
    data = undefined;
  }
  if (!response.ok) throw errorOf(response.status, data);
  return data;
}

function errorOf(status: number, data: unknown): BackrestError {
  const errors = (data as { errors?: FieldError[] } | undefined)?.errors;
  return new BackrestError(status, Array.isArray(errors) ? errors : []);
}

function isStream(body: UploadBody): body is ReadableStream<Uint8Array> | AsyncIterable<Uint8Array> {
  return body instanceof ReadableStream || (typeof body === "object" && body !== null && Symbol.asyncIterator in body);
}

function sizeOf(body: UploadBody): number | undefined {
  if (body instanceof Blob) return body.size;
  if (body instanceof ArrayBuffer || body instanceof Uint8Array) return body.byteLength;
  if (typeof body === "string") return new TextEncoder().encode(body).byteLength;
  return undefined;
}

/** A stream of the body's bytes that reports each chunk as it is read. */
function counted(body: UploadBody, total: number | undefined, onProgress?: UploadOptions["onProgress"]): ReadableStream<Uint8Array> {
  let source: AsyncIterator<Uint8Array>;
  if (body instanceof ReadableStream) {
    const reader = body.getReader();
    source = { next: () => reader.read() as Promise<IteratorResult<Uint8Array>> };
  } else if (isStream(body)) {
    source = body[Symbol.asyncIterator]();
  } else {
    const bytes =
      body instanceof Blob ? null : typeof body === "string" ? new TextEncoder().encode(body) : new Uint8Array(body as ArrayBuffer);
    source = bytes ? chunks(bytes) : (body as Blob).stream()[Symbol.asyncIterator]();
  }
  let loaded = 0;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { done, value } = await source.next();
      if (done) {
        controller.close();
        return;
      }
      const chunk = typeof value === "string" ? new TextEncoder().encode(value) : new Uint8Array(value);
      loaded += chunk.byteLength;
      controller.enqueue(chunk);
      onProgress?.(loaded, total);
    },
    async cancel(reason) {
      await source.return?.(reason);
    },
  });
}

async function* chunks(bytes: Uint8Array, size = 64 * 1024): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.byteLength; i += size) yield bytes.subarray(i, i + size);
}
