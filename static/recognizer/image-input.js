// An image instead of a drawing, without a pointer or with one: picked with the upload button (a file
// input, reachable by Tab), pasted (Ctrl/Cmd+V anywhere on the mode's panel), or dropped on the pad.
// The file goes to the page's callback as it is: the API checks it with the same limits and errors as
// any upload (size, type, decodable), and the page shows those errors with status.js like any other.
// Also what the pad shows meanwhile: the uploaded picture, fitted into the pad's frame.

import { gettext, interpolate } from "./i18n.js";

/**
 * @param {{input: HTMLInputElement, zone: HTMLElement, active: () => boolean, onFile: (file: File) => void}} options
 *   `zone` takes drops (it gets data-dropping while a file is held over it); `active` says whether this
 *   mode is the one showing, so a paste goes to one mode only.
 */
export function watchImageInput({ input, zone, active, onFile }) {
  input.addEventListener("change", () => {
    const file = input.files?.[0];
    input.value = ""; // picking the same file again is a new upload
    if (file) onFile(file);
  });

  document.addEventListener("paste", (event) => {
    if (!active() || event.defaultPrevented) return;
    const target = event.target instanceof Element ? event.target : null;
    if (target?.closest("input:not([type=file]), textarea, [contenteditable]")) return; // pasting text
    const file = firstFile(event.clipboardData);
    if (!file) return; // text on the clipboard: nothing for us
    event.preventDefault();
    onFile(file);
  });

  const holdsFiles = (event) => [...(event.dataTransfer?.types ?? [])].includes("Files");
  zone.addEventListener("dragover", (event) => {
    if (!holdsFiles(event)) return;
    event.preventDefault(); // allows the drop
    event.dataTransfer.dropEffect = "copy";
    zone.setAttribute("data-dropping", "");
  });
  zone.addEventListener("dragleave", (event) => {
    if (!zone.contains(event.relatedTarget)) zone.removeAttribute("data-dropping");
  });
  zone.addEventListener("drop", (event) => {
    zone.removeAttribute("data-dropping");
    const file = firstFile(event.dataTransfer);
    if (!file) return;
    event.preventDefault(); // the browser must not open the file instead
    onFile(file);
  });
}

function firstFile(transfer) {
  if (!transfer) return null;
  if (transfer.files?.length) return transfer.files[0];
  for (const item of transfer.items ?? []) {
    if (item.kind === "file") return item.getAsFile();
  }
  return null;
}

/**
 * The uploaded file on the pad instead of a drawing, and its picture shown in the pad's frame (an <img>),
 * until the pad is drawn on or cleared. Both modes keep their upload here, so the file sent, whether the
 * pad shows one, and which one it is are known in one place.
 */
export class UploadPreview {
  /** @param {HTMLImageElement} image */
  constructor(image) {
    this.image = image;
    this.url = null;
    this.file = null; // the file on the pad, sent as it is instead of the strokes; null while it is strokes
    this.key = 0; // bumped by each file shown: an answer for an older upload is stale
    image.addEventListener("error", () => {
      if (this.url) this.image.hidden = true; // not an image the browser can show: the API will say why
    });
  }

  get isShown() {
    return this.file !== null;
  }

  /** Shows `file`; `rect` ({left, top, width, height} in % of the frame) places it, else it is centred whole. */
  show(file, rect = null) {
    this.hide();
    this.file = file;
    this.key += 1; // a new drawing to whatever was predicted before, even the same file again
    this.url = URL.createObjectURL(file);
    this.image.src = this.url;
    this.image.alt = interpolate(gettext("Your image, %(name)s"), { name: file.name || gettext("pasted") });
    this.image.hidden = false;
    if (rect) this.place(rect);
  }

  place(rect) {
    Object.assign(this.image.style, percentRect(rect));
    this.image.dataset.placed = "true";
  }

  hide() {
    if (this.url) URL.revokeObjectURL(this.url);
    this.url = null;
    this.file = null;
    this.image.hidden = true;
    this.image.removeAttribute("src");
    this.image.removeAttribute("style");
    delete this.image.dataset.placed;
  }
}

/**
 * Where an image of `size` ({width, height}) lands when fitted whole into a frame of `aspect` (width /
 * height), centred: {left, top, width, height} in % of the frame.
 */
export function fitRect(size, aspect) {
  const imageAspect = size.width / size.height;
  if (imageAspect >= aspect) {
    const height = (100 * aspect) / imageAspect;
    return { left: 0, top: (100 - height) / 2, width: 100, height };
  }
  const width = (100 * imageAspect) / aspect;
  return { left: (100 - width) / 2, top: 0, width, height: 100 };
}

/** A rect in % as inline styles. */
export function percentRect(rect) {
  return {
    left: `${rect.left}%`,
    top: `${rect.top}%`,
    width: `${rect.width}%`,
    height: `${rect.height}%`,
    right: "auto",
    bottom: "auto",
  };
}
