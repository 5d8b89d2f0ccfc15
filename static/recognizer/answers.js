// What a drawing is, as the model or a person says it: a digit 0-9, or "not a digit".
// One vocabulary for the result panel, the feedback buttons and the history.

import { gettext } from "./i18n.js";

/** A person's answer that the drawing is no digit at all (also the feedback button's data-label). */
export const NOT_A_DIGIT = "not-a-digit";

const TOP_GUESSES = 3;

/**
 * The model's verdict. Only an explicit `is_digit: false` means "not a digit": models without a
 * not-a-digit output answer null, and their answer is the digit.
 */
export function looksLikeDigit(prediction) {
  return prediction.is_digit !== false;
}

/** The user's suggestion held in a prediction from the API: a digit, NOT_A_DIGIT, or null. */
export function suggestionOf(prediction) {
  if (prediction.suggested_not_a_digit) return NOT_A_DIGIT;
  return prediction.suggested_label ?? null;
}

/** A feedback button's data-label ("0".."9" or NOT_A_DIGIT) → the answer it gives. */
export function parseAnswer(text) {
  return text === NOT_A_DIGIT ? NOT_A_DIGIT : Number(text);
}

/** The body of POST …/feedback/ for an answer. */
export function feedbackBody(answer) {
  return answer === NOT_A_DIGIT ? { not_a_digit: true } : { label: answer };
}

/** An answer in words: "7" or "not a digit". */
export function describeAnswer(answer) {
  return answer === NOT_A_DIGIT ? gettext("not a digit") : String(answer);
}

/** The most likely digits, most likely first, as {digit, probability}. */
export function topGuesses(probabilities, count = TOP_GUESSES) {
  return (probabilities ?? [])
    .map((probability, digit) => ({ digit, probability }))
    .sort((a, b) => b.probability - a.probability || a.digit - b.digit)
    .slice(0, count);
}
