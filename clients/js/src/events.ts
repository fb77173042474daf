// The change feed, GET /-/events: Server-Sent Events of the changes to items. In a
// browser without a bearer token it uses EventSource (the session cookie goes
// along, and it reconnects by itself); elsewhere, and with a token, it reads the
// stream with fetch and parses it, reconnecting with Last-Event-ID as EventSource
// does.

/** One event of the change feed. */
export type FeedEvent<I = unknown, U = unknown> =
  /** An item was created or changed: the item as a GET of it gives it now. */
  | { type: "create" | "update"; id: string; item: I }
  /** An item was deleted. */
  | { type: "delete"; id: string; item: { id: number; type: string } }
  /** Events were missed that have left the server's log: read the collections again. */
  | { type: "reload"; id: string }
  /** The caller's profile changed (also on another instance): the profile as it is now. */
  | { type: "profile-changed"; id: string; user: U }
  /** The caller's session ended: the feed is closed. */
  | { type: "session-ended" };

/** The options of a subscription. */
export interface SubscribeOptions {
  /** Only the item with this id. */
  id?: number | string;
  /** The id of the last event received before, to receive the events missed since. */
  lastEventId?: string;
  /**
   * Called each time the feed is open: every change from then on is delivered.
   * Read what the feed is to keep up to date after it, so that no change falls
   * in between.
   */
  onOpen?: () => void;
  /**
   * Called when the feed cannot be opened or fails. An error answer (such as a
   * 400 for an unknown collection) closes the feed; other failures (the network,
   * 429, 503) are retried after the delay the server advised.
   */
  onError?: (error: Error) => void;
  /** "eventsource" or "fetch"; by default EventSource where there is one and no token is set, else fetch. */
  transport?: "eventsource" | "fetch";
}

/** An open subscription. */
export interface Subscription {
  /** The id of the last event received, to resume with after close. */
  readonly lastEventId: string | undefined;
  /** Whether the feed is closed: by close, an error answer or the end of the session. */
  readonly closed: boolean;
  /** Closes the feed. */
  close(): void;
}

/** What a feed needs of its client. */
export interface FeedTransport {
  url: string;
  token: string | undefined;
  fetch: typeof fetch;
  /** Turns an error answer into an Error. */
  error: (response: Response) => Promise<Error>;
}

/** The kinds of event that the feed sends. */
const kinds = ["create", "update", "delete", "reload", "profile-changed", "session-ended"] as const;

/** The delay before reconnecting, until the server advises one (its default). */
const defaultRetry = 2000;

/** Opens the feed at t.url and passes its events to onEvent. */
export function openFeed<I, U>(t: FeedTransport, onEvent: (e: FeedEvent<I, U>) => void, options: SubscribeOptions): Subscription {
  const useEventSource =
    options.transport === "eventsource" || (options.transport === undefined && typeof EventSource !== "undefined" && !t.token);
  return useEventSource ? eventSourceFeed(t, onEvent, options) : fetchFeed(t, onEvent, options);
}

/** Turns a named event of the stream into a FeedEvent; undefined for a kind unknown to this client. */
function feedEvent<I, U>(type: string, id: string, data: string): FeedEvent<I, U> | undefined {
  switch (type) {
    case "create":
    case "update":
      return { type, id, item: JSON.parse(data) as I };
    case "delete":
      return { type, id, item: JSON.parse(data) as { id: number; type: string } };
    case "reload":
      return { type, id };
    case "profile-changed":
      return { type, id, user: JSON.parse(data) as U };
    case "session-ended":
      return { type };
  }
  return undefined;
}

function eventSourceFeed<I, U>(t: FeedTransport, onEvent: (e: FeedEvent<I, U>) => void, options: SubscribeOptions): Subscription {
  let lastEventId = options.lastEventId;
  let closed = false;
  const source = new EventSource(t.url, { withCredentials: true });
  const close = () => {
    closed = true;
    source.close();
  };
  for (const kind of kinds) {
    source.addEventListener(kind, (ev) => {
      const m = ev as MessageEvent<string>;
      if (m.lastEventId) lastEventId = m.lastEventId;
      const e = feedEvent<I, U>(kind, m.lastEventId, m.data);
      if (kind === "session-ended") close();
      if (e) onEvent(e);
    });
  }
  source.addEventListener("open", () => options.onOpen?.());
  source.addEventListener("error", () => {
    // EventSource tells no status: it reconnects by itself unless the answer was
    // an error, which closes it.
    if (source.readyState === EventSource.CLOSED) closed = true;
    options.onError?.(new Error(closed ? "the change feed was refused" : "the change feed was interrupted; reconnecting"));
  });
  return {
    get lastEventId() {
      return lastEventId;
    },
    get closed() {
      return closed;
    },
    close,
  };
}

