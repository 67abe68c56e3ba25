//! Generated data at the scale of a region or of the republic: `jospar demo --scale
//! region|republic [--seed N]`. The same seed gives the same region (amounts, codes, shape);
//! ids are the system's own time-ordered ids.
//!
//! Shape of a region (the issue's): an oblast budget, 10 district budgets, 150 rural-district
//! budgets; about 2,000 institutions under 60 administrators (half of the oblast, half of the
//! districts; the apparatus of each rural akim is an institution under its district's akimat);
//! for each institution an approved budget request of 60 lines × 4 years (a tenth still in
//! work, as during a campaign), its limits, and an approved financing plan of 60 lines × 12
//! months by obligations and payments; a year of daily 5-52 (by administrator) and 2-19 (by
//! budget) Treasury forms. The republic is 17 such regions and 20 central administrators
//! under the republican authorized body.
//!
//! Rows are written in bulk (multi-row inserts in one transaction) and the kept totals are
//! then rebuilt from the detail once, rather than row by row.

use anyhow::Result;
use chrono::{Datelike, NaiveDate, Utc};
use jospar_core::Tenge;
use jospar_core::ids::new_id;
use jospar_execution::PlanLine;
use jospar_execution::treasury::{CashRow, ReceiptRow};
use jospar_store::bulk::{Value, insert_rows};
use jospar_store::{AuditEntry, Db, Tx, Who};
use serde_json::json;
use std::collections::BTreeMap;

/// How big the generated data is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Scale {
    /// A few dozen institutions: what the test suite runs the benchmark on.
    Tiny,
    /// One region of about 2,000 institutions.
    Region,
    /// 17 regions and the central bodies.
    Republic,
}

/// The numbers a scale is made of.
#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct Shape {
    pub regions: usize,
    pub districts: usize,
    pub rurals_per_district: usize,
    pub oblast_admins: usize,
    pub district_admins: usize,
    pub institutions: usize,
    pub lines: usize,
    pub central_admins: usize,
    pub central_institutions: usize,
    /// Working days of Treasury forms (from 1 January).
    pub treasury_days: usize,
}

impl Scale {
    pub fn shape(self) -> Shape {
        let region = Shape {
            regions: 1,
            districts: 10,
            rurals_per_district: 15,
            oblast_admins: 30,
            district_admins: 3,
            institutions: 2_000,
            lines: 60,
            central_admins: 0,
            central_institutions: 0,
            treasury_days: 250,
        };
        match self {
            Scale::Tiny => Shape {
                regions: 1,
                districts: 2,
                rurals_per_district: 2,
                oblast_admins: 2,
                district_admins: 1,
                institutions: 24,
                lines: 12,
                central_admins: 0,
                central_institutions: 0,
                treasury_days: 5,
            },
            Scale::Region => region,
            Scale::Republic => Shape {
                regions: 17,
                central_admins: 20,
                central_institutions: 20,
                ..region
            },
        }
    }
}

/// The password of every generated user (as for the demo).
pub const PASSWORD: &str = crate::demo::DEMO_PASSWORD;

/// What was generated: the organisations the benchmark reads and the users it signs in as.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Generated {
    pub scale: Scale,
    pub seed: u64,
    /// The fiscal year of the plans (the campaign's first planning year).
    pub year: i32,
    /// The root of everything: the republic's authorized body, or the region's.
    pub root: i64,
    pub regions: Vec<GeneratedRegion>,
    pub counts: Counts,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct GeneratedRegion {
    /// The oblast's authorized body (root of the region's subtree).
    pub authority: i64,
    pub campaign_id: i64,
    pub admins: Vec<i64>,
    /// Institutions with an approved request and plan, and their plans.
    pub institutions: Vec<i64>,
    pub plans: Vec<i64>,
    /// Requests still in work: (request id, institution).
    pub open_requests: Vec<(i64, i64)>,
    /// Economists' logins, one per institution, in the order of `institutions`.
    pub economists: Vec<String>,
    pub planner: String,
}

/// Rows written, by table.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Counts {
    pub budgets: usize,
    pub orgs: usize,
    pub users: usize,
    pub request_lines: usize,
    pub request_line_years: usize,
    pub plans: usize,
    pub plan_cells: usize,
    pub treasury_forms: usize,
    pub treasury_rows: usize,
}

/// SplitMix64: a tiny generator whose sequence is fixed by its seed on every platform and
/// version (the generated region must not change when a dependency does).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `low..high`.
    fn between(&mut self, low: i64, high: i64) -> i64 {
        low + (self.next() % (high - low).max(1) as u64) as i64
    }
}

