// The page: wires the drawing pad, the predictions API, the result panel,
// feedback and this browser's history together. A drawing comes from a pointer, from the keyboard's
// pen (pen.js) or as an image file (image-input.js: upload, paste, drop); all three end in showResult.

import { describeAnswer, feedbackBody, looksLikeDigit, parseAnswer, suggestionOf, topGuesses } from "./answers.js";
import { ApiError, createApi } from "./api.js";
import { DrawingPad } from "./canvas.js";
import { PredictionHistory, onHistoryChange, renderHistory } from "./history.js";
import { gettext, interpolate } from "./i18n.js";
import { UploadPreview, watchImageInput } from "./image-input.js";
import { KeyboardPen } from "./pen.js";
import { formatPercent } from "./percent.js";
import { hideError, setBusy, showError, showRequestError, watchLoading } from "./status.js";

const AUTO_PREDICT_DELAY_MS = 400; // after the pen lifts: a live answer, stored nowhere (the preview API)
const REST_STORE_DELAY_MS = 1500; // no stroke for this long: the drawing is finished, store it once
const AUTO_PREDICT_KEY = "digits.autoPredict";
const DONT_KEEP_KEY = "digits.dontKeep";

const $ = (selector) => document.querySelector(selector);
const els = {
  app: $("#app"),
  canvas: $("#canvas"),
  frame: $("#canvas-frame"),
  placeholder: $("#canvas-placeholder"),
  upload: $("#upload"),
  uploadPreview: $("#upload-preview"),
  penCursor: $("#pen-cursor"),
  penStatus: $("#pen-status"),
  undo: $("#undo"),
  clear: $("#clear"),
  predict: $("#predict"),
  auto: $("#auto-predict"),
  dontKeep: $("#dont-keep"),
  feedback: $("#feedback"),
  error: $("#error"),
  result: $("#result"),
  empty: $("#result-empty"),
  body: $("#result-body"),
  source: $("#result-source"),
  verdict: $("#verdict"),
  digit: $("#result-digit"),
  verdictConfidence: $("#verdict-confidence"),
  confidence: $("#confidence"),
  notDigit: $("#not-digit"),
  topGuesses: $("#top-guesses"),
  topGuessesTitle: $("#top-guesses-title"),
  topGuessesList: $("#top-guesses-list"),
  preview: $("#input-preview"),
  rows: [...document.querySelectorAll(".prob-row")],
  feedbackButtons: [...document.querySelectorAll("#feedback button[data-label]")],
  feedbackStatus: $("#feedback-status"),
  modelVersion: $("#model-version"),
  announcer: $("#announcer"),
  quick: $("#quick-result"),
  quickReads: $("#quick-reads"),
  quickDigit: $("#quick-digit"),
  quickConfidence: $("#quick-confidence"),
  history: $("#history"),
  historyEmpty: $("#history-empty"),
  clearHistory: $("#clear-history"),
};

const api = createApi(els.app.dataset.apiRoot);
const pad = new DrawingPad(els.canvas);
const pen = new KeyboardPen(pad, { cursor: els.penCursor, status: els.penStatus });
const uploaded = new UploadPreview(els.uploadPreview);
const history = new PredictionHistory();

const state = {
  shown: null, // the prediction on display, as the API returned it
  fromHistory: false,
  predictedVersion: -1, // drawingKey() of the drawing last predicted...
  canvasPrediction: null, // ...and its prediction, to show again after a look at the history
  inflight: null, // AbortController of the request under way
  pendingVersion: -1, // drawingKey() being predicted by that request, if it is a prediction
  autoTimer: 0,
  restTimer: 0, // stores the drawing after REST_STORE_DELAY_MS without a stroke; 0 when none is pending
  pendingStore: false, // the request under way stores (not a preview)
  savingFeedback: false,
};

/** What is on the pad, as a key: the strokes' version, or which uploaded file. */
function drawingKey() {
  return uploaded.isShown ? `upload-${uploaded.key}` : pad.version;
}

/** Nothing to send: no stroke and no image file. */
function padIsEmpty() {
  return pad.isEmpty && !uploaded.isShown;
}

// ---- small view helpers ---------------------------------------------------

function announce(text) {
  // Clear first so an identical message is read again.
  els.announcer.textContent = "";
  setTimeout(() => {
    els.announcer.textContent = text;
  }, 50);
}

