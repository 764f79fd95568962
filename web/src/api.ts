// Typed client for the contest server's HTTP API (docs/api.md).
//
// Every request goes to the same origin with the session cookie; every POST carries the
// session's CSRF token in the `X-CSRF-Token` header. A turn's answers arrive as Server-Sent
// Events over a POST response, which EventSource cannot make, so the stream is read with
// fetch + ReadableStream and parsed by the small SSE parser below.

export interface SessionInfo {
  csrf_token: string;
  max_turns: number;
  max_message_chars: number;
}

export interface BattleCreated {
  battle_id: string;
  max_turns: number;
  max_message_chars: number;
}

export type Side = "a" | "b";
export type VoteChoice = "a" | "b" | "tie" | "bothbad";

export interface VoteResult {
  vote_id: number;
  models: { a: string; b: string };
}

export interface BattleTurn {
  user: string;
  a: string;
  b: string;
}

export interface BattleState {
  battle_id: string;
  turns: BattleTurn[];
  vote: VoteChoice | null;
  models?: { a: string; b: string };
}

export type ExclusionReason =
  | "identity_leak"
  | "duplicate_prompt"
  | "suspicious_voter"
  | "rate_limit"
  | "admin";

export interface LeaderboardModel {
  name: string;
  rating: number;
  lower: number;
  upper: number;
  rank: number;
  votes: number;
  wins: number;
  losses: number;
  ties: number;
}

export interface Leaderboard {
  updated_at: string;
  simulated: boolean;
  votes: {
    total: number;
    counted: number;
    excluded: Partial<Record<ExclusionReason, number>> & Record<string, number>;
  };
  models: LeaderboardModel[];
  matrix: {
    models: string[];
    win_rate: (number | null)[][];
    battles: number[][];
  };
  sampling: {
    mode: string;
    pairs: { a: string; b: string; weight: number }[];
  };
  bootstrap?: { resamples: number; seed: number };
}

/** An error answered by the server (`{"error": {"code", "message"}}`) or a network failure. */
export class ApiError extends Error {
  /** HTTP status; 0 for a network failure or a broken stream. */
  readonly status: number;
  /** The server's error code (`csrf`, `rate_limit`, `turn_limit`, ...), or `network`. */
  readonly code: string;
  /** Seconds from the `Retry-After` header, when the server sent one. */
  readonly retryAfter: number | null;

  constructor(status: number, code: string, message: string, retryAfter: number | null = null) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.retryAfter = retryAfter;
  }
}

function parseRetryAfter(value: string | null): number | null {
  if (!value) return null;
  const secs = Number(value);
  if (Number.isFinite(secs) && secs >= 0) return Math.ceil(secs);
  const date = Date.parse(value);
  if (!Number.isNaN(date)) return Math.max(0, Math.ceil((date - Date.now()) / 1000));
  return null;
}

async function errorFromResponse(res: Response): Promise<ApiError> {
  let code = `http_${res.status}`;
  let message = res.statusText || `HTTP ${res.status}`;
  try {
    const body = (await res.json()) as { error?: { code?: string; message?: string } };
    if (body && body.error) {
      if (typeof body.error.code === "string") code = body.error.code;
      if (typeof body.error.message === "string") message = body.error.message;
    }
  } catch {
    // not JSON: keep the status line
  }
  return new ApiError(res.status, code, message, parseRetryAfter(res.headers.get("Retry-After")));
}

async function send(path: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(path, { credentials: "same-origin", cache: "no-store", ...init });
  } catch (e) {
    if (e instanceof DOMException && e.name === "AbortError") throw e;
    throw new ApiError(0, "network", e instanceof Error ? e.message : String(e));
  }
}

async function getJson<T>(path: string): Promise<T> {
  const res = await send(path, { method: "GET", headers: { Accept: "application/json" } });
  if (!res.ok) throw await errorFromResponse(res);
  return (await res.json()) as T;
}

// ---- session and CSRF ----

let session: SessionInfo | null = null;
let sessionPromise: Promise<SessionInfo> | null = null;

/** Starts (or continues) the session; the answer is cached until `refreshSession`. */
export function getSession(): Promise<SessionInfo> {
  if (session) return Promise.resolve(session);
  if (!sessionPromise) {
    sessionPromise = getJson<SessionInfo>("/api/session").then(
      (s) => {
        session = s;
        sessionPromise = null;
        return s;
      },
      (e) => {
        sessionPromise = null;
        throw e;
      },
    );
  }
  return sessionPromise;
}

export function refreshSession(): Promise<SessionInfo> {
  session = null;
  return getSession();
}

/**
 * POSTs JSON with the CSRF header. If the server answers 403 `csrf` (the session expired or the
 * cookie was lost), the session is started again and the request is retried once.
 */
async function post(path: string, body: unknown, accept: string, signal?: AbortSignal): Promise<Response> {
  for (let attempt = 0; ; attempt++) {
    const s = attempt === 0 ? await getSession() : await refreshSession();
    const res = await send(path, {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        Accept: accept,
        "X-CSRF-Token": s.csrf_token,
      },
      body: JSON.stringify(body),
      signal,
    });
    if (res.ok) return res;
    const err = await errorFromResponse(res);
    if (attempt === 0 && res.status === 403 && err.code === "csrf") continue;
    throw err;
  }
}

// ---- battles ----

