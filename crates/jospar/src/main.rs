//! `jospar` — the command line of the system: serve the web UI and API, load demo data,
//! migrate, back up and restore, import classification files, create API tokens.

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};
use jospar::config::Config;
use jospar::{backup, demo, exchange, signing};
use jospar_store::{Db, Who};
use jospar_web::error::HttpError as _;
use std::path::PathBuf;
use std::sync::Arc;

#[derive(Parser)]
#[command(
    name = "jospar",
    version,
    about = "Jospar — budget planning and execution for Kazakhstan's public sector"
)]
struct Cli {
    /// Configuration file (TOML); settings also come from JOSPAR_* environment variables.
    #[arg(long, global = true, default_value = "jospar.toml")]
    config: PathBuf,
    #[command(subcommand)]
    command: Command,
}

// The command line is parsed once per run: the size of its largest variant does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand)]
enum Command {
    /// Serve the web UI and the API.
    Serve {
        /// Address to listen on, HOST:PORT (default 127.0.0.1:8080 or JOSPAR_ADDR).
        #[arg(long)]
        addr: Option<String>,
    },
    /// Create the database if needed, load the demo region (once) and serve.
    Demo {
        #[arg(long)]
        addr: Option<String>,
        /// Load the demo data and exit without serving.
        #[arg(long)]
        load_only: bool,
        /// Instead of the demo region, generate a region or the republic into an
        /// empty database: deterministic from --seed.
        #[arg(long, value_enum)]
        scale: Option<jospar::scale::Scale>,
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Apply database migrations.
    Migrate,
    /// Measure the system on generated data: consolidated reports against their
    /// GROUP BY baselines, concurrent writers, a large import, HTTP load; prints a table and
    /// writes bench.json and bench.png (and BENCHMARKS.md with --markdown).
    Bench {
        #[arg(long, value_enum, default_value = "region")]
        scale: jospar::scale::Scale,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// sqlite, postgres or both.
        #[arg(long, default_value = "both")]
        engine: String,
        /// The PostgreSQL server (a database the bench may create databases from).
        #[arg(
            long,
            env = "JOSPAR_BENCH_POSTGRES",
            default_value = "postgres://postgres@127.0.0.1:5432/postgres"
        )]
        postgres_url: String,
        #[arg(long, default_value = "target/bench")]
        out: PathBuf,
        /// Write the results page here (BENCHMARKS.md, with BENCHMARKS.png beside it).
        #[arg(long)]
        markdown: Option<PathBuf>,
        /// How long each concurrent load runs, in seconds.
        #[arg(long, default_value_t = 10)]
        seconds: u64,
        /// Measure only these parts (reports, writers, import, http), comma separated; all
        /// when not given. A partial run writes a section of its own into --markdown.
        #[arg(long, value_delimiter = ',')]
        only: Vec<jospar::bench::Part>,
        /// After the runs at --scale, a run at republic scale on PostgreSQL.
        #[arg(long)]
        republic: bool,
        /// Instead of the figures: 200 signed-in clients against a real `jospar serve` for
        /// this many minutes, reading, saving and importing with bombs among them (no 5xx, no
        /// lost write, peak RSS under 1 GB).
        #[arg(long, value_name = "MINUTES")]
        soak: Option<u64>,
    },
    /// Check that the kept consolidated totals equal a recomputation from the detail, and that
    /// the audit log's hash chain holds and contains the saved head of the chain (exit 1 when
    /// not).
    Verify {
        /// The saved head of the audit chain (an audit-head-*.json written with the backups;
        /// default: the newest in the backup directory).
        #[arg(long)]
        head: Option<PathBuf>,
        /// Check the chain within the database only, against no saved head.
        #[arg(long, conflicts_with = "head")]
        no_head: bool,
    },
    /// The monthly self-check, now (issue 30): verify, the database's integrity check, the
    /// newest backup restored into a scratch database, the expiry of the EDS trust roots and
    /// the API tokens, each configured integration; the report is kept for the system
    /// administrator and printed (exit 1 when a check fails).
    Selfcheck {
        /// The language of the printed report: kk or ru.
        #[arg(long, default_value = "ru")]
        lang: String,
    },
    /// Write a consistent copy of the database (works while the server runs), and print the
    /// head of the audit chain (also written to audit-head-*.json beside the copy).
    Backup {
        /// Target file (default: backups/jospar-YYYYMMDD-HHMMSS.db or .dump in the backup directory).
        path: Option<PathBuf>,
    },
    /// Restore the database from a backup file; refused while a server uses the database.
    Restore {
        file: PathBuf,
        /// Overwrite the current database without asking.
        #[arg(long)]
        yes: bool,
    },
    /// Import data files.
    #[command(subcommand)]
    Import(ImportCommand),
    /// Personal API tokens.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Send the approved plans and change documents that are due to the Treasury through ShEP,
    /// ask about the registered ones, and print what happened (one pass; `serve` runs them
    /// on its own). With --emin, pull the configured e-Minfin forms instead.
    Exchange {
        /// Pull the e-Minfin forms of the organisations of `emin_bins`, one JSON line a form.
        #[arg(long, conflicts_with = "ebk")]
        emin: bool,
        /// The forms' report date, YYYY-MM-DD (default: the 1st of the current month).
        #[arg(long, requires = "emin")]
        date: Option<chrono::NaiveDate>,
        /// Receive the ЕБК service's change sets of a year (kept pending for the system
        /// administrator), and print what came.
        #[arg(long)]
        ebk: bool,
        /// The classification's year (default: the current one).
        #[arg(long, requires = "ebk")]
        year: Option<i32>,
    },
    /// Print the latest attempts of exchanges with external systems (ShEP, NCANode, the Region
    /// passport, the open-budgets portal), newest first, one JSON object a line.
    Journal {
        /// Only this system: shep, ncanode, passport or obportal.
        #[arg(long)]
        system: Option<String>,
        /// How many attempts.
        #[arg(long, default_value_t = 50)]
        limit: i64,
    },
    /// Produce a report (the same tables as in the web UI): jospar report NAME [--param value…]
    #[command(after_help = jospar_web::reports::catalogue().help_text())]
    Report(ReportArgs),
}