/// Specifics that are in the shipped classification and have a shipped calculation form.
const SPECIFICS: [&str; 14] = [
    "111", "116", "121", "122", "124", "141", "142", "144", "149", "151", "159", "161", "414",
    "431",
];
const PROGRAMS: [&str; 5] = ["001", "002", "003", "004", "005"];
/// Subprogram 015: financed from the local budget.
const SUBPROGRAM: &str = "015";

const RECEIPTS: &str = include_str!("../../../data/ebk/receipts_category_class_subclass.csv");
const ABP_CODES: &str = include_str!("../../../data/ebk/abp_codes.csv");

/// Administrator codes of the classification in `low..high` with their names (the codes of
/// generated administrators are real, so their Treasury forms pass the code checks).
fn abp_codes(low: u32, high: u32) -> Vec<(String, String)> {
    ABP_CODES
        .lines()
        .skip(1)
        .filter_map(|line| {
            let mut fields = line.split(',');
            let code = fields.next()?;
            let name = fields.next()?;
            let number: u32 = code.parse().ok()?;
            (low <= number && number < high).then(|| (code.to_string(), name.to_string()))
        })
        .collect()
}

/// One row of a calculation form as a user would type it: every number 1, every amount
/// `price` (tiyn), every text a position's name. The form computes the line's amount.
pub fn form_row(form: &jospar_forms::FormDef, price: i64) -> jospar_forms::RowInput {
    use jospar_forms::ColumnType;
    // The good and the justification a price check names stay empty: generated prices are
    // not tied to goods.
    let tied: Vec<&str> = form
        .columns
        .iter()
        .filter_map(|c| c.price_check.as_ref())
        .flat_map(|check| [check.good.as_str(), check.justification.as_str()])
        .collect();
    form.columns
        .iter()
        .filter(|c| !tied.contains(&c.key.as_str()))
        .filter_map(|c| {
            let value = match c.column_type {
                ColumnType::Text => "Позиция".to_string(),
                ColumnType::Number => "1".to_string(),
                ColumnType::Money => format!("{}.{:02}", price / 100, price % 100),
                ColumnType::Computed => return None,
            };
            Some((c.key.clone(), value))
        })
        .collect()
}

/// Receipts codes of 2-19 rows: each subclass of the shipped classification, specific 01.
fn receipt_codes() -> Vec<String> {
    RECEIPTS
        .lines()
        .skip(1)
        .filter_map(|line| {
            let code = line.split(',').next()?;
            let parts: Vec<&str> = code.split(' ').collect();
            (parts.len() == 3).then(|| format!("{}{}{}01", parts[0], parts[1], parts[2]))
        })
        .take(25)
        .collect()
}

/// Eleven digits and their check digit; the next number when these eleven cannot have one.
fn with_check_digit(mut first: impl FnMut(u64) -> String) -> String {
    for bump in 0.. {
        let eleven = first(bump);
        let digits: Vec<u32> = eleven.chars().filter_map(|c| c.to_digit(10)).collect();
        if let Some(check) = jospar_core::iin::check_digit(&digits) {
            return format!("{eleven}{check}");
        }
    }
    unreachable!("one of any ten consecutive numbers has a check digit")
}

/// A valid BIN from a serial number.
fn bin_from(serial: u64) -> String {
    with_check_digit(|bump| format!("{:011}", (serial * 10 + bump) % 100_000_000_000))
}

/// A valid IIN from a serial number: a birth date from 1970 on, century digit 3 (a man born in
/// the 1900s), then the serial.
fn iin_from(serial: u64) -> String {
    let born = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default()
        + chrono::Duration::days((serial / 400 % 10_000) as i64);
    with_check_digit(|bump| {
        format!(
            "{:02}{:02}{:02}3{:04}",
            born.year() % 100,
            born.month(),
            born.day(),
            (serial % 400) * 10 + bump
        )
    })
}

/// Splits `total` into 12 months with weights 80…120 %, to the tiyn (the rest in December).
fn months_of(total: i64, rng: &mut Rng) -> [i64; 12] {
    let weights: Vec<i64> = (0..12).map(|_| rng.between(80, 121)).collect();
    let sum: i64 = weights.iter().sum();
    let mut months = [0i64; 12];
    for (m, w) in months.iter_mut().zip(&weights) {
        *m = (i128::from(total) * i128::from(*w) / i128::from(sum)) as i64;
    }
    months[11] += total - months.iter().sum::<i64>();
    months
}