function syncControls() {
  els.undo.disabled = pad.isEmpty;
  els.clear.disabled = pad.isEmpty && !uploaded.isShown;
  els.placeholder.hidden = !pad.isEmpty || uploaded.isShown;
  const stale = state.shown !== null && !state.fromHistory && state.predictedVersion !== drawingKey();
  els.result.toggleAttribute("data-stale", stale);
  els.quick.toggleAttribute("data-stale", stale);
}

/** What the screen reader hears: the headline, then the other two of the top three guesses. */
function summary(prediction) {
  const guesses = topGuesses(prediction.probabilities).map(
    ({ digit, probability }) => `${digit} (${formatPercent(probability, { spoken: true })})`,
  );
  if (!looksLikeDigit(prediction)) {
    return interpolate(gettext("This doesn't look like a digit. Closest digits: %(guesses)s."), {
      guesses: guesses.join(", "),
    });
  }
  const confidence = formatPercent(prediction.confidence, { spoken: true });
  const headline = interpolate(gettext("Predicted %(digit)s with %(confidence)s confidence"), {
    digit: prediction.prediction,
    confidence,
  });
  const others = guesses.slice(1);
  return others.length
    ? `${headline}. ${interpolate(gettext("Next: %(guesses)s."), { guesses: others.join(", ") })}`
    : headline;
}

function refreshHistory() {
  const entries = history.all();
  renderHistory(els.history, entries, { currentId: state.shown?.id ?? null });
  els.historyEmpty.hidden = entries.length > 0;
  els.clearHistory.hidden = entries.length === 0;
}

// ---- the result panel -----------------------------------------------------

function showResult(prediction, { fromHistory = false } = {}) {
  state.shown = prediction;
  state.fromHistory = fromHistory;

  els.result.dataset.state = "shown";
  if (prediction.id) els.result.dataset.id = prediction.id;
  else delete els.result.dataset.id; // a preview: nothing stored yet
  els.result.dataset.stored = String(Boolean(prediction.id));
  els.empty.hidden = true;
  els.body.hidden = false;
  els.source.hidden = !fromHistory;

  showVerdict(prediction);
  els.quick.hidden = fromHistory; // an earlier drawing is not what the canvas shows
  showTopGuesses(prediction);
  els.rows.forEach((row, digit) => {
    const probability = Math.min(1, Math.max(0, prediction.probabilities?.[digit] ?? 0));
    const bar = row.querySelector(".prob-bar");
    bar.querySelector(".prob-bar__fill").style.width = `${probability * 100}%`;
    bar.setAttribute("aria-valuenow", String(probability * 100)); // the figure read out is aria-valuetext's
    bar.setAttribute("aria-valuetext", formatPercent(probability, { spoken: true }));
    row.querySelector(".prob-row__value").textContent = formatPercent(probability);
    row.classList.toggle("is-top", digit === prediction.prediction);
  });

  if (prediction.input_url) {
    els.preview.src = prediction.input_url;
    els.preview.hidden = false;
  } else {
    els.preview.hidden = true;
  }
  els.modelVersion.textContent = prediction.model_version ?? "";

  const suggestion = suggestionOf(prediction);
  markFeedback(suggestion);
  els.feedbackStatus.dataset.tone = "";
  els.feedbackStatus.textContent =
    suggestion === null ? "" : interpolate(gettext("You said it was %(answer)s."), { answer: describeAnswer(suggestion) });

  syncControls();
  refreshHistory();
  announce(fromHistory ? `${gettext("Earlier drawing.")} ${summary(prediction)}` : summary(prediction));
}

/** The headline: the digit and how sure, or first of all plainly "not a digit" (the top guesses follow). */
function showVerdict(prediction) {
  const isDigit = looksLikeDigit(prediction);
  const digit = String(prediction.prediction);
  const confidence = formatPercent(prediction.confidence);
  els.verdict.dataset.verdict = isDigit ? "digit" : "not-digit";
  els.digit.hidden = !isDigit;
  els.verdictConfidence.hidden = !isDigit;
  els.notDigit.hidden = isDigit;
  els.digit.textContent = isDigit ? digit : "";
  els.confidence.textContent = confidence;

  els.quick.dataset.verdict = els.verdict.dataset.verdict;
  els.quickReads.hidden = !isDigit;
  els.quickDigit.textContent = isDigit ? digit : gettext("Not a digit");
  els.quickConfidence.textContent = isDigit ? confidence : "";
  const spoken = formatPercent(prediction.confidence, { spoken: true });
  els.quick.setAttribute(
    "aria-label",
    isDigit
      ? interpolate(gettext("Reads %(digit)s, %(confidence)s sure. Show details"), { digit, confidence: spoken })
      : gettext("Doesn't look like a digit. Show details"),
  );
}

