import { afterEach, describe, expect, it } from "vitest";
import { LOCALES, setLocale, t } from "../src/i18n";

describe("locales", () => {
  afterEach(() => setLocale("en"));

  it("have the same keys", () => {
    expect(Object.keys(LOCALES["zh-CN"]).sort()).toEqual(Object.keys(LOCALES.en).sort());
  });

  it("switch labels at once", () => {
    setLocale("en");
    expect(t("nav.history")).toBe("History");
    setLocale("zh-CN");
    expect(t("nav.history")).toBe("历史");
    expect(document.documentElement.lang).toBe("zh-CN");
  });

  it("fill placeholders", () => {
    expect(t("history.messages", { count: 3 })).toBe("3 messages");
    setLocale("zh-CN");
    expect(t("history.messages", { count: 3 })).toBe("3 条消息");
  });

  it("return the key for an unknown label", () => {
    expect(t("no.such.key")).toBe("no.such.key");
  });

  it("keep the same placeholders in every language", () => {
    const slots = (text: string) => (text.match(/\{\w+\}/g) ?? []).sort();
    for (const [key, english] of Object.entries(LOCALES.en)) {
      expect(slots(LOCALES["zh-CN"][key]), key).toEqual(slots(english));
    }
  });
});
