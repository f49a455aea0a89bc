//! A real Chromium, driven over WebDriver: Debian's `chromium` and
//! `chromium-driver`. One chromedriver serves the whole suite; each test
//! opens its own browser session (its own profile, cookies and all).
//! axe-core, injected into the page, reports accessibility violations.
//!
//! Where no browser is installed, a test is skipped with a note, unless
//! `TRELLIS_TEST_REQUIRE_BROWSER` is set (CI sets it): then it fails.

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// The chromedriver of this test run, started on first use; it exits
/// with the test process.
fn driver() -> Option<&'static str> {
    static URL: OnceLock<Option<String>> = OnceLock::new();
    URL.get_or_init(|| {
        if !std::path::Path::new(CHROMEDRIVER).exists() || !std::path::Path::new(CHROMIUM).exists()
        {
            return None;
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .ok()?;
        // The driver lives as long as this process: a watcher ends it when
        // the test process is gone.
        let parent = std::process::id();
        let script = format!(
            "{CHROMEDRIVER} --port={port} --allowed-ips=127.0.0.1 >/dev/null 2>&1 & driver=$!; \
             while kill -0 {parent} 2>/dev/null; do sleep 1; done; kill $driver"
        );
        Command::new("sh")
            .args(["-c", &script])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .ok()?;
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            if Instant::now() > deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Some(format!("http://127.0.0.1:{port}"))
    })
    .as_deref()
}

/// Whether a missing browser fails the test (CI) rather than skipping it.
fn required() -> bool {
    std::env::var_os("TRELLIS_TEST_REQUIRE_BROWSER").is_some()
}

/// A browser window of its own.
pub struct Browser {
    pub client: Client,
    pub base: String,
}