#[derive(clap::Args)]
struct ReportArgs {
    /// The report (listed below).
    name: String,
    /// A parameter of the report as NAME=VALUE, repeatable; each report's parameters are
    /// listed below. A parameter may also be given as its own option: --campaign 7, --approved.
    #[arg(long = "param", short = 'p', value_name = "NAME=VALUE")]
    param: Vec<String>,
    /// csv (for Excel: a byte order mark, a decimal comma), csv-plain (for programs: a decimal
    /// point), json, xlsx or pdf (xlsx and pdf need --output).
    #[arg(long, default_value = "csv")]
    format: String,
    /// Language of the report: kk or ru.
    #[arg(long, default_value = "ru")]
    lang: String,
    /// File to write (default: standard output).
    #[arg(long)]
    output: Option<PathBuf>,
    /// The report's parameters as options (--NAME VALUE, or --NAME alone for a yes/no one).
    #[arg(trailing_var_arg = true, allow_hyphen_values = true, hide = true)]
    options: Vec<String>,
}

/// A report call as given on the command line: its parameters by name, and the output
/// settings, which may also come after the parameters.
struct ReportCallArgs {
    params: std::collections::HashMap<String, String>,
    format: String,
    lang: String,
    output: Option<PathBuf>,
}

impl ReportArgs {
    /// Reads `--param NAME=VALUE` and the report's own options (`--campaign 7`,
    /// `--as-of=2027-03-01`, `--approved`); a name the report does not take is refused, naming
    /// the ones it does.
    fn call(&self, definition: &jospar_reports::catalogue::ReportDef) -> Result<ReportCallArgs> {
        let mut call = ReportCallArgs {
            params: std::collections::HashMap::new(),
            format: self.format.clone(),
            lang: self.lang.clone(),
            output: self.output.clone(),
        };
        let mut pairs: Vec<(String, String)> = Vec::new();
        for given in &self.param {
            let (name, value) = given
                .split_once('=')
                .with_context(|| format!("--param {given}: write NAME=VALUE"))?;
            pairs.push((name.to_string(), value.to_string()));
        }
        let mut options = self.options.iter().peekable();
        while let Some(option) = options.next() {
            let Some(name) = option.strip_prefix("--") else {
                bail!("{option}: expected --NAME VALUE");
            };
            let (name, value) = match name.split_once('=') {
                Some((name, value)) => (name.to_string(), value.to_string()),
                None => {
                    let value = options.next_if(|next| !next.starts_with("--"));
                    (
                        name.to_string(),
                        value.cloned().unwrap_or_else(|| "1".into()),
                    )
                }
            };
            pairs.push((name, value));
        }
        for (name, value) in pairs {
            let name = name.replace('-', "_");
            match name.as_str() {
                "format" => call.format = value,
                "lang" => call.lang = value,
                "output" => call.output = Some(PathBuf::from(value)),
                _ if definition.params.iter().any(|p| p.name == name) => {
                    call.params.insert(name, value);
                }
                _ => {
                    let known: Vec<&str> = definition.params.iter().map(|p| p.name).collect();
                    bail!(
                        "report {} has no parameter {name}; it takes: {}",
                        definition.name,
                        known.join(", ")
                    );
                }
            }
        }
        Ok(call)
    }
}