function fetchFeed<I, U>(t: FeedTransport, onEvent: (e: FeedEvent<I, U>) => void, options: SubscribeOptions): Subscription {
  let lastEventId = options.lastEventId;
  let closed = false;
  let retry = defaultRetry;
  const abort = new AbortController();
  const close = () => {
    closed = true;
    abort.abort();
  };
  const wait = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      abort.signal.addEventListener("abort", () => {
        clearTimeout(timer);
        resolve();
      }, { once: true });
    });

  const run = async () => {
    while (!closed) {
      const headers: Record<string, string> = { Accept: "text/event-stream" };
      if (t.token) headers.Authorization = `Bearer ${t.token}`;
      if (lastEventId) headers["Last-Event-ID"] = lastEventId;
      let response: Response;
      try {
        response = await t.fetch(t.url, { headers, credentials: "include", signal: abort.signal, cache: "no-store" });
      } catch (e) {
        if (closed) return;
        options.onError?.(new Error(`the change feed could not be reached: ${(e as Error).message}`));
        await wait(retry);
        continue;
      }
      if (!response.ok) {
        const error = await t.error(response);
        const final = response.status !== 429 && response.status < 500;
        if (final) closed = true;
        options.onError?.(error);
        if (final) return;
        await wait(retry);
        continue;
      }
      options.onOpen?.();
      try {
        for await (const ev of parse(response.body!)) {
          if (ev.retry !== undefined) retry = ev.retry;
          if (ev.id !== undefined) lastEventId = ev.id;
          if (!ev.type) continue;
          const e = feedEvent<I, U>(ev.type, ev.id ?? lastEventId ?? "", ev.data);
          if (ev.type === "session-ended") close();
          if (e) onEvent(e);
          if (closed) return;
        }
      } catch (e) {
        if (closed) return;
        options.onError?.(new Error(`the change feed was interrupted: ${(e as Error).message}`));
      }
      // The stream ended (a shutdown, a lost connection): resume after the delay.
      await wait(retry);
    }
  };
  void run();
  return {
    get lastEventId() {
      return lastEventId;
    },
    get closed() {
      return closed;
    },
    close,
  };
}

/** One block of a stream of Server-Sent Events: its fields, or a retry advice alone. */
export interface ParsedEvent {
  /** The event's name (empty for a block without one, such as a retry advice). */
  type: string;
  data: string;
  /** The id field, when the block has one. */
  id?: string;
  /** The reconnection delay advised, in milliseconds. */
  retry?: number;
}

/**
 * Parses a stream of Server-Sent Events as the HTML standard reads them: lines
 * end with CRLF, LF or CR; a line beginning with a colon is a comment; data lines
 * join with LF; an empty line ends a block.
 */
export async function* parse(body: ReadableStream<Uint8Array>): AsyncGenerator<ParsedEvent> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  let ev: ParsedEvent = { type: "", data: "" };
  let data: string[] = [];
  let any = false;
  // A CR that ended the last chunk may be the first half of a CRLF.
  let skipLF = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      if (skipLF && buffer.startsWith("\n")) buffer = buffer.slice(1);
      skipLF = false;
      for (;;) {
        const end = buffer.search(/[\r\n]/);
        if (end < 0) break;
        const line = buffer.slice(0, end);
        let next = end + 1;
        if (buffer[end] === "\r") {
          if (next === buffer.length) skipLF = true;
          else if (buffer[next] === "\n") next++;
        }
        buffer = buffer.slice(next);
        if (line === "") {
          if (any) {
            ev.data = data.join("\n");
            yield ev;
          }
          ev = { type: "", data: "" };
          data = [];
          any = false;
          continue;
        }
        if (line.startsWith(":")) continue;
        const colon = line.indexOf(":");
        const field = colon < 0 ? line : line.slice(0, colon);
        let value = colon < 0 ? "" : line.slice(colon + 1);
        if (value.startsWith(" ")) value = value.slice(1);
        switch (field) {
          case "event":
            ev.type = value;
            any = true;
            break;
          case "data":
            data.push(value);
            any = true;
            break;
          case "id":
            if (!value.includes("\0")) {
              ev.id = value;
              any = true;
            }
            break;
          case "retry":
            if (/^\d+$/.test(value)) {
              ev.retry = Number(value);
              any = true;
            }
            break;
        }
      }
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}
