// The browser's side of a passkey ceremony: the server's options are JSON, with
// binary values in base64url; navigator.credentials takes and gives ArrayBuffers.

/** A credential's descriptor in JSON options: its id in base64url. */
export interface CredentialDescriptorJSON {
  type: string;
  id: string;
  transports?: string[];
}

/** The options of POST /-/webauthn/register/options: navigator.credentials.create's, binary values in base64url. */
export interface CreationOptionsJSON {
  publicKey: {
    challenge: string;
    user: { id: string; name: string; displayName: string };
    excludeCredentials?: CredentialDescriptorJSON[];
    [key: string]: unknown;
  };
}

/** The options of POST /-/webauthn/login/options: navigator.credentials.get's, binary values in base64url. */
export interface RequestOptionsJSON {
  publicKey: {
    challenge: string;
    allowCredentials?: CredentialDescriptorJSON[];
    [key: string]: unknown;
  };
}

/** A credential as PublicKeyCredential.toJSON() gives it: what the server verifies. */
export interface CredentialJSON {
  id: string;
  rawId: string;
  type: string;
  response: {
    clientDataJSON: string;
    attestationObject?: string;
    transports?: string[];
    authenticatorData?: string;
    signature?: string;
    userHandle?: string;
  };
  clientExtensionResults: Record<string, unknown>;
  authenticatorAttachment?: string;
}

/** The part of navigator.credentials that a ceremony uses; another one (such as a test's) can stand in. */
export interface Credentials {
  create(options: CredentialCreationOptions): Promise<Credential | null>;
  get(options: CredentialRequestOptions): Promise<Credential | null>;
}

/** Decodes base64url (with or without padding) into bytes. */
export function fromBase64url(s: string): ArrayBuffer {
  const b64 = s.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((s.length + 3) % 4);
  return Uint8Array.from(atob(b64), (c) => c.charCodeAt(0)).buffer;
}

/** Encodes bytes as base64url without padding. */
export function toBase64url(bytes: ArrayBuffer | ArrayBufferView): string {
  const view = bytes instanceof ArrayBuffer ? new Uint8Array(bytes) : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let s = "";
  for (const b of view) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function descriptors(list: CredentialDescriptorJSON[] | undefined): PublicKeyCredentialDescriptor[] | undefined {
  return list?.map((c) => ({ type: c.type as PublicKeyCredentialType, id: fromBase64url(c.id), transports: c.transports as AuthenticatorTransport[] | undefined }));
}

/** The options navigator.credentials.create takes, from the server's JSON ones. */
export function creationOptions(o: CreationOptionsJSON): CredentialCreationOptions {
  const { challenge, user, excludeCredentials, ...rest } = o.publicKey;
  const publicKey = { ...rest, challenge: fromBase64url(challenge), user: { ...user, id: fromBase64url(user.id) } } as unknown as PublicKeyCredentialCreationOptions;
  if (excludeCredentials) publicKey.excludeCredentials = descriptors(excludeCredentials);
  return { publicKey };
}

/** The options navigator.credentials.get takes, from the server's JSON ones. */
export function requestOptions(o: RequestOptionsJSON): CredentialRequestOptions {
  const { challenge, allowCredentials, ...rest } = o.publicKey;
  const publicKey = { ...rest, challenge: fromBase64url(challenge) } as unknown as PublicKeyCredentialRequestOptions;
  if (allowCredentials) publicKey.allowCredentials = descriptors(allowCredentials);
  return { publicKey };
}

type AnyResponse = AuthenticatorResponse & {
  attestationObject?: ArrayBuffer;
  getTransports?: () => string[];
  authenticatorData?: ArrayBuffer;
  signature?: ArrayBuffer;
  userHandle?: ArrayBuffer | null;
};

/** Encodes a credential that navigator.credentials gave as PublicKeyCredential.toJSON() does. */
export function credentialJSON(c: PublicKeyCredential): CredentialJSON {
  const r = c.response as AnyResponse;
  const response: CredentialJSON["response"] = { clientDataJSON: toBase64url(r.clientDataJSON) };
  if (r.attestationObject) {
    response.attestationObject = toBase64url(r.attestationObject);
    if (r.getTransports) response.transports = r.getTransports();
  }
  if (r.authenticatorData) {
    response.authenticatorData = toBase64url(r.authenticatorData);
    if (r.signature) response.signature = toBase64url(r.signature);
    if (r.userHandle) response.userHandle = toBase64url(r.userHandle);
  }
  return {
    id: c.id,
    rawId: toBase64url(c.rawId),
    type: c.type,
    response,
    clientExtensionResults: (c.getClientExtensionResults?.() ?? {}) as Record<string, unknown>,
    authenticatorAttachment: c.authenticatorAttachment ?? undefined,
  };
}
