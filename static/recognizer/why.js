// "Why?" under a result: on request only, a heatmap of which parts of the drawing drove the answer
// (GET /api/predictions/{id}/saliency, about 0.1 s of server time, so never fetched unasked).
// It follows the result panel's data-id instead of hooking into app.js: the page script needs no change,
// and whatever shows a stored prediction (a new drawing, the history) gets its "Why?".

import { gettext, interpolate } from "./i18n.js";

const PLACEHOLDER = "ID"; // in the template's reversed URL
const STORED_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i; // previews have none

const $ = (selector) => document.querySelector(selector);
const els = {
  root: $("#why"),
  toggle: $("#why-toggle"),
  status: $("#why-status"),
  panel: $("#why-panel"),
  image: $("#why-image"),
  result: $("#result"),
};

let shownId = null; // the stored prediction the panel belongs to

/** The image's text alternative: what the picture shows, for someone who cannot see it, by the answer. */
export function altText(verdict, digit) {
  if (verdict === "not-digit") {
    return gettext(
      "Heatmap over your drawing as the model saw it, enlarged. Yellow marks the parts that most made the model " +
        "say it is not a digit; dark purple marks the parts that did not matter.",
    );
  }
  if (!digit) {
    return gettext(
      "Heatmap over your drawing as the model saw it, enlarged. Yellow marks the parts that most made the model " +
        "give its answer; dark purple marks the parts that did not matter.",
    );
  }
  return interpolate(
    gettext(
      "Heatmap over your drawing as the model saw it, enlarged. Yellow marks the parts that most made the model " +
        "read %(digit)s; dark purple marks the parts that did not matter.",
    ),
    { digit },
  );
}

function currentId() {
  const id = els.result.dataset.state === "shown" ? els.result.dataset.id : undefined;
  return id && STORED_ID.test(id) ? id : null;
}

function collapse() {
  els.panel.hidden = true;
  els.toggle.setAttribute("aria-expanded", "false");
  els.toggle.textContent = gettext("Why?");
}

function reset() {
  collapse();
  els.image.removeAttribute("src");
  els.image.alt = "";
  els.status.textContent = "";
}

function follow() {
  const id = currentId();
  if (id === shownId) return;
  shownId = id;
  reset();
  els.root.hidden = id === null;
}

function open() {
  const url = els.root.dataset.url.replace(PLACEHOLDER, encodeURIComponent(shownId));
  els.toggle.setAttribute("aria-expanded", "true");
  els.toggle.textContent = gettext("Hide why");
  els.image.alt = altText($("#verdict")?.dataset.verdict, $("#result-digit")?.textContent.trim());
  if (els.image.getAttribute("src") === url && els.image.complete && els.image.naturalWidth > 0) {
    els.panel.hidden = false;
    return;
  }
  els.status.textContent = gettext("Working out which parts mattered…");
  els.image.src = url;
}

els.toggle.addEventListener("click", () => {
  if (shownId === null) return;
  if (els.toggle.getAttribute("aria-expanded") === "true") collapse();
  else open();
});

els.image.addEventListener("load", () => {
  if (els.toggle.getAttribute("aria-expanded") !== "true") return;
  els.panel.hidden = false;
  els.status.textContent = gettext("Heatmap shown below.");
});

els.image.addEventListener("error", () => {
  if (!els.image.getAttribute("src")) return; // reset() dropped it
  els.image.removeAttribute("src");
  collapse();
  els.status.textContent = gettext("Couldn't make the heatmap. Try again.");
});

new MutationObserver(follow).observe(els.result, { attributes: true, attributeFilter: ["data-id", "data-state"] });
follow();
