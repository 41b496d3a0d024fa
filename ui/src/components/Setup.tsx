import { useState } from "preact/hooks";
import { api, errorText } from "../api";
import { t } from "../i18n";
import type { SetupProgress } from "../types";

/** First run: fetch the missing models with a progress bar. */
export function Setup({ missing, onDone }: { missing: string[]; onDone: () => void }) {
  const [progress, setProgress] = useState<SetupProgress | null>(null);
  const [running, setRunning] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function start() {
    setRunning(true);
    setError(null);
    try {
      await api.setupModels(setProgress);
      onDone();
    } catch (failure) {
      setError(errorText(failure));
    } finally {
      setRunning(false);
    }
  }

  const percent = progress ? Math.round((progress.done / progress.total) * 100) : 0;

  return (
    <section class="setup" data-testid="setup-view">
      <h1>{t("setup.title")}</h1>
      <p>{t("setup.intro")}</p>
      <ul>
        {missing.map((model) => (
          <li key={model}>{model}</li>
        ))}
      </ul>
      <progress data-testid="setup-progress" max={100} value={percent} />
      {progress && <p>{t(`setup.stage.${progress.stage}`, { model: progress.model, done: progress.done, total: progress.total })}</p>}
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <button data-testid="setup-start" onClick={start} disabled={running}>
        {running ? t("setup.running") : t("setup.start")}
      </button>
    </section>
  );
}