export async function createBattle(): Promise<BattleCreated> {
  const res = await post("/api/battles", {}, "application/json");
  return (await res.json()) as BattleCreated;
}

export function getBattle(id: string): Promise<BattleState> {
  return getJson<BattleState>(`/api/battles/${encodeURIComponent(id)}`);
}

export async function vote(id: string, choice: VoteChoice): Promise<VoteResult> {
  const res = await post(`/api/battles/${encodeURIComponent(id)}/vote`, { vote: choice }, "application/json");
  return (await res.json()) as VoteResult;
}

export interface TurnHandlers {
  onDelta(side: Side, text: string): void;
  onDone(side: Side): void;
  onSideError(side: Side, message: string): void;
  onEnd(turn: number): void;
}

/**
 * Sends one message and streams both answers. Resolves after the `end` event; rejects with an
 * ApiError when the server refuses the turn (400/409/...) or the stream breaks before `end`.
 */
export async function streamTurn(
  id: string,
  message: string,
  handlers: TurnHandlers,
  signal?: AbortSignal,
): Promise<void> {
  const res = await post(`/api/battles/${encodeURIComponent(id)}/turns`, { message }, "text/event-stream", signal);
  if (!res.body) throw new ApiError(0, "network", "empty response body");

  let ended = false;
  const parser = new SseParser((ev) => {
    if (ended) return;
    let data: Record<string, unknown>;
    try {
      data = JSON.parse(ev.data) as Record<string, unknown>;
    } catch {
      return; // ignore a malformed event rather than break the whole turn
    }
    const side = data.side === "a" || data.side === "b" ? (data.side as Side) : null;
    switch (ev.event) {
      case "delta":
        if (side && typeof data.text === "string") handlers.onDelta(side, data.text);
        break;
      case "done":
        if (side) handlers.onDone(side);
        break;
      case "error":
        if (side) handlers.onSideError(side, typeof data.message === "string" ? data.message : "");
        break;
      case "end":
        ended = true;
        handlers.onEnd(typeof data.turn === "number" ? data.turn : 0);
        break;
      default:
        break;
    }
  });

  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  try {
    for (;;) {
      let chunk: ReadableStreamReadResult<string>;
      try {
        chunk = await reader.read();
      } catch (e) {
        if (e instanceof DOMException && e.name === "AbortError") throw e;
        throw new ApiError(0, "network", e instanceof Error ? e.message : String(e));
      }
      if (chunk.done) break;
      parser.push(chunk.value);
      if (ended) break;
    }
    parser.finish();
  } finally {
    reader.cancel().catch(() => undefined);
  }
  if (!ended) throw new ApiError(0, "stream_cut", "the answer stream ended before its end event");
}

// ---- leaderboard ----

export function getLeaderboard(): Promise<Leaderboard> {
  return getJson<Leaderboard>("/api/leaderboard");
}

// ---- Server-Sent Events parser (the WHATWG event-stream format) ----

export interface SseEvent {
  event: string;
  data: string;
  id: string;
}

/**
 * Incremental parser for `text/event-stream`. Feed it decoded text in chunks of any size; it
 * calls `onEvent` for each complete event. Lines end with CRLF, LF or CR; `:` starts a comment;
 * `data` lines of one event are joined with "\n"; an event with no data is not dispatched.
 */
export class SseParser {
  private buf = "";
  private eventType = "";
  private data: string[] = [];
  private lastId = "";
  private sawCR = false;
  private first = true;

  constructor(private readonly onEvent: (ev: SseEvent) => void) {}

  push(text: string): void {
    if (this.first && text.length > 0) {
      this.first = false;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    // A CR at the end of the previous chunk may be followed by the LF of a CRLF here.
    if (this.sawCR && text.startsWith("\n")) text = text.slice(1);
    this.sawCR = false;
    this.buf += text;
    let start = 0;
    for (let i = 0; i < this.buf.length; i++) {
      const c = this.buf.charCodeAt(i);
      if (c !== 10 && c !== 13) continue;
      this.line(this.buf.slice(start, i));
      if (c === 13) {
        if (i + 1 < this.buf.length) {
          if (this.buf.charCodeAt(i + 1) === 10) i++;
        } else {
          this.sawCR = true;
        }
      }
      start = i + 1;
    }
    this.buf = this.buf.slice(start);
  }

  /** End of stream: an incomplete event at the end is discarded, as the standard says. */
  finish(): void {
    this.buf = "";
    this.data = [];
    this.eventType = "";
  }

  private line(line: string): void {
    if (line === "") {
      this.dispatch();
      return;
    }
    if (line.startsWith(":")) return;
    const colon = line.indexOf(":");
    let field = line;
    let value = "";
    if (colon >= 0) {
      field = line.slice(0, colon);
      value = line.slice(colon + 1);
      if (value.startsWith(" ")) value = value.slice(1);
    }
    switch (field) {
      case "event":
        this.eventType = value;
        break;
      case "data":
        this.data.push(value);
        break;
      case "id":
        if (!value.includes("\0")) this.lastId = value;
        break;
      default:
        break; // "retry" and unknown fields are ignored
    }
  }

  private dispatch(): void {
    if (this.data.length === 0) {
      this.eventType = "";
      return;
    }
    const ev: SseEvent = { event: this.eventType || "message", data: this.data.join("\n"), id: this.lastId };
    this.eventType = "";
    this.data = [];
    this.onEvent(ev);
  }
}
