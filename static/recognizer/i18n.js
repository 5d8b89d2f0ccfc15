// The page's scripts in the visitor's language (docs/i18n.md). Django's JavaScript catalogue (/jsi18n/,
// loaded by base.html before the modules) defines gettext, ngettext and interpolate with this page's
// translations; without it (offline before it was ever cached) the scripts speak English. Strings are
// found by `manage.py makemessages -d djangojs` wherever gettext(...) or ngettext(...) is written.

/** `text` in the page's language. */
export function gettext(text) {
  return typeof globalThis.gettext === "function" ? globalThis.gettext(text) : text;
}

/** `one` or `many`, in the page's language, as the language counts `count`. */
export function ngettext(one, many, count) {
  return typeof globalThis.ngettext === "function" ? globalThis.ngettext(one, many, count) : count === 1 ? one : many;
}

/** `format` with each %(name)s replaced by `values[name]`. */
export function interpolate(format, values) {
  return format.replace(/%\((\w+)\)s/g, (_, name) => String(values[name]));
}
