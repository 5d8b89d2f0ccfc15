// This browser's recent predictions, kept in localStorage, and their list.

import { NOT_A_DIGIT, describeAnswer, suggestionOf } from "./answers.js";
import { gettext, interpolate } from "./i18n.js";
import { formatPercent } from "./percent.js";

const KEY = "digits.history.v1";
const LIMIT = 8;

/** localStorage, or null where it is disabled (some private modes, strict settings). */
function storage() {
  try {
    const store = window.localStorage;
    store.getItem(KEY);
    return store;
  } catch {
    return null;
  }
}

function isEntry(value) {
  return (
    value !== null &&
    typeof value === "object" &&
    typeof value.id === "string" &&
    Number.isInteger(value.digit) &&
    typeof value.confidence === "number" &&
    typeof value.inputUrl === "string" &&
    value.inputUrl.startsWith("/") // only ever our own server's images
  );
}

export class PredictionHistory {
  constructor() {
    this.store = storage();
  }

  /**
   * label: what the user said (a digit, NOT_A_DIGIT or null); isDigit: the model's verdict (null
   * for models without a not-a-digit output and for entries saved before it existed).
   * @returns {{id: string, digit: number, confidence: number, inputUrl: string, created: string,
   *            label: number|string|null, isDigit: boolean|null, deleteToken?: string|null}[]}
   */
  all() {
    try {
      const parsed = JSON.parse(this.store?.getItem(KEY) ?? "[]");
      return Array.isArray(parsed) ? parsed.filter(isEntry).slice(0, LIMIT) : [];
    } catch {
      return [];
    }
  }

  /** Put a prediction from the API at the top of the list. */
  add(prediction) {
    const entry = {
      id: prediction.id,
      digit: prediction.prediction,
      confidence: prediction.confidence,
      inputUrl: prediction.input_url,
      created: prediction.created ?? new Date().toISOString(),
      label: suggestionOf(prediction),
      isDigit: prediction.is_digit ?? null,
      // Only in the creation answer; with it this browser can delete the drawing from the server.
      deleteToken: typeof prediction.delete_token === "string" ? prediction.delete_token : null,
    };
    const earlier = this.all().find((e) => e.id === entry.id);
    if (!entry.deleteToken && earlier?.deleteToken) entry.deleteToken = earlier.deleteToken;
    this._save([entry, ...this.all().filter((e) => e.id !== entry.id)]);
  }

  update(id, changes) {
    this._save(this.all().map((e) => (e.id === id ? { ...e, ...changes } : e)));
  }

  remove(id) {
    this._save(this.all().filter((e) => e.id !== id));
  }

  clear() {
    this._save([]);
  }

  _save(entries) {
    try {
      this.store?.setItem(KEY, JSON.stringify(entries.slice(0, LIMIT)));
    } catch {
      // storage full or disabled: history is a convenience, drop it quietly
    }
  }
}

/** Listen for changes made in another tab. */
export function onHistoryChange(callback) {
  window.addEventListener("storage", (event) => {
    if (event.key === KEY || event.key === null) callback();
  });
}

// In the page's language (<html lang>, the switcher's choice), not the browser's.
const relative = new Intl.RelativeTimeFormat(document.documentElement.lang || undefined, { numeric: "auto", style: "short" });

function ago(iso, now = Date.now()) {
  // Never in the future: the server's clock may run a little ahead of ours.
  const seconds = Math.min(0, Math.round((new Date(iso).getTime() - now) / 1000));
  if (Number.isNaN(seconds)) return "";
  const steps = [
    [60, "second"],
    [60, "minute"],
    [24, "hour"],
    [7, "day"],
    [Infinity, "week"],
  ];
  let value = seconds;
  for (const [size, unit] of steps) {
    if (Math.abs(value) < size) return unit === "second" ? gettext("just now") : relative.format(value, unit);
    value = Math.round(value / size);
  }
  return "";
}

/** Not a digit by the model's verdict or the user's word: such rows are marked. */
function isNotADigit(entry) {
  return entry.isDigit === false || entry.label === NOT_A_DIGIT;
}

/** Render entries into the <ol>; each row is a button carrying data-id. */
export function renderHistory(list, entries, { currentId = null } = {}) {
  list.replaceChildren(
    ...entries.map((entry) => {
      const item = document.createElement("li");
      const button = document.createElement("button");
      button.type = "button";
      button.className = "history__item";
      button.dataset.id = entry.id;
      if (entry.id === currentId) button.setAttribute("aria-current", "true");
      if (isNotADigit(entry)) button.dataset.notADigit = "true";

      const thumb = document.createElement("img");
      thumb.src = entry.inputUrl;
      thumb.alt = "";
      thumb.width = thumb.height = 28;
      thumb.loading = "lazy";
      thumb.addEventListener("error", () => thumb.classList.add("is-missing"), { once: true });

      const modelSaysDigit = entry.isDigit !== false;
      const digit = document.createElement("span");
      digit.className = "history__digit";
      digit.textContent = modelSaysDigit ? String(entry.digit) : "✕";
      if (!modelSaysDigit) digit.setAttribute("aria-hidden", "true"); // the text below says it in words

      const details = document.createElement("span");
      details.className = "history__details";
      const verdict = document.createElement("span");
      if (modelSaysDigit) {
        verdict.textContent = interpolate(gettext("%(confidence)s sure"), { confidence: formatPercent(entry.confidence) });
      } else {
        verdict.className = "history__tag";
        verdict.textContent = gettext("not a digit");
      }
      const time = document.createElement("time");
      time.dateTime = entry.created;
      time.textContent = ago(entry.created);
      details.append(verdict, time);
      if (entry.label !== null && entry.label !== undefined) {
        const label = document.createElement("span");
        label.className = "history__label";
        label.textContent = interpolate(gettext("you said %(answer)s"), { answer: describeAnswer(entry.label) });
        details.append(label);
      }

      button.append(thumb, digit, details);
      item.append(button);
      if (typeof entry.deleteToken === "string" && entry.deleteToken) {
        // Sent from this browser: it holds the token that lets it delete the drawing on the server.
        const remove = document.createElement("button");
        remove.type = "button";
        remove.className = "btn btn--quiet history__delete";
        remove.dataset.deleteId = entry.id;
        remove.textContent = gettext("Delete");
        remove.setAttribute(
          "aria-label",
          interpolate(gettext("Delete this drawing (%(answer)s) from the server"), { answer: describeAnswer(entry.digit) }),
        );
        item.append(remove);
      }
      return item;
    }),
  );
}
