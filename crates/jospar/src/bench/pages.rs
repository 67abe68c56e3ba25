//! The pages people work on (issue 20): for the region's planner, an administrator and an
//! economist, the start page and every page of their menu — the first page of each list and
//! the same list searched and sorted by amount — plus, for the planner, the campaign's limits,
//! curator's desk and consolidation. Server time of each load, one user at a time (a person
//! opening pages), over loopback with the user's API token (pages accept it as a session).

use super::{Figure, Timing};
use anyhow::{Context, Result};
use jospar_store::{Db, Who};
use std::time::{Duration, Instant};

/// Timed loads of each page (after one untimed load).
const RUNS: usize = 10;

/// A search term found in most lists (a Cyrillic "а"), and the sort by amount.
const SEARCHED: &str = "q=%D0%B0&sort=-amount";

pub async fn figures(db: &Db, engine: &str, g: &crate::scale::Generated) -> Result<Vec<Figure>> {
    let region = &g.regions[0];
    let (base, server) = super::http::serve(db).await?;
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .build()?;
    let campaign = region.campaign_id;
    let planner_pages = vec![
        format!("/limits/{campaign}"),
        format!("/limits/{campaign}/desk"),
        format!("/limits/{campaign}/consolidated"),
    ];
    let mut figures = Vec::new();
    for (login, extra) in [
        (region.planner.clone(), planner_pages),
        ("abp.r01.a01".to_string(), Vec::new()),
        ("economist.r01.0001".to_string(), Vec::new()),
    ] {
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
        let mut pages = vec!["/".to_string()];
        let links = menu_links(&home);
        let menu = links.len();
        for link in links {
            pages.push(format!("{link}?{SEARCHED}"));
            pages.push(link);
        }
        pages.extend(extra);
        let (mut samples, mut errors) = (Vec::new(), 0);
        let mut slowest = (Duration::ZERO, String::new());
        let started = Instant::now();
        for page in &pages {
            let url = format!("{base}{page}");
            let _ = http.get(&url).bearer_auth(&token).send().await;
            let mut own = Vec::new();
            for _ in 0..RUNS {
                let t = Instant::now();
                let answer = http.get(&url).bearer_auth(&token).send().await;
                let whole = match answer {
                    Ok(r) if r.status().is_success() => r.bytes().await.is_ok(),
                    _ => false,
                };
                if whole {
                    own.push(t.elapsed());
                } else {
                    errors += 1;
                }
            }
            own.sort();
            if let Some(p95) = own.get(own.len() * 95 / 100).or(own.last()).copied()
                && p95 > slowest.0
            {
                slowest = (p95, page.clone());
            }
            samples.extend(own);
        }
        let timing = Timing::of(samples, started.elapsed(), errors);
        figures.push(Figure {
            engine: engine.to_string(),
            name: format!(
                "Pages of {login}: the start page and the {menu} pages of the menu, each first and searched + sorted by amount{}; slowest p95 {:.0} ms ({})",
                if login == region.planner {
                    ", and the campaign's limits, desk and consolidation"
                } else {
                    ""
                },
                slowest.0.as_secs_f64() * 1000.0,
                slowest.1
            ),
            scope: "pages".into(),
            rows: pages.len(),
            met: slowest.0 <= Duration::from_millis(300) && timing.errors == 0,
            timing,
            baseline: None,
            speedup: None,
            answer_read: None,
            over_answer_read: None,
            peak_rss_mb: None,
            target: "every page p95 ≤ 300 ms, no errors".into(),
        });
    }
    server.abort();
    Ok(figures)
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
