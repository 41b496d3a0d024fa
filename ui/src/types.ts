// Shapes of the values the app's commands return, as serde writes them.

export type Role = "system" | "user" | "assistant";

export const EMOTION_LABELS = ["anger", "disgust", "fear", "joy", "neutral", "sadness", "surprise"] as const;
export type EmotionLabel = (typeof EMOTION_LABELS)[number];

export type EmotionScores = Record<EmotionLabel, number>;

export interface Emotion {
  label: EmotionLabel;
  scores: EmotionScores;
}

export interface Message {
  id: number;
  conversation_id: number;
  role: Role;
  content: string;
  created_at: string;
  status: "complete" | "interrupted";
  emotion: Emotion | null;
  token_count: number | null;
  model: string | null;
}

export interface Conversation {
  id: number;
  title: string;
  persona: string;
  created_at: string;
  updated_at: string;
}

export interface ConversationItem {
  conversation: Conversation;
  message_count: number;
  day: string;
}

export interface SearchResult {
  conversation_id: number;
  conversation_title: string;
  role: Role;
  created_at: string;
  snippet: string;
}

export interface OpenConversation {
  conversation: Conversation;
  messages: Message[];
}

export interface ExportedFile {
  path: string;
}

export interface ImportedCounts {
  conversations: number;
  messages: number;
}

export interface Memory {
  id: number;
  content: string;
  source_message_id: number | null;
  created_at: string;
  pinned: boolean;
  forgotten: boolean;
}

export interface EmotionDay {
  day: string;
  counts: Record<EmotionLabel, number>;
}

export type Backend = "auto" | "cpu" | "wgpu";

export interface AppSettings {
  persona_name: string;
  persona_text: string;
  model_path: string | null;
  temperature: number;
  max_tokens: number;
  backend: Backend;
  microphone: string | null;
  language: string;
}

export interface AppInfo {
  version: string;
  data_folder: string;
  database: string;
  models_folder: string;
}

export interface ModelStatus {
  state: "loading" | "missing" | "ready" | "failed";
  missing: string[];
  error: string | null;
  model: string | null;
  backend: string | null;
  emotion: boolean;
}

export interface SetupProgress {
  done: number;
  total: number;
  model: string;
  stage: "fetching" | "installed" | "present" | "converted";
}

export interface Microphone {
  name: string;
  is_default: boolean;
}

export type ReplyStop =
  | "end_of_turn"
  | "max_tokens"
  | "context_full"
  | "cancelled"
  | "repetition_loop"
  | "control_token"
  | "safety";

export type ChatEvent =
  | { event: "user_saved"; conversation: number; message: number }
  | { event: "emotion"; message: number; emotion: Emotion }
  | { event: "text"; text: string }
  | { event: "finished"; message: number; stop: ReplyStop };

export interface TurnOutcome {
  conversation: number;
  user_message: number;
  reply_message: number;
  reply: string;
  stop: ReplyStop;
  emotion: Emotion | null;
}

export type MicEvent =
  | { kind: "started"; device: string }
  | { kind: "level"; db: number; seconds: number }
  | { kind: "transcribing" }
  | { kind: "transcript"; text: string }
  | { kind: "error"; message: string };

export type RewriteStyle = "shorter" | "warmer" | "more_formal";

export type WritingMode =
  | { mode: "poem" }
  | { mode: "draft" }
  | { mode: "continue" }
  | { mode: "rewrite"; style: RewriteStyle };

export interface WritingRequest {
  mode: WritingMode;
  prompt: string;
  /** Draft whose latest version is the source; the result becomes its next version. */
  draft: number | null;
  /** Text to work on when no draft is given. */
  source: string | null;
}

export interface WritingOutcome {
  draft: number;
  version: number;
  text: string;
  content: string;
  stop: ReplyStop;
}

export interface Draft {
  id: number;
  title: string;
  conversation_id: number | null;
  created_at: string;
  updated_at: string;
  latest_version: number;
}

export interface DraftVersion {
  draft_id: number;
  version: number;
  content: string;
  note: string | null;
  created_at: string;
}

export interface DraftDocument {
  draft: Draft;
  versions: DraftVersion[];
}