/** The three likeliest digits with their percentages: the top guesses, or the closest digits to a non-digit. */
function showTopGuesses(prediction) {
  const isDigit = looksLikeDigit(prediction);
  els.topGuesses.dataset.verdict = isDigit ? "digit" : "not-digit";
  els.topGuessesTitle.textContent = isDigit ? els.topGuessesTitle.dataset.digit : els.topGuessesTitle.dataset.notDigit;
  els.topGuessesList.replaceChildren(
    ...topGuesses(prediction.probabilities).map(({ digit, probability }) => {
      const item = document.createElement("li");
      item.className = "top-guesses__item";
      const digitText = document.createElement("span");
      digitText.className = "top-guesses__digit";
      digitText.textContent = String(digit);
      const value = document.createElement("span");
      value.className = "top-guesses__value";
      value.textContent = formatPercent(probability);
      item.append(digitText, " ", value);
      return item;
    }),
  );
}

function resetResult() {
  state.shown = null;
  state.fromHistory = false;
  state.predictedVersion = -1;
  state.canvasPrediction = null;
  els.result.dataset.state = "empty";
  delete els.result.dataset.id;
  els.body.hidden = true;
  els.empty.hidden = false;
  els.quick.hidden = true;
  els.feedbackStatus.textContent = "";
  syncControls();
  refreshHistory();
}

/** @param {number|string|null} answer a digit, NOT_A_DIGIT or null */
function markFeedback(answer) {
  for (const button of els.feedbackButtons) {
    button.setAttribute("aria-pressed", String(parseAnswer(button.dataset.label) === answer));
  }
}

// ---- actions --------------------------------------------------------------

/** Run one request at a time: a newer one cancels the older. Resolves to undefined on failure. */
async function load(task) {
  state.inflight?.abort();
  const controller = new AbortController();
  state.inflight = controller;
  state.pendingVersion = -1;
  setBusy(els.result, els.predict, true);
  hideError(els.error);
  try {
    return await task(controller.signal);
  } catch (error) {
    if (controller.signal.aborted) return undefined;
    if (!(error instanceof ApiError)) console.error(error);
    showRequestError(els.error, error, () => load(task)); // status.js: friendly words, countdown, "Try again"
    return undefined;
  } finally {
    if (state.inflight === controller) {
      state.inflight = null;
      state.pendingVersion = -1;
      setBusy(els.result, els.predict, false);
    }
  }
}

function cancelPending() {
  clearTimeout(state.autoTimer);
  stopRestStore();
  state.inflight?.abort();
  state.inflight = null;
  state.pendingVersion = -1;
  setBusy(els.result, els.predict, false);
}

function keeping() {
  return !els.dontKeep.checked;
}

/**
 * Predict: stores the drawing once (the Predict button, feedback, or a rest of REST_STORE_DELAY_MS),
 * unless "Don't keep my drawings" is ticked; then, and for live answers (`preview: true`), the
 * preview API answers and nothing is stored. Resolves to the prediction shown, or undefined.
 */
async function predict({ auto = false, preview = !keeping() } = {}) {
  clearTimeout(state.autoTimer);
  if (!preview) stopRestStore();
  if (pad.isDrawing) return undefined;
  if (padIsEmpty()) {
    if (!auto) showError(els.error, gettext("Draw a digit first — the canvas is empty."));
    return undefined;
  }
  const current = state.canvasPrediction && state.predictedVersion === drawingKey() ? state.canvasPrediction : null;
  if (current && (preview || current.id)) {
    // Nothing changed since (or it is stored already): show it again rather than send it twice.
    if (state.fromHistory) showResult(current);
    else if (!auto) announce(summary(current));
    return current;
  }
  if (state.inflight && state.pendingVersion === drawingKey() && (preview || state.pendingStore)) return undefined;
  const version = drawingKey();
  const image = uploaded.file ?? pad.toDataURL(); // a file is sent as it is (multipart), a drawing as a PNG
  return load(async (signal) => {
    state.pendingVersion = version;
    state.pendingStore = !preview;
    const prediction = preview ? await api.preview(image, { signal }) : await api.predict(image, { signal });
    state.predictedVersion = version;
    state.canvasPrediction = prediction;
    if (prediction.id) history.add(prediction);
    showResult(prediction);
    return prediction;
  });
}

