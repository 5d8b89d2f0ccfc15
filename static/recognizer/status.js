// Waiting and failing, in words people can act on — for the digit page (app.js) and Number mode
// (numbers.js), which each call in here from their one request path:
// - watchLoading(panel): while the panel is aria-busy (a request on its way) it says "Reading…"
//   instead of its empty-state text, after a short delay so quick answers don't flicker;
// - showRequestError(target, error, retry): the page's own sentence for each failure; a 429 (or a
//   503 that says when) counts down from Retry-After and enables "Try again" at zero; server and
//   network failures offer "Try again" at once. Requests the server refused for a reason (400, 413)
//   keep the reason the API gave, since trying again would not help;
// - showError / hideError / setBusy: the small view helpers both modes share (one copy, here).

import { ApiError } from "./api.js";
import { gettext, interpolate } from "./i18n.js";

export const LOADING_TEXT = gettext("Reading…");
const LOADING_DELAY_MS = 250;
const TICK_MS = 250;

const SENTENCES = {
  throttled: (seconds) => interpolate(gettext("Too many requests: try again in %(seconds)s s."), { seconds }),
  throttledReady: gettext("Too many requests: you can try again now."),
  throttledUnknown: gettext("Too many requests. Wait a moment, then try again."),
  unavailable: (seconds) =>
    interpolate(gettext("The recognizer is not available right now: try again in %(seconds)s s."), { seconds }),
  unavailableReady: gettext("The recognizer should be back: try again now."),
  unavailableUnknown: gettext("The recognizer is not available right now. Try again in a moment."),
  server: gettext("Something went wrong on our side. Your drawing is still here: try again."),
  badGateway: gettext("The server did not answer properly. Your drawing is still here: try again."),
  network: gettext("Can't reach the server. Check your connection, then try again."),
  unexpected: gettext("Something went wrong. Try again."),
};
const RETRY_LABEL = gettext("Try again");

const timers = new WeakMap(); // target -> countdown interval

// ---- loading --------------------------------------------------------------

/** Shows "Reading…" in `panel` while its aria-busy is "true" (the caller sets aria-busy). */
export function watchLoading(panel, text = LOADING_TEXT) {
  const note = document.createElement("p");
  note.className = "loading-note";
  note.dataset.testid = "loading";
  note.setAttribute("role", "status");
  note.hidden = true;
  const heading = panel.querySelector("h1, h2");
  if (heading) heading.after(note);
  else panel.prepend(note);

  let timer = 0;
  const sync = () => {
    const busy = panel.getAttribute("aria-busy") === "true";
    clearTimeout(timer);
    if (!busy) {
      panel.removeAttribute("data-loading");
      note.hidden = true;
      note.textContent = "";
      return;
    }
    timer = setTimeout(() => {
      panel.setAttribute("data-loading", "");
      note.textContent = text;
      note.hidden = false;
    }, LOADING_DELAY_MS);
  };
  new MutationObserver(sync).observe(panel, { attributes: true, attributeFilter: ["aria-busy"] });
  sync();
}

/** Marks `panel` busy (watchLoading's cue) and `button` as working, or neither. */
export function setBusy(panel, button, busy) {
  panel.setAttribute("aria-busy", String(busy));
  button.classList.toggle("is-busy", busy);
}

// ---- errors ---------------------------------------------------------------

/** Shows the page's own `message` in `target` (a hidden role=alert paragraph), replacing any earlier one. */
export function showError(target, message) {
  stopCountdown(target);
  target.replaceChildren(message);
  target.hidden = false;
}

/** Hides and empties `target`, stopping a countdown it was showing. */
export function hideError(target) {
  stopCountdown(target);
  target.hidden = true;
  target.replaceChildren();
}

/**
 * Seconds to wait from a Retry-After value (delta-seconds or an HTTP date), or null.
 * @param {string|null|undefined} value
 */
export function retryAfterSeconds(value, now = Date.now()) {
  if (value === null || value === undefined || String(value).trim() === "") return null;
  const text = String(value).trim();
  if (/^\d+$/.test(text)) return Number(text);
  const date = Date.parse(text);
  return Number.isNaN(date) ? null : Math.max(0, Math.ceil((date - now) / 1000));
}

/** What to say about `error`, and whether (and after how long) trying again makes sense. */
export function describeFailure(error) {
  if (!(error instanceof ApiError)) return { text: SENTENCES.unexpected, retry: true, wait: null };
  const wait = retryAfterSeconds(error.retryAfter);
  switch (error.status) {
    case 0: // not reached: api.js says whether it timed out or never connected
      return { text: error.message || SENTENCES.network, retry: true, wait: null, network: true };
    case 429:
      return wait === null
        ? { text: SENTENCES.throttledUnknown, retry: true, wait: null }
        : { text: SENTENCES.throttled(wait), ready: SENTENCES.throttledReady, countdown: SENTENCES.throttled, retry: true, wait };
    case 503:
      return wait === null
        ? { text: SENTENCES.unavailableUnknown, retry: true, wait: null }
        : { text: SENTENCES.unavailable(wait), ready: SENTENCES.unavailableReady, countdown: SENTENCES.unavailable, retry: true, wait };
    case 500:
      return { text: SENTENCES.server, retry: true, wait: null };
    case 502:
    case 504:
      return { text: SENTENCES.badGateway, retry: true, wait: null };
    default:
      return { text: error.message || SENTENCES.unexpected, retry: false, wait: null };
  }
}

/**
 * Shows the failure in `target` (a hidden role=alert paragraph the caller empties to hide it),
 * with a "Try again" button calling `retry` when trying again can help.
 */
export function showRequestError(target, error, retry) {
  stopCountdown(target);
  const failure = describeFailure(error);
  if (failure.network) window.dispatchEvent(new CustomEvent("digits:network-failure"));

  const message = document.createElement("span");
  message.className = "request-error__text";
  message.textContent = failure.text;
  target.replaceChildren(message);
  target.hidden = false;
  if (!failure.retry || typeof retry !== "function") return;

  const button = document.createElement("button");
  button.type = "button";
  button.className = "btn request-error__retry";
  button.dataset.testid = "retry";
  button.textContent = RETRY_LABEL;
  button.addEventListener("click", () => {
    stopCountdown(target);
    target.replaceChildren();
    target.hidden = true;
    retry();
  });
  target.append(" ", button);

  if (failure.wait > 0) countDown(target, message, button, failure);
}

function countDown(target, message, button, failure) {
  const deadline = Date.now() + failure.wait * 1000;
  button.disabled = true;
  target.dataset.waiting = "true";
  // The alert read the whole sentence once; the ticking number must not be read every second.
  message.setAttribute("aria-live", "off");
  const tick = () => {
    if (target.hidden || !target.contains(button)) {
      stopCountdown(target); // the page hid or replaced the message
      return;
    }
    const left = Math.max(0, Math.ceil((deadline - Date.now()) / 1000));
    if (left > 0) {
      message.textContent = failure.countdown(left);
      return;
    }
    stopCountdown(target);
    message.removeAttribute("aria-live");
    message.textContent = failure.ready; // read once: the button can be used now
    button.disabled = false;
  };
  timers.set(target, setInterval(tick, TICK_MS));
}

function stopCountdown(target) {
  clearInterval(timers.get(target));
  timers.delete(target);
  delete target.dataset.waiting;
}