#[derive(Subcommand)]
enum ImportCommand {
    /// Import a classification (ЕБК) file: derived lists, portal execution trees, native CSV.
    Ebk {
        file: PathBuf,
        /// First year the file applies to (required for files without dates).
        #[arg(long)]
        year_from: Option<i32>,
        /// Last year the file applies to.
        #[arg(long)]
        year_to: Option<i32>,
    },
    /// Import an execution report of the open-budgets portal (budget.egov.kz CSV: id;code;name;
    /// utv;utch;plg;plgp;plgo;sumrg;obz;…;parent_id;month), replacing the import of the same title.
    PortalExecution {
        /// The report's file; with --from-portal, the file read when the portal is unreachable.
        file: Option<PathBuf>,
        /// Id of the organisation the report is kept under (its readers read it).
        #[arg(long)]
        org: i64,
        /// Title of the import, e.g. the budget's name.
        #[arg(long)]
        title: String,
        /// Read the report from the open-budgets portal (open_budgets_url): the report type,
        /// region and month given by --report, --region and --month.
        #[arg(long, requires_all = ["report", "region", "month"])]
        from_portal: bool,
        /// The portal's report type, e.g. "Местный бюджет в разрезе функциональной классификации".
        #[arg(long)]
        report: Option<String>,
        /// The portal's region, e.g. "Мангистауская область".
        #[arg(long)]
        region: Option<String>,
        /// The month, MM.YYYY.
        #[arg(long)]
        month: Option<String>,
    },
    /// Import a file of the goods classifier (ЕНС ТРУ), the national catalogue (НКТ) or
    /// observed prices, told by its header row (data/goods/README.md); all or nothing.
    Goods { file: PathBuf },
    /// Import a Treasury form — 5-52, 5-42, 5-02, 2-15, 4-20, 2-19, 2-11, 2-43 or 1-27 (XLSX or
    /// CSV; layouts in data/treasury/layouts.toml and README.md) — for an organisation at a
    /// report date, replacing the same form and date.
    Treasury {
        file: PathBuf,
        /// The form: one of data/treasury/layouts.toml (or of `treasury_layouts`).
        #[arg(long)]
        form: String,
        /// Id of the organisation the form belongs to.
        #[arg(long)]
        org: i64,
        /// Report date, YYYY-MM-DD.
        #[arg(long)]
        date: chrono::NaiveDate,
    },
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Create a personal API token for a user and print it (shown once).
    Create {
        #[arg(long)]
        login: String,
        #[arg(long, default_value = "cli")]
        name: String,
        /// Days until the token expires.
        #[arg(long, default_value_t = 90)]
        days: i64,
    },
}

#[tokio::main]
async fn main() -> Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("JOSPAR_LOG")
                .unwrap_or_else(|_| "info,sqlx=warn".into()),
        )
        .init();
    let cli = Cli::parse();
    let config = Config::load(&cli.config)?;
    config.install_layouts()?;
    let result = run(cli.command, &config).await;
    // The benchmark runs an import in a process of its own to read its peak memory here.
    if std::env::var_os("JOSPAR_PEAK_RSS").is_some()
        && let Some(kb) = jospar::bench::peak_rss_kb()
    {
        eprintln!("peak_rss_kb={kb}");
    }
    result
}

