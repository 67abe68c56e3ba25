//! The pages people work on (issue 20): for the region's planner, an administrator and an
//! economist, the start page and every page of their menu — the first page of each list and
//! the same list searched and sorted by amount — plus, for the planner, the campaign's limits,
//! curator's desk and consolidation. Server time of each load, one user at a time (a person
//! opening pages), over loopback with the user's API token (pages accept it as a session);
//! the planner's consolidations and pivots on their own (≤ 100 ms); and, where Chromium is
//! installed, the same pages loaded in a headless browser to the load event (≤ 1 s).

use super::browser::Browser;
use super::{Figure, Timing};
use anyhow::{Context, Result};
use jospar_store::{Db, Who};
use std::time::{Duration, Instant};

/// Timed loads of each page (after one untimed load).
const RUNS: usize = 10;
/// Timed browser loads of each page (after one untimed load).
const BROWSER_RUNS: usize = 3;

/// What the one search box is asked in the benchmark: a Cyrillic "а" (found nearly
/// everywhere), a year, a program code and a word of organisations' names.
const SEARCHES: [&str; 4] = ["%D0%B0", "2027", "003", "%D1%88%D0%BA%D0%BE%D0%BB%D0%B0"];

/// A search term found in most lists (a Cyrillic "а"), and the sort by amount.
const SEARCHED: &str = "q=%D0%B0&sort=-amount";

pub async fn figures(db: &Db, engine: &str, g: &crate::scale::Generated) -> Result<Vec<Figure>> {
    let region = &g.regions[0];
    let (base, server) = super::http::serve(db).await?;
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .build()?;
    let campaign = region.campaign_id;
    let browser = Browser::start().await?;
    let mut figures = Vec::new();
    for login in [
        region.planner.clone(),
        "abp.r01.a01".to_string(),
        "economist.r01.0001".to_string(),
    ] {
        let planner = login == region.planner;
        let user = jospar_org::repo::user_by_login(db, &login)
            .await?
            .with_context(|| format!("generated user {login}"))?;
        let until = chrono::Utc::now().date_naive() + chrono::Duration::days(2);
        let (_, token) =
            jospar_org::auth::create_api_token(db, &Who::system(), &user, "jospar bench", until)
                .await?;
        let home = http
            .get(format!("{base}/"))
            .bearer_auth(&token)
            .send()
            .await?
            .text()
            .await?;
        let links = menu_links(&home);
        let menu = links.len();
        let mut pages = vec!["/".to_string()];
        for link in links {
            pages.push(format!("{link}?{SEARCHED}"));
            pages.push(link);
        }
        if planner {
            pages.extend([
                format!("/limits/{campaign}"),
                format!("/limits/{campaign}/desk"),
                format!("/limits/{campaign}/consolidated"),
            ]);
        }
        let loads = server_loads(&http, &base, &token, &pages).await;
        figures.push(Figure::measured(
            engine,
            format!(
                "Pages of {login}: the start page and the {menu} pages of the menu, each first and searched + sorted by amount{}; slowest p95 {}",
                if planner {
                    ", and the campaign's limits, desk and consolidation"
                } else {
                    ""
                },
                loads.slowest()
            ),
            "pages",
            pages.len(),
            loads.slowest.0 <= Duration::from_millis(300) && loads.errors == 0,
            loads.timing(),
            "every page p95 ≤ 300 ms, no errors",
        ));
        let searches: Vec<String> = SEARCHES
            .iter()
            .map(|q| format!("/api/v1/search?q={q}"))
            .collect();
        let loads = server_loads(&http, &base, &token, &searches).await;
        figures.push(Figure::measured(
            engine,
            format!(
                "Document search by {login} (requests, plans, budget acts, applications, publications) for a letter, a year, a program code and a word; slowest p95 {}",
                loads.slowest()
            ),
            "pages",
            searches.len(),
            loads.slowest.0 <= Duration::from_millis(150) && loads.errors == 0,
            loads.timing(),
            "every search p95 ≤ 150 ms, no errors",
        ));
        if planner {
            let consolidations = consolidation_pages(campaign);
            let loads = server_loads(&http, &base, &token, &consolidations).await;
            figures.push(Figure::measured(
                engine,
                format!(
                    "Consolidation of the region's campaign by {login}: all and approved requests, by program and by administrator, and pivots of a year; slowest p95 {}",
                    loads.slowest()
                ),
                "pages",
                consolidations.len(),
                loads.slowest.0 <= Duration::from_millis(100) && loads.errors == 0,
                loads.timing(),
                "each p95 ≤ 100 ms, no errors",
            ));
        }
        if let Some(browser) = &browser {
            browser
                .sign_in(&base, &login, crate::scale::PASSWORD)
                .await?;
            let loads = browser_loads(browser, &base, &pages).await;
            figures.push(Figure::measured(
                engine,
                format!(
                    "Browser loads of the pages of {login} (headless Chromium, 1366×768, to the load event); slowest p95 {}",
                    loads.slowest()
                ),
                "pages",
                pages.len(),
                loads.slowest.0 <= Duration::from_secs(1) && loads.errors == 0,
                loads.timing(),
                "every page p95 ≤ 1 s, no errors",
            ));
        }
    }
    if let Some(browser) = browser {
        browser.close().await;
    }
    server.abort();
    Ok(figures)
}

