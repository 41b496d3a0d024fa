// Interface strings. Every label comes from a locale file; switching the
// language swaps the table and the app re-renders.

import en from "./locales/en.json";
import zhCN from "./locales/zh-CN.json";

export type Locale = "en" | "zh-CN";
export type Messages = Record<string, string>;

export const LOCALES: Record<Locale, Messages> = { en, "zh-CN": zhCN };

let current: Locale = "en";

export function isLocale(value: string): value is Locale {
  return Object.prototype.hasOwnProperty.call(LOCALES, value);
}

export function setLocale(locale: Locale): void {
  current = locale;
  document.documentElement.lang = locale;
}

export function locale(): Locale {
  return current;
}

/** Looks `key` up in the current locale, then in English, and fills `{name}` slots. */
export function t(key: string, values: Record<string, string | number> = {}): string {
  const template = LOCALES[current][key] ?? LOCALES.en[key] ?? key;
  return template.replace(/\{(\w+)\}/g, (slot, name: string) => (name in values ? String(values[name]) : slot));
}
