import { useEffect, useState } from "preact/hooks";
import { api, errorText } from "../api";
import { t } from "../i18n";
import type { Memory } from "../types";

export function Memories() {
  const [memories, setMemories] = useState<Memory[]>([]);
  const [error, setError] = useState<string | null>(null);

  function refresh() {
    api
      .memoriesList()
      .then(setMemories)
      .catch((failure) => setError(errorText(failure)));
  }

  useEffect(refresh, []);

  function forget(id: number) {
    api
      .memoryForget(id)
      .then(refresh)
      .catch((failure) => setError(errorText(failure)));
  }

  return (
    <section class="memories" data-testid="memories-view">
      <header class="view-header">
        <h2>{t("memories.title")}</h2>
      </header>
      <p class="hint">{t("memories.hint")}</p>
      {error && <p class="error" role="alert">{error}</p>}
      {memories.length === 0 && <p class="empty">{t("memories.empty")}</p>}
      <ul>
        {memories.map((memory) => (
          <li key={memory.id} data-testid="memory-item">
            <span>{memory.content}</span>
            <button class="danger" data-testid="memory-forget" onClick={() => forget(memory.id)}>
              {t("memories.forget")}
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