async fn run(command: Command, config: &Config) -> Result<()> {
    let config = config.clone();
    match command {
        Command::Serve { addr } => {
            let db = open(&config).await?;
            let journal = exchange::journal(&db);
            let signing = signing::from_config(&config, Vec::new(), journal.clone())?;
            let treasury = exchange::from_config(&config, journal.clone())?;
            let portals = Portals {
                treasury,
                passport: exchange::passport_from_config(&config, journal.clone()),
                open_budgets: exchange::open_budgets_from_config(&config, journal.clone()),
                emin: exchange::emin_from_config(&config, journal.clone())?,
                goszakup: exchange::goszakup_from_config(&config, journal.clone()),
                ebk: exchange::ebk_from_config(&config, journal),
                integrations: exchange::integrations(&config, false),
            };
            serve(&config, db, addr, signing, portals).await
        }
        Command::Demo {
            addr,
            load_only,
            scale,
            seed,
        } => {
            let db = open(&config).await?;
            match scale {
                Some(scale) => generate(&db, scale, seed).await?,
                None => {
                    if demo::load_if_empty(&db).await? {
                        demo::load_treasury_forms(&db).await?;
                        demo::load_open_budget(&db).await?;
                        demo::load_investment_project(&db).await?;
                        jospar::demo_workflow::load_workflow(&db).await?;
                    }
                }
            }
            if load_only {
                return Ok(());
            }
            db.close().await;
            let db = open(&config).await?;
            let journal = exchange::journal(&db);
            let signing = signing::start_demo_signer(&config, &db).await?;
            let treasury = exchange::start_demo_treasury(&config, journal.clone()).await?;
            let portals = Portals {
                treasury: Some(treasury),
                passport: Some(exchange::start_demo_passport(&config, journal.clone()).await?),
                open_budgets: Some(
                    exchange::start_demo_open_budgets(&config, journal.clone()).await?,
                ),
                emin: Some(exchange::start_demo_emin(&config, journal.clone()).await?),
                goszakup: Some(exchange::start_demo_goszakup(&config, journal.clone()).await?),
                ebk: Some(exchange::start_demo_ebk(&config, journal).await?),
                integrations: exchange::integrations(&config, true),
            };
            serve(&config, db, addr, signing, portals).await
        }
        Command::Journal { system, limit } => {
            let db = open(&config).await?;
            let entries =
                jospar_execution::journal::recent(&db, system.as_deref(), limit.max(1)).await?;
            for entry in entries {
                println!("{}", serde_json::to_string(&entry)?);
            }
            Ok(())
        }
        Command::Exchange {
            ebk: true, year, ..
        } => {
            let db = open(&config).await?;
            let Some(service) = exchange::ebk_from_config(&config, exchange::journal(&db)) else {
                bail!("the ЕБК service is not configured: set ebk_url (JOSPAR_EBK_URL)");
            };
            let year =
                year.unwrap_or_else(|| chrono::Datelike::year(&chrono::Utc::now().date_naive()));
            let who = jospar_execution::usecases::exchange::exchange_who();
            let received = jospar_planning::ebk_changes::receive(&db, service.as_ref(), &who, year)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!("{}", serde_json::to_string(&received)?);
            Ok(())
        }
        Command::Exchange {
            emin: true, date, ..
        } => {
            let db = open(&config).await?;
            let Some(service) = exchange::emin_from_config(&config, exchange::journal(&db))? else {
                bail!("e-Minfin is not configured: set emin_url (JOSPAR_EMIN_URL)");
            };
            let today = chrono::Utc::now().date_naive();
            let date = date
                .unwrap_or_else(|| jospar_execution::usecases::emin::current_report_date(today));
            let outcomes = service
                .run(&db, date, &jospar_i18n::Tr(jospar_i18n::Lang::Ru))
                .await?;
            for outcome in &outcomes {
                println!("{}", serde_json::to_string(outcome)?);
            }
            use jospar_execution::usecases::emin::PullResult;
            if outcomes
                .iter()
                .any(|o| matches!(o.result, PullResult::Refused | PullResult::Failed))
            {
                bail!("some forms were not pulled: see the lines above");
            }
            Ok(())
        }
        Command::Exchange { emin: false, .. } => {
            if config.shep_url.is_none() {
                bail!("the Treasury exchange is not configured: set shep_url (JOSPAR_SHEP_URL)");
            }
            let db = open(&config).await?;
            let Some(gateway) = exchange::from_config(&config, exchange::journal(&db))? else {
                bail!("the Treasury exchange is not configured: set shep_url (JOSPAR_SHEP_URL)");
            };
            let summary = exchange::run_once(&db, gateway.as_ref()).await?;
            println!("{}", serde_json::to_string(&summary)?);
            Ok(())
        }
        Command::Bench {
            scale,
            seed,
            engine,
            postgres_url,
            out,
            markdown,
            seconds,
            only,
            republic,
            soak,
        } => {
            let (sqlite, postgres) = match engine.as_str() {
                "sqlite" => (true, None),
                "postgres" => (false, Some(postgres_url)),
                "both" => (true, Some(postgres_url)),
                other => bail!("--engine {other}: use sqlite, postgres or both"),
            };
            jospar::bench::main(jospar::bench::BenchOptions {
                scale,
                seed,
                sqlite,
                postgres,
                out,
                markdown,
                load_seconds: seconds,
                jospar: std::env::current_exe()?,
                only,
                republic,
                soak: soak.map(|minutes| std::time::Duration::from_secs(minutes * 60)),
            })
            .await
        }
        Command::Verify { head, no_head } => {
            let db = open(&config).await?;
            let head_file = match head {
                Some(file) => Some(file),
                None if no_head => None,
                None => backup::newest_head(&backup::folder(&config))?,
            };
            let saved = match &head_file {
                Some(file) => {
                    eprintln!("checking the audit chain against {}", file.display());
                    Some(backup::read_head(file)?)
                }
                None => {
                    eprintln!(
                        "no saved head of the audit chain (audit-head-*.json in {}): the chain is checked within the database only",
                        backup::folder(&config).display()
                    );
                    None
                }
            };
            let verification = jospar::verify::verify_with_head(&db, saved.as_ref()).await?;
            println!("{}", serde_json::to_string_pretty(&verification)?);
            let failures = verification.failures();
            if !failures.is_empty() {
                bail!("{}", failures.join("; "));
            }
            Ok(())
        }
        Command::Selfcheck { lang } => {
            let tr = jospar_i18n::Tr(jospar_i18n::Lang::parse(&lang).context("--lang: kk or ru")?);
            let db = open(&config).await?;
            let who = jospar_store::Who {
                login: "jospar selfcheck".to_string(),
                ..jospar_store::Who::system()
            };
            let report = jospar::selfcheck::run(&db, &config, &who).await?;
            print!("{}", jospar_service::selfcheck::text(&report, &tr));
            if report.failed() {
                bail!("the self-check failed (report {})", report.id);
            }
            Ok(())
        }
        Command::Migrate => {
            open(&config).await?;
            println!("migrations applied to {}", config.redacted_url());
            Ok(())
        }
        Command::Backup { path } => {
            let db = open(&config).await?;
            let path = match path {
                Some(p) => p,
                None => backup::default_path(&config, &db)?,
            };
            // The head first: the copy then holds it.
            let head = db.audit_head().await?;
            let counts = db.backup_to(&path, &config.database_url).await?;
            backup::write_counts(&path, &counts)?;
            println!("backup written to {}", path.display());
            let folder = path
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(std::path::Path::new("."));
            let head_file = backup::write_head(folder, &head)?;
            println!("{head}");
            println!("audit chain head written to {}", head_file.display());
            Ok(())
        }
        Command::Restore { file, yes } => backup::restore(&config, &file, yes).await,
        Command::Import(ImportCommand::Ebk {
            file,
            year_from,
            year_to,
        }) => {
            let db = open(&config).await?;
            let bytes =
                std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
            let years = match (year_from, year_to) {
                (Some(from), Some(to)) => Some(jospar_classification::YearRange { from, to }),
                (Some(y), None) | (None, Some(y)) => {
                    Some(jospar_classification::YearRange::single(y))
                }
                (None, None) => None,
            };
            let parsed = jospar_classification::parse(&bytes, years)
                .map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
            let name = file
                .file_name()
                .map(|n| n.to_string_lossy().to_string())
                .unwrap_or_default();
            let summary = jospar_classification::import_entries(
                &db,
                &Who::system(),
                &parsed.entries,
                &format!("{name} ({})", parsed.format),
            )
            .await?;
            println!(
                "{name}: {} ({}): inserted {}, updated {}, unchanged {}, years {:?}",
                parsed.format,
                parsed.entries.len(),
                summary.inserted,
                summary.updated,
                summary.unchanged,
                summary.years
            );
            Ok(())
        }
        Command::Import(ImportCommand::PortalExecution {
            file,
            org,
            title,
            from_portal,
            report,
            region,
            month,
        }) => {
            let db = open(&config).await?;
            let query = jospar_obportal::ExecutionQuery {
                report: report.unwrap_or_default(),
                region: region.unwrap_or_default(),
                month: month.unwrap_or_default(),
            };
            let bytes = match (from_portal, &file) {
                (false, None) => bail!("give the report's file, or --from-portal"),
                (false, Some(file)) => {
                    std::fs::read(file).with_context(|| format!("reading {}", file.display()))?
                }
                (true, file) => exchange::execution_report(&config, &db, &query, file).await?,
            };
            let file = file
                .unwrap_or_else(|| PathBuf::from(format!("{}-{}.csv", query.region, query.month)));
            let name = file
                .file_name()
                .map(|n| n.to_string_lossy().to_string())
                .unwrap_or_default();
            let tr = jospar_i18n::Tr(jospar_i18n::Lang::Ru);
            let target = jospar_execution::usecases::portal_reports::ImportTarget {
                org_id: org,
                title: &title,
                file_name: &name,
            };
            let import = jospar_execution::usecases::portal_reports::import_portal(
                &db,
                &Who::system(),
                None,
                target,
                &bytes,
            )
            .await
            .map_err(|e| anyhow::anyhow!("{}: {}", file.display(), e.message(&tr)))?;
            println!(
                "{name}: import {} «{}», {} rows, months {}…{}",
                import.id, import.title, import.row_count, import.first_month, import.last_month
            );
            Ok(())
        }
        Command::Import(ImportCommand::Treasury {
            file,
            form,
            org,
            date,
        }) => {
            let db = open(&config).await?;
            // Opened, not read: the import streams the file.
            let opened = std::fs::File::open(&file)
                .with_context(|| format!("reading {}", file.display()))?;
            let name = file
                .file_name()
                .map(|n| n.to_string_lossy().to_string())
                .unwrap_or_default();
            let tr = jospar_i18n::Tr(jospar_i18n::Lang::Ru);
            let target = jospar_execution::usecases::treasury::FormTarget {
                org_id: org,
                report_date: date,
                file_name: &name,
                pulled: None,
            };
            let report = jospar_execution::usecases::treasury::import_form(
                &db,
                &Who::system(),
                None,
                &form,
                target,
                opened,
            )
            .await
            .map_err(|e| anyhow::anyhow!("{}: {}", file.display(), e.message(&tr)))?;
            println!(
                "{name}: form {} {} of {}, {} rows",
                report.form, report.id, report.report_date, report.row_count
            );
            Ok(())
        }
        Command::Import(ImportCommand::Goods { file }) => {
            let db = open(&config).await?;
            // Opened, not read: the import streams the file.
            let opened = std::fs::File::open(&file)
                .with_context(|| format!("reading {}", file.display()))?;
            let name = file
                .file_name()
                .map(|n| n.to_string_lossy().to_string())
                .unwrap_or_default();
            let tr = jospar_i18n::Tr(jospar_i18n::Lang::Ru);
            let summary = jospar_goods::store::import(&db, &Who::system(), opened, &name)
                .await
                .map_err(|e| {
                    let e = jospar_goods::goods_error(e);
                    anyhow::anyhow!("{}: {}", file.display(), e.message(&tr))
                })?;
            println!(
                "{name}: {} — {} added, {} changed, {} unchanged",
                summary.kind, summary.inserted, summary.updated, summary.unchanged
            );
            Ok(())
        }
        Command::Report(args) => report(&config, &args).await,
        Command::Token(TokenCommand::Create { login, name, days }) => {
            let db = open(&config).await?;
            let Some(user) = jospar_org::repo::user_by_login(&db, &login).await? else {
                bail!("no user with login {login}");
            };
            let expires = chrono::Utc::now().date_naive() + chrono::Duration::days(days.max(1));
            let (_, token) =
                jospar_org::auth::create_api_token(&db, &Who::system(), &user, &name, expires)
                    .await?;
            println!("{token}");
            Ok(())
        }
    }
}

