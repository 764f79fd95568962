// The arena page (`/`): one prompt box, two anonymous answer panes, the four vote buttons,
// and the reveal of the model names after the vote.

import "./style.css";
import {
  ApiError,
  createBattle,
  getBattle,
  getSession,
  streamTurn,
  vote as postVote,
  type Side,
  type VoteChoice,
} from "./api";
import { initI18n, onLangChange, t, type MessageKey } from "./i18n";
import { renderMarkdownInto } from "./markdown";

const BATTLE_KEY = "kaieval.battle";
const SIDES: Side[] = ["a", "b"];

function $(id: string): HTMLElement {
  const el = document.getElementById(id);
  if (!el) throw new Error(`missing #${id}`);
  return el;
}

const els = {
  panes: { a: $("pane-a"), b: $("pane-b") },
  bodies: { a: $("pane-a-body"), b: $("pane-b-body") },
  reveals: { a: $("reveal-a"), b: $("reveal-b") },
  votebar: $("votebar"),
  voteQuestion: $("vote-question"),
  voteButtons: Array.from(document.querySelectorAll<HTMLButtonElement>("#votebar [data-vote]")),
  composer: $("composer") as HTMLFormElement,
  input: $("prompt-input") as HTMLTextAreaElement,
  send: $("send") as HTMLButtonElement,
  newBattle: $("new-battle") as HTMLButtonElement,
  turnCounter: $("turn-counter"),
  charCounter: $("char-counter"),
  status: $("status"),
};

interface SideView {
  text: string;
  state: "streaming" | "done" | "error";
  error: string | null;
  answerEl: HTMLElement;
  dirty: boolean;
}

interface TurnView {
  user: string;
  sides: Record<Side, SideView>;
}

interface Status {
  key: MessageKey | null;
  params: Record<string, string | number>;
  kind: "info" | "error";
}

const state = {
  battleId: null as string | null,
  maxTurns: 3,
  maxChars: 2000,
  turns: [] as TurnView[],
  completedTurns: 0,
  streaming: false,
  voting: false,
  voted: null as VoteChoice | null,
  models: null as { a: string; b: string } | null,
  /** The battle cannot take more turns (broken stream, side error, unknown battle). */
  dead: false,
  status: { key: null, params: {}, kind: "info" } as Status,
};

// ---- status line ----

function setStatus(key: MessageKey | null, params: Record<string, string | number> = {}, kind: Status["kind"] = "info"): void {
  state.status = { key, params, kind };
  renderStatus();
}

function renderStatus(): void {
  const { key, params, kind } = state.status;
  els.status.textContent = key ? t(key, params) : "";
  els.status.classList.toggle("status-error", kind === "error" && key !== null);
  els.status.dataset.kind = kind;
  if (kind === "error" && key !== null) els.status.scrollIntoView({ block: "nearest" });
}

function showError(e: unknown): void {
  if (e instanceof ApiError) {
    switch (e.code) {
      case "rate_limit":
        if (e.retryAfter !== null) setStatus("error.rate_limit.after", { s: e.retryAfter }, "error");
        else setStatus("error.rate_limit", {}, "error");
        return;
      case "turn_limit":
      case "already_voted":
      case "no_turn":
      case "unknown_battle":
      case "csrf":
      case "network":
      case "stream_cut":
        setStatus(`error.${e.code}` as MessageKey, {}, "error");
        return;
      case "message_length":
        setStatus("error.message_length", { max: state.maxChars }, "error");
        return;
      default:
        if (e.status === 429) setStatus("error.rate_limit", {}, "error");
        else setStatus("error.generic", { code: e.status ? `${e.status} ${e.code}` : e.code }, "error");
        return;
    }
  }
  setStatus("error.network", {}, "error");
}

// ---- panes ----

function clearPanes(): void {
  for (const side of SIDES) {
    const body = els.bodies[side];
    body.replaceChildren();
    const p = document.createElement("p");
    p.className = "pane-empty";
    p.dataset.i18n = "pane.empty";
    p.textContent = t("pane.empty");
    body.append(p);
    els.panes[side].dataset.state = "empty";
    els.reveals[side].textContent = "";
    els.reveals[side].hidden = true;
    els.panes[side].classList.remove("pane-revealed");
  }
}

