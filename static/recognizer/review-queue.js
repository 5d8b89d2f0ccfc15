// The admin's review queue (recognizer/review/views.py): one card at a time; keys 0-9 confirm that digit,
// N "not a digit", S skip, U undo; the buttons do the same for mouse and touch. Every decision is posted
// to the staff-only endpoint, which writes through the services and keeps the undo history; the page
// only follows. No framework, nothing loaded from elsewhere.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  // The page loads Django's JavaScript catalogue (/jsi18n/) first, so the reviewer reads their language.
  const gettext = (text) => (typeof window.gettext === "function" ? window.gettext(text) : text);
  const interpolate = (format, values) => format.replace(/%\((\w+)\)s/g, (_, name) => String(values[name]));
  const root = document.querySelector(".review-queue");
  const cards = Array.from(document.querySelectorAll(".review-card"));
  const status = document.getElementById("review-status");
  if (!root || !cards.length) return;
  const progress = document.getElementById("review-progress");
  const done = document.getElementById("review-done");
  const csrf = root.querySelector("input[name=csrfmiddlewaretoken]").value;
  let index = 0;
  let busy = false;

  function show(next) {
    index = Math.max(0, Math.min(next, cards.length));
    cards.forEach((card, i) => { card.hidden = i !== index; });
    done.hidden = index < cards.length;
    progress.textContent = index < cards.length
      ? interpolate(gettext("%(position)s of %(total)s"), { position: index + 1, total: cards.length })
      : interpolate(gettext("Done: %(total)s of %(total)s"), { total: cards.length });
  }

  function announce(text) {
    status.textContent = "";  // a repeated message is read again
    window.setTimeout(() => { status.textContent = text; }, 30);
  }

  async function decide(action, label) {
    if (busy) return;
    if (action !== "undo" && index >= cards.length) { announce(gettext("The batch is finished.")); return; }
    busy = true;
    root.setAttribute("aria-busy", "true");
    const body = { action };
    if (action !== "undo") body.drawing = cards[index].dataset.id;
    if (action === "label") body.label = label;
    try {
      const response = await fetch(root.dataset.actionUrl, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
        credentials: "same-origin",
        body: JSON.stringify(body),
      });
      const answer = await response.json().catch(() => ({}));
      if (!response.ok) {
        const reason = answer.error || interpolate(gettext("the server answered %(status)s"), { status: response.status });
        announce(interpolate(gettext("Not done: %(reason)s."), { reason }));
        return;
      }
      if (action === "undo") {
        const back = cards.findIndex((card) => card.dataset.id === answer.drawing);
        show(back === -1 ? index : back);
      } else {
        show(index + 1);
      }
      announce(answer.message);
    } catch (error) {
      announce(gettext("Not done: the server could not be reached."));
    } finally {
      busy = false;
      root.removeAttribute("aria-busy");
    }
  }

  function typing(target) {
    return target instanceof HTMLElement
      && (target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName));
  }

  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey || event.repeat || typing(event.target)) return;
    const key = event.key.toLowerCase();
    let handled = true;
    if (/^[0-9]$/.test(key)) decide("label", Number(key));
    else if (key === "n") decide("not_a_digit");
    else if (key === "s") decide("skip");
    else if (key === "u") decide("undo");
    else handled = false;
    if (handled) event.preventDefault();
  });

  root.querySelectorAll(".review-button").forEach((button) => {
    button.addEventListener("click", () => {
      const { action, label } = button.dataset;
      decide(action, label === undefined ? undefined : Number(label));
    });
  });

  show(0);
  root.dataset.ready = "true";
});
