//! The exchanges with outside systems as configured: the Treasury (EX-4, I-6) through ShEP with
//! messages signed by NCANode, and the "Region passport" portal (EX-R 22-23); for `jospar demo`
//! fakes of both on this machine, so that an approved plan can be followed to its registration
//! number and a report to the portal's id. `serve` runs a pass over the Treasury queue every
//! `shep_interval` seconds; `jospar exchange` runs one. Every exchange goes through the adapter
//! kit's client with the `exchange_*` settings and is kept in the exchange journal.

use crate::config::Config;
use anyhow::{Context, Result, bail};
use jospar_adapter::{Credentials, ExchangeJournal, Secret, Source};
use jospar_ebkservice::testkit::FakeEbkService;
use jospar_ebkservice::{EbkService, HttpEbkService};
use jospar_emin::testkit::FakeEMinfin;
use jospar_emin::{EMinfin, HttpEMinfin};
use jospar_execution::journal::DbJournal;
use jospar_execution::usecases::emin::{EminService, PullResult, current_report_date};
use jospar_execution::usecases::exchange::{PassSummary, exchange_who, run_pass};
use jospar_obportal::testkit::FakeOpenBudgets;
use jospar_obportal::{ExecutionQuery, HttpOpenBudgets, OpenBudgets};
use jospar_passport::testkit::FakeRegionPassport;
use jospar_passport::{HttpRegionPassport, RegionPassport};
use jospar_shep::testkit::{FakeNcaNodeWsse, FakeShep};
use jospar_shep::{NcaNodeWsseSigner, ShepClient, ShepTreasury, TreasuryGateway, WithAnswerFiles};
use jospar_store::Db;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// How each external system is set up, for the exchange monitor (no secrets); in the demo,
/// the ones not configured are the demo's stand-ins.
pub fn integrations(config: &Config, demo: bool) -> Vec<jospar_adapter::IntegrationInfo> {
    use jospar_adapter::IntegrationInfo;
    adapters(config)
        .into_iter()
        .map(|(system, adapter)| match adapter {
            Some(adapter) => IntegrationInfo::of(system, &adapter, false),
            None => IntegrationInfo {
                demo,
                ..IntegrationInfo::not_configured(system)
            },
        })
        .collect()
}

/// Each external system by its journal name, with its adapter's set-up when configured.
pub fn adapters(config: &Config) -> Vec<(&'static str, Option<jospar_adapter::AdapterConfig>)> {
    let adapter = |url: Option<&String>, credentials: Credentials| {
        url.map(|url| config.adapter(url, credentials))
    };
    let bearer = |token: &str| Credentials::Bearer(Secret::new(token));
    vec![
        (
            "shep",
            adapter(
                config.shep_url.as_ref(),
                Credentials::InMessage {
                    user: config.shep_sender_id.clone(),
                    password: Secret::new(&config.shep_password),
                },
            ),
        ),
        (
            "ncanode",
            adapter(
                config
                    .shep_ncanode_url
                    .as_ref()
                    .or(config.eds_ncanode_url.as_ref()),
                Credentials::None,
            ),
        ),
        (
            "passport",
            adapter(config.passport_url.as_ref(), bearer(&config.passport_token)),
        ),
        (
            "obportal",
            adapter(
                config.open_budgets_url.as_ref(),
                bearer(&config.open_budgets_token),
            ),
        ),
        (
            jospar_emin::SYSTEM,
            adapter(config.emin_url.as_ref(), bearer(&config.emin_token)),
        ),
        (
            jospar_ebkservice::SYSTEM,
            adapter(config.ebk_url.as_ref(), bearer(&config.ebk_token)),
        ),
        (
            jospar_goszakup::SYSTEM,
            adapter(config.goszakup_url.as_ref(), bearer(&config.goszakup_token)),
        ),
    ]
}

pub fn journal(db: &Db) -> Arc<dyn ExchangeJournal> {
    Arc::new(DbJournal::new(db.clone()))
}

fn treasury(
    config: &Config,
    url: &str,
    signer: Arc<NcaNodeWsseSigner>,
    journal: Arc<dyn ExchangeJournal>,
) -> Arc<dyn TreasuryGateway> {
    let sender = Credentials::InMessage {
        user: config.shep_sender_id.clone(),
        password: Secret::new(&config.shep_password),
    };
    let gateway = ShepTreasury {
        client: ShepClient::with_config(config.adapter(url, sender), signer, journal),
        submit_service: config.shep_plan_service.clone(),
        status_service: config.shep_status_service.clone(),
    };
    match &config.shep_answers_dir {
        Some(dir) => Arc::new(WithAnswerFiles {
            gateway,
            dir: dir.clone(),
        }),
        None => Arc::new(gateway),
    }
}