/// A plan line from an annual amount: payments spread over the year, obligations taken a
/// month ahead of payments (so payments never run ahead of obligations, EX-1).
fn plan_line(expense_id: i64, codes: &(String, String), annual: i64, rng: &mut Rng) -> PlanLine {
    let payments = months_of(annual, rng);
    let mut obligations = [0i64; 12];
    obligations[0] = payments[0];
    for m in 0..11 {
        obligations[m] += payments[m + 1];
    }
    PlanLine {
        expense_id,
        program: codes.0.clone(),
        subprogram: SUBPROGRAM.to_string(),
        specific: codes.1.clone(),
        approved: Tenge::from_tiyn(annual),
        obligations: obligations.map(Tenge::from_tiyn),
        payments: payments.map(Tenge::from_tiyn),
    }
}

/// Rows waiting to be written, by table; flushed in bulk.
#[derive(Default)]
struct Batch {
    tables: BTreeMap<&'static str, Vec<Vec<Value>>>,
}

const COLUMNS: [(&str, &str); 13] = [
    (
        "budgets",
        "INSERT INTO budgets (id, parent_id, level, kato, name_ru, name_kk)",
    ),
    (
        "orgs",
        "INSERT INTO orgs (id, parent_id, kind, scenario, budget_id, abp_code, bin, name_ru, name_kk, search_key, version, created_at)",
    ),
    (
        "users",
        "INSERT INTO users (id, org_id, login, iin, full_name, position, phone, email, password_hash, blocked, failed_logins, search_key, version, created_at)",
    ),
    (
        "role_grants",
        "INSERT INTO role_grants (id, user_id, role, org_id, valid_until, created_at)",
    ),
    (
        "limit_campaigns",
        "INSERT INTO limit_campaigns (id, budget_id, authority_org_id, first_year, name_ru, name_kk, inflation2_bp, inflation3_bp, version, created_at)",
    ),
    (
        "limit_amounts",
        "INSERT INTO limit_amounts (campaign_id, org_id, program, year, kind, amount, version, updated_at)",
    ),
    (
        "budget_requests",
        "INSERT INTO budget_requests (id, campaign_id, org_id, kind, status, version, created_at, updated_at, number)",
    ),
    (
        "request_lines",
        "INSERT INTO request_lines (id, request_id, program, subprogram, specific, limit_kind, form_code, project, expense_id)",
    ),
    (
        "request_line_years",
        "INSERT INTO request_line_years (request_id, line_id, year, rows_json, amount)",
    ),
    (
        "financing_plans",
        "INSERT INTO financing_plans (id, org_id, request_id, year, status, lines_json, version, updated_at)",
    ),
    (
        "plan_cells",
        "INSERT INTO plan_cells (org_id, year, program, subprogram, specific, month, obligations, payments)",
    ),
    (
        "treasury_reports",
        "INSERT INTO treasury_reports (id, form, org_id, report_date, file_name, row_count, imported_by, imported_at)",
    ),
    (
        "treasury_report_rows",
        "INSERT INTO treasury_report_rows (report_id, chunk, rows_json)",
    ),
];

impl Batch {
    fn push(&mut self, table: &'static str, row: Vec<Value>) {
        self.tables.entry(table).or_default().push(row);
    }

    /// Writes every pending row, parents before children (the order of [`COLUMNS`]).
    async fn flush(&mut self, tx: &mut Tx) -> Result<()> {
        for (table, head) in COLUMNS.iter().filter(|(t, _)| !t.is_empty()) {
            if let Some(rows) = self.tables.remove(table) {
                insert_rows(tx, head, "", &rows).await?;
            }
        }
        Ok(())
    }

    fn pending(&self) -> usize {
        self.tables.values().map(Vec::len).sum()
    }
}

/// Everything one generation run needs as it goes.
struct Generator {
    rng: Rng,
    batch: Batch,
    counts: Counts,
    now: chrono::DateTime<Utc>,
    year: i32,
    password_hash: String,
    valid_until: NaiveDate,
    receipt_codes: Vec<String>,
    serial: u64,
}

/// Builds a region (or the republic) into an empty database with the classification loaded.
/// What a database administrator runs after a bulk load on PostgreSQL: `VACUUM ANALYZE`
/// gives the planner statistics of the new tables and marks their pages all-visible, so that
/// the first readers of each row do not have to write its hint bits (on a republic, gigabytes
/// of writes in the middle of the users' requests). SQLite has no such bits to set.
async fn settle_after_bulk_load(db: &Db) -> Result<()> {
    if let Db::Postgres(pool) = db {
        jospar_store::sqlx::query("VACUUM ANALYZE")
            .execute(pool)
            .await?;
    }
    Ok(())
}

