//! Electronic signatures as configured (P-9): trusted roots and NCANode for production; for
//! `jospar demo` a demo CA whose keys, one per demo user, sit in a fake NCALayer on this
//! machine, so that sending a request for review can be tried end to end without real keys.

use crate::config::Config;
use anyhow::{Context, Result};
use jospar_eds::testkit::{FakeNcaLayer, KeyAlgorithm, Person, TestCa};
use jospar_eds::{NativeThenNcaNode, NativeVerifier, NcaNodeVerifier, SignatureVerifier};
use jospar_store::Db;
use jospar_web::Signing;
use std::sync::Arc;

/// Where the demo's fake NCALayer listens: NCALayer's own port, over plain WebSocket.
pub const DEMO_NCALAYER_ADDR: &str = "127.0.0.1:13579";

/// The verifier of the configuration, trusting `extra_roots` besides the configured ones; the
/// calls to NCANode go to `journal`.
pub fn from_config(
    config: &Config,
    extra_roots: Vec<x509_cert::Certificate>,
    journal: Arc<dyn jospar_adapter::ExchangeJournal>,
) -> Result<Signing> {
    let mut roots = extra_roots;
    if let Some(path) = &config.eds_trusted_roots {
        let pem = std::fs::read_to_string(path)
            .with_context(|| format!("reading trusted roots {}", path.display()))?;
        roots.extend(
            jospar_eds::certificates_from_pem(&pem)
                .with_context(|| format!("trusted roots {}", path.display()))?,
        );
    }
    let native = NativeVerifier::new(roots);
    let verifier: Arc<dyn SignatureVerifier> = match &config.eds_ncanode_url {
        Some(url) => {
            let checks = config
                .eds_revocation_check
                .split(',')
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .map(str::to_string)
                .collect();
            Arc::new(NativeThenNcaNode {
                native,
                ncanode: NcaNodeVerifier::with_config(
                    config.adapter(url, jospar_adapter::Credentials::None),
                    checks,
                    journal,
                ),
            })
        }
        None => Arc::new(native),
    };
    Ok(Signing {
        verifier,
        ncalayer_url: config.ncalayer_url.clone(),
    })
}

/// Issues a demo key to every user of the database and serves them from a fake NCALayer.
/// Returns the signing setup trusting the demo CA and pointing browsers at the fake.
pub async fn start_demo_signer(config: &Config, db: &Db) -> Result<Signing> {
    let ca = TestCa::new("JOSPAR DEMO CA", KeyAlgorithm::P256)?;
    let keys = issue_demo_keys(&ca, db).await?;
    // NCALayer's own port when free; any free port otherwise (the page is told which).
    let layer = match FakeNcaLayer::spawn(DEMO_NCALAYER_ADDR, keys).await {
        Ok(layer) => layer,
        Err(e) => {
            tracing::warn!(
                "{DEMO_NCALAYER_ADDR} is taken ({e}); the demo signer takes another port"
            );
            let keys = issue_demo_keys(&ca, db).await?;
            FakeNcaLayer::spawn("127.0.0.1:0", keys).await?
        }
    };
    println!(
        "Demo signer (a stand-in for NCALayer with demo keys of every demo user) on {}",
        layer.url()
    );
    let journal = crate::exchange::journal(db);
    let mut signing = from_config(config, vec![ca.certificate.clone()], journal)?;
    // The fake keeps serving after `layer` is dropped, for as long as the process runs.
    signing.ncalayer_url = layer.url();
    Ok(signing)
}

/// A signing key of every user of the database, issued by the demo CA.
async fn issue_demo_keys(ca: &TestCa, db: &Db) -> Result<Vec<jospar_eds::testkit::TestKey>> {
    let mut keys = Vec::new();
    for user in jospar_org::repo::users(db, "", None).await? {
        keys.push(ca.issue(&Person::individual(
            &user.iin,
            &user.full_name,
            KeyAlgorithm::P256,
        ))?);
    }
    Ok(keys)
}