fn signer(
    config: &Config,
    ncanode: &str,
    key: &[u8],
    password: &str,
    journal: Arc<dyn ExchangeJournal>,
) -> Arc<NcaNodeWsseSigner> {
    let adapter = config.adapter(ncanode, Credentials::None);
    Arc::new(NcaNodeWsseSigner::with_config(
        adapter, key, password, None, journal,
    ))
}

/// The Treasury through ShEP when `shep_url` is set; none otherwise.
pub fn from_config(
    config: &Config,
    journal: Arc<dyn ExchangeJournal>,
) -> Result<Option<Arc<dyn TreasuryGateway>>> {
    let Some(url) = &config.shep_url else {
        return Ok(None);
    };
    let Some(ncanode) = config
        .shep_ncanode_url
        .as_ref()
        .or(config.eds_ncanode_url.as_ref())
    else {
        bail!("shep_url is set: messages to ShEP are signed by NCANode, set shep_ncanode_url");
    };
    let Some(key_file) = &config.shep_key_file else {
        bail!("shep_url is set: set shep_key_file, the system's PKCS#12 signing key");
    };
    let key = std::fs::read(key_file)
        .with_context(|| format!("reading the ShEP signing key {}", key_file.display()))?;
    let signer = signer(
        config,
        ncanode,
        &key,
        &config.shep_key_password,
        journal.clone(),
    );
    Ok(Some(treasury(config, url, signer, journal)))
}

/// The configured Treasury, or — when none is configured — a fake ShEP and Treasury on this
/// machine for the demo.
pub async fn start_demo_treasury(
    config: &Config,
    journal: Arc<dyn ExchangeJournal>,
) -> Result<Arc<dyn TreasuryGateway>> {
    if let Some(configured) = from_config(config, journal.clone())? {
        return Ok(configured);
    }
    let sender = "JOSPAR-DEMO";
    let password = "demo";
    let shep = FakeShep::spawn(sender, password).await?;
    let ncanode = FakeNcaNodeWsse::spawn().await?;
    println!(
        "Demo Treasury exchange (a stand-in for ShEP and the Treasury's ФУПФ) on {}",
        shep.url()
    );
    let demo = Config {
        shep_sender_id: sender.into(),
        shep_password: password.into(),
        ..config.clone()
    };
    let signer = signer(
        config,
        &ncanode.url(),
        b"demo key container",
        FakeNcaNodeWsse::password(),
        journal.clone(),
    );
    // The fakes keep serving after their handles are dropped, for as long as the process runs.
    Ok(treasury(&demo, &shep.url(), signer, journal))
}

/// One pass over the whole queue.
pub async fn run_once(db: &Db, gateway: &dyn TreasuryGateway) -> Result<PassSummary> {
    run_pass(db, gateway, &exchange_who(), chrono::Utc::now(), &|_| true)
        .await
        .map_err(|e| anyhow::anyhow!("Treasury exchange: {e:?}"))
}

/// Passes over the queue every `interval`, for as long as the server runs.
pub fn spawn_worker(db: Db, gateway: Arc<dyn TreasuryGateway>, interval: Duration) {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(interval);
        loop {
            ticks.tick().await;
            match run_once(&db, gateway.as_ref()).await {
                Ok(summary) if summary != PassSummary::default() => {
                    tracing::info!(?summary, "Treasury exchange pass");
                }
                Ok(_) => {}
                Err(e) => tracing::warn!("{e}"),
            }
        }
    });
}

/// Makes the final reports of ended public discussions every hour (OB-5).
pub fn spawn_final_reports(db: Db) {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(Duration::from_secs(3600));
        loop {
            ticks.tick().await;
            match jospar_openbudget::usecases::make_final_reports(
                &db,
                chrono::Utc::now().date_naive(),
            )
            .await
            {
                Ok(0) => {}
                Ok(made) => tracing::info!(made, "final reports of public discussions"),
                Err(e) => tracing::warn!("final reports: {e:?}"),
            }
        }
    });
}

