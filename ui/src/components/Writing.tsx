import { useEffect, useState } from "preact/hooks";
import { api, errorText } from "../api";
import { t } from "../i18n";
import { renderMarkdown } from "../markdown";
import type { Draft, DraftDocument, WritingMode } from "../types";

/** Studio modes as the select offers them; rewrites come in three styles. */
const MODES: Record<string, WritingMode> = {
  poem: { mode: "poem" },
  draft: { mode: "draft" },
  continue: { mode: "continue" },
  rewrite_shorter: { mode: "rewrite", style: "shorter" },
  rewrite_warmer: { mode: "rewrite", style: "warmer" },
  rewrite_more_formal: { mode: "rewrite", style: "more_formal" },
};

export function Writing({ ready }: { ready: boolean }) {
  const [modeKey, setModeKey] = useState("poem");
  const [prompt, setPrompt] = useState("");
  const [result, setResult] = useState("");
  const [running, setRunning] = useState(false);
  const [drafts, setDrafts] = useState<Draft[]>([]);
  const [open, setOpen] = useState<DraftDocument | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  function refresh() {
    api
      .draftsList()
      .then(setDrafts)
      .catch((failure) => setError(errorText(failure)));
  }

  useEffect(refresh, []);

  const mode = MODES[modeKey];
  const needsSource = mode.mode === "continue" || mode.mode === "rewrite";

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
    await attempt(async () => {
      // Continue and rewrite work on the open draft and add its next
      // version; the other modes start a new draft.
      const draft = needsSource && open ? open.draft.id : null;
      const source = needsSource && !open ? result || prompt : null;
      const outcome = await api.writingGenerate({ mode, prompt, draft, source }, (text) =>
        setResult((current) => current + text),
      );
      setResult(outcome.text);
      refresh();
      setOpen(await api.draftOpen(outcome.draft));
    });
    setRunning(false);
  }

  function openDraft(id: number) {
    void attempt(async () => setOpen(await api.draftOpen(id)));
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
            <select data-testid="writing-mode" value={modeKey} onChange={(event) => setModeKey(event.currentTarget.value)}>
              {Object.keys(MODES).map((key) => (
                <option key={key} value={key}>
                  {t(`writing.mode.${key}`)}
                </option>
              ))}
            </select>
          </label>
          {needsSource && <p class="hint">{t("writing.source_hint")}</p>}
          <textarea
            data-testid="writing-prompt"
            value={prompt}
            placeholder={t(`writing.prompt.${mode.mode}`)}
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
              <button data-testid="draft-export" onClick={exportDraft}>
                {t("writing.export")}
              </button>
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
