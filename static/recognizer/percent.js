// Percentages on the page, by the one rule of recognizer/percent.py (the admin and commands use that):
// - exactly 0 or 1: "0 %" or "100 %", without decimals; only an exact value is written so;
// - otherwise 100·p rounded half up to one decimal ("87.3 %")...
// - ...unless rounding would make it look exact: "<0.1 %" above 0, ">99.9 %" below 1;
// - the number in the page's language (<html lang>: "99,9 %" in German), a no-break space before "%".
// Every probability on the page goes through formatPercent: the headline, the top guesses, the bars,
// the history, Number mode's digits and boxes. tests/browser/test_keyboard_and_upload.py checks that this
// and the Python formatter write the same text for the same values.

import { gettext } from "./i18n.js";

const SPACE = "\u00a0";
const formatters = new Map(); // "lang|decimals" -> Intl.NumberFormat

function formatter(decimals) {
  const lang = document.documentElement.lang || undefined;
  const key = `${lang}|${decimals}`;
  if (!formatters.has(key)) {
    const options = { minimumFractionDigits: decimals, maximumFractionDigits: decimals, useGrouping: false };
    let format;
    try {
      format = new Intl.NumberFormat(lang, options); // halfExpand: half up, on the value's exact decimal
    } catch {
      format = new Intl.NumberFormat(undefined, options); // an unknown language tag
    }
    formatters.set(key, format);
  }
  return formatters.get(key);
}

/**
 * `probability` (0-1) as a percentage by the rule above. `spoken` gives words for screen readers
 * ("more than 99.9 %") instead of the signs "<" and ">".
 * @param {number|null|undefined} probability
 * @param {{decimals?: number, spoken?: boolean}} options
 */
export function formatPercent(probability, { decimals = 1, spoken = false } = {}) {
  if (probability === null || probability === undefined || !Number.isFinite(probability)) return "\u2014";
  if (probability === 0 || probability === 1) return `${probability * 100}${SPACE}%`;
  const format = formatter(decimals);
  const text = format.format(probability * 100);
  const step = 10 ** -decimals;
  if (probability > 0 && probability < 1 && text === format.format(0)) {
    return `${spoken ? `${gettext("less than")} ` : "<"}${format.format(step)}${SPACE}%`;
  }
  if (probability > 0 && probability < 1 && text === format.format(100)) {
    return `${spoken ? `${gettext("more than")} ` : ">"}${format.format(100 - step)}${SPACE}%`;
  }
  return `${text}${SPACE}%`;
}
