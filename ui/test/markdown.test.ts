import { describe, expect, it } from "vitest";
import { renderMarkdown } from "../src/markdown";

function render(source: string): HTMLElement {
  const container = document.createElement("div");
  container.innerHTML = renderMarkdown(source);
  return container;
}

describe("renderMarkdown", () => {
  it("renders emphasis and lists", () => {
    const html = renderMarkdown("Hello **there**\n\n- one\n- two");
    expect(html).toContain("<strong>there</strong>");
    expect(html).toContain("<li>one</li>");
  });

  it("shows a script tag as text", () => {
    const container = render("Hi <script>window.pwned = 1</script> there");
    expect(container.querySelector("script")).toBeNull();
    expect(container.textContent).toContain("<script>window.pwned = 1</script>");
  });

  it("shows an image with onerror as text", () => {
    const container = render('<img src="x" onerror="window.pwned = 2">');
    expect(container.querySelector("img")).toBeNull();
    expect(container.textContent).toContain('<img src="x" onerror="window.pwned = 2">');
  });

  it("drops Markdown images and keeps their text", () => {
    const container = render("![a cat](https://example.com/cat.png)");
    expect(container.querySelector("img")).toBeNull();
    expect(container.textContent).toContain("a cat");
    expect(container.innerHTML).not.toContain("example.com");
  });

  it("drops link targets", () => {
    const container = render("[click](javascript:alert(1)) and <https://example.com>");
    expect(container.querySelector("a")).toBeNull();
    expect(container.innerHTML).not.toContain("javascript:");
  });

  it("keeps no attributes", () => {
    const container = render("<p style=\"color:red\" onclick=\"x()\">text</p>");
    for (const element of container.querySelectorAll("*")) {
      expect(element.attributes.length).toBe(0);
    }
  });
});
