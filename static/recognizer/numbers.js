// Number mode: a wide drawing pad (the digit mode's pen), POST /api/numbers/, and the answer —
// the number, a box per digit over the drawing, the pieces that are not digits, each digit's
// input on demand, and "Wrong? It was: ____". Behaves like the digit mode (app.js): one request
// at a time, reads when the pen rests, errors in words, a stale answer dimmed; the keyboard's pen
// (pen.js) draws here too, and an image file (upload, paste, drop) is read as it is.

import { ApiError, createNumbersApi } from "./api.js";
import { DrawingPad } from "./canvas.js";
import { gettext, interpolate } from "./i18n.js";
import { UploadPreview, fitRect, percentRect, watchImageInput } from "./image-input.js";
import { KeyboardPen } from "./pen.js";
import { hideError, setBusy, showError, showRequestError, watchLoading } from "./status.js";
import {
  rejectedText,
  renderBoxes,
  renderDigitList,
  renderInputs,
  verdictText,
} from "./number-view.js";

// Longer than the digit mode's 400 ms: a number takes several strokes with pauses between digits.
const AUTO_READ_DELAY_MS = 1000;
const AUTO_READ_KEY = "digits.autoReadNumber";
const ASPECT = 5 / 2; // width / height of the wide canvas
const LINE_WIDTH = 1 / 15; // of the canvas height: digits written a little smaller than on the square pad
const NUMBER_PATTERN = /^[0-9]{1,32}$/;

const $ = (selector) => document.querySelector(selector);
const els = {
  panel: $("#number-app"),
  canvas: $("#number-canvas"),
  frame: $("#number-frame"),
  placeholder: $("#number-placeholder"),
  upload: $("#number-upload"),
  uploadPreview: $("#number-upload-preview"),
  penCursor: $("#number-pen-cursor"),
  penStatus: $("#number-pen-status"),
  boxes: $("#number-boxes"),
  undo: $("#number-undo"),
  clear: $("#number-clear"),
  read: $("#number-read"),
  auto: $("#number-auto"),
  result: $("#number-result"),
  error: $("#number-error"),
  value: $("#number-value"),
  summary: $("#number-summary"),
  body: $("#number-body"),
  digits: $("#number-digits"),
  rejected: $("#number-rejected"),
  inputs: $("#number-inputs"),
  inputsList: $("#number-inputs-list"),
  form: $("#number-feedback"),
  answer: $("#number-answer"),
  send: $("#number-send"),
  status: $("#number-feedback-status"),
  modelVersion: $("#number-model-version"),
};
const EMPTY_SUMMARY = els.summary.textContent;

const api = createNumbersApi(els.panel.dataset.apiRoot);
const pad = new DrawingPad(els.canvas, { aspect: ASPECT, lineWidth: LINE_WIDTH });
new KeyboardPen(pad, { cursor: els.penCursor, status: els.penStatus });
const uploaded = new UploadPreview(els.uploadPreview);

const state = {
  shown: null, // the reading on display, as the API returned it...
  size: null, // ...the pixel size of the image it was read from (its boxes are in these pixels)...
  readVersion: -1, // ...and drawingKey() of that drawing
  inflight: null, // AbortController of the read under way
  pendingVersion: -1, // drawingKey() that read is for
  autoTimer: 0,
  savingFeedback: false,
};

/** What is on the pad, as a key: the strokes' version, or which uploaded file. */
function drawingKey() {
  return uploaded.isShown ? `upload-${uploaded.key}` : pad.version;
}

// ---- view -----------------------------------------------------------------

/** Buttons, placeholder, and whether the answer (and its boxes) still match the drawing. */
function syncControls() {
  els.undo.disabled = pad.isEmpty;
  els.clear.disabled = pad.isEmpty && !uploaded.isShown;
  els.placeholder.hidden = !pad.isEmpty || uploaded.isShown;
  const current = state.shown !== null && state.readVersion === drawingKey();
  els.result.toggleAttribute("data-stale", state.shown !== null && !current);
  els.boxes.hidden = !current;
}