/// The open-budgets portal when `open_budgets_url` is set (BP-14).
pub fn open_budgets_from_config(
    config: &Config,
    journal: Arc<dyn ExchangeJournal>,
) -> Option<Arc<dyn OpenBudgets>> {
    config
        .open_budgets_url
        .as_ref()
        .map(|url| open_budgets(config, url, &config.open_budgets_token, journal))
}

fn open_budgets(
    config: &Config,
    url: &str,
    token: &str,
    journal: Arc<dyn ExchangeJournal>,
) -> Arc<dyn OpenBudgets> {
    let bearer = Credentials::Bearer(Secret::new(token));
    Arc::new(HttpOpenBudgets::with_config(
        config.adapter(url, bearer),
        journal,
    ))
}

/// An execution report of the open-budgets portal (EX-R 18), read from the portal, or from
/// `file` when the portal cannot be reached: the bytes `import portal-execution` parses.
pub async fn execution_report(
    config: &Config,
    db: &Db,
    query: &ExecutionQuery,
    file: &Option<PathBuf>,
) -> Result<Vec<u8>> {
    let Some(url) = &config.open_budgets_url else {
        bail!("--from-portal: set open_budgets_url (JOSPAR_OPEN_BUDGETS_URL)");
    };
    let bearer = Credentials::Bearer(Secret::new(&config.open_budgets_token));
    let portal = HttpOpenBudgets::with_config(config.adapter(url, bearer), journal(db));
    let source = match file {
        Some(file) => Source::RemoteOrFile(file.clone()),
        None => Source::Remote,
    };
    Ok(portal.execution_report(query, &source).await?)
}

/// The configured open-budgets portal, or a fake one on this machine for the demo.
pub async fn start_demo_open_budgets(
    config: &Config,
    journal: Arc<dyn ExchangeJournal>,
) -> Result<Arc<dyn OpenBudgets>> {
    if let Some(configured) = open_budgets_from_config(config, journal.clone()) {
        return Ok(configured);
    }
    let token = "demo-token";
    let portal = FakeOpenBudgets::spawn(token).await?;
    println!(
        "Demo open-budgets portal (a stand-in for the real one) on {}",
        portal.url()
    );
    // The fake keeps serving after its handle is dropped, for as long as the process runs.
    Ok(open_budgets(config, &portal.url(), token, journal))
}

/// e-Minfin's forms service when `emin_url` is set, for the organisations of `emin_bins`.
pub fn emin_from_config(
    config: &Config,
    journal: Arc<dyn ExchangeJournal>,
) -> Result<Option<EminService>> {
    let Some(url) = &config.emin_url else {
        return Ok(None);
    };
    let bins = config.emin_bin_list();
    if bins.is_empty() {
        bail!("emin_url is set: name the organisations whose forms are pulled in emin_bins");
    }
    Ok(Some(EminService {
        gateway: emin(config, url, &config.emin_token, journal),
        bins,
        forms: config.emin_form_list()?,
    }))
}

fn emin(
    config: &Config,
    url: &str,
    token: &str,
    journal: Arc<dyn ExchangeJournal>,
) -> Arc<dyn EMinfin> {
    let bearer = Credentials::Bearer(Secret::new(token));
    Arc::new(HttpEMinfin::with_config(
        config.adapter(url, bearer),
        journal,
    ))
}

/// The configured e-Minfin, or a stand-in on this machine for the demo that gives the demo's
/// sample forms (report date 2027-04-01) of their organisations.
pub async fn start_demo_emin(
    config: &Config,
    journal: Arc<dyn ExchangeJournal>,
) -> Result<EminService> {
    if let Some(configured) = emin_from_config(config, journal.clone())? {
        return Ok(configured);
    }
    let token = "demo-token";
    let fake = FakeEMinfin::spawn(token).await?;
    let mut bins = Vec::new();
    let mut forms = Vec::new();
    for (query, csv) in crate::demo::emin_samples()? {
        fake.put_csv(&query, csv);
        if !bins.contains(&query.bin) {
            bins.push(query.bin.clone());
        }
        if !forms.contains(&query.form) {
            forms.push(query.form.clone());
        }
    }
    println!(
        "Demo e-Minfin (a stand-in for the real one) on {}",
        fake.url()
    );
    // The fake keeps serving after its handle is dropped, for as long as the process runs.
    Ok(EminService {
        gateway: emin(config, &fake.url(), token, journal),
        bins,
        forms,
    })
}

