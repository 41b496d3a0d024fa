import { describe, expect, it } from "vitest";
import { groupByDay, snippetParts } from "../src/history";
import type { ConversationItem } from "../src/types";

function item(id: number, updated: string): ConversationItem {
  return {
    conversation: { id, title: `c${id}`, persona: "Samantha", created_at: updated, updated_at: updated },
    message_count: 2,
    day: updated.slice(0, 10),
  };
}

describe("groupByDay", () => {
  it("groups newest day first", () => {
    const groups = groupByDay([
      item(1, "2026-12-01T10:00:00.000Z"),
      item(2, "2026-12-03T09:00:00.000Z"),
      item(3, "2026-12-01T12:00:00.000Z"),
    ]);
    expect(groups.map((group) => group.day)).toEqual(["2026-12-03", "2026-12-01"]);
    expect(groups[1].items.map((entry) => entry.conversation.id)).toEqual([3, 1]);
  });
});

describe("snippetParts", () => {
  it("marks the matched words", () => {
    expect(snippetParts("my [dog] by the [sea]")).toEqual([
      { text: "my ", match: false },
      { text: "dog", match: true },
      { text: " by the ", match: false },
      { text: "sea", match: true },
    ]);
  });
});