pub async fn generate(db: &Db, scale: Scale, seed: u64) -> Result<Generated> {
    let shape = scale.shape();
    let now = Utc::now();
    let mut g = Generator {
        rng: Rng(seed),
        batch: Batch::default(),
        counts: Counts::default(),
        now,
        year: now.year() + 1,
        password_hash: jospar_org::auth::hash_password(PASSWORD),
        valid_until: now.date_naive() + chrono::Duration::days(365),
        receipt_codes: receipt_codes(),
        serial: seed.wrapping_mul(1_000_003) % 1_000_000,
    };
    let mut tx = db.begin().await?;
    let (root, republic) = if scale == Scale::Republic {
        let budget = g.budget(
            None,
            "republican",
            "000000000",
            "Республиканский бюджет",
            "Республикалық бюджет",
        );
        let authority = g.org(
            None,
            "authorized_body",
            budget,
            None,
            "Министерство национальной экономики Республики Казахстан",
            "Қазақстан Республикасының Ұлттық экономика министрлігі",
        );
        g.user(authority, "planner.republic", "planner", authority);
        (Some(authority), Some((budget, authority)))
    } else {
        (None, None)
    };
    let mut regions = Vec::new();
    for r in 0..shape.regions {
        regions.push(g.region(&mut tx, &shape, r, republic).await?);
    }
    if let Some((budget, authority)) = republic {
        g.central_bodies(&mut tx, &shape, budget, authority).await?;
    }
    g.batch.flush(&mut tx).await?;
    jospar_consolidation::repo::rebuild(&mut tx).await?;
    jospar_planning::repo::refresh_all_amounts(&mut tx).await?;
    let who = Who::system();
    tx.audit(AuditEntry {
        who: &who,
        org_id: root.or(regions.first().map(|r| r.authority)),
        entity: "generated_data",
        entity_id: format!("{scale:?}/{seed}"),
        action: "create",
        old_value: None,
        new_value: Some(json!({"scale": scale, "seed": seed, "counts": &g.counts})),
        reason: Some("jospar demo --scale".into()),
    })
    .await?;
    tx.commit().await?;
    settle_after_bulk_load(db).await?;
    Ok(Generated {
        scale,
        seed,
        year: g.year,
        root: root.unwrap_or_else(|| regions[0].authority),
        regions,
        counts: g.counts,
    })
}

impl Generator {
    fn budget(&mut self, parent: Option<i64>, level: &str, kato: &str, ru: &str, kk: &str) -> i64 {
        let id = new_id();
        self.batch.push(
            "budgets",
            vec![
                id.into(),
                parent.into(),
                level.into(),
                kato.into(),
                ru.into(),
                kk.into(),
            ],
        );
        self.counts.budgets += 1;
        id
    }

    fn org(
        &mut self,
        parent: Option<i64>,
        kind: &str,
        budget: i64,
        abp_code: Option<String>,
        ru: &str,
        kk: &str,
    ) -> i64 {
        let id = new_id();
        self.serial += 1;
        let bin = bin_from(600_000_000 + self.serial);
        let scenario = if kind == "institution" {
            "subordinate_institution"
        } else {
            "institution"
        };
        let key = jospar_org::repo::org_search_key(ru, kk, abp_code.as_deref(), Some(&bin));
        self.batch.push(
            "orgs",
            vec![
                id.into(),
                parent.into(),
                kind.into(),
                scenario.into(),
                budget.into(),
                abp_code.map_or(Value::NullText, Value::Text),
                bin.into(),
                ru.into(),
                kk.into(),
                key.into(),
                1.into(),
                Value::Time(self.now),
            ],
        );
        self.counts.orgs += 1;
        id
    }

    fn user(&mut self, org: i64, login: &str, role: &str, on: i64) {
        let id = new_id();
        self.serial += 1;
        let iin = iin_from(self.serial);
        let name = format!("Сотрудник {login}");
        let key = jospar_org::repo::user_search_key(login, &iin, &name);
        self.batch.push(
            "users",
            vec![
                id.into(),
                org.into(),
                login.into(),
                iin.into(),
                name.into(),
                "экономист".into(),
                "+77010000000".into(),
                format!("{login}@example.kz").into(),
                self.password_hash.clone().into(),
                Value::Bool(false),
                0.into(),
                key.into(),
                1.into(),
                Value::Time(self.now),
            ],
        );
        self.batch.push(
            "role_grants",
            vec![
                new_id().into(),
                id.into(),
                role.into(),
                on.into(),
                Value::Date(self.valid_until),
                Value::Time(self.now),
            ],
        );
        self.counts.users += 1;
    }