/// The consolidation page of the campaign as the planner opens it: every request and the
/// approved ones, by program and by administrator, and pivots of the first year (the default).
fn consolidation_pages(campaign: i64) -> Vec<String> {
    let page = format!("/limits/{campaign}/consolidated");
    vec![
        page.clone(),
        format!("{page}?by=administrator"),
        format!("{page}?approved=1"),
        format!("{page}?by=administrator&approved=1"),
        format!("{page}?by=administrator&cols=program"),
        format!("{page}?by=program&cols=level&approved=1"),
    ]
}

/// Load times of a set of pages: every sample, the errors, and the page slowest at p95.
#[derive(Default)]
struct Loads {
    samples: Vec<Duration>,
    errors: usize,
    slowest: (Duration, String),
    started: Option<Instant>,
}

impl Loads {
    fn add_page(&mut self, page: &str, mut own: Vec<Duration>) {
        own.sort();
        if let Some(p95) = own.get(own.len() * 95 / 100).or(own.last()).copied()
            && p95 > self.slowest.0
        {
            self.slowest = (p95, page.to_string());
        }
        self.samples.extend(own);
    }

    fn slowest(&self) -> String {
        format!(
            "{:.0} ms ({})",
            self.slowest.0.as_secs_f64() * 1000.0,
            self.slowest.1
        )
    }

    fn timing(self) -> Timing {
        let wall = self.started.map(|s| s.elapsed()).unwrap_or_default();
        Timing::of(self.samples, wall, self.errors)
    }
}

/// Each page loaded once untimed, then [`RUNS`] times, answer read whole.
async fn server_loads(http: &reqwest::Client, base: &str, token: &str, pages: &[String]) -> Loads {
    let mut loads = Loads {
        started: Some(Instant::now()),
        ..Loads::default()
    };
    for page in pages {
        let url = format!("{base}{page}");
        let _ = http.get(&url).bearer_auth(token).send().await;
        let mut own = Vec::new();
        for _ in 0..RUNS {
            let t = Instant::now();
            let whole = match http.get(&url).bearer_auth(token).send().await {
                Ok(r) if r.status().is_success() => r.bytes().await.is_ok(),
                _ => false,
            };
            if whole {
                own.push(t.elapsed());
            } else {
                loads.errors += 1;
            }
        }
        loads.add_page(page, own);
    }
    loads
}

/// Each page loaded in the browser once untimed, then [`BROWSER_RUNS`] times.
async fn browser_loads(browser: &Browser, base: &str, pages: &[String]) -> Loads {
    let mut loads = Loads {
        started: Some(Instant::now()),
        ..Loads::default()
    };
    for page in pages {
        let url = format!("{base}{page}");
        let _ = browser.load(&url).await;
        let mut own = Vec::new();
        for _ in 0..BROWSER_RUNS {
            match browser.load(&url).await {
                Ok(took) => own.push(took),
                Err(e) => {
                    tracing::warn!("browser load of {page}: {e}");
                    loads.errors += 1;
                }
            }
        }
        loads.add_page(page, own);
    }
    loads
}

/// The pages of the menu on the start page, in order, each once.
fn menu_links(home: &str) -> Vec<String> {
    let Some(nav) = home
        .split("<nav aria-label")
        .nth(1)
        .and_then(|rest| rest.split("</nav>").next())
    else {
        return Vec::new();
    };
    let mut links: Vec<String> = Vec::new();
    for part in nav.split("href=\"").skip(1) {
        let Some(link) = part.split('"').next() else {
            continue;
        };
        if link.starts_with('/') && !links.iter().any(|l| l == link) {
            links.push(link.to_string());
        }
    }
    links
}

#[cfg(test)]
mod tests {
    #[test]
    fn menu_links_are_read_from_the_nav() {
        let home = r#"<a href="/">x</a><nav aria-label="m"><a href="/requests">a</a><a href="/plans" aria-current="page">b</a><a href="/requests">c</a></nav><a href="/x">"#;
        assert_eq!(super::menu_links(home), ["/requests", "/plans"]);
    }
}