async fn open(config: &Config) -> Result<Db> {
    let db = Db::connect(&config.database_url)
        .await
        .with_context(|| format!("connecting to {}", config.redacted_url()))?;
    db.migrate().await.context("applying migrations")?;
    Ok(db)
}

/// The government systems the server exchanges with, each when configured.
struct Portals {
    treasury: Option<Arc<dyn jospar_shep::TreasuryGateway>>,
    passport: Option<Arc<dyn jospar_passport::RegionPassport>>,
    open_budgets: Option<Arc<dyn jospar_obportal::OpenBudgets>>,
    emin: Option<jospar_execution::usecases::emin::EminService>,
    goszakup: Option<Arc<dyn jospar_goszakup::ProcurementPortal>>,
    ebk: Option<Arc<dyn jospar_ebkservice::EbkService>>,
    /// How each is set up, for the exchange monitor.
    integrations: Vec<jospar_adapter::IntegrationInfo>,
}

/// `jospar demo --scale`: the generated data into an empty database, with the time it took.
async fn generate(db: &Db, scale: jospar::scale::Scale, seed: u64) -> Result<()> {
    if !jospar_org::repo::all_orgs(db).await?.is_empty() {
        bail!("the database already has organisations: generate into an empty one");
    }
    let started = std::time::Instant::now();
    demo::load_classification(db).await?;
    let generated = jospar::scale::generate(db, scale, seed).await?;
    println!(
        "generated {scale:?} (seed {seed}) in {:.1} s: {}",
        started.elapsed().as_secs_f64(),
        serde_json::to_string(&generated.counts)?
    );
    println!(
        "sign in as {} (or abp.r01.a01, economist.r01.0001) with the password {}",
        generated.regions[0].planner,
        jospar::scale::PASSWORD
    );
    Ok(())
}

