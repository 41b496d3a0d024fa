import { useEffect, useState } from "preact/hooks";
import { api, errorText } from "../api";
import { groupByDay, snippetParts } from "../history";
import { t } from "../i18n";
import type { ConversationItem, SearchResult } from "../types";

export function History({ onOpen }: { onOpen: (conversation: number) => void }) {
  const [items, setItems] = useState<ConversationItem[]>([]);
  const [query, setQuery] = useState("");
  const [results, setResults] = useState<SearchResult[] | null>(null);
  const [renaming, setRenaming] = useState<{ id: number; title: string } | null>(null);
  const [confirmAll, setConfirmAll] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  function refresh() {
    api
      .historyList()
      .then(setItems)
      .catch((failure) => setError(errorText(failure)));
  }

  useEffect(refresh, []);

  async function attempt(action: () => Promise<unknown>) {
    setError(null);
    setNotice(null);
    try {
      await action();
    } catch (failure) {
      setError(errorText(failure));
    }
  }

  function search(event: Event) {
    event.preventDefault();
    const text = query.trim();
    if (!text) {
      setResults(null);
      return;
    }
    void attempt(async () => setResults(await api.historySearch(text)));
  }

  function exportHistory(conversation: number | null, format: "json" | "markdown") {
    void attempt(async () => {
      const file = await api.historyExport(conversation, format);
      setNotice(t("history.exported", { path: file.path }));
    });
  }

  async function importFile(event: Event) {
    const input = event.currentTarget as HTMLInputElement;
    const file = input.files?.[0];
    input.value = "";
    if (!file) return;
    await attempt(async () => {
      const counts = await api.historyImport(await file.text());
      setNotice(t("history.imported", { conversations: counts.conversations, messages: counts.messages }));
      refresh();
    });
  }

  function saveRename(event: Event) {
    event.preventDefault();
    if (!renaming) return;
    const { id, title } = renaming;
    void attempt(async () => {
      await api.historyRename(id, title);
      setRenaming(null);
      refresh();
    });
  }

  return (
    <section class="history" data-testid="history-view">
      <header class="view-header">
        <h2>{t("history.title")}</h2>
        <div class="actions">
          <button data-testid="export-all-json" onClick={() => exportHistory(null, "json")}>
            {t("history.export_json")}
          </button>
          <button data-testid="export-all-markdown" onClick={() => exportHistory(null, "markdown")}>
            {t("history.export_markdown")}
          </button>
          <label class="file-button">
            {t("history.import")}
            <input type="file" accept=".json,application/json" data-testid="import-file" onChange={importFile} />
          </label>
          <button class="danger" data-testid="delete-all" onClick={() => setConfirmAll(true)}>
            {t("history.delete_all")}
          </button>
        </div>
      </header>

      {confirmAll && (
        <div class="confirm" role="alertdialog" data-testid="confirm-delete-all">
          <p>{t("history.delete_all_confirm")}</p>
          <button
            class="danger"
            data-testid="confirm-delete-all-yes"
            onClick={() =>
              void attempt(async () => {
                await api.historyDeleteAll();
                setConfirmAll(false);
                setResults(null);
                refresh();
              })
            }
          >
            {t("common.delete")}
          </button>
          <button onClick={() => setConfirmAll(false)}>{t("common.cancel")}</button>
        </div>
      )}

      {notice && (
        <p class="notice" data-testid="history-notice">
          {notice}
        </p>
      )}
      {error && (
        <p class="error" role="alert" data-testid="history-error">
          {error}
        </p>
      )}

      <form class="search" onSubmit={search}>
        <input
          type="search"
          data-testid="history-search"
          value={query}
          placeholder={t("history.search_placeholder")}
          onInput={(event) => setQuery(event.currentTarget.value)}
        />
        <button type="submit" data-testid="history-search-button">
          {t("history.search")}
        </button>
      </form>

      {results !== null ? (
        <ul class="results" data-testid="search-results">
          {results.length === 0 && <li class="empty">{t("history.no_results")}</li>}
          {results.map((result, index) => (
            <li key={index} data-testid="search-result">
              <button class="link" onClick={() => onOpen(result.conversation_id)}>
                {result.conversation_title}
              </button>
              <p class="snippet">
                {snippetParts(result.snippet).map((part, partIndex) =>
                  part.match ? <mark key={partIndex}>{part.text}</mark> : <span key={partIndex}>{part.text}</span>,
                )}
              </p>
            </li>
          ))}
        </ul>
      ) : (
        <div class="days">
          {items.length === 0 && <p class="empty">{t("history.empty")}</p>}
          {groupByDay(items).map((group) => (
            <section key={group.day} class="day">
              <h3>{group.day}</h3>
              <ul>
                {group.items.map(({ conversation, message_count }) => (
                  <li key={conversation.id} class="conversation" data-testid="history-item">
                    {renaming?.id === conversation.id ? (
                      <form onSubmit={saveRename}>
                        <input
                          data-testid="rename-input"
                          value={renaming.title}
                          onInput={(event) => setRenaming({ id: conversation.id, title: event.currentTarget.value })}
                        />
                        <button type="submit">{t("common.save")}</button>
                      </form>
                    ) : (
                      <button class="link" data-testid="history-open" onClick={() => onOpen(conversation.id)}>
                        {conversation.title}
                      </button>
                    )}
                    <span class="count">{t("history.messages", { count: message_count })}</span>
                    <button onClick={() => setRenaming({ id: conversation.id, title: conversation.title })}>{t("history.rename")}</button>
                    <button onClick={() => exportHistory(conversation.id, "markdown")}>{t("history.export_one")}</button>
                    <button
                      class="danger"
                      onClick={() =>
                        void attempt(async () => {
                          await api.historyDelete(conversation.id);
                          refresh();
                        })
                      }
                    >
                      {t("common.delete")}
                    </button>
                  </li>
                ))}
              </ul>
            </section>
          ))}
        </div>
      )}
    </section>
  );
}