function showReading(reading, size) {
  state.shown = reading;
  state.size = size;
  els.result.dataset.state = "shown";
  els.result.dataset.id = reading.id;
  const { value, summary } = verdictText(reading);
  els.value.textContent = value;
  els.summary.textContent = summary;
  placeBoxes(size);
  renderBoxes(els.boxes, reading, size);
  renderDigitList(els.digits, reading);
  const rejected = rejectedText(reading);
  els.rejected.hidden = rejected === null;
  els.rejected.textContent = rejected ?? "";
  refreshInputs();
  els.modelVersion.textContent = reading.model_version ?? "";
  els.answer.value = "";
  els.status.dataset.tone = "";
  els.status.textContent = reading.suggested_number
    ? interpolate(gettext("You said it was %(answer)s."), { answer: reading.suggested_number })
    : "";
  els.body.hidden = false;
  syncControls();
}

/**
 * The boxes are in % of the image read. A drawing fills the frame; an uploaded image is shown whole,
 * centred, so its boxes (and the picture) take the rectangle it lands on.
 */
function placeBoxes(size) {
  if (!uploaded.isShown) {
    els.boxes.removeAttribute("style");
    return;
  }
  const rect = fitRect(size, ASPECT);
  Object.assign(els.boxes.style, percentRect(rect));
  uploaded.place(rect);
}

function resetReading() {
  state.shown = null;
  state.size = null;
  state.readVersion = -1;
  els.result.dataset.state = "empty";
  delete els.result.dataset.id;
  els.value.textContent = "";
  els.summary.textContent = EMPTY_SUMMARY;
  els.boxes.replaceChildren();
  els.body.hidden = true;
  syncControls();
}

/** The inputs are fetched only while "Show inputs" is open. */
function refreshInputs() {
  if (els.inputs.open && state.shown) renderInputs(els.inputsList, state.shown, els.panel.dataset.inputsRoot);
  else els.inputsList.replaceChildren();
}

// ---- actions --------------------------------------------------------------

function cancelPending() {
  clearTimeout(state.autoTimer);
  state.inflight?.abort();
  state.inflight = null;
  state.pendingVersion = -1;
  setBusy(els.result, els.read, false);
}

async function read({ auto = false } = {}) {
  clearTimeout(state.autoTimer);
  if (pad.isDrawing) return;
  if (pad.isEmpty && !uploaded.isShown) {
    if (!auto) showError(els.error, gettext("Write a number first — the canvas is empty."));
    return;
  }
  if (state.shown && state.readVersion === drawingKey()) return; // already on display
  if (state.inflight && state.pendingVersion === drawingKey()) return; // already on its way
  state.inflight?.abort();
  const controller = new AbortController();
  Object.assign(state, { inflight: controller, pendingVersion: drawingKey() });
  const version = drawingKey();
  const size = pad.exportSize();
  const image = uploaded.file ?? pad.toDataURL(); // a file is sent as it is (multipart), a drawing as a PNG
  setBusy(els.result, els.read, true);
  hideError(els.error);
  try {
    const reading = await api.read(image, { signal: controller.signal });
    state.readVersion = version;
    // The server's size of the image wins (its boxes are in those pixels); ours is what we sent.
    showReading(reading, reading.width && reading.height ? { width: reading.width, height: reading.height } : size);
  } catch (error) {
    if (controller.signal.aborted) return;
    if (!(error instanceof ApiError)) console.error(error);
    showRequestError(els.error, error, () => read()); // status.js: friendly words, countdown, "Try again"
  } finally {
    if (state.inflight === controller) {
      Object.assign(state, { inflight: null, pendingVersion: -1 });
      setBusy(els.result, els.read, false);
    }
  }
}

function scheduleAutoRead() {
  clearTimeout(state.autoTimer);
  if (!els.auto.checked || pad.isEmpty) return;
  state.autoTimer = setTimeout(() => read({ auto: true }), AUTO_READ_DELAY_MS);
}

function undo() {
  if (pad.isEmpty || pad.isDrawing) return;
  pad.undo();
  hideError(els.error);
  if (pad.isEmpty) {
    cancelPending();
    resetReading();
  } else {
    scheduleAutoRead();
  }
}

function clearAll() {
  if (pad.isDrawing) return;
  cancelPending();
  pad.clear();
  dropUpload();
  hideError(els.error);
  resetReading();
}

/** An image file (upload, paste or drop): shown on the pad in place of the strokes, read as it is. */
function useFile(file) {
  if (pad.isDrawing) return;
  cancelPending();
  hideError(els.error);
  pad.clear();
  uploaded.show(file);
  els.boxes.hidden = true;
  syncControls();
  read();
}

