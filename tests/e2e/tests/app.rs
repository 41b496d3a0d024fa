//! End to end over WebDriver: the real app binary with the real models and
//! a real SQLite file in a temporary data folder, driven through
//! tauri-driver and WebKitWebDriver under Xvfb.

mod support;

use std::path::PathBuf;
use std::time::Duration;

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

/// Maximum wait for the models to load and a reply to finish. Generous
/// because the test machine may be busy; nothing asserts on durations.
const MODEL_TIMEOUT: Duration = Duration::from_secs(600);

/// Maximum wait for an ordinary view change.
const UI_TIMEOUT: Duration = Duration::from_secs(30);

/// A happy message with a fact that samantha-mind keeps as a memory.
const GREETING: &str = "I finally got the job I wanted and I am so happy today! My dog is called Biscuit.";

/// An assistant message that would run script if it were rendered as HTML.
const HOSTILE_REPLY: &str = "Look: <script>window.__pwned = 1</script> and <img src=x onerror=\"window.__pwned = 2\"> done";

struct Harness {
    home: tempfile::TempDir,
    screenshots: PathBuf,
    app: PathBuf,
    port: u16,
}

impl Harness {
    async fn session(&self) -> Client {
        let mut capabilities = serde_json::Map::new();
        capabilities.insert("tauri:options".to_owned(), json!({ "application": self.app }));
        capabilities.insert("browserName".to_owned(), json!("wry"));

        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        ClientBuilder::new(connector)
            .capabilities(capabilities)
            .connect(&format!("http://127.0.0.1:{}", self.port))
            .await
            .expect("open a WebDriver session with the app")
    }

    async fn screenshot(&self, client: &Client, name: &str) {
        let png = client.screenshot().await.expect("take a screenshot");
        std::fs::write(self.screenshots.join(format!("{name}.png")), png).expect("save the screenshot");
    }
}

fn css(selector: &str) -> Locator<'_> {
    Locator::Css(selector)
}

async fn wait_for(client: &Client, selector: &str, timeout: Duration) -> Element {
    client
        .wait()
        .at_most(timeout)
        .for_element(css(selector))
        .await
        .unwrap_or_else(|error| panic!("{selector} did not appear: {error}"))
}

async fn click(client: &Client, selector: &str) {
    wait_for(client, selector, UI_TIMEOUT).await.click().await.unwrap_or_else(|error| panic!("click on {selector} failed: {error}"));
}

async fn text_of(client: &Client, selector: &str) -> String {
    wait_for(client, selector, UI_TIMEOUT).await.text().await.unwrap_or_else(|error| panic!("text of {selector}: {error}"))
}