function addTurnView(user: string): TurnView {
  const sides = {} as Record<Side, SideView>;
  for (const side of SIDES) {
    const body = els.bodies[side];
    body.querySelector(".pane-empty")?.remove();
    const turnEl = document.createElement("div");
    turnEl.className = "turn";
    const userEl = document.createElement("div");
    userEl.className = "msg msg-user";
    const who = document.createElement("span");
    who.className = "who";
    who.dataset.i18n = "you";
    who.textContent = t("you");
    const userText = document.createElement("p");
    userText.className = "user-text";
    userText.textContent = user; // the user's own text, shown as text
    userEl.append(who, userText);
    const answerEl = document.createElement("div");
    answerEl.className = "msg msg-model md";
    answerEl.dataset.state = "streaming";
    answerEl.setAttribute("aria-busy", "true");
    const waiting = document.createElement("span");
    waiting.className = "typing";
    waiting.dataset.i18n = "pane.streaming";
    waiting.textContent = t("pane.streaming");
    answerEl.append(waiting);
    turnEl.append(userEl, answerEl);
    body.append(turnEl);
    sides[side] = { text: "", state: "streaming", error: null, answerEl, dirty: false };
    els.panes[side].dataset.state = "streaming";
  }
  const view: TurnView = { user, sides };
  state.turns.push(view);
  return view;
}

let renderScheduled = false;

function scheduleRender(): void {
  if (renderScheduled) return;
  renderScheduled = true;
  requestAnimationFrame(() => {
    renderScheduled = false;
    flushRender();
  });
}

/** Re-renders the sanitised Markdown of every side whose text changed since the last frame. */
function flushRender(): void {
  for (const turn of state.turns) {
    for (const side of SIDES) {
      const sv = turn.sides[side];
      if (!sv.dirty) continue;
      sv.dirty = false;
      const body = els.bodies[side];
      const nearBottom = body.scrollHeight - body.scrollTop - body.clientHeight < 48;
      renderSide(sv);
      if (nearBottom) body.scrollTop = body.scrollHeight;
    }
  }
}

function renderSide(sv: SideView): void {
  const el = sv.answerEl;
  if (sv.text.length > 0) {
    renderMarkdownInto(el, sv.text);
  } else if (sv.state === "streaming") {
    el.replaceChildren();
    const waiting = document.createElement("span");
    waiting.className = "typing";
    waiting.dataset.i18n = "pane.streaming";
    waiting.textContent = t("pane.streaming");
    el.append(waiting);
  } else {
    el.replaceChildren();
  }
  if (sv.state === "error") {
    const err = document.createElement("p");
    err.className = "side-error";
    err.dataset.i18n = "pane.error";
    err.textContent = t("pane.error");
    el.append(err);
  }
  el.dataset.state = sv.state;
  el.setAttribute("aria-busy", sv.state === "streaming" ? "true" : "false");
}

function setSideState(turn: TurnView, side: Side, st: SideView["state"], error: string | null = null): void {
  const sv = turn.sides[side];
  if (sv.state !== "streaming") return;
  sv.state = st;
  sv.error = error;
  sv.dirty = true;
  els.panes[side].dataset.state = st;
  scheduleRender();
}

// ---- controls ----

function codePoints(s: string): number {
  return Array.from(s).length;
}

function updateControls(): void {
  const busy = state.streaming || state.voting;
  const turnsLeft = state.completedTurns < state.maxTurns;
  const canSend = !busy && state.voted === null && !state.dead && turnsLeft;
  els.input.disabled = !canSend;
  els.send.disabled = !canSend;
  els.send.textContent = state.streaming ? t("sending") : t("send");
  els.send.dataset.i18n = state.streaming ? "sending" : "send";

  const showVotes = state.completedTurns >= 1;
  els.votebar.hidden = !showVotes;
  for (const b of els.voteButtons) {
    b.disabled = busy || state.voted !== null;
    const chosen = state.voted !== null && b.dataset.vote === state.voted;
    b.classList.toggle("chosen", chosen);
    b.setAttribute("aria-pressed", chosen ? "true" : "false");
  }
  const q = state.voted !== null ? "reveal" : "vote.question";
  els.voteQuestion.dataset.i18n = q;
  els.voteQuestion.textContent = t(q);

  // "New battle" is the way on after a vote; before it, it is offered once a battle exists and
  // nothing is in flight (a user may leave a battle without voting).
  const hasBattle = state.battleId !== null && (state.turns.length > 0 || state.dead);
  els.newBattle.hidden = !(state.voted !== null || (hasBattle && !busy));
  els.newBattle.classList.toggle("btn-primary", state.voted !== null || state.dead);
  els.newBattle.disabled = busy;

  if (state.battleId !== null && state.turns.length > 0) {
    els.turnCounter.textContent = t("turns", { n: state.completedTurns, max: state.maxTurns });
  } else {
    els.turnCounter.textContent = "";
  }
  updateCharCounter();
}