function dropUpload() {
  if (!uploaded.isShown) return;
  uploaded.hide();
  els.boxes.removeAttribute("style");
  syncControls();
}

async function sendFeedback(event) {
  event.preventDefault();
  const shown = state.shown;
  const number = els.answer.value.trim();
  if (!shown || state.savingFeedback) return;
  if (!NUMBER_PATTERN.test(number)) {
    els.status.dataset.tone = "error";
    els.status.textContent = gettext("Type the number with digits only (up to 32), e.g. 2026.");
    els.answer.setAttribute("aria-invalid", "true");
    return;
  }
  els.answer.removeAttribute("aria-invalid");
  state.savingFeedback = true;
  els.status.dataset.tone = "";
  els.status.textContent = gettext("Saving…");
  try {
    await api.feedback(shown.id, number);
    if (state.shown?.id !== shown.id) return;
    state.shown = { ...state.shown, suggested_number: number };
    els.status.dataset.tone = "success";
    els.status.textContent = interpolate(gettext("Thanks — saved as %(answer)s"), { answer: number });
  } catch (error) {
    if (state.shown?.id !== shown.id) return;
    els.status.dataset.tone = "error";
    els.status.textContent = error instanceof ApiError ? error.message : gettext("Couldn't save that. Try again.");
  } finally {
    state.savingFeedback = false;
  }
}

// ---- preferences ----------------------------------------------------------

function readAutoRead() {
  try {
    return localStorage.getItem(AUTO_READ_KEY) !== "off";
  } catch {
    return true;
  }
}

function saveAutoRead(on) {
  try {
    localStorage.setItem(AUTO_READ_KEY, on ? "on" : "off");
  } catch {
    // storage disabled: the toggle still works for this visit
  }
}

// ---- wiring ---------------------------------------------------------------

/** Enter reads, Ctrl+Z or Backspace undoes, Esc clears: only while Number mode is showing. */
function onKey(event) {
  if (els.panel.hidden || event.defaultPrevented || event.altKey || event.isComposing) return;
  const target = event.target instanceof Element ? event.target : document.body;
  const typing = target.closest("input:not([type=checkbox]):not([type=radio]), textarea, select, [contenteditable]");
  const onControl = target.closest("button, a, input, select, textarea, summary");
  const modifier = event.ctrlKey || event.metaKey;
  if (modifier && !event.shiftKey && event.key.toLowerCase() === "z" && !typing) {
    event.preventDefault();
    undo();
  } else if (modifier) {
    // leave every other shortcut to the browser
  } else if (event.key === "Enter" && !onControl) {
    event.preventDefault();
    read();
  } else if (event.key === "Backspace" && !typing) {
    event.preventDefault();
    undo();
  } else if (event.key === "Escape" && !typing) {
    clearAll();
  }
}

pad.addEventListener("strokestart", () => {
  clearTimeout(state.autoTimer);
  hideError(els.error);
  dropUpload(); // writing again: the pad is strokes, not the uploaded image
});
// The keyboard's pen moving between strokes is writing too: the pause that reads starts again.
pad.addEventListener("penmove", () => {
  if (state.readVersion !== drawingKey() && !pad.isEmpty) scheduleAutoRead();
});
watchImageInput({ input: els.upload, zone: els.frame, active: () => !els.panel.hidden, onFile: useFile });
pad.addEventListener("strokeend", scheduleAutoRead);
pad.addEventListener("change", syncControls);

els.read.addEventListener("click", () => read());
els.undo.addEventListener("click", undo);
els.clear.addEventListener("click", clearAll);
els.inputs.addEventListener("toggle", refreshInputs);
els.form.addEventListener("submit", sendFeedback);
els.answer.addEventListener("input", () => els.answer.removeAttribute("aria-invalid"));

els.auto.checked = readAutoRead();
els.auto.addEventListener("change", () => {
  saveAutoRead(els.auto.checked);
  if (els.auto.checked && state.readVersion !== drawingKey()) scheduleAutoRead();
  else clearTimeout(state.autoTimer);
});
// Leaving Number mode mid-pause must not send a drawing nobody asked to read.
document.addEventListener("modechange", () => clearTimeout(state.autoTimer));
document.addEventListener("keydown", onKey);

watchLoading(els.result); // status.js: "Reading…" while a request is on its way
syncControls();
els.panel.dataset.ready = "true"; // lets tests wait for the script
