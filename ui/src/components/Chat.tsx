import { useEffect, useRef, useState } from "preact/hooks";
import { api, errorText } from "../api";
import { t } from "../i18n";
import type { ChatEvent, Message, MicEvent, TurnOutcome } from "../types";
import { MessageView, type ChatLine } from "./MessageView";

function toLine(message: Message): ChatLine {
  return {
    key: `m${message.id}`,
    id: message.id,
    role: message.role,
    content: message.content,
    emotion: message.emotion,
    streaming: false,
    interrupted: message.status === "interrupted",
  };
}

/** Meter width in percent for a level in dBFS (-60 dB is silence). */
function meterPercent(db: number): number {
  return Math.max(0, Math.min(100, ((db + 60) / 60) * 100));
}

export function Chat({ conversation, ready }: { conversation: number | null; ready: boolean }) {
  const [conversationId, setConversationId] = useState<number | null>(conversation);
  const [lines, setLines] = useState<ChatLine[]>([]);
  const [title, setTitle] = useState<string>("");
  const [input, setInput] = useState("");
  const [streaming, setStreaming] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [recording, setRecording] = useState(false);
  const [transcribing, setTranscribing] = useState(false);
  const [level, setLevel] = useState(-60);
  const bottom = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (conversation === null) return;
    api
      .historyOpen(conversation)
      .then((opened) => {
        setTitle(opened.conversation.title);
        setLines(opened.messages.filter((message) => message.role !== "system").map(toLine));
      })
      .catch((failure) => setError(errorText(failure)));
  }, [conversation]);

  useEffect(() => bottom.current?.scrollIntoView({ block: "end" }), [lines]);

  function onChatEvent(event: ChatEvent) {
    switch (event.event) {
      case "user_saved":
        setConversationId(event.conversation);
        setLines((current) =>
          current.map((line) => (line.key === "pending-user" ? { ...line, key: `m${event.message}`, id: event.message } : line)),
        );
        break;
      case "emotion":
        setLines((current) =>
          current.map((line) => (line.id === event.message ? { ...line, emotion: event.emotion } : line)),
        );
        break;
      case "text":
        setLines((current) =>
          current.map((line) => (line.key === "pending-reply" ? { ...line, content: line.content + event.text } : line)),
        );
        break;
      case "finished":
        setLines((current) =>
          current.map((line) =>
            line.key === "pending-reply"
              ? { ...line, key: `m${event.message}`, id: event.message, streaming: false, interrupted: event.stop === "cancelled" }
              : line,
          ),
        );
        break;
    }
  }

  function pendingReply(): ChatLine {
    return { key: "pending-reply", id: null, role: "assistant", content: "", emotion: null, streaming: true, interrupted: false };
  }

  async function run(turn: () => Promise<TurnOutcome>) {
    setStreaming(true);
    setError(null);
    try {
      // The saved reply is the one to keep: samantha-mind may trim the end.
      const outcome = await turn();
      setLines((current) =>
        current.map((line) => (line.id === outcome.reply_message ? { ...line, content: outcome.reply } : line)),
      );
    } catch (failure) {
      setError(errorText(failure));
      setLines((current) => current.filter((line) => line.key !== "pending-reply" || line.content.length > 0));
    } finally {
      setLines((current) => current.map((line) => (line.streaming ? { ...line, streaming: false, key: `done-${line.key}-${Date.now()}` } : line)));
      setStreaming(false);
    }
  }

  function send(event?: Event) {
    event?.preventDefault();
    const text = input.trim();
    if (!text || streaming) return;
    setInput("");
    const user: ChatLine = { key: "pending-user", id: null, role: "user", content: text, emotion: null, streaming: false, interrupted: false };
    setLines((current) => [...current, user, pendingReply()]);
    void run(() => api.chatSend(conversationId, text, onChatEvent));
  }

  function regenerate() {
    if (conversationId === null || streaming) return;
    setLines((current) => {
      const last = current.length - 1;
      const withoutLastReply = last >= 0 && current[last].role === "assistant" ? current.slice(0, last) : current;
      return [...withoutLastReply, pendingReply()];
    });
    void run(() => api.chatRegenerate(conversationId, onChatEvent));
  }

  function onMicEvent(event: MicEvent) {
    switch (event.kind) {
      case "level":
        setLevel(event.db);
        break;
      case "transcribing":
        setRecording(false);
        setTranscribing(true);
        break;
      case "transcript":
        setTranscribing(false);
        setLevel(-60);
        if (event.text.trim()) setInput((current) => (current ? `${current} ${event.text.trim()}` : event.text.trim()));
        else setError(t("mic.no_speech"));
        break;
      case "error":
        setRecording(false);
        setTranscribing(false);
        setError(t("mic.failed", { error: event.message }));
        break;
      case "started":
        break;
    }
  }

  async function toggleMic() {
    setError(null);
    if (recording) {
      await api.micStop().catch((failure) => setError(errorText(failure)));
      return;
    }
    try {
      await api.micStart(onMicEvent);
      setRecording(true);
    } catch (failure) {
      setError(t("mic.failed", { error: errorText(failure) }));
    }
  }

  async function transcribeFile(event: Event) {
    const inputElement = event.currentTarget as HTMLInputElement;
    const file = inputElement.files?.[0];
    inputElement.value = "";
    if (!file) return;
    setTranscribing(true);
    try {
      const text = await api.transcribeUpload(file);
      if (text.trim()) setInput((current) => (current ? `${current} ${text.trim()}` : text.trim()));
      else setError(t("mic.no_speech"));
    } catch (failure) {
      setError(errorText(failure));
    } finally {
      setTranscribing(false);
    }
  }

  const lastIsReply = lines.length > 0 && lines[lines.length - 1].role === "assistant";

  return (
    <section class="chat" data-testid="chat-view">
      <header class="view-header">
        <h2>{title || t("chat.title")}</h2>
      </header>
      <div class="messages" data-testid="messages">
        {lines.length === 0 && <p class="empty">{t("chat.empty")}</p>}
        {lines.map((line) => (
          <MessageView key={line.key} line={line} />
        ))}
        <div ref={bottom} />
      </div>
      {error && (
        <p class="error" role="alert" data-testid="chat-error">
          {error}
        </p>
      )}
      {(recording || transcribing) && (
        <div class="mic-status">
          <div class="meter" data-testid="mic-level">
            <div class="meter-fill" style={{ width: `${meterPercent(level)}%` }} />
          </div>
          <span>{transcribing ? t("mic.transcribing") : t("mic.recording")}</span>
        </div>
      )}
      <form class="composer" onSubmit={send}>
        <textarea
          data-testid="message-input"
          value={input}
          placeholder={ready ? t("chat.placeholder") : t("chat.placeholder_loading")}
          onInput={(event) => setInput(event.currentTarget.value)}
          onKeyDown={(event) => {
            if (event.key === "Enter" && !event.shiftKey) send(event);
          }}
        />
        <div class="composer-buttons">
          <button type="button" class={recording ? "mic recording" : "mic"} data-testid="mic-button" onClick={toggleMic} disabled={transcribing}>
            {recording ? t("mic.stop") : t("mic.start")}
          </button>
          <label class="file-button">
            {t("mic.transcribe_file")}
            <input type="file" accept=".wav,.flac,.mp3,.ogg" data-testid="transcribe-file" onChange={transcribeFile} />
          </label>
          {streaming ? (
            <button type="button" data-testid="stop-button" onClick={() => void api.chatStop()}>
              {t("chat.stop")}
            </button>
          ) : (
            <>
              {lastIsReply && conversationId !== null && (
                <button type="button" data-testid="regenerate-button" onClick={regenerate} disabled={!ready}>
                  {t("chat.regenerate")}
                </button>
              )}
              <button type="submit" data-testid="send-button" disabled={!ready || !input.trim()}>
                {t("chat.send")}
              </button>
            </>
          )}
        </div>
      </form>
    </section>
  );
}