    /// Writes what is pending once it is large, so memory stays bounded at any scale.
    async fn maybe_flush(&mut self, tx: &mut Tx) -> Result<()> {
        if self.batch.pending() > 50_000 {
            self.batch.flush(tx).await?;
        }
        Ok(())
    }

    /// A budget campaign of `budget` opened by `authority` for the three planning years.
    fn campaign(&mut self, budget: i64, authority: i64, name_ru: &str, name_kk: &str) -> i64 {
        let id = new_id();
        self.batch.push(
            "limit_campaigns",
            vec![
                id.into(),
                budget.into(),
                authority.into(),
                i64::from(self.year).into(),
                name_ru.into(),
                name_kk.into(),
                500.into(),
                500.into(),
                1.into(),
                Value::Time(self.now),
            ],
        );
        id
    }

    async fn region(
        &mut self,
        tx: &mut Tx,
        shape: &Shape,
        r: usize,
        republic: Option<(i64, i64)>,
    ) -> Result<GeneratedRegion> {
        let n = r + 1;
        let oblast = self.budget(
            republic.map(|(b, _)| b),
            "oblast",
            &format!("{:02}0000000", 10 + r),
            &format!("Областной бюджет области №{n}"),
            &format!("№{n} облыстың облыстық бюджеті"),
        );
        let authority = self.org(
            republic.map(|(_, a)| a),
            "authorized_body",
            oblast,
            None,
            &format!("Управление экономики и бюджетного планирования области №{n}"),
            &format!("№{n} облыстың экономика және бюджеттік жоспарлау басқармасы"),
        );
        let planner = format!("planner.r{n:02}");
        self.user(authority, &planner, "planner", authority);
        let campaign_id = self.campaign(
            oblast,
            authority,
            &format!("Бюджетная заявка на {}–{} годы", self.year, self.year + 2),
            &format!("{}–{} жылдарға бюджеттік өтінім", self.year, self.year + 2),
        );
        // Each administrator receives its limits in the campaign of its own budget: the
        // oblast's, or its district's (opened by the district's finance department).
        let mut campaign_of: BTreeMap<i64, i64> = BTreeMap::new();
        // Administrators with the budget each works in; the last of each district is the
        // district akimat, which the rural akims' apparatuses stand under.
        let mut admins: Vec<(i64, i64, String)> = Vec::new();
        let mut rurals: Vec<(i64, usize)> = Vec::new();
        for (code, name) in abp_codes(250, 450).into_iter().take(shape.oblast_admins) {
            let id = self.org(
                Some(authority),
                "administrator",
                oblast,
                Some(code.clone()),
                &format!("{name} №{n}"),
                &format!("№{n} облыстың {code} бюджеттік бағдарламалар әкімшісі"),
            );
            admins.push((id, oblast, code));
            campaign_of.insert(id, campaign_id);
        }
        for d in 0..shape.districts {
            let district = self.budget(
                Some(oblast),
                "district",
                &format!("{:02}{:02}00000", 10 + r, d + 1),
                &format!("Бюджет района №{} области №{n}", d + 1),
                &format!("№{n} облыстың №{} ауданының бюджеті", d + 1),
            );
            let finance = self.org(
                Some(authority),
                "authorized_body",
                district,
                None,
                &format!("Отдел экономики и финансов района №{} области №{n}", d + 1),
                &format!(
                    "№{n} облыстың №{} ауданының экономика және қаржы бөлімі",
                    d + 1
                ),
            );
            let district_campaign = self.campaign(
                district,
                finance,
                &format!(
                    "Бюджетная заявка района №{} на {}–{} годы",
                    d + 1,
                    self.year,
                    self.year + 2
                ),
                &format!(
                    "№{} ауданның {}–{} жылдарға бюджеттік өтінімі",
                    d + 1,
                    self.year,
                    self.year + 2
                ),
            );
            for (code, name) in abp_codes(450, 600).into_iter().take(shape.district_admins) {
                let id = self.org(
                    Some(finance),
                    "administrator",
                    district,
                    Some(code.clone()),
                    &format!("{name} №{} области №{n}", d + 1),
                    &format!(
                        "№{n} облыстың №{} ауданының {code} бюджеттік бағдарламалар әкімшісі",
                        d + 1
                    ),
                );
                admins.push((id, district, code));
                campaign_of.insert(id, district_campaign);
            }
            for k in 0..shape.rurals_per_district {
                let rural = self.budget(
                    Some(district),
                    "rural",
                    &format!("{:02}{:02}{:02}000", 10 + r, d + 1, k + 1),
                    &format!("Бюджет сельского округа №{} района №{}", k + 1, d + 1),
                    &format!("№{} ауданның №{} ауылдық округінің бюджеті", d + 1, k + 1),
                );
                rurals.push((rural, admins.len() - 1));
            }
        }
        for (a, admin) in admins
            .iter()
            .map(|(id, ..)| *id)
            .collect::<Vec<_>>()
            .iter()
            .enumerate()
        {
            let login = format!("abp.r{n:02}.a{:02}", a + 1);
            self.user(*admin, &login, "abp", *admin);
        }
        let mut region = GeneratedRegion {
            authority,
            campaign_id,
            admins: admins.iter().map(|(id, ..)| *id).collect(),
            institutions: Vec::new(),
            plans: Vec::new(),
            open_requests: Vec::new(),
            economists: Vec::new(),
            planner,
        };
        // Each administrator's lines: its programs × the specifics with a form.
        let mut admin_lines: BTreeMap<i64, BTreeMap<(String, String), i64>> = BTreeMap::new();
        let per_admin = shape.institutions.saturating_sub(rurals.len()) / admins.len().max(1);
        let mut placed: Vec<(i64, i64, usize)> = Vec::new();
        for (admin, budget, _) in &admins {
            for i in 0..per_admin {
                placed.push((*admin, *budget, i));
            }
        }
        for (i, (rural, a)) in rurals.iter().enumerate() {
            placed.push((admins[*a].0, *rural, 1_000 + i));
        }
        for (number, (admin, budget, i)) in placed.into_iter().enumerate() {
            let name_ru = format!("Государственное учреждение №{} ({})", i + 1, number + 1);
            let name_kk = format!("№{} мемлекеттік мекеме ({})", i + 1, number + 1);
            let org = self.org(Some(admin), "institution", budget, None, &name_ru, &name_kk);
            let login = format!("economist.r{n:02}.{:04}", number + 1);
            self.user(org, &login, "economist", org);
            let open = (number + 1) % 10 == 0;
            let request = self
                .institution(
                    org,
                    campaign_of[&admin],
                    shape.lines,
                    open,
                    admin_lines.entry(admin).or_default(),
                )
                .await?;
            match request {
                (request, None) => region.open_requests.push((request, org)),
                (_, Some(plan)) => {
                    region.institutions.push(org);
                    region.plans.push(plan);
                    region.economists.push(login);
                }
            }
            self.maybe_flush(tx).await?;
        }
        self.treasury(tx, shape, &admins, &admin_lines, authority)
            .await?;
        Ok(region)
    }