/// Pulls the configured e-Minfin forms on the 1st of the current month every `interval`.
pub fn spawn_emin_worker(db: Db, service: EminService, interval: Duration) {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(interval);
        loop {
            ticks.tick().await;
            let date = current_report_date(chrono::Utc::now().date_naive());
            match service
                .run(&db, date, &jospar_i18n::Tr(jospar_i18n::Lang::Ru))
                .await
            {
                Ok(outcomes) => {
                    for o in outcomes
                        .iter()
                        .filter(|o| o.result != PullResult::Unchanged)
                    {
                        tracing::info!(form = o.form, bin = o.bin, result = ?o.result, message = ?o.message, "e-Minfin pull");
                    }
                }
                Err(e) => tracing::warn!("e-Minfin pull: {e}"),
            }
        }
    });
}

/// The procurement portal when `goszakup_url` is set.
pub fn goszakup_from_config(
    config: &Config,
    journal: Arc<dyn ExchangeJournal>,
) -> Option<Arc<dyn jospar_goszakup::ProcurementPortal>> {
    config.goszakup_url.as_ref().map(|url| {
        let bearer = Credentials::Bearer(Secret::new(&config.goszakup_token));
        Arc::new(jospar_goszakup::HttpGoszakup::with_config(
            config.adapter(url, bearer),
            journal,
        )) as Arc<dyn jospar_goszakup::ProcurementPortal>
    })
}

/// The configured procurement portal, or a stand-in on this machine for the demo serving the
/// constructed samples of `data/goszakup` (the education administrator's contracts and plan
/// points), two items a page.
pub async fn start_demo_goszakup(
    config: &Config,
    journal: Arc<dyn ExchangeJournal>,
) -> Result<Arc<dyn jospar_goszakup::ProcurementPortal>> {
    if let Some(configured) = goszakup_from_config(config, journal.clone()) {
        return Ok(configured);
    }
    let token = "demo-token";
    let fake = jospar_goszakup::testkit::FakeGoszakup::spawn(token, 2).await?;
    let samples = [
        (
            jospar_goszakup::Kind::Contracts,
            include_str!("../../../data/goszakup/demo-contracts.jsonl"),
        ),
        (
            jospar_goszakup::Kind::Plans,
            include_str!("../../../data/goszakup/demo-plans.jsonl"),
        ),
    ];
    for (kind, lines) in samples {
        for item in lines.lines().filter(|l| !l.trim().is_empty()) {
            fake.put(kind, crate::demo::PROCUREMENT_CUSTOMER, item);
        }
    }
    // Each unit names its contract in `contract_id`, a field of the demo's file only.
    let units = include_str!("../../../data/goszakup/demo-units.jsonl");
    for unit in units.lines().filter(|l| !l.trim().is_empty()) {
        let contract = serde_json::from_str::<serde_json::Value>(unit)
            .ok()
            .and_then(|v| v["contract_id"].as_i64())
            .context("a demo unit without its contract_id")?;
        fake.put_unit(contract, unit);
    }
    println!(
        "Demo procurement portal (a stand-in for goszakup.gov.kz) on {}",
        fake.url()
    );
    let bearer = Credentials::Bearer(Secret::new(token));
    // The fake keeps serving after its handle is dropped, for as long as the process runs.
    Ok(Arc::new(jospar_goszakup::HttpGoszakup::with_config(
        config.adapter(&fake.url(), bearer),
        journal,
    )))
}

/// Loads the plans and contracts of every scheduled customer from the procurement portal every
/// `interval` (DB-2: contracts loaded automatically); each load resumes where the last stopped.
pub fn spawn_goszakup_worker(
    db: Db,
    portal: Arc<dyn jospar_goszakup::ProcurementPortal>,
    interval: Duration,
) {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(interval);
        loop {
            ticks.tick().await;
            let customers = match jospar_devbudget::procurement::scheduled_customers(&db).await {
                Ok(customers) => customers,
                Err(e) => {
                    tracing::warn!("procurement portal: the customers: {e}");
                    continue;
                }
            };
            for bin in customers {
                for kind in [
                    jospar_goszakup::Kind::Plans,
                    jospar_goszakup::Kind::Contracts,
                ] {
                    match jospar_devbudget::procurement::load_customer(
                        &db,
                        portal.as_ref(),
                        &exchange_who(),
                        &bin,
                        kind,
                    )
                    .await
                    {
                        Ok(o) if o.problem.is_some() => {
                            tracing::warn!(bin, kind = kind.code(), problem = ?o.problem, "procurement portal load stopped")
                        }
                        Ok(o) => {
                            tracing::info!(
                                bin,
                                kind = kind.code(),
                                pages = o.pages,
                                items = o.items,
                                "procurement portal load"
                            )
                        }
                        Err(e) => {
                            tracing::warn!(bin, kind = kind.code(), "procurement portal: {e}")
                        }
                    }
                }
            }
        }
    });
}

