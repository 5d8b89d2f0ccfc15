// Installable and honest about the network: registers the service worker (recognizer/pwa.py serves
// /sw.js, which keeps the page shell for offline use) and shows a banner while the device is offline
// — when the browser says so, or when a request just failed for lack of network (status.js sends
// "digits:network-failure") and a quick check of the server fails too. The banner is a polite live
// region, so screen readers hear it come and go.

import { gettext } from "./i18n.js";

const MESSAGE = gettext("You are offline: drawings can't be read until you are back online.");
const CHECK_EVERY_MS = 5000;

const banner = document.querySelector("#offline-banner");
let checking = 0; // interval id while we wait for the network to come back

function show() {
  if (banner.textContent !== MESSAGE) banner.textContent = MESSAGE;
  banner.dataset.offline = "true";
}

function hide() {
  clearInterval(checking);
  checking = 0;
  banner.textContent = "";
  delete banner.dataset.offline;
}

/** True when the server answers at all; HEAD is not a GET, so the service worker passes it through. */
async function reachable() {
  try {
    await fetch(banner.dataset.checkUrl, { method: "HEAD", cache: "no-store" });
    return true;
  } catch {
    return false;
  }
}

async function check() {
  if (navigator.onLine && (await reachable())) hide();
  else {
    show();
    if (!checking) checking = setInterval(check, CHECK_EVERY_MS);
  }
}

if (banner) {
  window.addEventListener("offline", show);
  window.addEventListener("online", check);
  window.addEventListener("digits:network-failure", check);
  if (!navigator.onLine) show();

  if ("serviceWorker" in navigator && banner.dataset.swUrl) {
    navigator.serviceWorker.register(banner.dataset.swUrl, { scope: banner.dataset.swScope || "/" }).catch((error) => {
      console.warn("The page will not work offline: its service worker did not register.", error);
    });
  }
  banner.dataset.ready = "true"; // lets tests wait for the script
}