async fn serve(
    config: &Config,
    db: Db,
    addr: Option<String>,
    signing: jospar_web::Signing,
    portals: Portals,
) -> Result<()> {
    let Portals {
        treasury,
        passport,
        open_budgets,
        emin,
        goszakup,
        ebk,
        integrations,
    } = portals;
    let addr = addr.unwrap_or_else(|| config.addr.clone());
    // Held until the server ends: `jospar restore` is refused meanwhile.
    let _hold = backup::hold_for_server(config).await?;
    if let Some(dir) = &config.backup_dir {
        backup::spawn_daily(db.clone(), config.clone(), dir.clone());
    }
    // The audit chain's head goes to the log at start, and daily with the backups (P-4).
    match db.audit_head().await {
        Ok(head) => tracing::info!(seq = head.seq, hash = %head.hash, "{head}"),
        Err(e) => tracing::error!("reading the audit chain's head: {e}"),
    }
    exchange::spawn_final_reports(db.clone());
    jospar::selfcheck::spawn_monthly(db.clone(), config.clone());
    if let Some(smtp) = config.smtp() {
        jospar_notify::mail::spawn_mailer(
            db.clone(),
            smtp,
            config.public_url.clone(),
            std::time::Duration::from_secs(30),
        );
    }
    if let Some(gateway) = &treasury {
        let interval = std::time::Duration::from_secs(config.shep_interval.max(1));
        exchange::spawn_worker(db.clone(), gateway.clone(), interval);
    }
    // Scheduled pulls only from a configured e-Minfin (the demo's stand-in is pulled on request).
    if let Some(service) = emin.clone().filter(|_| config.emin_url.is_some()) {
        let interval = std::time::Duration::from_secs(config.emin_interval.max(60));
        exchange::spawn_emin_worker(db.clone(), service, interval);
    }
    if let Some(service) = ebk.clone().filter(|_| config.ebk_url.is_some()) {
        let interval = std::time::Duration::from_secs(config.ebk_interval.max(60));
        exchange::spawn_ebk_worker(db.clone(), service, interval);
    }
    // Scheduled loads only from a configured portal (the demo's stand-in is loaded on request).
    if let Some(portal) = goszakup.clone().filter(|_| config.goszakup_url.is_some()) {
        let interval = std::time::Duration::from_secs(config.goszakup_interval.max(60));
        exchange::spawn_goszakup_worker(db.clone(), portal, interval);
    }
    let app = jospar_web::app(
        db,
        jospar_web::WebConfig {
            secure_cookies: config.secure_cookies,
            signing,
            treasury,
            passport,
            open_budgets,
            emin,
            goszakup,
            ebk,
            integrations,
        },
    );
    let listener = tokio::net::TcpListener::bind(&addr)
        .await
        .with_context(|| format!("binding {addr}"))?;
    println!("Jospar listens on http://{}", listener.local_addr()?);
    axum_serve(listener, app).await
}