/// Polls `condition` every 100 ms until it is true or `timeout` passes.
async fn eventually<F, Fut>(timeout: Duration, what: &str, mut condition: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + timeout;
    while tokio::time::Instant::now() < deadline {
        if condition().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("timed out waiting until {what}");
}

/// Returns the installed models folder, which the app reads through a
/// link inside the temporary data folder.
fn installed_models() -> PathBuf {
    let models = samantha_models::DataDir::resolve().expect("resolve the data directory").models();
    assert!(
        models.join(samantha_models::catalog::SMOLLM2_GGUF).is_file(),
        "the models are not installed in {}; run `cargo run -p samantha-cli -- setup` first",
        models.display()
    );
    models
}

fn hostile_history() -> String {
    let at = "2026-01-02T10:00:00.000Z";
    json!({
        "format": "samantha-history",
        "version": 1,
        "exported_at": at,
        "conversations": [{
            "id": 9001,
            "title": "Imported mischief",
            "persona": "Samantha",
            "created_at": at,
            "updated_at": at,
            "messages": [
                { "id": 90011, "conversation_id": 9001, "role": "user", "content": "Show me some HTML", "created_at": at, "status": "complete", "emotion": null, "token_count": null, "model": null },
                { "id": 90012, "conversation_id": 9001, "role": "assistant", "content": HOSTILE_REPLY, "created_at": at, "status": "complete", "emotion": null, "token_count": 20, "model": "test" }
            ]
        }]
    })
    .to_string()
}

#[tokio::test(flavor = "current_thread")]
async fn desktop_app_end_to_end() {
    let cargo_bins = support::cargo_bin_dirs();
    let tauri_driver = support::require_tool("tauri-driver", &cargo_bins, "cargo install tauri-driver --locked --version '^2'");
    let webkit_driver = support::require_tool("WebKitWebDriver", &[], "apt-get install webkit2gtk-driver");
    let xvfb = support::require_tool("Xvfb", &[], "apt-get install xvfb xauth");
    let app = support::app_binary();
    let models = installed_models();

    let home = tempfile::tempdir().expect("temporary data folder");
    std::os::unix::fs::symlink(&models, home.path().join("models")).expect("link the models folder");
    let screenshots = support::profile_dir().join("..").join("e2e-screenshots");
    std::fs::create_dir_all(&screenshots).expect("create the screenshot folder");

    let (_xvfb, display) = support::start_xvfb(&xvfb);
    let (_driver, port) = support::start_tauri_driver(&tauri_driver, &webkit_driver, &display, home.path());
    let harness = Harness { home, screenshots, app, port };

    let client = harness.session().await;
    chat_streams_a_reply(&harness, &client).await;
    regenerate_can_be_stopped(&client).await;
    microphone_ends_in_text_or_error(&harness, &client).await;
    memory_can_be_forgotten(&client).await;
    language_switch_changes_labels(&harness, &client).await;
    imported_html_stays_text(&harness, &client).await;
    export_writes_a_file(&harness, &client).await;
    writing_saves_and_exports_a_draft(&harness, &client).await;
    mood_plot_renders(&harness, &client).await;
    client.close().await.expect("close the first session");

    // A second launch reads the same database.
    let client = harness.session().await;
    history_survives_restart(&harness, &client).await;
    client.close().await.expect("close the second session");
}

async fn chat_streams_a_reply(harness: &Harness, client: &Client) {
    // The window is usable while the models load: typing works at once.
    let input = wait_for(client, "[data-testid=message-input]", UI_TIMEOUT).await;
    input.send_keys(GREETING).await.expect("type the message");

    eventually(MODEL_TIMEOUT, "the models are ready", || async {
        let status = client.find(css("[data-testid=model-status]")).await;
        match status {
            Ok(element) => element.attr("data-state").await.ok().flatten().as_deref() == Some("ready"),
            Err(_) => false,
        }
    })
    .await;
    click(client, "[data-testid=send-button]").await;

    // Record what is shown while the reply streams. samantha-mind releases
    // text a sentence at a time, so a one-sentence reply may show no
    // partial text, but the streaming reply always shows before it ends.
    let mut seen_streaming = false;
    let mut partials = Vec::new();
    let mut final_text = None;
    let deadline = tokio::time::Instant::now() + MODEL_TIMEOUT;
    while tokio::time::Instant::now() < deadline {
        if let Ok(reply) = client.find(css("[data-testid=assistant-message]")).await {
            let streaming = reply.attr("data-streaming").await.ok().flatten();
            let text = reply.text().await.unwrap_or_default();
            if streaming.as_deref() == Some("true") {
                seen_streaming = true;
                if !text.trim().is_empty() && partials.last() != Some(&text) {
                    partials.push(text);
                }
            } else if streaming.as_deref() == Some("false") && !text.trim().is_empty() {
                final_text = Some(text);
                break;
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let final_text = final_text.expect("the reply did not finish");
    assert!(seen_streaming, "the reply was never shown while streaming");
    assert!(!final_text.trim().is_empty(), "the reply is empty");
    println!("partial texts shown while streaming: {}", partials.len());

    let user = text_of(client, "[data-testid=user-message]").await;
    assert!(user.contains(GREETING), "user message shows {user:?}");

    let chip = wait_for(client, "[data-testid=emotion-chip]", UI_TIMEOUT).await;
    let label = chip.attr("data-emotion").await.expect("chip attribute").unwrap_or_default();
    assert!(!label.is_empty(), "the emotion chip has no label");
    harness.screenshot(client, "01-chat").await;
}

async fn regenerate_can_be_stopped(client: &Client) {
    click(client, "[data-testid=regenerate-button]").await;
    click(client, "[data-testid=stop-button]").await;
    wait_for(client, "[data-testid=send-button]", MODEL_TIMEOUT).await;

    let replies = client.find_all(css("[data-testid=assistant-message]")).await.expect("replies");
    assert_eq!(replies.len(), 1, "regenerating should replace the reply, not add one");
    let reply = replies[0].text().await.expect("reply text");
    assert!(reply.contains("Stopped before the end"), "the stopped reply {reply:?} is not marked");
    assert_eq!(replies[0].attr("data-streaming").await.expect("attribute").as_deref(), Some("false"));
}

async fn memory_can_be_forgotten(client: &Client) {
    click(client, "[data-testid=nav-memories]").await;
    let memory = text_of(client, "[data-testid=memory-item]").await;
    assert!(memory.contains("Biscuit"), "memory {memory:?} lacks the dog's name");

    click(client, "[data-testid=memory-forget]").await;
    eventually(UI_TIMEOUT, "the memory is forgotten", || async {
        client.find_all(css("[data-testid=memory-item]")).await.map(|items| items.is_empty()).unwrap_or(false)
    })
    .await;
    click(client, "[data-testid=nav-chat]").await;
}

/// Returns the chat's error text, or the message input's text, once either is set.
async fn microphone_outcome(client: &Client) -> Option<String> {
    if let Ok(error) = client.find(css("[data-testid=chat-error]")).await {
        return error.text().await.ok();
    }
    let input = client.find(css("[data-testid=message-input]")).await.ok()?;
    let value = input.prop("value").await.ok().flatten().unwrap_or_default();
    (!value.trim().is_empty()).then_some(value)
}

async fn microphone_ends_in_text_or_error(harness: &Harness, client: &Client) {
    // With a sound card the meter shows the input level; without one the
    // page shows why. ALSA's null device records silence, which ends in
    // "no speech was heard".
    click(client, "[data-testid=mic-button]").await;
    eventually(UI_TIMEOUT, "the microphone shows a level or an error", || async {
        client.find(css("[data-testid=mic-level]")).await.is_ok() || microphone_outcome(client).await.is_some()
    })
    .await;

    if microphone_outcome(client).await.is_none() {
        let button = wait_for(client, "[data-testid=mic-button]", UI_TIMEOUT).await;
        if button.text().await.unwrap_or_default() == "Stop recording" {
            button.click().await.expect("stop recording");
        }
    }
    eventually(MODEL_TIMEOUT, "the recording ends in text or an error", || async {
        microphone_outcome(client).await.is_some()
    })
    .await;

    let outcome = microphone_outcome(client).await.unwrap_or_default();
    if let Ok(error) = client.find(css("[data-testid=chat-error]")).await {
        let message = error.text().await.unwrap_or_default();
        assert!(
            message.starts_with("Microphone:") || message == "No speech was heard.",
            "unclear microphone message {message:?}"
        );
    } else {
        assert!(!outcome.trim().is_empty(), "the transcript is empty");
    }
    harness.screenshot(client, "02-microphone").await;
}

async fn language_switch_changes_labels(harness: &Harness, client: &Client) {
    assert_eq!(text_of(client, "[data-testid=nav-history]").await, "History");

    click(client, "[data-testid=nav-settings]").await;
    click(client, "[data-testid=language-select] option[value='zh-CN']").await;
    eventually(UI_TIMEOUT, "the labels are in Chinese", || async {
        client.find(css("[data-testid=nav-history]")).await.ok().is_some()
            && text_of(client, "[data-testid=nav-history]").await == "历史"
    })
    .await;
    assert_eq!(text_of(client, "[data-testid=nav-settings]").await, "设置");
    harness.screenshot(client, "03-settings-zh-CN").await;

    click(client, "[data-testid=language-select] option[value='en']").await;
    eventually(UI_TIMEOUT, "the labels are in English again", || async {
        text_of(client, "[data-testid=nav-history]").await == "History"
    })
    .await;
}

async fn imported_html_stays_text(harness: &Harness, client: &Client) {
    click(client, "[data-testid=nav-history]").await;
    wait_for(client, "[data-testid=import-file]", UI_TIMEOUT).await;

    // WebDriver cannot pick a file in a native dialog, so the file is handed
    // to the page's own file input, whose change handler runs the import.
    client
        .execute(
            "const input = document.querySelector('[data-testid=import-file]');
             const transfer = new DataTransfer();
             transfer.items.add(new File([arguments[0]], 'history.json', { type: 'application/json' }));
             input.files = transfer.files;
             input.dispatchEvent(new Event('change', { bubbles: true }));",
            vec![json!(hostile_history())],
        )
        .await
        .expect("hand the history file to the import input");
    let notice = text_of(client, "[data-testid=history-notice]").await;
    assert!(notice.contains('1'), "import notice {notice:?}");

    let opened = client.find_all(css("[data-testid=history-open]")).await.expect("history items");
    let mut found = false;
    for item in opened {
        if item.text().await.unwrap_or_default() == "Imported mischief" {
            item.click().await.expect("open the imported conversation");
            found = true;
            break;
        }
    }
    assert!(found, "the imported conversation is not listed");

    eventually(UI_TIMEOUT, "the imported reply is shown", || async {
        match client.find(css("[data-testid=assistant-message]")).await {
            Ok(element) => element.text().await.unwrap_or_default().contains("done"),
            Err(_) => false,
        }
    })
    .await;
    let shown = text_of(client, "[data-testid=assistant-message]").await;
    assert!(shown.contains("<script>window.__pwned = 1</script>"), "script tag not shown as text: {shown:?}");
    assert!(shown.contains("<img src=x onerror="), "img tag not shown as text: {shown:?}");

    let checks = client
        .execute(
            "return {
                pwned: typeof window.__pwned,
                scripts: document.querySelectorAll('[data-testid=messages] script').length,
                images: document.querySelectorAll('[data-testid=messages] img').length
            };",
            vec![],
        )
        .await
        .expect("inspect the page");
    assert_eq!(checks["pwned"], json!("undefined"), "a script from the reply ran");
    assert_eq!(checks["scripts"], json!(0), "a script element was rendered");
    assert_eq!(checks["images"], json!(0), "an image element was rendered");
    harness.screenshot(client, "04-imported-html").await;
}

async fn export_writes_a_file(harness: &Harness, client: &Client) {
    click(client, "[data-testid=nav-history]").await;
    click(client, "[data-testid=export-all-json]").await;
    let notice = text_of(client, "[data-testid=history-notice]").await;

    let exports = harness.home.path().join("exports");
    let files: Vec<PathBuf> = std::fs::read_dir(&exports)
        .unwrap_or_else(|error| panic!("no export folder {}: {error}", exports.display()))
        .map(|entry| entry.expect("export entry").path())
        .collect();
    assert_eq!(files.len(), 1, "expected one export in {}", exports.display());
    let written = std::fs::read_to_string(&files[0]).expect("read the export");
    assert!(written.contains(GREETING), "the export lacks the chat message");
    assert!(written.contains("Imported mischief"), "the export lacks the imported conversation");
    assert!(notice.contains(&*files[0].file_name().expect("file name").to_string_lossy()), "notice {notice:?} does not name the file");
}

async fn writing_saves_and_exports_a_draft(harness: &Harness, client: &Client) {
    click(client, "[data-testid=nav-writing]").await;
    let prompt = wait_for(client, "[data-testid=writing-prompt]", UI_TIMEOUT).await;
    prompt.send_keys("the sea at night").await.expect("type the prompt");
    click(client, "[data-testid=writing-generate]").await;

    // The generate button comes back when the text is complete.
    eventually(MODEL_TIMEOUT, "the poem is written", || async {
        client.find(css("[data-testid=writing-generate]")).await.is_ok()
            && !text_of(client, "[data-testid=writing-result]").await.trim().is_empty()
    })
    .await;

    // The studio saves each result as a draft by itself.
    wait_for(client, "[data-testid=draft-item]", UI_TIMEOUT).await;
    click(client, "[data-testid=draft-export]").await;
    let notice = text_of(client, "[data-testid=writing-notice]").await;
    assert!(notice.contains("samantha-draft-"), "draft export notice {notice:?}");

    let drafts: Vec<PathBuf> = std::fs::read_dir(harness.home.path().join("exports"))
        .expect("export folder")
        .map(|entry| entry.expect("export entry").path())
        .filter(|path| path.file_name().is_some_and(|name| name.to_string_lossy().starts_with("samantha-draft-")))
        .collect();
    assert_eq!(drafts.len(), 1, "expected one draft export");
    let markdown = std::fs::read_to_string(&drafts[0]).expect("read the draft export");
    assert!(!markdown.trim().is_empty(), "the draft export is empty");
    harness.screenshot(client, "05-writing").await;
}

async fn mood_plot_renders(harness: &Harness, client: &Client) {
    click(client, "[data-testid=nav-mood]").await;
    wait_for(client, "[data-testid=mood-plot]", UI_TIMEOUT).await;
    let points = client.find_all(css("[data-testid=mood-point]")).await.expect("mood points");
    assert!(!points.is_empty(), "the mood plot has no points");

    // The chat message is the only one with an emotion, so every point
    // leads to it.
    points[0].click().await.expect("click a mood point");
    eventually(UI_TIMEOUT, "the messages behind the point are listed", || async {
        match client.find(css("[data-testid=mood-message]")).await {
            Ok(element) => element.text().await.unwrap_or_default().contains(GREETING),
            Err(_) => false,
        }
    })
    .await;
    harness.screenshot(client, "06-mood").await;
}

async fn history_survives_restart(harness: &Harness, client: &Client) {
    click(client, "[data-testid=nav-history]").await;
    eventually(UI_TIMEOUT, "the chat is listed after a restart", || async {
        let items = client.find_all(css("[data-testid=history-open]")).await.unwrap_or_default();
        for item in items {
            if item.text().await.unwrap_or_default().starts_with("I finally got the job") {
                return true;
            }
        }
        false
    })
    .await;

    let search = wait_for(client, "[data-testid=history-search]", UI_TIMEOUT).await;
    search.send_keys("job").await.expect("type the search");
    click(client, "[data-testid=history-search-button]").await;
    let result = text_of(client, "[data-testid=search-result]").await;
    assert!(result.contains("I finally got the job"), "search result {result:?}");
    harness.screenshot(client, "07-history-search").await;
}