function updateCharCounter(): void {
  const n = codePoints(els.input.value);
  els.charCounter.textContent = t("chars", { n, max: state.maxChars });
  els.charCounter.classList.toggle("over", n > state.maxChars);
}

function revealModels(models: { a: string; b: string }): void {
  state.models = models;
  for (const side of SIDES) {
    const el = els.reveals[side];
    el.textContent = models[side];
    el.title = t("reveal");
    el.hidden = false;
    els.panes[side].classList.add("pane-revealed");
  }
}

// ---- actions ----

async function onSend(): Promise<void> {
  if (state.streaming || state.voting || state.voted !== null || state.dead) return;
  const message = els.input.value;
  const n = codePoints(message.trim());
  if (n === 0) {
    els.input.focus();
    return;
  }
  if (codePoints(message) > state.maxChars) {
    setStatus("error.message_length", { max: state.maxChars }, "error");
    return;
  }
  if (state.completedTurns >= state.maxTurns) {
    setStatus("error.turn_limit", {}, "error");
    return;
  }

  state.streaming = true;
  updateControls();
  let turn: TurnView | null = null;
  try {
    if (state.battleId === null) {
      setStatus("status.starting");
      const b = await createBattle();
      state.battleId = b.battle_id;
      state.maxTurns = b.max_turns;
      state.maxChars = b.max_message_chars;
      try {
        sessionStorage.setItem(BATTLE_KEY, b.battle_id);
      } catch {
        // not restorable after a reload; fine
      }
    }
    const battleId = state.battleId;
    turn = addTurnView(message);
    const current = turn;
    els.input.value = "";
    updateControls();
    setStatus("status.streaming");
    for (const side of SIDES) els.bodies[side].scrollTop = els.bodies[side].scrollHeight;

    let sideFailed = false;
    await streamTurn(battleId, message, {
      onDelta(side, text) {
        const sv = current.sides[side];
        if (sv.state !== "streaming") return;
        sv.text += text;
        sv.dirty = true;
        scheduleRender();
      },
      onDone(side) {
        setSideState(current, side, "done");
      },
      onSideError(side, msg) {
        sideFailed = true;
        setSideState(current, side, "error", msg);
      },
      onEnd() {
        // a side that never said done or error is finished now
        for (const side of SIDES) setSideState(current, side, "done");
      },
    });
    flushRender();
    if (sideFailed) {
      state.dead = true;
      const failed = SIDES.filter((s) => current.sides[s].state === "error").map((s) => (s === "a" ? "model.a" : "model.b") as MessageKey);
      setStatus("error.side", { model: failed.length ? t(failed[0]) : "" }, "error");
    } else {
      state.completedTurns++;
      setStatus(state.completedTurns >= state.maxTurns ? "status.answered.last" : "status.answered");
    }
  } catch (e) {
    const nothingReceived = turn !== null && turn.sides.a.text === "" && turn.sides.b.text === "";
    if (nothingReceived && e instanceof ApiError && (e.status >= 400 || e.code === "network")) {
      // Refused (or never reached the server) before any answer: take the turn back, keep the
      // text, so that the user can send it again.
      removeLastTurnView();
      els.input.value = message;
    } else if (turn) {
      for (const side of SIDES) setSideState(turn, side, "error");
      flushRender();
      state.dead = true;
    }
    if (e instanceof ApiError) {
      if (e.code === "unknown_battle" || e.code === "turn_limit") state.dead = true;
      if (e.code === "already_voted" && state.battleId) void syncVoted(state.battleId);
    }
    showError(e);
  } finally {
    state.streaming = false;
    updateControls();
    if (!els.input.disabled) els.input.focus();
  }
}