/** A live answer shortly after the pen lifts (and after Undo): the preview API, nothing stored. */
function scheduleAutoPredict() {
  clearTimeout(state.autoTimer);
  if (!els.auto.checked || pad.isEmpty) return;
  state.autoTimer = setTimeout(() => predict({ auto: true, preview: true }), AUTO_PREDICT_DELAY_MS);
}

/** After a stroke (never after Undo): if no stroke follows for REST_STORE_DELAY_MS, the digit is finished. */
function scheduleRestStore() {
  stopRestStore();
  if (!els.auto.checked || !keeping() || pad.isEmpty) return;
  state.restTimer = setTimeout(() => {
    state.restTimer = 0;
    predict({ auto: true });
  }, REST_STORE_DELAY_MS);
}

function stopRestStore() {
  clearTimeout(state.restTimer);
  state.restTimer = 0; // none pending
}

function undo() {
  if (pad.isEmpty || pad.isDrawing) return;
  pad.undo();
  hideError(els.error);
  stopRestStore(); // Undo shows a preview; it never stores
  if (pad.isEmpty) {
    cancelPending();
    resetResult();
  } else {
    scheduleAutoPredict();
  }
}

function clearAll() {
  if (pad.isDrawing) return;
  cancelPending();
  pad.clear();
  dropUpload();
  hideError(els.error);
  resetResult();
}

/**
 * An image file instead of a drawing (upload, paste or drop): the pad shows it in place of the strokes
 * and it is sent as it is, to the same endpoint with the same limits and errors as a drawing: stored at
 * once like a press of Predict, or only previewed when "Don't keep my drawings" is ticked.
 */
function useFile(file) {
  if (pad.isDrawing) return; // a finger or the keyboard's pen is mid-stroke
  cancelPending();
  hideError(els.error);
  pad.clear();
  uploaded.show(file);
  syncControls();
  predict();
}

/** The pad goes back to strokes: the uploaded image leaves it. */
function dropUpload() {
  if (!uploaded.isShown) return;
  uploaded.hide();
  syncControls();
}

/** @param {number|string} answer a digit 0-9 or NOT_A_DIGIT */
async function sendFeedback(answer) {
  let shown = state.shown;
  if (!shown || state.savingFeedback || !keeping()) return;
  state.savingFeedback = true;
  els.feedbackStatus.dataset.tone = "";
  els.feedbackStatus.textContent = gettext("Saving…");
  try {
    if (!shown.id) {
      // A live preview: feedback needs a stored drawing, so store this one first (once).
      shown = await predict();
      if (!shown?.id) {
        els.feedbackStatus.textContent = "";
        return;
      }
      els.feedbackStatus.textContent = gettext("Saving…");
    }
    const saved = await api.feedback(shown.id, feedbackBody(answer));
    const suggestion = {
      suggested_label: saved.suggested_label ?? null,
      suggested_not_a_digit: saved.suggested_not_a_digit === true,
    };
    history.update(shown.id, { label: answer });
    if (state.canvasPrediction?.id === shown.id) {
      state.canvasPrediction = { ...state.canvasPrediction, ...suggestion };
    }
    if (state.shown?.id === shown.id) {
      state.shown = { ...state.shown, ...suggestion };
      markFeedback(answer);
      els.feedbackStatus.dataset.tone = "success";
      els.feedbackStatus.textContent = interpolate(gettext("Thanks — saved as %(answer)s"), {
        answer: describeAnswer(answer),
      });
    }
    refreshHistory();
  } catch (error) {
    if (state.shown?.id === shown.id) {
      els.feedbackStatus.dataset.tone = "error";
      els.feedbackStatus.textContent =
        error instanceof ApiError ? error.message : gettext("Couldn't save that. Try again.");
    }
  } finally {
    state.savingFeedback = false;
  }
}

async function openFromHistory(id) {
  clearTimeout(state.autoTimer);
  await load(async (signal) => {
    let prediction;
    try {
      prediction = await api.get(id, { signal });
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) {
        history.remove(id);
        refreshHistory();
      }
      throw error;
    }
    showResult(prediction, { fromHistory: true });
    const reduceMotion = matchMedia("(prefers-reduced-motion: reduce)").matches;
    els.result.scrollIntoView({ block: "nearest", behavior: reduceMotion ? "auto" : "smooth" });
  });
}

// ---- preferences ----------------------------------------------------------

function readAutoPredict() {
  try {
    return localStorage.getItem(AUTO_PREDICT_KEY) !== "off";
  } catch {
    return true;
  }
}

function saveAutoPredict(on) {
  try {
    localStorage.setItem(AUTO_PREDICT_KEY, on ? "on" : "off");
  } catch {
    // storage disabled: the toggle still works for this visit
  }
}

