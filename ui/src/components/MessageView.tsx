import { renderMarkdown } from "../markdown";
import { t } from "../i18n";
import type { Emotion, Role } from "../types";

export interface ChatLine {
  key: string;
  id: number | null;
  role: Role;
  content: string;
  emotion: Emotion | null;
  streaming: boolean;
  interrupted: boolean;
}

/** Renders one message: the user's as plain text with its emotion chip, Samantha's as sanitized Markdown. */
export function MessageView({ line }: { line: ChatLine }) {
  if (line.role === "user") {
    return (
      <div class="message user" data-testid="user-message">
        <p class="text">{line.content}</p>
        {line.emotion && (
          <span class={`chip emotion-${line.emotion.label}`} data-testid="emotion-chip" data-emotion={line.emotion.label}>
            {t(`emotion.${line.emotion.label}`)}
          </span>
        )}
      </div>
    );
  }
  return (
    <div
      class={line.streaming ? "message assistant streaming" : "message assistant"}
      data-testid="assistant-message"
      data-streaming={line.streaming ? "true" : "false"}
    >
      <div class="markdown" dangerouslySetInnerHTML={{ __html: renderMarkdown(line.content) }} />
      {line.interrupted && <span class="note">{t("chat.interrupted")}</span>}
    </div>
  );
}
