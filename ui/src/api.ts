// Typed wrappers over the app's commands. Errors arrive as the command's
// message string.

import { Channel, invoke } from "@tauri-apps/api/core";
import type {
  AppInfo,
  AppSettings,
  ChatEvent,
  ConversationItem,
  Draft,
  DraftDocument,
  EmotionDay,
  EmotionLabel,
  ExportedFile,
  ImportedCounts,
  Memory,
  Message,
  MicEvent,
  Microphone,
  ModelStatus,
  OpenConversation,
  SearchResult,
  SetupProgress,
  TurnOutcome,
  WritingOutcome,
  WritingRequest,
} from "./types";

function channel<T>(onMessage: (message: T) => void): Channel<T> {
  const created = new Channel<T>();
  created.onmessage = onMessage;
  return created;
}

export const api = {
  modelStatus: () => invoke<ModelStatus>("model_status"),
  appInfo: () => invoke<AppInfo>("app_info"),
  setupModels: (onProgress: (progress: SetupProgress) => void) =>
    invoke<void>("setup_models", { on_progress: channel(onProgress) }),

  chatSend: (conversation: number | null, text: string, onEvent: (event: ChatEvent) => void) =>
    invoke<TurnOutcome>("chat_send", { conversation, text, on_event: channel(onEvent) }),
  chatRegenerate: (conversation: number, onEvent: (event: ChatEvent) => void) =>
    invoke<TurnOutcome>("chat_regenerate", { conversation, on_event: channel(onEvent) }),
  chatStop: () => invoke<boolean>("chat_stop"),

  historyList: () => invoke<ConversationItem[]>("history_list"),
  historySearch: (query: string) => invoke<SearchResult[]>("history_search", { query }),
  historyOpen: (conversation: number) => invoke<OpenConversation>("history_open", { conversation }),
  historyRename: (conversation: number, title: string) => invoke<void>("history_rename", { conversation, title }),
  historyDelete: (conversation: number) => invoke<void>("history_delete", { conversation }),
  historyDeleteAll: () => invoke<void>("history_delete_all"),
  historyExport: (conversation: number | null, format: "json" | "markdown") =>
    invoke<ExportedFile>("history_export", { conversation, format }),
  historyImport: (json: string) => invoke<ImportedCounts>("history_import", { json }),

  memoriesList: () => invoke<Memory[]>("memories_list"),
  memoryForget: (memory: number) => invoke<void>("memory_forget", { memory }),

  moodDays: () => invoke<EmotionDay[]>("mood_days"),
  moodMessages: (day: string, label: EmotionLabel) => invoke<Message[]>("mood_messages", { day, label }),

  settingsGet: () => invoke<AppSettings>("settings_get"),
  settingsSave: (settings: AppSettings) => invoke<AppSettings>("settings_save", { settings }),
  microphonesList: () => invoke<Microphone[]>("microphones_list"),

  micStart: (onEvent: (event: MicEvent) => void) => invoke<void>("mic_start", { on_event: channel(onEvent) }),
  micStop: () => invoke<boolean>("mic_stop"),
  transcribeUpload: async (file: File) =>
    invoke<string>("transcribe_upload", new Uint8Array(await file.arrayBuffer()), {
      headers: { "x-file-name": file.name },
    }),

  writingGenerate: (request: WritingRequest, onText: (text: string) => void) =>
    invoke<WritingOutcome>("writing_generate", { request, on_text: channel(onText) }),
  draftsList: () => invoke<Draft[]>("drafts_list"),
  draftOpen: (draft: number) => invoke<DraftDocument>("draft_open", { draft }),
  draftExport: (draft: number) => invoke<ExportedFile>("draft_export", { draft }),
};

/** Turns a rejected command into the text to show. */
export function errorText(error: unknown): string {
  if (typeof error === "string") return error;
  if (error instanceof Error) return error.message;
  return String(error);
}
