import { mockIPC, clearMocks } from "@tauri-apps/api/mocks";
import { render } from "preact";
import { act } from "preact/test-utils";
import { afterEach, describe, expect, it } from "vitest";
import { Chat } from "../src/components/Chat";
import type { ChatEvent, TurnOutcome } from "../src/types";

// mockIPC replaces the Rust side of the IPC; the real one is
// exercised by the WebDriver test in tests/e2e.

// jsdom does no layout, so it has no scrollIntoView.
Element.prototype.scrollIntoView = function scrollIntoView() {};

const joy = { label: "joy" as const, scores: { anger: 0, disgust: 0, fear: 0, joy: 0.9, neutral: 0.1, sadness: 0, surprise: 0 } };

async function flush() {
  await act(async () => {
    await new Promise((resolve) => setTimeout(resolve, 0));
  });
}

describe("Chat", () => {
  afterEach(() => {
    clearMocks();
    document.body.innerHTML = "";
  });

  it("streams a reply and shows the emotion chip", async () => {
    const calls: string[] = [];
    mockIPC((command, args) => {
      calls.push(command);
      if (command !== "chat_send") return null;
      const send = (args as { on_event: { onmessage: (event: ChatEvent) => void } }).on_event.onmessage;
      send({ event: "user_saved", conversation: 7, message: 1 });
      send({ event: "emotion", message: 1, emotion: joy });
      send({ event: "text", text: "Hello " });
      send({ event: "text", text: "<script>window.pwned = 1</script>" });
      send({ event: "finished", message: 2, stop: "end_of_turn" });
      const reply: TurnOutcome = {
        conversation: 7,
        user_message: 1,
        reply_message: 2,
        reply: "Hello <script>window.pwned = 1</script>",
        stop: "end_of_turn",
        emotion: joy,
      };
      return reply;
    });

    const root = document.createElement("div");
    document.body.append(root);
    await act(() => render(<Chat conversation={null} ready={true} />, root));

    const input = root.querySelector<HTMLTextAreaElement>("[data-testid=message-input]");
    expect(input).not.toBeNull();
    await act(() => {
      input!.value = "I got the job!";
      input!.dispatchEvent(new Event("input", { bubbles: true }));
    });
    await act(() => root.querySelector<HTMLButtonElement>("[data-testid=send-button]")!.click());
    await flush();

    expect(calls).toContain("chat_send");
    expect(root.querySelector("[data-testid=user-message]")?.textContent).toContain("I got the job!");
    expect(root.querySelector("[data-testid=emotion-chip]")?.getAttribute("data-emotion")).toBe("joy");
    const reply = root.querySelector("[data-testid=assistant-message]");
    expect(reply?.getAttribute("data-streaming")).toBe("false");
    expect(reply?.textContent).toContain("<script>window.pwned = 1</script>");
    expect(reply?.querySelector("script")).toBeNull();
    expect(root.querySelector("[data-testid=regenerate-button]")).not.toBeNull();
  });

  it("shows a clear error when the microphone is missing", async () => {
    mockIPC((command) => {
      if (command === "mic_start") throw "no microphone is available; connect one, or pick another in Settings";
      return null;
    });

    const root = document.createElement("div");
    document.body.append(root);
    await act(() => render(<Chat conversation={null} ready={true} />, root));
    await act(() => root.querySelector<HTMLButtonElement>("[data-testid=mic-button]")!.click());
    await flush();

    const error = root.querySelector("[data-testid=chat-error]")?.textContent ?? "";
    expect(error).toContain("Microphone");
    expect(error).toContain("no microphone is available");
  });
});
