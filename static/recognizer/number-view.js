// How a number reading from POST /api/numbers/ is drawn: the boxes over the canvas, the digits
// in words, and on demand each digit's 28x28 input with its ten probabilities. No state here:
// numbers.js decides when, these functions only build elements.

import { gettext, interpolate, ngettext } from "./i18n.js";
import { formatPercent } from "./percent.js";

/** One box as CSS percentages of the uploaded image, so it scales with the displayed canvas. */
function place(element, [x, y, width, height], size) {
  element.style.left = `${(100 * x) / size.width}%`;
  element.style.top = `${(100 * y) / size.height}%`;
  element.style.width = `${(100 * width) / size.width}%`;
  element.style.height = `${(100 * height) / size.height}%`;
}

// A box this close to the canvas top has its label inside: above it, the frame would cut it off.
const TOP_EDGE = 0.15;

function box(className, label, where, size) {
  const element = document.createElement("div");
  element.className = className;
  element.classList.toggle("is-at-top", where[1] < TOP_EDGE * size.height);
  place(element, where, size);
  const tag = document.createElement("span");
  tag.className = "number-box__label";
  tag.append(label.main);
  if (label.detail) {
    // On a narrow canvas only the digit fits over its box; the answer panel lists the confidences.
    const detail = document.createElement("span");
    detail.className = "number-box__detail";
    detail.textContent = ` · ${label.detail}`;
    tag.append(detail);
  }
  element.append(tag);
  return element;
}

/**
 * The boxes of a reading over the canvas: solid around each digit with its digit and confidence,
 * dashed around each piece judged not a digit. `size` is the uploaded image's {width, height}.
 */
export function renderBoxes(layer, reading, size) {
  layer.replaceChildren(
    ...reading.digits.map((digit) =>
      box("number-box", { main: String(digit.prediction), detail: formatPercent(digit.confidence) }, digit.box, size),
    ),
    ...reading.rejected.map((piece) =>
      box("number-box number-box--rejected", { main: gettext("not a digit") }, piece.box, size),
    ),
  );
}

/** The headline: the number read and how sure of all of it, or why there is none. */
export function verdictText(reading) {
  if (!reading.digits.length) {
    return { value: "", summary: gettext("No digits found: nothing in this drawing reads as a digit.") };
  }
  return { value: reading.number, summary: interpolate(gettext("%(confidence)s sure"), { confidence: formatPercent(reading.confidence) }) };
}


/** The digits in words, left to right: each with its confidence. */
export function renderDigitList(list, reading) {
  list.replaceChildren(
    ...reading.digits.map((digit, index) => {
      const item = document.createElement("li");
      item.className = "number-digits__item";
      item.dataset.index = String(index);
      const value = document.createElement("strong");
      value.textContent = String(digit.prediction);
      const sure = document.createElement("span");
      sure.textContent = formatPercent(digit.confidence);
      item.append(value, " ", sure);
      item.setAttribute(
        "aria-label",
        interpolate(gettext("%(digit)s, %(confidence)s sure"), {
          digit: digit.prediction,
          confidence: formatPercent(digit.confidence, { spoken: true }),
        }),
      );
      return item;
    }),
  );
}

/** The sentence about pieces judged not digits (dashed boxes), or null when there are none. */
export function rejectedText(reading) {
  const count = reading.rejected.length;
  if (!count) return null;
  const text = ngettext(
    "%(count)s piece is not a digit (dashed boxes): left out of the number.",
    "%(count)s pieces are not digits (dashed boxes): left out of the number.",
    count,
  );
  return interpolate(text, { count });
}

function probabilityRows(probabilities, predicted) {
  const list = document.createElement("ol");
  list.className = "mini-probs";
  list.setAttribute("aria-label", gettext("Probability of each digit"));
  (probabilities ?? []).forEach((probability, digit) => {
    const value = Math.min(1, Math.max(0, probability));
    const row = document.createElement("li");
    row.className = digit === predicted ? "mini-probs__row is-top" : "mini-probs__row";
    const label = document.createElement("span");
    label.textContent = String(digit);
    label.setAttribute("aria-hidden", "true");
    const bar = document.createElement("div");
    bar.className = "prob-bar";
    bar.setAttribute("role", "meter");
    bar.setAttribute("aria-label", interpolate(gettext("Digit %(digit)s"), { digit }));
    bar.setAttribute("aria-valuemin", "0");
    bar.setAttribute("aria-valuemax", "100");
    bar.setAttribute("aria-valuenow", String(value * 100)); // the figure read out is aria-valuetext's
    bar.setAttribute("aria-valuetext", formatPercent(value, { spoken: true }));
    const fill = document.createElement("div");
    fill.className = "prob-bar__fill";
    fill.style.width = `${value * 100}%`;
    bar.append(fill);
    const text = document.createElement("span");
    text.textContent = formatPercent(value);
    text.setAttribute("aria-hidden", "true");
    row.append(label, bar, text);
    list.append(row);
  });
  return list;
}

/** Each digit's model input (served as PNG by the predictions API) and its ten probabilities. */
export function renderInputs(list, reading, inputsRoot) {
  list.replaceChildren(
    ...reading.digits.map((digit, index) => {
      const item = document.createElement("li");
      item.className = "number-inputs__item";
      const figure = document.createElement("figure");
      figure.className = "preview";
      const image = document.createElement("img");
      image.width = image.height = 28;
      image.src = digit.input_url ?? `${inputsRoot}${encodeURIComponent(digit.drawing)}/input`;
      image.alt = interpolate(gettext("The 28 by 28 pixel image the model read as %(digit)s"), { digit: digit.prediction });
      const caption = document.createElement("figcaption");
      caption.textContent = interpolate(gettext("Digit %(position)s: %(digit)s"), { position: index + 1, digit: digit.prediction });
      figure.append(image, caption);
      item.append(figure, probabilityRows(digit.probabilities, digit.prediction));
      return item;
    }),
  );
}
