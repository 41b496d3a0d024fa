import { useEffect, useState } from "preact/hooks";
import { api, errorText } from "../api";
import { isLocale, LOCALES, t, type Locale } from "../i18n";
import type { AppInfo, AppSettings, Backend, Microphone } from "../types";

const BACKENDS: Backend[] = ["auto", "cpu", "wgpu"];

export function Settings({ language, onLanguage }: { language: Locale; onLanguage: (locale: Locale) => void }) {
  const [settings, setSettings] = useState<AppSettings | null>(null);
  const [info, setInfo] = useState<AppInfo | null>(null);
  const [microphones, setMicrophones] = useState<Microphone[]>([]);
  const [notice, setNotice] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    api.settingsGet().then(setSettings).catch((failure) => setError(errorText(failure)));
    api.appInfo().then(setInfo).catch((failure) => setError(errorText(failure)));
    api.microphonesList().then(setMicrophones).catch((failure) => setError(t("mic.failed", { error: errorText(failure) })));
  }, []);

  if (!settings) return <section class="settings" data-testid="settings-view" />;

  function update(patch: Partial<AppSettings>) {
    setSettings((current) => (current ? { ...current, ...patch } : current));
  }

  async function save(next: AppSettings) {
    setError(null);
    setNotice(null);
    try {
      setSettings(await api.settingsSave(next));
      setNotice(t("settings.saved"));
    } catch (failure) {
      setError(errorText(failure));
    }
  }

  function changeLanguage(value: string) {
    if (!isLocale(value) || !settings) return;
    onLanguage(value);
    void save({ ...settings, language: value });
  }

  return (
    <section class="settings" data-testid="settings-view">
      <header class="view-header">
        <h2>{t("settings.title")}</h2>
      </header>
      <form
        class="settings-form"
        onSubmit={(event) => {
          event.preventDefault();
          void save(settings);
        }}
      >
        <label>
          {t("settings.language")}
          <select data-testid="language-select" value={language} onChange={(event) => changeLanguage(event.currentTarget.value)}>
            {Object.keys(LOCALES).map((code) => (
              <option key={code} value={code}>
                {t(`language.${code}`)}
              </option>
            ))}
          </select>
        </label>
        <p class="hint">{t("settings.language_hint")}</p>

        <fieldset>
          <legend>{t("settings.persona")}</legend>
          <label>
            {t("settings.persona_name")}
            <input data-testid="persona-name" value={settings.persona_name} onInput={(event) => update({ persona_name: event.currentTarget.value })} />
          </label>
          <label>
            {t("settings.persona_text")}
            <textarea data-testid="persona-text" value={settings.persona_text} onInput={(event) => update({ persona_text: event.currentTarget.value })} />
          </label>
        </fieldset>

        <fieldset>
          <legend>{t("settings.model")}</legend>
          <label>
            {t("settings.model_path")}
            <input
              value={settings.model_path ?? ""}
              placeholder={t("settings.model_path_default")}
              onInput={(event) => update({ model_path: event.currentTarget.value.trim() || null })}
            />
          </label>
          <label>
            {t("settings.temperature")}
            <input
              type="number"
              min={0}
              max={2}
              step={0.05}
              value={settings.temperature}
              onInput={(event) => update({ temperature: Number(event.currentTarget.value) })}
            />
          </label>
          <label>
            {t("settings.max_tokens")}
            <input
              type="number"
              min={1}
              max={2048}
              value={settings.max_tokens}
              onInput={(event) => update({ max_tokens: Number(event.currentTarget.value) })}
            />
          </label>
          <label>
            {t("settings.backend")}
            <select value={settings.backend} onChange={(event) => update({ backend: event.currentTarget.value as Backend })}>
              {BACKENDS.map((backend) => (
                <option key={backend} value={backend}>
                  {t(`settings.backend.${backend}`)}
                </option>
              ))}
            </select>
          </label>
        </fieldset>

        <fieldset>
          <legend>{t("settings.microphone")}</legend>
          <select value={settings.microphone ?? ""} onChange={(event) => update({ microphone: event.currentTarget.value || null })}>
            <option value="">{t("settings.microphone_default")}</option>
            {microphones.map((microphone) => (
              <option key={microphone.name} value={microphone.name}>
                {microphone.name}
              </option>
            ))}
          </select>
        </fieldset>

        <fieldset>
          <legend>{t("settings.data_folder")}</legend>
          <p class="path" data-testid="data-folder">
            {info?.data_folder}
          </p>
          <p class="hint">{t("settings.data_folder_hint")}</p>
        </fieldset>

        {notice && <p class="notice">{notice}</p>}
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" data-testid="settings-save">
          {t("common.save")}
        </button>
      </form>
    </section>
  );
}