async fn axum_serve(listener: tokio::net::TcpListener, app: axum::Router) -> Result<()> {
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}

/// `jospar report NAME …`: a report of the catalogue, as the server's operator (no rights
/// filter), in the chosen format.
async fn report(config: &Config, args: &ReportArgs) -> Result<()> {
    let Some(definition) = jospar_web::reports::catalogue().find(&args.name) else {
        bail!(
            "unknown report {}; `jospar report --help` lists them",
            args.name
        );
    };
    let call = args.call(definition)?;
    let params = &call.params;
    for p in definition.params.iter().filter(|p| p.required) {
        if !params.contains_key(p.name) {
            bail!(
                "report {} needs --param {}=… ({})",
                definition.name,
                p.name,
                p.about
            );
        }
    }
    let lang = jospar_i18n::Lang::parse(&call.lang).context("--lang: kk or ru")?;
    let tr = jospar_i18n::Tr(lang);
    let db = open(config).await?;
    let tree = jospar_org::repo::org_tree(&db).await?;
    let reader = jospar_access::Reader::System;
    let table = jospar_web::reports::catalogue()
        .build(&db, &tr, &tree, &reader, &args.name, params)
        .await
        .map_err(|e| anyhow::anyhow!("{}", e.message(&tr)))?;
    let binary = matches!(call.format.as_str(), "xlsx" | "pdf");
    if binary && call.output.is_none() {
        bail!("--format {} needs --output FILE", call.format);
    }
    let bytes = match (
        jospar_reports::CsvStyle::of_format(&call.format),
        call.format.as_str(),
    ) {
        (Some(style), _) => jospar_reports::to_csv(&table, style)?,
        (None, "json") => serde_json::to_vec_pretty(&table)?,
        (None, "xlsx") => jospar_reports::to_xlsx(&table)?,
        (None, "pdf") => jospar_reports::to_pdf(&table).map_err(|e| anyhow::anyhow!("pdf: {e}"))?,
        (None, other) => bail!("--format {other}: use csv, csv-plain, json, xlsx or pdf"),
    };
    match &call.output {
        Some(path) => {
            std::fs::write(path, bytes).with_context(|| format!("writing {}", path.display()))?
        }
        None => std::io::Write::write_all(&mut std::io::stdout(), &bytes)?,
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report_call(argv: &[&str]) -> Result<ReportCallArgs> {
        let parsed = Cli::try_parse_from(argv)?;
        let Command::Report(args) = parsed.command else {
            panic!("not a report command");
        };
        let definition = jospar_web::reports::catalogue()
            .find(&args.name)
            .expect("a report of the catalogue");
        args.call(definition)
    }

    /// Every parameter of every report in the catalogue can be given on the command line, as
    /// `--param NAME=VALUE` and as its own option, and reaches the report under its own name.
    #[test]
    fn every_report_parameter_reaches_the_report() {
        for report in jospar_web::reports::catalogue().iter() {
            for param in report.params {
                let pair = format!("{}=7", param.name);
                let by_param = report_call(&["jospar", "report", report.name, "--param", &pair])
                    .unwrap_or_else(|e| panic!("{} --param {pair}: {e}", report.name));
                assert_eq!(
                    by_param.params.get(param.name).map(String::as_str),
                    Some("7")
                );
                let option = format!("--{}", param.name.replace('_', "-"));
                let argv = [
                    "jospar",
                    "report",
                    report.name,
                    &option,
                    "7",
                    "--format",
                    "json",
                ];
                let by_option = report_call(&argv)
                    .unwrap_or_else(|e| panic!("{} {option} 7: {e}", report.name));
                assert_eq!(
                    by_option.params.get(param.name).map(String::as_str),
                    Some("7")
                );
                assert_eq!(by_option.format, "json", "{argv:?}");
            }
        }
    }

    #[test]
    fn a_yes_no_option_alone_is_on_and_an_unknown_parameter_is_refused() {
        let call = report_call(&[
            "jospar",
            "report",
            "consolidated",
            "--campaign=3",
            "--approved",
            "--by",
            "specific",
        ])
        .expect("parsed");
        assert_eq!(call.params.get("approved").map(String::as_str), Some("1"));
        assert_eq!(call.params.get("campaign").map(String::as_str), Some("3"));
        let refused = report_call(&["jospar", "report", "consolidated", "--param", "colour=red"]);
        let message = refused.err().expect("refused").to_string();
        assert!(
            message.contains("colour") && message.contains("campaign"),
            "{message}"
        );
    }
}