    /// An institution's request (approved, or in work when `open`), its limits and, when
    /// approved, its financing plan with its kept cells. Returns the request and the plan.
    async fn institution(
        &mut self,
        org: i64,
        campaign_id: i64,
        lines: usize,
        open: bool,
        admin_lines: &mut BTreeMap<(String, String), i64>,
    ) -> Result<(i64, Option<i64>)> {
        let request = new_id();
        let status = if open { "in_work" } else { "approved" };
        self.batch.push(
            "budget_requests",
            vec![
                request.into(),
                campaign_id.into(),
                org.into(),
                "plan".into(),
                status.into(),
                1.into(),
                Value::Time(self.now),
                Value::Time(self.now),
                // An institution's one request of the campaign.
                1.into(),
            ],
        );
        let all: Vec<(String, String)> = PROGRAMS
            .iter()
            .flat_map(|p| SPECIFICS.iter().map(|s| (p.to_string(), s.to_string())))
            .collect();
        // Each institution leaves out a few of its administrator's lines, at random.
        let skip = all.len().saturating_sub(lines);
        let start = self.rng.between(0, all.len() as i64) as usize;
        let chosen: Vec<(String, String)> = (0..all.len())
            .map(|k| all[(start + k) % all.len()].clone())
            .skip(skip)
            .collect();
        let forms = jospar_forms::shipped();
        let years = jospar_planning::request_years(self.year);
        let mut limits: BTreeMap<(String, i32), i64> = BTreeMap::new();
        let mut plan_lines = Vec::new();
        for codes in &chosen {
            let line = new_id();
            let form = jospar_forms::form_for(&forms, &codes.1)
                .ok_or_else(|| anyhow::anyhow!("no shipped form for specific {}", codes.1))?;
            self.batch.push(
                "request_lines",
                vec![
                    line.into(),
                    request.into(),
                    codes.0.clone().into(),
                    SUBPROGRAM.into(),
                    codes.1.clone().into(),
                    "base".into(),
                    form.code.clone().into(),
                    "".into(),
                    line.into(),
                ],
            );
            self.counts.request_lines += 1;
            // Prices of 10,000 … 5,000,000 tenge, growing by the years; the form computes
            // each year's amount from its row.
            let base = self.rng.between(1_000_000, 500_000_000);
            for (k, year) in years.iter().enumerate() {
                let price = base + base * k as i64 * self.rng.between(0, 8) / 100;
                let rows = vec![form_row(form, price)];
                let amount = jospar_forms::FormDef::total(&form.evaluate(&rows)?).tiyn();
                self.batch.push(
                    "request_line_years",
                    vec![
                        request.into(),
                        line.into(),
                        i64::from(*year).into(),
                        serde_json::to_string(&rows)?.into(),
                        amount.into(),
                    ],
                );
                self.counts.request_line_years += 1;
                *limits.entry((codes.0.clone(), *year)).or_default() += amount;
                if *year == self.year && !open {
                    plan_lines.push(plan_line(line, codes, amount, &mut self.rng));
                    *admin_lines.entry(codes.clone()).or_default() += amount;
                }
            }
        }
        // Limits a little above what is asked (BP-4 is then met), rounded to the tenge.
        for ((program, year), amount) in limits {
            self.batch.push(
                "limit_amounts",
                vec![
                    campaign_id.into(),
                    org.into(),
                    program.into(),
                    i64::from(year).into(),
                    "base".into(),
                    (amount * 11 / 10 / 100 * 100).into(),
                    1.into(),
                    Value::Time(self.now),
                ],
            );
        }
        let plan = (!open).then(|| self.plan(org, request, &plan_lines));
        Ok((request, plan))
    }

