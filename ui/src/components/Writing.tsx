import { useEffect, useState } from "preact/hooks";
import { api, errorText } from "../api";
import { t } from "../i18n";
import { renderMarkdown } from "../markdown";
import type { Draft, DraftDocument, WritingMode } from "../types";

const MODES: WritingMode[] = ["poem", "draft", "continue", "rewrite"];

export function Writing({ ready }: { ready: boolean }) {
  const [mode, setMode] = useState<WritingMode>("poem");
  const [prompt, setPrompt] = useState("");
  const [result, setResult] = useState("");
  const [running, setRunning] = useState(false);
  const [drafts, setDrafts] = useState<Draft[]>([]);
  const [open, setOpen] = useState<DraftDocument | null>(null);
  const [title, setTitle] = useState("");
  const [notice, setNotice] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  function refresh() {
    api
      .draftsList()
      .then(setDrafts)
      .catch((failure) => setError(errorText(failure)));
  }

  useEffect(refresh, []);

  const latest = open?.versions[open.versions.length - 1]?.content ?? "";
  const needsSource = mode === "continue" || mode === "rewrite";

  async function attempt(action: () => Promise<unknown>) {
    setError(null);
    setNotice(null);
    try {
      await action();
    } catch (failure) {
      setError(errorText(failure));
    }
  }

  async function generate() {
    setRunning(true);
    setResult("");
    await attempt(() =>
      api.writingGenerate({ mode, prompt, source: needsSource ? latest || result : "" }, (text) =>
        setResult((current) => current + text),
      ),
    );
    setRunning(false);
  }

  function openDraft(id: number) {
    void attempt(async () => {
      const document = await api.draftOpen(id);
      setOpen(document);
      setTitle(document.draft.title);
    });
  }

  function saveNew() {
    void attempt(async () => {
      const draft = await api.draftCreate(title.trim() || t("writing.untitled"), result);
      refresh();
      setOpen(await api.draftOpen(draft.id));
    });
  }

  function saveVersion() {
    if (!open) return;
    void attempt(async () => {
      await api.draftSaveVersion(open.draft.id, result, t(`writing.mode.${mode}`));
      refresh();
      setOpen(await api.draftOpen(open.draft.id));
    });
  }

  function exportDraft() {
    if (!open) return;
    void attempt(async () => {
      const file = await api.draftExport(open.draft.id);
      setNotice(t("history.exported", { path: file.path }));
    });
  }

  return (
    <section class="writing" data-testid="writing-view">
      <header class="view-header">
        <h2>{t("writing.title")}</h2>
      </header>
      <div class="writing-grid">
        <div class="writing-main">
          <label>
            {t("writing.mode")}
            <select data-testid="writing-mode" value={mode} onChange={(event) => setMode(event.currentTarget.value as WritingMode)}>
              {MODES.map((name) => (
                <option key={name} value={name}>
                  {t(`writing.mode.${name}`)}
                </option>
              ))}
            </select>
          </label>
          {needsSource && <p class="hint">{t("writing.source_hint")}</p>}
          <textarea
            data-testid="writing-prompt"
            value={prompt}
            placeholder={t(`writing.prompt.${mode}`)}
            onInput={(event) => setPrompt(event.currentTarget.value)}
          />
          <div class="actions">
            {running ? (
              <button data-testid="writing-stop" onClick={() => void api.chatStop()}>
                {t("chat.stop")}
              </button>
            ) : (
              <button data-testid="writing-generate" onClick={generate} disabled={!ready}>
                {t("writing.generate")}
              </button>
            )}
          </div>
          <div class="markdown result" data-testid="writing-result" dangerouslySetInnerHTML={{ __html: renderMarkdown(result) }} />
          {notice && (
            <p class="notice" data-testid="writing-notice">
              {notice}
            </p>
          )}
          {error && (
            <p class="error" role="alert">
              {error}
            </p>
          )}
          <div class="actions">
            <input value={title} placeholder={t("writing.title_placeholder")} onInput={(event) => setTitle(event.currentTarget.value)} />
            <button data-testid="draft-save-new" onClick={saveNew} disabled={!result || running}>
              {t("writing.save_new")}
            </button>
            {open && (
              <>
                <button data-testid="draft-save-version" onClick={saveVersion} disabled={!result || running}>
                  {t("writing.save_version", { title: open.draft.title })}
                </button>
                <button data-testid="draft-export" onClick={exportDraft}>
                  {t("writing.export")}
                </button>
              </>
            )}
          </div>
        </div>
        <aside class="drafts">
          <h3>{t("writing.drafts")}</h3>
          {drafts.length === 0 && <p class="empty">{t("writing.no_drafts")}</p>}
          <ul>
            {drafts.map((draft) => (
              <li key={draft.id}>
                <button class="link" data-testid="draft-item" onClick={() => openDraft(draft.id)}>
                  {draft.title}
                </button>
                <span class="count">{t("writing.versions", { count: draft.latest_version })}</span>
              </li>
            ))}
          </ul>
          {open && (
            <div class="versions">
              <h4>{open.draft.title}</h4>
              {open.versions.map((version) => (
                <details key={version.version}>
                  <summary>
                    {t("writing.version", { number: version.version })} {version.note ? `· ${version.note}` : ""}
                  </summary>
                  <div class="markdown" dangerouslySetInnerHTML={{ __html: renderMarkdown(version.content) }} />
                </details>
              ))}
            </div>
          )}
        </aside>
      </div>
    </section>
  );
}
