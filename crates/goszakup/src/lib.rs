//! The state procurement portal goszakup.gov.kz, OWS v3 (DB-2, integration item 10; issue
//! 25): a customer's procurement plan points and contracts, read page by page.
//!
//! What is known of the portal is in `../shared/INTEGRATIONS.md` §5 and
//! `../shared/reference/pkfo-devbudget-sp.md` §2.4: REST lists answer
//! `{"total", "limit", "next_page", "items"}` and the next page is the path in `next_page`
//! (`…?page=next&limit=500&search_after=<id>`), empty on the last page; a bearer token is
//! required. A customer's lists are read from `/v3/plans/{bin}` and
//! `/v3/contract/customer/{bin}` (named in the portal's client libraries; their envelope is
//! the one of `/v3/plans/all` and `/v3/contract/all`, whose real pages are the samples).
//!
//! The adapter gives a page's bytes as they came; [`page`] reads them, so a page fetched and
//! a page from a saved file (the portal's JSON, imported by hand) read the same. Every call
//! goes through the adapter kit's client (timeouts, retries with backoff, the exchange
//! journal).

pub mod page;
#[cfg(feature = "testkit")]
pub mod testkit;

use jospar_adapter::{Adapter, AdapterConfig, AdapterError, Call, ExchangeJournal, HttpClient};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

/// The portal's name in the exchange journal and on the monitor.
pub const SYSTEM: &str = "goszakup";

/// Items asked for a page (the portal's largest).
pub const PAGE_LIMIT: u32 = 500;

/// Which list of a customer.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    serde::Serialize,
    serde::Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "lowercase")]
#[schema(as = ProcurementKind)]
pub enum Kind {
    Plans,
    Contracts,
}