    fn plan(&mut self, org: i64, request: i64, lines: &[PlanLine]) -> i64 {
        let text = serde_json::to_string(lines).unwrap_or_default();
        let id = new_id();
        self.batch.push(
            "financing_plans",
            vec![
                id.into(),
                org.into(),
                request.into(),
                i64::from(self.year).into(),
                "approved".into(),
                text.into(),
                2.into(),
                Value::Time(self.now),
            ],
        );
        self.counts.plans += 1;
        let cells = jospar_execution::plans::cells(lines);
        for ((codes, month), flow) in cells {
            self.batch.push(
                "plan_cells",
                vec![
                    org.into(),
                    i64::from(self.year).into(),
                    codes.program.into(),
                    codes.subprogram.into(),
                    codes.specific.into(),
                    i64::from(month).into(),
                    flow.obligations.into(),
                    flow.payments.into(),
                ],
            );
            self.counts.plan_cells += 1;
        }
        id
    }

    /// A year of daily forms: a 5-52 of each administrator (its lines summed over its
    /// institutions, paid 90…100 % of the plan to date) and a 2-19 of the oblast.
    async fn treasury(
        &mut self,
        tx: &mut Tx,
        shape: &Shape,
        admins: &[(i64, i64, String)],
        admin_lines: &BTreeMap<i64, BTreeMap<(String, String), i64>>,
        authority: i64,
    ) -> Result<()> {
        let days = working_days(self.year, shape.treasury_days);
        let codes = self.receipt_codes.clone();
        let receipt_plans: Vec<i64> = codes
            .iter()
            .map(|_| self.rng.between(100_000_000, 90_000_000_000))
            .collect();
        for day in &days {
            let share_of_year = |annual: i64| {
                annual * i64::from(day.ordinal()) / i64::from(days_in_year(day.year()))
            };
            for (admin, _, abp) in admins {
                let Some(lines) = admin_lines.get(admin) else {
                    continue;
                };
                let rows: Vec<CashRow> = lines
                    .iter()
                    .enumerate()
                    .map(|(k, ((program, specific), annual))| {
                        let period = share_of_year(*annual);
                        CashRow {
                            row: k + 1,
                            abp: abp.clone(),
                            program: program.clone(),
                            subprogram: SUBPROGRAM.into(),
                            specific: specific.clone(),
                            plan_year: Tenge::from_tiyn(*annual),
                            plan_period: Tenge::from_tiyn(period),
                            executed: Tenge::from_tiyn(period * self.rng.between(90, 101) / 100),
                        }
                    })
                    .collect();
                self.form("5-52", *admin, *day, &rows);
            }
            let rows: Vec<ReceiptRow> = codes
                .iter()
                .zip(&receipt_plans)
                .enumerate()
                .map(|(k, (code, annual))| {
                    let period = share_of_year(*annual);
                    ReceiptRow {
                        row: k + 1,
                        code: code.clone(),
                        plan_year: Tenge::from_tiyn(*annual),
                        plan_period: Tenge::from_tiyn(period),
                        received: Tenge::from_tiyn(period * self.rng.between(85, 111) / 100),
                    }
                })
                .collect();
            self.form("2-19", authority, *day, &rows);
            self.maybe_flush(tx).await?;
        }
        Ok(())
    }