/// The ЕБК service when `ebk_url` is set.
pub fn ebk_from_config(
    config: &Config,
    journal: Arc<dyn ExchangeJournal>,
) -> Option<Arc<dyn EbkService>> {
    config
        .ebk_url
        .as_ref()
        .map(|url| ebk(config, url, &config.ebk_token, journal))
}

fn ebk(
    config: &Config,
    url: &str,
    token: &str,
    journal: Arc<dyn ExchangeJournal>,
) -> Arc<dyn EbkService> {
    let bearer = Credentials::Bearer(Secret::new(token));
    Arc::new(HttpEbkService::with_config(
        config.adapter(url, bearer),
        journal,
    ))
}

/// The configured ЕБК service, or a stand-in on this machine for the demo with one change set
/// of the demo's newest classification year: a subprogram opened under the schools' program.
pub async fn start_demo_ebk(
    config: &Config,
    journal: Arc<dyn ExchangeJournal>,
) -> Result<Arc<dyn EbkService>> {
    if let Some(configured) = ebk_from_config(config, journal.clone()) {
        return Ok(configured);
    }
    let token = "demo-token";
    let fake = FakeEbkService::spawn(token).await?;
    fake.put(jospar_ebkservice::ChangeSet {
        id: "DEMO-2026-0001".into(),
        year: 2026,
        issued_at: "2026-11-20".into(),
        basis: "Демонстрационный набор изменений (заменитель сервиса ЕБК)".into(),
        changes: vec![jospar_ebkservice::CodeChange {
            change: "opened".into(),
            kind: "subprogram".into(),
            code: "261 003 032".into(),
            name_ru: Some("За счет целевых трансфертов из Национального фонда".into()),
            name_kk: Some("Ұлттық қордан берілетін нысаналы трансферттер есебінен".into()),
        }],
    });
    println!(
        "Demo ЕБК service (a stand-in for the real one) on {}",
        fake.url()
    );
    // The fake keeps serving after its handle is dropped, for as long as the process runs.
    Ok(ebk(config, &fake.url(), token, journal))
}

/// Receives the change sets of the current and the next year every `interval`.
pub fn spawn_ebk_worker(db: Db, service: Arc<dyn EbkService>, interval: Duration) {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(interval);
        loop {
            ticks.tick().await;
            let year = chrono::Datelike::year(&chrono::Utc::now().date_naive());
            for year in [year, year + 1] {
                match jospar_planning::ebk_changes::receive(
                    &db,
                    service.as_ref(),
                    &exchange_who(),
                    year,
                )
                .await
                {
                    Ok(r) if !r.received.is_empty() => {
                        tracing::info!(year, received = ?r.received, "ЕБК change sets received")
                    }
                    Ok(_) => {}
                    Err(e) => tracing::warn!(year, "ЕБК service: {e}"),
                }
            }
        }
    });
}

/// The Region passport portal when `passport_url` is set.
pub fn passport_from_config(
    config: &Config,
    journal: Arc<dyn ExchangeJournal>,
) -> Option<Arc<dyn RegionPassport>> {
    config
        .passport_url
        .as_ref()
        .map(|url| passport(config, url, &config.passport_token, journal))
}

fn passport(
    config: &Config,
    url: &str,
    token: &str,
    journal: Arc<dyn ExchangeJournal>,
) -> Arc<dyn RegionPassport> {
    let bearer = Credentials::Bearer(Secret::new(token));
    Arc::new(HttpRegionPassport::with_config(
        config.adapter(url, bearer),
        journal,
    ))
}

/// The configured portal, or a fake one on this machine for the demo.
pub async fn start_demo_passport(
    config: &Config,
    journal: Arc<dyn ExchangeJournal>,
) -> Result<Arc<dyn RegionPassport>> {
    if let Some(configured) = passport_from_config(config, journal.clone()) {
        return Ok(configured);
    }
    let token = "demo-token";
    let portal = FakeRegionPassport::spawn(token).await?;
    println!(
        "Demo Region passport portal (a stand-in for the real one) on {}",
        portal.url()
    );
    // The fake keeps serving after its handle is dropped, for as long as the process runs.
    Ok(passport(config, &portal.url(), token, journal))
}