function removeLastTurnView(): void {
  state.turns.pop();
  for (const side of SIDES) {
    els.bodies[side].lastElementChild?.remove();
    if (state.turns.length === 0) {
      const p = document.createElement("p");
      p.className = "pane-empty";
      p.dataset.i18n = "pane.empty";
      p.textContent = t("pane.empty");
      els.bodies[side].append(p);
      els.panes[side].dataset.state = "empty";
    } else {
      els.panes[side].dataset.state = state.turns[state.turns.length - 1].sides[side].state;
    }
  }
}

/** After a 409 `already_voted`: show the vote and names the server has. */
async function syncVoted(battleId: string): Promise<void> {
  try {
    const b = await getBattle(battleId);
    if (b.vote) {
      state.voted = b.vote;
      if (b.models) revealModels(b.models);
      updateControls();
    }
  } catch {
    // the status line already says what happened
  }
}

async function onVote(choice: VoteChoice): Promise<void> {
  if (state.battleId === null || state.voted !== null || state.voting || state.streaming) return;
  state.voting = true;
  updateControls();
  setStatus("status.voting");
  try {
    const res = await postVote(state.battleId, choice);
    state.voted = choice;
    revealModels(res.models);
    setStatus("status.voted", { a: res.models.a, b: res.models.b });
  } catch (e) {
    if (e instanceof ApiError && e.code === "already_voted") await syncVoted(state.battleId);
    if (e instanceof ApiError && e.code === "unknown_battle") state.dead = true;
    showError(e);
  } finally {
    state.voting = false;
    updateControls();
    if (state.voted !== null) els.newBattle.focus();
  }
}

function onNewBattle(): void {
  if (state.streaming || state.voting) return;
  state.battleId = null;
  state.turns = [];
  state.completedTurns = 0;
  state.voted = null;
  state.models = null;
  state.dead = false;
  try {
    sessionStorage.removeItem(BATTLE_KEY);
  } catch {
    // ignore
  }
  clearPanes();
  setStatus(null);
  updateControls();
  els.input.focus();
}

/** After a reload: show the battle of this tab again (GET /api/battles/{id}). */
async function restoreBattle(): Promise<void> {
  let id: string | null = null;
  try {
    id = sessionStorage.getItem(BATTLE_KEY);
  } catch {
    return;
  }
  if (!id || !/^[0-9a-f]{32}$/i.test(id)) return;
  try {
    const b = await getBattle(id);
    if (state.battleId !== null || state.streaming) return; // the user already moved on
    state.battleId = b.battle_id;
    for (const turn of b.turns) {
      const view = addTurnView(turn.user);
      for (const side of SIDES) {
        view.sides[side].text = turn[side] ?? "";
        view.sides[side].state = "done";
        view.sides[side].dirty = true;
        els.panes[side].dataset.state = "done";
      }
    }
    state.completedTurns = b.turns.length;
    flushRender();
    if (b.vote) {
      state.voted = b.vote;
      if (b.models) revealModels(b.models);
    }
    if (b.turns.length > 0) setStatus("status.restored");
    updateControls();
  } catch {
    try {
      sessionStorage.removeItem(BATTLE_KEY);
    } catch {
      // ignore
    }
  }
}

// ---- wiring ----

function init(): void {
  initI18n("contest.title");
  onLangChange(() => {
    renderStatus();
    updateControls();
    if (state.models) revealModels(state.models);
  });

  els.composer.addEventListener("submit", (e) => {
    e.preventDefault();
    void onSend();
  });
  els.input.addEventListener("keydown", (e) => {
    // Enter sends; Shift+Enter is a new line; Enter that ends a Hangul composition is not a send.
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing && e.keyCode !== 229) {
      e.preventDefault();
      void onSend();
    }
  });
  els.input.addEventListener("input", updateCharCounter);
  for (const b of els.voteButtons) {
    b.addEventListener("click", () => void onVote(b.dataset.vote as VoteChoice));
  }
  els.newBattle.addEventListener("click", onNewBattle);

  updateControls();
  getSession()
    .then((s) => {
      if (state.battleId === null) {
        state.maxTurns = s.max_turns;
        state.maxChars = s.max_message_chars;
      }
      updateControls();
      return restoreBattle();
    })
    .catch(() => setStatus("error.session", {}, "error"));
}

init();