    fn form<T: serde::Serialize>(&mut self, form: &str, org: i64, day: NaiveDate, rows: &[T]) {
        let id = new_id();
        self.batch.push(
            "treasury_reports",
            vec![
                id.into(),
                form.into(),
                org.into(),
                Value::Date(day),
                format!("{form}-{org}-{day}.csv").into(),
                (rows.len() as i64).into(),
                "system".into(),
                Value::Time(self.now),
            ],
        );
        // A day's form is far smaller than a chunk of an import: one chunk.
        self.batch.push(
            "treasury_report_rows",
            vec![
                id.into(),
                0_i64.into(),
                serde_json::to_string(rows).unwrap_or_default().into(),
            ],
        );
        self.counts.treasury_forms += 1;
        self.counts.treasury_rows += rows.len();
    }

    /// The central state bodies of the republican budget: administrators with their
    /// institutions, requests and plans (no campaign of their own in this data: the
    /// republic's consolidated plan counts them).
    async fn central_bodies(
        &mut self,
        tx: &mut Tx,
        shape: &Shape,
        budget: i64,
        authority: i64,
    ) -> Result<()> {
        let campaign_id = self.campaign(
            budget,
            authority,
            "Республиканская бюджетная заявка",
            "Республикалық бюджеттік өтінім",
        );
        for (code, name) in abp_codes(100, 250).into_iter().take(shape.central_admins) {
            let admin = self.org(
                Some(authority),
                "administrator",
                budget,
                Some(code.clone()),
                &name,
                &format!("{code} орталық мемлекеттік орган"),
            );
            let mut lines = BTreeMap::new();
            for i in 0..shape.central_institutions {
                let org = self.org(
                    Some(admin),
                    "institution",
                    budget,
                    None,
                    &format!("Республиканское учреждение {code}-{}", i + 1),
                    &format!("{code}-{} республикалық мекеме", i + 1),
                );
                self.institution(org, campaign_id, shape.lines, false, &mut lines)
                    .await?;
                self.maybe_flush(tx).await?;
            }
        }
        Ok(())
    }
}

fn days_in_year(year: i32) -> u32 {
    if NaiveDate::from_ymd_opt(year, 2, 29).is_some() {
        366
    } else {
        365
    }
}

/// The first `count` weekdays of a year (holidays aside: the forms come every working day).
fn working_days(year: i32, count: usize) -> Vec<NaiveDate> {
    let mut day = NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or_default();
    let mut out = Vec::new();
    while out.len() < count && day.year() == year {
        if day.weekday().number_from_monday() <= 5 {
            out.push(day);
        }
        day = day.succ_opt().unwrap_or(day);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_numbers() {
        let (mut a, mut b) = (Rng(7), Rng(7));
        let first: Vec<i64> = (0..5).map(|_| a.between(0, 1000)).collect();
        let second: Vec<i64> = (0..5).map(|_| b.between(0, 1000)).collect();
        assert_eq!(first, second);
        assert_ne!(
            first,
            (0..5).map(|_| Rng(8).between(0, 1000)).collect::<Vec<_>>()
        );
    }

    #[test]
    fn generated_lines_keep_the_plan_rules() {
        let mut rng = Rng(1);
        for annual in [0, 1, 11, 12, 13, 1_000_000_007] {
            let line = plan_line(1, &("001".into(), "111".into()), annual, &mut rng);
            assert_eq!(line.check(), Ok(()), "{annual}");
        }
    }

    #[test]
    fn generated_iins_and_bins_are_valid_and_distinct() {
        let iins: std::collections::HashSet<String> = (0..50_000).map(iin_from).collect();
        assert_eq!(iins.len(), 50_000);
        for iin in iins.iter().take(2_000) {
            assert!(jospar_core::iin::Iin::parse(iin).is_ok(), "{iin}");
        }
        for n in [0, 1, 123_456, 600_000_001] {
            assert!(jospar_core::iin::Bin::parse(&bin_from(n)).is_ok());
        }
    }
}
