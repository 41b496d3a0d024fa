// Grouping of the History list by day, newest day first.

import type { ConversationItem } from "./types";

export interface DayGroup {
  day: string;
  items: ConversationItem[];
}

export function groupByDay(items: ConversationItem[]): DayGroup[] {
  const groups = new Map<string, ConversationItem[]>();
  const newestFirst = [...items].sort((a, b) => b.conversation.updated_at.localeCompare(a.conversation.updated_at));
  for (const item of newestFirst) {
    const group = groups.get(item.day) ?? [];
    group.push(item);
    groups.set(item.day, group);
  }
  return [...groups.entries()].map(([day, grouped]) => ({ day, items: grouped }));
}

/** Splits a search snippet into plain and matched parts; matches are in `[` `]`. */
export function snippetParts(snippet: string): { text: string; match: boolean }[] {
  return snippet
    .split(/(\[[^\]]*\])/)
    .filter((part) => part.length > 0)
    .map((part) =>
      part.startsWith("[") && part.endsWith("]") ? { text: part.slice(1, -1), match: true } : { text: part, match: false },
    );
}