impl Kind {
    pub fn code(self) -> &'static str {
        match self {
            Kind::Plans => "plans",
            Kind::Contracts => "contracts",
        }
    }

    /// The path of a customer's first page.
    pub fn first_page(self, bin: &str) -> String {
        match self {
            Kind::Plans => format!("/v3/plans/{bin}?limit={PAGE_LIMIT}"),
            Kind::Contracts => format!("/v3/contract/customer/{bin}?limit={PAGE_LIMIT}"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PortalError {
    #[error("the procurement portal is unreachable: {0}")]
    Unreachable(String),
    #[error("the procurement portal refused the request ({status}): {message}")]
    Refused { status: u16, message: String },
}

pub type PageFuture<'a> = Pin<Box<dyn Future<Output = Result<Vec<u8>, PortalError>> + Send + 'a>>;

/// Where the pages come from.
pub trait ProcurementPortal: Send + Sync {
    /// The page at `path` (a first page, or a `next_page` of the one before), as it came.
    fn page<'a>(&'a self, kind: Kind, path: &'a str) -> PageFuture<'a>;

    /// A page of a contract's units ([`units_path`], then its `next_page`).
    fn units<'a>(&'a self, path: &'a str) -> PageFuture<'a>;
}

/// The first page of a contract's units.
pub fn units_path(contract_id: i64) -> String {
    format!("/v3/contract/{contract_id}/units?limit={PAGE_LIMIT}")
}

/// The portal over HTTPS, through the adapter kit's client.
pub struct HttpGoszakup {
    http: HttpClient,
}

impl HttpGoszakup {
    /// The portal as configured (`goszakup_url`, `goszakup_token`, `exchange_*`).
    pub fn with_config(config: AdapterConfig, journal: Arc<dyn ExchangeJournal>) -> Self {
        HttpGoszakup {
            http: HttpClient::with_journal(SYSTEM, config, journal),
        }
    }

    async fn fetch(&self, what: &str, path: &str) -> Result<Vec<u8>, PortalError> {
        // A read: asking again is harmless.
        let call = Call::get(&format!("List {what}"), path).retry_safe();
        let answer = self
            .http
            .send(call)
            .await
            .map_err(|e: AdapterError| PortalError::Unreachable(e.to_string()))?;
        if !answer.is_success() {
            return Err(PortalError::Refused {
                status: answer.status,
                message: answer.text().chars().take(300).collect(),
            });
        }
        Ok(answer.body)
    }
}

impl Adapter for HttpGoszakup {
    fn http(&self) -> &HttpClient {
        &self.http
    }
}

impl ProcurementPortal for HttpGoszakup {
    fn page<'a>(&'a self, kind: Kind, path: &'a str) -> PageFuture<'a> {
        Box::pin(self.fetch(kind.code(), path))
    }

    fn units<'a>(&'a self, path: &'a str) -> PageFuture<'a> {
        Box::pin(self.fetch("units", path))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::page::parse_contracts;
    use crate::testkit::FakeGoszakup;
    use jospar_adapter::LogJournal;
    use jospar_adapter::testkit::Fault;
    use std::time::Duration;

    const BIN: &str = "980540002472";

    fn client(url: &str, token: &str) -> HttpGoszakup {
        let config = AdapterConfig::new(url)
            .timeout(Duration::from_millis(500))
            .retries(0)
            .bearer(token);
        HttpGoszakup::with_config(config, Arc::new(LogJournal))
    }

    fn contract(id: i64, sum: &str) -> String {
        format!(
            r#"{{"id": {id}, "ref_amendm_agreem_justif_id": [0], "customer_bin": "{BIN}", "fin_year": 2027, "contract_sum": {sum}}}"#
        )
    }

    #[tokio::test]
    async fn pages_follow_next_page_behind_the_bom_with_mixed_sums() {
        let fake = FakeGoszakup::spawn("t", 2).await.expect("fake");
        for (id, sum) in [(3, "100"), (1, "124955.36"), (2, "7")] {
            fake.put(Kind::Contracts, BIN, &contract(id, sum));
        }
        let portal = client(&fake.url(), "t");
        let first = portal
            .page(Kind::Contracts, &Kind::Contracts.first_page(BIN))
            .await
            .expect("first");
        assert!(first.starts_with("\u{feff}".as_bytes()));
        let first = parse_contracts(&first).expect("parsed");
        assert_eq!(first.total, 3);
        assert_eq!(
            first.items.iter().map(|c| c.sum.tiyn()).collect::<Vec<_>>(),
            [12_495_536, 700]
        );
        let next = first.next_page.expect("a next page");
        assert!(next.ends_with("search_after=2"), "{next}");
        let last = parse_contracts(&portal.page(Kind::Contracts, &next).await.expect("last"))
            .expect("parsed");
        assert_eq!((last.items.len(), last.next_page), (1, None));
        let asked = &fake.server().received()[0];
        assert_eq!(asked.header("authorization"), Some("Bearer t"));
    }

    #[tokio::test]
    async fn a_wrong_token_a_500_a_timeout_and_a_broken_next_page_are_told_apart() {
        let fake = FakeGoszakup::spawn("t", 1).await.expect("fake");
        fake.put(Kind::Contracts, BIN, &contract(1, "1"));
        fake.put(Kind::Contracts, BIN, &contract(2, "1"));
        let first = Kind::Contracts.first_page(BIN);
        assert!(matches!(
            client(&fake.url(), "wrong")
                .page(Kind::Contracts, &first)
                .await,
            Err(PortalError::Refused { status: 401, .. })
        ));
        let portal = client(&fake.url(), "t");
        fake.server().inject(Fault::Status {
            status: 500,
            retry_after: None,
        });
        assert!(matches!(
            portal.page(Kind::Contracts, &first).await,
            Err(PortalError::Refused { status: 500, .. })
        ));
        fake.server().inject(Fault::Delay(Duration::from_secs(2)));
        assert!(matches!(
            portal.page(Kind::Contracts, &first).await,
            Err(PortalError::Unreachable(_))
        ));
        fake.break_next_page(Kind::Contracts, BIN);
        let page = portal.page(Kind::Contracts, &first).await.expect("page");
        assert!(
            parse_contracts(&page)
                .expect_err("refused")
                .to_string()
                .contains("next_page")
        );
    }
}