impl Browser {
    /// A new browser session at `base` (an instance's URL), `width` pixels
    /// wide; `None` (a skip) where there is no browser and none is required.
    pub async fn open(base: &str, width: u32) -> Option<Self> {
        let Some(url) = driver() else {
            assert!(
                !required(),
                "no Chromium or chromedriver: install chromium and chromium-driver"
            );
            eprintln!("skipped: no Chromium or chromedriver here");
            return None;
        };
        let mut caps = serde_json::Map::new();
        let mut options = json!({
                "binary": CHROMIUM,
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-background-networking", "--disable-component-update",
                    "--disable-sync", "--no-first-run", "--disable-extensions",
                    "--disable-features=Translate,MediaRouter",
                    format!("--window-size={width},900"),
                    "--lang=en-US",
                ],
                "prefs": {"intl.accept_languages": "en-US,en"},
        });
        // A desktop window is at least 500 pixels wide; narrower is a phone,
        // emulated as Chromium's device toolbar does.
        if width < 500 {
            options["mobileEmulation"] = json!({
                "deviceMetrics": {"width": width, "height": 780, "pixelRatio": 2.0},
            });
        }
        caps.insert("goog:chromeOptions".into(), options);
        let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps)
            .connect(url)
            .await
            .expect("a browser session");
        Some(Self {
            client,
            base: base.trim_end_matches('/').to_owned(),
        })
    }

    pub async fn go(&self, path: &str) {
        self.client
            .goto(&format!("{}{path}", self.base))
            .await
            .unwrap();
    }

    pub async fn path(&self) -> String {
        let url = self.client.current_url().await.unwrap();
        match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_owned(),
        }
    }

    /// The text of the page's main content.
    pub async fn text(&self) -> String {
        self.client
            .find(Locator::Css("main"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    }

    /// The whole page's source.
    pub async fn html(&self) -> String {
        self.client.source().await.unwrap()
    }

    /// The text of the first element matching `css`.
    pub async fn text_of(&self, css: &str) -> String {
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("nothing matches {css}: {e}"))
            .text()
            .await
            .unwrap()
    }

    /// What the field `id` holds now.
    pub async fn value_of(&self, id: &str) -> String {
        self.client
            .find(Locator::Id(id))
            .await
            .unwrap_or_else(|e| panic!("no field #{id}: {e}"))
            .prop("value")
            .await
            .unwrap()
            .unwrap_or_default()
    }

    pub async fn h1(&self) -> String {
        self.client
            .find(Locator::Css("h1"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    }

    /// Types into the field labelled by `id`, replacing what it held.
    pub async fn fill(&self, id: &str, value: &str) {
        let field = self
            .client
            .find(Locator::Id(id))
            .await
            .unwrap_or_else(|e| panic!("no field #{id}: {e}"));
        field.clear().await.unwrap();
        field.send_keys(value).await.unwrap();
    }

    /// Types into the first field matching `css`.
    pub async fn fill_first(&self, css: &str, value: &str) {
        let field = self
            .client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no field {css}: {e}"));
        field.clear().await.unwrap();
        field.send_keys(value).await.unwrap();
    }

    /// Picks an option of a select (by its id) by the option's value.
    pub async fn select(&self, id: &str, value: &str) {
        self.client
            .find(Locator::Id(id))
            .await
            .unwrap_or_else(|e| panic!("no select #{id}: {e}"))
            .find(Locator::Css(&format!("option[value=\"{value}\"]")))
            .await
            .unwrap_or_else(|e| panic!("no option {value} in #{id}: {e}"))
            .click()
            .await
            .unwrap();
    }

    /// Picks an option of a select (by its name) by the option's value.
    pub async fn select_named(&self, name: &str, value: &str) {
        self.click(&format!(
            "select[name=\"{name}\"] option[value=\"{value}\"]"
        ))
        .await;
    }

    /// Whether something on the page matches `css`.
    pub async fn has(&self, css: &str) -> bool {
        !self
            .client
            .find_all(Locator::Css(css))
            .await
            .unwrap()
            .is_empty()
    }

    pub async fn click(&self, css: &str) {
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("nothing matches {css}: {e}"))
            .click()
            .await
            .unwrap();
    }

    /// Clicks the button whose text is `label`, and waits for the page it
    /// leads to.
    pub async fn press(&self, label: &str) {
        let buttons = self.client.find_all(Locator::Css("button")).await.unwrap();
        for button in buttons {
            if button.text().await.unwrap_or_default().trim() == label {
                self.navigate_by(button).await;
                return;
            }
        }
        panic!("no button {label:?} on {}", self.path().await);
    }

    /// Follows the link whose text is `label`, and waits for its page.
    pub async fn follow(&self, label: &str) {
        let link = self
            .client
            .find(Locator::LinkText(label))
            .await
            .unwrap_or_else(|e| panic!("no link {label:?} on the page: {e}"));
        self.navigate_by(link).await;
    }

    /// Clicks what leads to another page and waits until that page is
    /// there: the old document gone, the new one loaded.
    async fn navigate_by(&self, element: fantoccini::elements::Element) {
        let old = self.client.find(Locator::Css("html")).await.unwrap();
        element.click().await.unwrap();
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            if old.tag_name().await.is_err() {
                break;
            }
            assert!(Instant::now() < deadline, "the page did not change");
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        loop {
            let ready = self
                .client
                .execute("return document.readyState;", vec![])
                .await
                .ok();
            if ready.as_ref().and_then(Value::as_str) == Some("complete") {
                return;
            }
            assert!(Instant::now() < deadline, "the page did not load");
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    /// The accessibility violations axe-core finds on the page that are
    /// serious or critical, as "id: description (targets)" lines.
    pub async fn axe(&self) -> Vec<String> {
        let Some(source) = axe_source() else {
            return Vec::new();
        };
        self.client
            .execute(&source, vec![])
            .await
            .expect("axe-core loads");
        let result = self
            .client
            .execute_async(
                "const done = arguments[arguments.length - 1];\
                 axe.run(document, {resultTypes: ['violations']})\
                   .then(r => done(r.violations))\
                   .catch(e => done([{id: 'axe-error', impact: 'critical', description: String(e), nodes: []}]));",
                vec![],
            )
            .await
            .expect("axe-core runs");
        result
            .as_array()
            .cloned()
            .unwrap_or_default()
            .into_iter()
            .filter(|v| matches!(v["impact"].as_str(), Some("serious" | "critical")))
            .map(|v| {
                let targets: Vec<String> = v["nodes"]
                    .as_array()
                    .map(|nodes| nodes.iter().map(|n| n["target"].to_string()).collect())
                    .unwrap_or_default();
                format!(
                    "{}: {} ({})",
                    v["id"].as_str().unwrap_or_default(),
                    v["description"].as_str().unwrap_or_default(),
                    targets.join(", ")
                )
            })
            .collect()
    }

    /// Fails with the violations if axe-core finds serious ones.
    pub async fn assert_accessible(&self) {
        let violations = self.axe().await;
        assert!(
            violations.is_empty(),
            "{} is not accessible:\n{}",
            self.path().await,
            violations.join("\n")
        );
    }

    /// Saves a screenshot as `docs/screenshots/<name>.png` when
    /// `TRELLIS_SCREENSHOTS` is set (a directory, or `1` for docs/).
    pub async fn screenshot(&self, name: &str) {
        let Some(dir) = std::env::var_os("TRELLIS_SCREENSHOTS") else {
            return;
        };
        let dir = if dir == "1" {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/screenshots")
        } else {
            PathBuf::from(dir)
        };
        std::fs::create_dir_all(&dir).unwrap();
        // The whole page, not only the window.
        let height = self
            .client
            .execute(
                "return Math.ceil(document.body.getBoundingClientRect().height);",
                vec![],
            )
            .await
            .ok()
            .and_then(|v| v.as_u64())
            .unwrap_or(900)
            .clamp(300, 6000);
        let width = self
            .client
            .execute("return window.innerWidth;", vec![])
            .await
            .ok()
            .and_then(|v| v.as_u64())
            .unwrap_or(1280);
        let _ = self
            .client
            .set_window_size(
                u32::try_from(width).unwrap_or(1280),
                u32::try_from(height + 120).unwrap_or(1000),
            )
            .await;
        let png = self.client.screenshot().await.unwrap();
        std::fs::write(dir.join(format!("{name}.png")), png).unwrap();
    }

    pub async fn close(self) {
        let _ = self.client.close().await;
    }
}

/// axe-core's script: `TRELLIS_TEST_AXE` names it, or `.ci/run` installs it
/// under `target/test-tools`. Without it the check is skipped with a note,
/// unless the browser tests are required (CI).
fn axe_source() -> Option<String> {
    let path = std::env::var_os("TRELLIS_TEST_AXE").map_or_else(
        || {
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("../../target/test-tools/node_modules/axe-core/axe.min.js")
        },
        PathBuf::from,
    );
    match std::fs::read_to_string(&path) {
        Ok(source) => Some(source),
        Err(e) => {
            let how = format!(
                "axe-core is not at {} ({e}): run `npm install --prefix target/test-tools axe-core@4.14.1`",
                path.display()
            );
            assert!(!required(), "{how}");
            eprintln!("accessibility not checked: {how}");
            None
        }
    }
}

/// A value a page's script returns.
/// Asserts that the page is no wider than the window (no sideways
/// scrolling of the whole page at phone width).
pub async fn assert_fits(browser: &Browser) {
    let wide = eval(
        browser,
        // The width pages lay out in (`clientWidth`, without a scrollbar),
        // not the window's (`innerWidth`, with it).
        "return document.documentElement.scrollWidth > document.documentElement.clientWidth + 1;",
    )
    .await;
    assert_eq!(
        wide,
        Value::Bool(false),
        "{} is wider than the window",
        browser.path().await
    );
}

pub async fn eval(browser: &Browser, script: &str) -> Value {
    browser.client.execute(script, vec![]).await.unwrap()
}