function readDontKeep() {
  try {
    return localStorage.getItem(DONT_KEEP_KEY) === "on";
  } catch {
    return false;
  }
}

function saveDontKeep(on) {
  try {
    localStorage.setItem(DONT_KEEP_KEY, on ? "on" : "off");
  } catch {
    // storage disabled: the choice still holds for this visit
  }
}

/** "Don't keep my drawings": only previews, so no stored row to give feedback on. */
function applyDontKeep() {
  els.feedback.hidden = !keeping();
  if (!keeping()) stopRestStore();
}

/** Deletes a drawing this browser stored, with the token kept beside its history entry. */
async function deleteFromHistory(id) {
  const entry = history.all().find((e) => e.id === id);
  if (!entry?.deleteToken) return;
  try {
    await api.remove(id, entry.deleteToken);
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 404) {
      showError(els.error, error instanceof ApiError ? error.message : gettext("Couldn't delete that. Try again."));
      return;
    }
  }
  history.remove(id);
  if (state.canvasPrediction?.id === id) {
    state.canvasPrediction = null;
    state.predictedVersion = -1;
  }
  if (state.shown?.id === id) resetResult();
  refreshHistory();
  announce(gettext("Drawing deleted from the server."));
  $("#history-heading").focus();
}

// ---- wiring ---------------------------------------------------------------

pad.addEventListener("strokestart", () => {
  clearTimeout(state.autoTimer);
  stopRestStore();
  hideError(els.error);
  dropUpload(); // drawing again: the pad is strokes, not the uploaded image
});
pad.addEventListener("strokeend", () => {
  scheduleAutoPredict();
  scheduleRestStore();
});
pad.addEventListener("change", syncControls);
// The keyboard's pen moving between strokes is drawing too: the rest that stores the digit starts again.
pad.addEventListener("penmove", () => {
  if (state.restTimer) scheduleRestStore();
});

watchImageInput({ input: els.upload, zone: els.frame, active: () => !els.app.hidden, onFile: useFile });

els.predict.addEventListener("click", () => predict());
els.undo.addEventListener("click", undo);
els.clear.addEventListener("click", clearAll);

els.dontKeep.checked = readDontKeep();
applyDontKeep();
els.dontKeep.addEventListener("change", () => {
  saveDontKeep(els.dontKeep.checked);
  applyDontKeep();
});

els.auto.checked = readAutoPredict();
els.auto.addEventListener("change", () => {
  saveAutoPredict(els.auto.checked);
  if (els.auto.checked && state.predictedVersion !== drawingKey()) scheduleAutoPredict();
  else clearTimeout(state.autoTimer);
});

for (const button of els.feedbackButtons) {
  button.addEventListener("click", () => sendFeedback(parseAnswer(button.dataset.label)));
}

els.history.addEventListener("click", (event) => {
  const remove = event.target.closest("button[data-delete-id]");
  if (remove) {
    deleteFromHistory(remove.dataset.deleteId);
    return;
  }
  const item = event.target.closest("button[data-id]");
  if (item) openFromHistory(item.dataset.id);
});
els.clearHistory.addEventListener("click", () => {
  history.clear();
  refreshHistory();
  $("#history-heading").focus(); // the button just hid itself: keep keyboard focus nearby
});
onHistoryChange(refreshHistory);

document.addEventListener("keydown", (event) => {
  if (els.app.hidden) return; // Number mode is showing: its own keys apply
  if (event.defaultPrevented || event.altKey || event.isComposing) return;
  const target = event.target instanceof Element ? event.target : document.body;
  const typing = target.closest(
    "input:not([type=checkbox]):not([type=radio]), textarea, select, [contenteditable]",
  );
  const onControl = target.closest("button, a, input, select, textarea, summary");
  const modifier = event.ctrlKey || event.metaKey;

  if (modifier && !event.shiftKey && event.key.toLowerCase() === "z" && !typing) {
    event.preventDefault();
    undo();
  } else if (modifier) {
    // leave every other shortcut to the browser
  } else if (event.key === "Enter" && !onControl) {
    event.preventDefault();
    predict();
  } else if (event.key === "Backspace" && !typing) {
    event.preventDefault();
    undo();
  } else if (event.key === "Escape" && !typing) {
    clearAll();
  }
});

watchLoading(els.result); // status.js: "Reading…" while a request is on its way
syncControls();
refreshHistory();
els.app.dataset.ready = "true"; // lets tests wait for the script
