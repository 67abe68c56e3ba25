//! A headless Chromium driven through its chromedriver, to time page loads as a person sees
//! them (issue 20: each page of the menu loads to the load event in ≤ 1 s). Debian's
//! `chromium` and `chromium-driver`; without them the bench says so and measures the rest.

use anyhow::{Context, Result, bail};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

pub struct Browser {
    driver: Child,
    client: fantoccini::Client,
    profile: PathBuf,
}

impl Browser {
    /// A browser of its own, or `None` when Chromium is not installed.
    pub async fn start() -> Result<Option<Browser>> {
        if !Path::new(CHROMIUM).exists() || !Path::new(CHROMEDRIVER).exists() {
            tracing::warn!(
                "{CHROMIUM} or {CHROMEDRIVER} missing: browser load times not measured (apt-get install chromium chromium-driver)"
            );
            return Ok(None);
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")?
            .local_addr()?
            .port();
        let driver = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .context("chromedriver")?;
        let profile = std::env::temp_dir().join(format!("jospar-bench-chromium-{port}"));
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".into(),
            serde_json::json!({
                "binary": CHROMIUM,
                "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                         "--no-first-run", "--disable-background-networking", "--disable-component-update",
                         "--disable-sync", "--window-size=1366,768", "--lang=ru",
                         format!("--user-data-dir={}", profile.display())]
            }),
        );
        let deadline = Instant::now() + Duration::from_secs(20);
        let client = loop {
            match fantoccini::ClientBuilder::rustls()?
                .capabilities(caps.clone())
                .connect(&format!("http://127.0.0.1:{port}"))
                .await
            {
                Ok(client) => break client,
                Err(_) if Instant::now() < deadline => {
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
                Err(e) => bail!("webdriver session: {e}"),
            }
        };
        Ok(Some(Browser {
            driver,
            client,
            profile,
        }))
    }

    /// Signs in through the sign-in form, as a person does (the session cookie is the server's).
    pub async fn sign_in(&self, base: &str, login: &str, password: &str) -> Result<()> {
        use fantoccini::Locator;
        self.client.delete_all_cookies().await?;
        self.client.goto(&format!("{base}/login")).await?;
        self.client
            .find(Locator::Id("login"))
            .await?
            .send_keys(login)
            .await?;
        self.client
            .find(Locator::Id("password"))
            .await?
            .send_keys(password)
            .await?;
        self.client
            .find(Locator::Id("login-submit"))
            .await?
            .click()
            .await?;
        let deadline = Instant::now() + Duration::from_secs(10);
        while self.client.current_url().await?.path() == "/login" {
            if Instant::now() > deadline {
                bail!("{login} was not signed in");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Ok(())
    }

    /// Loads a page and answers the time from the start of navigation to the end of its load
    /// event, as the browser's navigation timing counts it.
    pub async fn load(&self, url: &str) -> Result<Duration> {
        self.client.goto(url).await?;
        let ms = self
            .client
            .execute(
                "const n = performance.getEntriesByType('navigation')[0]; return n ? n.loadEventEnd : -1;",
                Vec::new(),
            )
            .await?
            .as_f64()
            .unwrap_or(-1.0);
        if ms < 0.0 {
            bail!("no navigation timing for {url}");
        }
        Ok(Duration::from_secs_f64(ms / 1000.0))
    }

    pub async fn close(mut self) {
        let _ = self.client.clone().close().await;
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}
