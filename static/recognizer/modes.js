// Digit | Number: the page's two modes as ARIA tabs. One tab is in the Tab order (the selected
// one); arrow keys, Home and End move between tabs and select them, as the tabs pattern expects.
// The choice is remembered in this browser, like the "as I draw" toggles.

const MODE_KEY = "digits.mode";

const tabs = [...document.querySelectorAll("#modes [role=tab]")];

function panelOf(tab) {
  return document.getElementById(tab.getAttribute("aria-controls"));
}

/** Show one mode's panel and hide the other's; `focus` moves keyboard focus to its tab. */
function select(tab, { focus = false } = {}) {
  for (const other of tabs) {
    const selected = other === tab;
    other.setAttribute("aria-selected", String(selected));
    other.tabIndex = selected ? 0 : -1;
    panelOf(other).hidden = !selected;
  }
  if (focus) tab.focus();
  remember(tab.dataset.mode);
  document.dispatchEvent(new CustomEvent("modechange", { detail: { mode: tab.dataset.mode } }));
}

function remember(mode) {
  try {
    localStorage.setItem(MODE_KEY, mode);
  } catch {
    // storage disabled: the mode holds for this visit
  }
}

function remembered() {
  try {
    return localStorage.getItem(MODE_KEY);
  } catch {
    return null;
  }
}

/** The tab an arrow, Home or End key leads to from `index`, or null for any other key. */
function target(key, index) {
  const last = tabs.length - 1;
  if (key === "ArrowRight" || key === "ArrowDown") return tabs[index === last ? 0 : index + 1];
  if (key === "ArrowLeft" || key === "ArrowUp") return tabs[index === 0 ? last : index - 1];
  if (key === "Home") return tabs[0];
  if (key === "End") return tabs[last];
  return null;
}

for (const [index, tab] of tabs.entries()) {
  tab.addEventListener("click", () => select(tab));
  tab.addEventListener("keydown", (event) => {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    const next = target(event.key, index);
    if (!next) return; // Enter and Space click the button: handled above
    event.preventDefault();
    select(next, { focus: true });
  });
}

const start = tabs.find((tab) => tab.dataset.mode === remembered());
if (start && start.getAttribute("aria-selected") !== "true") select(start);
document.getElementById("modes").dataset.ready = "true";
