import { useEffect, useState } from "preact/hooks";
import { api, errorText } from "../api";
import { isLocale, setLocale, t, type Locale } from "../i18n";
import type { ModelStatus } from "../types";
import { Chat } from "./Chat";
import { History } from "./History";
import { Memories } from "./Memories";
import { Mood } from "./Mood";
import { Settings } from "./Settings";
import { Setup } from "./Setup";
import { Writing } from "./Writing";

type View = "chat" | "history" | "mood" | "writing" | "memories" | "settings";
const VIEWS: View[] = ["chat", "history", "mood", "writing", "memories", "settings"];

/** How often the model status is polled while the models load. */
const STATUS_POLL_MS = 500;

export function App() {
  const [view, setView] = useState<View>("chat");
  const [language, setLanguage] = useState<Locale>("en");
  const [status, setStatus] = useState<ModelStatus | null>(null);
  const [openConversation, setOpenConversation] = useState<number | null>(null);
  const [chatKey, setChatKey] = useState(0);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    api
      .settingsGet()
      .then((settings) => {
        if (isLocale(settings.language)) changeLanguage(settings.language);
      })
      .catch((failure) => setError(errorText(failure)));
  }, []);

  useEffect(() => {
    let timer: number | undefined;
    const poll = () => {
      api
        .modelStatus()
        .then((next) => {
          setStatus(next);
          if (next.state === "loading") timer = window.setTimeout(poll, STATUS_POLL_MS);
        })
        .catch((failure) => setError(errorText(failure)));
    };
    poll();
    return () => window.clearTimeout(timer);
  }, [status?.state === "loading"]);

  function changeLanguage(next: Locale) {
    setLocale(next);
    setLanguage(next);
  }

  function openFromHistory(conversation: number) {
    setOpenConversation(conversation);
    setChatKey((key) => key + 1);
    setView("chat");
  }

  function newConversation() {
    setOpenConversation(null);
    setChatKey((key) => key + 1);
    setView("chat");
  }

  if (status?.state === "missing") {
    return <Setup missing={status.missing} onDone={() => setStatus({ ...status, state: "loading" })} />;
  }

  return (
    <div class="app" data-language={language}>
      <nav class="sidebar">
        <h1 class="brand">{t("app.title")}</h1>
        <button class="new-chat" data-testid="new-conversation" onClick={newConversation}>
          {t("nav.new_conversation")}
        </button>
        {VIEWS.map((name) => (
          <button
            key={name}
            class={view === name ? "nav active" : "nav"}
            data-testid={`nav-${name}`}
            onClick={() => setView(name)}
          >
            {t(`nav.${name}`)}
          </button>
        ))}
        <p class="model-status" data-testid="model-status" data-state={status?.state ?? "loading"}>
          {statusText(status)}
        </p>
      </nav>
      <main class="content">
        {error && (
          <p class="error" role="alert" data-testid="error-banner">
            {error}
          </p>
        )}
        {view === "chat" && <Chat key={chatKey} conversation={openConversation} ready={status?.state === "ready"} />}
        {view === "history" && <History onOpen={openFromHistory} />}
        {view === "mood" && <Mood />}
        {view === "writing" && <Writing ready={status?.state === "ready"} />}
        {view === "memories" && <Memories />}
        {view === "settings" && <Settings language={language} onLanguage={changeLanguage} />}
      </main>
    </div>
  );
}

function statusText(status: ModelStatus | null): string {
  if (!status || status.state === "loading") return t("status.loading");
  if (status.state === "failed") return t("status.failed", { error: status.error ?? "" });
  if (status.state === "missing") return t("status.missing");
  return t("status.ready", { model: status.model ?? "", backend: status.backend ?? "" });
}
