//! The official appendices of the budget-request rules (BP-R, P-19), built from the entered
//! requests as the technical specification lists them (seed 004, module "Budget request",
//! reports 14–19):
//! - 57 — consolidated calculation of a state institution's expenses by budget programs
//!   (subprograms);
//! - 58 — the same for an administrator of budget programs over its subtree, and by
//!   counterparty for the state enterprises' requests;
//! - 59 — consolidated list of budget programs;
//! - 60 — consolidated table of expenses by programs with base expenses and new initiatives;
//! - 67 — calculation of expenses on subsidies to legal entities, farms included: each
//!   recipient and direction of the subsidies' calculation form (specifics 311–313);
//! - 70 — an administrator's costs by program (subprogram) and activity: the line's "project,
//!   activity, object".
//!
//! Their layouts are data, `layouts/appendices.toml` (numbers, the order, headings over the
//! years, numbered columns, the unit and who signs), picked by the campaign's current year;
//! the code here fills the rows: bold subtotals by outline level and a total.

use crate::usecases::{Slicer, campaign_lines, which_requests};
use crate::{Line, repo, request_years};
use jospar_access::Reader;
use jospar_access::{Error, Result};
use jospar_classification::{CodeKind, repo as ebk};
use jospar_core::Tenge;
use jospar_i18n::Tr;
use jospar_limits::{Campaign, LimitKind, repo as limits_repo};
use jospar_org::{OrgKind, OrgTree, Right};
use jospar_reports::layout::Layouts;
use jospar_reports::{Cell, Table};
use jospar_store::Db;
use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;

/// The layouts of the appendices, built in.
pub const LAYOUTS: &str = include_str!("../layouts/appendices.toml");

pub fn layouts() -> &'static Layouts {
    static PARSED: OnceLock<Layouts> = OnceLock::new();
    PARSED.get_or_init(|| Layouts::parse(LAYOUTS).expect("the built-in appendices are valid"))
}

/// An empty appendix in the layout in force in the campaign's current year (the year the
/// requests are drawn up), with the campaign's years in its headings.
fn frame(tr: &Tr, code: &str, years: &[i32]) -> Result<Table> {
    let current = years.first().copied().unwrap_or_default();
    let date = chrono::NaiveDate::from_ymd_opt(current, 1, 1).unwrap_or_default();
    let layout = layouts()
        .in_force(code, date)
        .ok_or_else(|| Error::Internal(format!("no layout {code}")))?;
    // The current year and the three planning years (`request_years`), and the report year
    // before them.
    let mut values: Vec<(&str, String)> = ["year0", "year1", "year2", "year3"]
        .into_iter()
        .zip(years.iter().map(i32::to_string))
        .collect();
    values.push(("yearR", (current - 1).to_string()));
    Ok(layout.table(tr, &values))
}

/// The report year's column before the request's years (issue 23).
fn with_report_year(years: &[i32]) -> Vec<i32> {
    let first = years.first().copied().unwrap_or_default();
    std::iter::once(first - 1)
        .chain(years.iter().copied())
        .collect()
}

/// A report-year figure as a line of the report year only, to lay out with the lines.
fn fact_line(fact: &repo::Fact, year: i32) -> Line {
    Line {
        id: 0,
        expense_id: 0,
        program: fact.program.clone(),
        subprogram: fact.subprogram.clone(),
        specific: fact.specific.clone(),
        limit_kind: LimitKind::Base,
        form_code: String::new(),
        project: String::new(),
        amounts: [(year, fact.amount)].into_iter().collect(),
    }
}

/// What a campaign-wide report covers: the campaign, the organisation whose subtree is
/// consolidated (default: the authorized body), and whether only approved requests count.
pub struct Scope {
    pub campaign_id: i64,
    pub org: Option<i64>,
    pub approved_only: bool,
}

type Amounts = BTreeMap<i32, Tenge>;

fn add(into: &mut Amounts, from: &Amounts) {
    for (year, amount) in from {
        *into.entry(*year).or_default() += *amount;
    }
}

fn money(years: &[i32], amounts: &Amounts) -> Vec<Cell> {
    years
        .iter()
        .map(|y| Cell::Money(amounts.get(y).copied().unwrap_or_default()))
        .collect()
}

fn text(s: impl Into<String>) -> Cell {
    Cell::Text(s.into())
}

/// Names of classification codes in the campaign's year (or the latest loaded before it).
struct Names<'a> {
    db: &'a Db,
    tr: &'a Tr,
    year: Option<i32>,
    cache: HashMap<(CodeKind, String), String>,
}

impl<'a> Names<'a> {
    async fn new(db: &'a Db, tr: &'a Tr, campaign: &Campaign) -> Result<Names<'a>> {
        let year = ebk::years(db)
            .await?
            .into_iter()
            .filter(|y| *y <= campaign.first_year)
            .max();
        Ok(Names {
            db,
            tr,
            year,
            cache: HashMap::new(),
        })
    }

    async fn name(&mut self, kind: CodeKind, code: &str) -> Result<String> {
        let key = (kind, code.to_string());
        if let Some(name) = self.cache.get(&key) {
            return Ok(name.clone());
        }
        let name = match self.year {
            Some(year) => ebk::get(self.db, year, kind, code)
                .await?
                .map(|c| self.tr.pick(&c.name_ru, c.name_kk.as_deref()).to_string())
                .unwrap_or_default(),
            None => String::new(),
        };
        self.cache.insert(key, name.clone());
        Ok(name)
    }
}

/// Program → subprogram → [counterparty →] specific, with bold subtotals.
#[derive(Default)]
struct Tree {
    programs: BTreeMap<String, Node<Node<Node<Amounts>>>>,
}

#[derive(Default)]
struct Node<T> {
    amounts: Amounts,
    children: BTreeMap<String, T>,
}

impl Tree {
    fn add(&mut self, counterparty: &str, line: &Line) {
        let program = self.programs.entry(line.program.clone()).or_default();
        add(&mut program.amounts, &line.amounts);
        let sub = program.children.entry(line.subprogram.clone()).or_default();
        add(&mut sub.amounts, &line.amounts);
        let party = sub.children.entry(counterparty.to_string()).or_default();
        add(&mut party.amounts, &line.amounts);
        let specific = party.children.entry(line.specific.clone()).or_default();
        add(specific, &line.amounts);
    }

    async fn rows(
        &self,
        names: &mut Names<'_>,
        abp: &str,
        years: &[i32],
        table: &mut Table,
    ) -> Result<Amounts> {
        let mut total = Amounts::new();
        for (program, p) in &self.programs {
            add(&mut total, &p.amounts);
            let name = names
                .name(CodeKind::Program, &format!("{abp} {program}"))
                .await?;
            push(
                table,
                (0, true),
                [text(program), text(""), text(""), text(name)],
                years,
                &p.amounts,
            );
            for (sub, s) in &p.children {
                if !sub.is_empty() {
                    let mut name = names
                        .name(CodeKind::Subprogram, &format!("{abp} {program} {sub}"))
                        .await?;
                    if name.is_empty() {
                        // A local program's subprogram is the source of its money (011, 015, 032).
                        name = ebk::local_source_name(sub, names.tr.lang()).to_string();
                    }
                    push(
                        table,
                        (1, true),
                        [text(""), text(sub), text(""), text(name)],
                        years,
                        &s.amounts,
                    );
                }
                for (party, c) in &s.children {
                    if !party.is_empty() {
                        push(
                            table,
                            (2, true),
                            [text(""), text(""), text(""), text(party)],
                            years,
                            &c.amounts,
                        );
                    }
                    for (specific, amounts) in &c.children {
                        let name = names.name(CodeKind::EconSpecific, specific).await?;
                        push(
                            table,
                            (3, false),
                            [text(""), text(""), text(specific), text(name)],
                            years,
                            amounts,
                        );
                    }
                }
            }
        }
        Ok(total)
    }
}

/// A row at an outline level; a strong row is the subtotal of the deeper rows after it.
fn push<const N: usize>(
    table: &mut Table,
    (level, strong): (u8, bool),
    lead: [Cell; N],
    years: &[i32],
    amounts: &Amounts,
) {
    if strong {
        table.strong_rows.push(table.rows.len());
    }
    table.levels.push(level);
    let mut cells = lead.to_vec();
    cells.extend(money(years, amounts));
    table.rows.push(cells);
}

fn total_row(tr: &Tr, lead: usize, years: &[i32], total: &Amounts) -> Vec<Cell> {
    let mut cells = vec![text(""); lead];
    if let Some(last) = cells.last_mut() {
        *last = text(tr.t("total"));
    }
    cells.extend(money(years, total));
    cells
}

fn campaign_name(tr: &Tr, campaign: &Campaign) -> String {
    if tr.lang() == "kk" {
        campaign.name_kk.clone()
    } else {
        campaign.name_ru.clone()
    }
}

async fn campaign_of(db: &Db, id: i64) -> Result<Campaign> {
    limits_repo::campaign(db, id).await?.ok_or(Error::NotFound)
}

/// The administrator of budget programs an organisation belongs to, with its ABP code.
fn administrator_of(slicer: &Slicer, org: i64) -> (String, String) {
    let admin = slicer.org_keys(org).administrator;
    let code = admin
        .parse::<i64>()
        .ok()
        .and_then(|id| slicer.orgs.get(&id))
        .and_then(|o| o.abp_code.clone())
        .unwrap_or_default();
    (admin, code)
}

/// Appendix 57: one institution's request.
pub async fn appendix_57(
    db: &Db,
    tr: &Tr,
    tree: &OrgTree,
    reader: &Reader<'_>,
    request_id: i64,
) -> Result<Table> {
    let request = repo::request(db, request_id)
        .await?
        .ok_or(Error::NotFound)?;
    let reviewer = match reader {
        Reader::User(p) => request
            .stage_org_id
            .is_some_and(|s| p.can(Right::Approve, s)),
        Reader::System => true,
    };
    if !reviewer {
        reader.require_read(request.org_id)?;
    }
    let campaign = campaign_of(db, request.campaign_id).await?;
    let slicer = Slicer::load(db, tr, tree).await?;
    let years = request_years(campaign.first_year).to_vec();
    let (admin, abp) = administrator_of(&slicer, request.org_id);
    let mut lines_tree = Tree::default();
    for line in repo::lines(db, request.id).await? {
        lines_tree.add("", &line);
    }
    let report_year = crate::report_year::report_year(campaign.first_year);
    for fact in repo::facts_of(db, &[request.id])
        .await?
        .remove(&request.id)
        .unwrap_or_default()
    {
        lines_tree.add("", &fact_line(&fact, report_year));
    }
    let org = slicer.orgs.get(&request.org_id);
    let mut table = frame(tr, "appendix-57", &years)?;
    let years = with_report_year(&years);
    table.subtitle = vec![
        format!(
            "{} · {} {}",
            slicer.org_name(request.org_id),
            tr.t("field-bin"),
            org.and_then(|o| o.bin.clone()).unwrap_or_default()
        ),
        format!(
            "{}: {abp} {}",
            tr.t("dimension-administrator"),
            slicer.label(crate::Dimension::Org, &admin)
        ),
        format!(
            "{} · {} · {}",
            campaign_name(tr, &campaign),
            tr.t(&format!("request-kind-{}", request.kind.code())),
            tr.t(&format!("status-{}", request.status.code()))
        ),
    ];
    let mut names = Names::new(db, tr, &campaign).await?;
    let total = lines_tree
        .rows(&mut names, &abp, &years, &mut table)
        .await?;
    table.total = Some(total_row(tr, 4, &years, &total));
    for s in repo::signatures(db, request.id)
        .await
        .map_err(crate::usecases::planning_error)?
    {
        table.footer.push(format!(
            "{}: {}, {} {}, {}",
            tr.t("appendix-signed"),
            s.signer_name,
            tr.t("field-iin"),
            s.signer_iin,
            jospar_i18n::almaty_date_time(s.signed_at)
        ));
    }
    Ok(table)
}

/// Appendix 57 by counterparty (issue 23, BP-13): a state enterprise's request — its revenues
/// by counterparty (the administrator's state order or subsidy, the customers of its paid
/// services) and source for each year, their total, and under the table its expenses and what
/// the revenues leave over them.
pub async fn appendix_57_counterparty(
    db: &Db,
    tr: &Tr,
    tree: &OrgTree,
    reader: &Reader<'_>,
    request_id: i64,
) -> Result<Table> {
    let request = repo::request(db, request_id)
        .await?
        .ok_or(Error::NotFound)?;
    reader.require_read(request.org_id)?;
    let campaign = campaign_of(db, request.campaign_id).await?;
    let slicer = Slicer::load(db, tr, tree).await?;
    let org = slicer.orgs.get(&request.org_id).ok_or(Error::NotFound)?;
    if org.kind != OrgKind::Enterprise {
        return Err(Error::invalid("err-revenue-enterprise", "request"));
    }
    let years = request_years(campaign.first_year).to_vec();
    let revenues = repo::revenues_of(db, &[request.id])
        .await?
        .remove(&request.id)
        .unwrap_or_default();
    let mut by_counterparty: BTreeMap<String, Vec<&repo::Revenue>> = BTreeMap::new();
    for r in &revenues {
        by_counterparty
            .entry(r.counterparty.clone())
            .or_default()
            .push(r);
    }
    let mut table = frame(tr, "appendix-57-counterparty", &years)?;
    table.subtitle = vec![
        format!(
            "{} · {} {}",
            org.name(tr.lang()),
            tr.t("field-bin"),
            org.bin.clone().unwrap_or_default()
        ),
        campaign_name(tr, &campaign),
    ];
    let mut total = Amounts::new();
    for (counterparty, rows) in &by_counterparty {
        let mut sum = Amounts::new();
        for r in rows {
            add(&mut sum, &r.amounts);
        }
        add(&mut total, &sum);
        let label = if counterparty.is_empty() {
            tr.t("revenue-customers")
        } else {
            counterparty.clone()
        };
        push(&mut table, (0, true), [text(label), text("")], &years, &sum);
        for r in rows {
            let source = tr.t(&format!("revenue-source-{}", r.source));
            push(
                &mut table,
                (1, false),
                [text(""), text(source)],
                &years,
                &r.amounts,
            );
        }
    }
    table.total = Some(total_row(tr, 2, &years, &total));
    let mut expenses = Amounts::new();
    for line in repo::lines(db, request.id).await? {
        add(&mut expenses, &line.amounts);
    }
    let by_year = |amounts: &dyn Fn(i32) -> Tenge| {
        years
            .iter()
            .map(|y| format!("{y} — {}", amounts(*y)))
            .collect::<Vec<_>>()
            .join("; ")
    };
    let of = |a: &Amounts, y: i32| a.get(&y).copied().unwrap_or_default();
    table.footer = vec![
        format!(
            "{}: {}",
            tr.t("revenue-expenses"),
            by_year(&|y| of(&expenses, y))
        ),
        format!(
            "{}: {}",
            tr.t("revenue-balance"),
            by_year(&|y| of(&total, y) - of(&expenses, y))
        ),
    ];
    Ok(table)
}

/// How an administrator's appendix groups the lines under a subprogram.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grouping {
    /// Appendix 58: by specific.
    Programs,
    /// Appendix 58 by counterparty: the state enterprises' requests, each enterprise apart.
    Counterparty,
    /// Appendix 70: by activity (the line's project, activity or object), then specific.
    Activity,
}

/// Appendix 58 of an administrator's subtree; by counterparty: the enterprises' requests with
/// each enterprise under its subprogram; appendix 70: by activity.
pub async fn appendix_58(
    db: &Db,
    tr: &Tr,
    tree: &OrgTree,
    reader: &Reader<'_>,
    scope: &Scope,
    by: Grouping,
) -> Result<Table> {
    let (campaign_id, approved_only) = (scope.campaign_id, scope.approved_only);
    let administrator = scope
        .org
        .ok_or_else(|| Error::invalid("err-required", "org"))?;
    reader.require_read(administrator)?;
    let campaign = campaign_of(db, campaign_id).await?;
    let slicer = Slicer::load(db, tr, tree).await?;
    let admin = slicer.orgs.get(&administrator).ok_or(Error::NotFound)?;
    if admin.kind != OrgKind::Administrator {
        return Err(Error::invalid("err-not-administrator", "org"));
    }
    let abp = admin.abp_code.clone().unwrap_or_default();
    let years = request_years(campaign.first_year).to_vec();
    let readable = |org: i64| reader.can_read(org);
    let lines = campaign_lines(
        db,
        tree,
        campaign.id,
        administrator,
        approved_only,
        &readable,
    )
    .await?;
    let fact_lines =
        fact_lines(db, tree, &campaign, administrator, approved_only, &readable).await?;
    let mut lines_tree = Tree::default();
    let all_lines = lines
        .iter()
        .chain(fact_lines.iter().map(|(org, line)| (*org, line)));
    for (org, line) in all_lines {
        if by == Grouping::Activity {
            lines_tree.add(line.project.trim(), line);
            continue;
        }
        let by_counterparty = by == Grouping::Counterparty;
        let enterprise = slicer
            .orgs
            .get(&org)
            .is_some_and(|o| o.kind == OrgKind::Enterprise);
        match (by_counterparty, enterprise) {
            (true, true) => lines_tree.add(&slicer.org_name(org), line),
            (true, false) => {}
            (false, _) => lines_tree.add("", line),
        }
    }
    let code = match by {
        Grouping::Programs => "appendix-58",
        Grouping::Counterparty => "appendix-58-counterparty",
        Grouping::Activity => "appendix-70",
    };
    let mut table = frame(tr, code, &years)?;
    let years = with_report_year(&years);
    table.subtitle = vec![
        format!(
            "{}: {abp} {}",
            tr.t("dimension-administrator"),
            admin.name(tr.lang())
        ),
        campaign_name(tr, &campaign),
        which_requests(tr, approved_only),
    ];
    let mut names = Names::new(db, tr, &campaign).await?;
    let total = lines_tree
        .rows(&mut names, &abp, &years, &mut table)
        .await?;
    table.total = Some(total_row(tr, 4, &years, &total));
    Ok(table)
}

/// The report-year figures of the latest requests below `root` (issue 23), as lines of the
/// report year only, with the organisation of each.
async fn fact_lines(
    db: &Db,
    tree: &OrgTree,
    campaign: &Campaign,
    root: i64,
    approved_only: bool,
    readable: &(dyn Fn(i64) -> bool + Sync),
) -> Result<Vec<(i64, Line)>> {
    let report_year = crate::report_year::report_year(campaign.first_year);
    let requests = repo::campaign_requests(db, campaign.id).await?;
    let latest = crate::usecases::latest_of(&requests, tree, root, approved_only, readable);
    let ids: Vec<i64> = latest.iter().map(|r| r.id).collect();
    let facts = repo::facts_of(db, &ids).await?;
    Ok(latest
        .iter()
        .flat_map(|r| {
            facts
                .get(&r.id)
                .into_iter()
                .flatten()
                .map(|f| (r.org_id, fact_line(f, report_year)))
        })
        .collect())
}

/// The administrators' programs below `root` with their amounts by year and kind of limit.
async fn programs_by_administrator(
    db: &Db,
    tree: &OrgTree,
    slicer: &Slicer<'_>,
    reader: &Reader<'_>,
    campaign: &Campaign,
    root: i64,
    approved_only: bool,
) -> Result<BTreeMap<String, BTreeMap<String, BTreeMap<LimitKind, Amounts>>>> {
    let readable = |org: i64| reader.can_read(org);
    let lines = campaign_lines(db, tree, campaign.id, root, approved_only, &readable).await?;
    let facts = fact_lines(db, tree, campaign, root, approved_only, &readable).await?;
    let mut by_admin: BTreeMap<String, BTreeMap<String, BTreeMap<LimitKind, Amounts>>> =
        BTreeMap::new();
    let all_lines = lines
        .iter()
        .chain(facts.iter().map(|(org, line)| (*org, line)));
    for (org, line) in all_lines {
        let (_, abp) = administrator_of(slicer, org);
        let kinds = by_admin
            .entry(abp)
            .or_default()
            .entry(line.program.clone())
            .or_default();
        add(kinds.entry(line.limit_kind).or_default(), &line.amounts);
    }
    Ok(by_admin)
}

fn administrator_name(slicer: &Slicer, abp: &str) -> String {
    slicer
        .orgs
        .values()
        .find(|o| o.kind == OrgKind::Administrator && o.abp_code.as_deref() == Some(abp))
        .map(|o| o.name(slicer.tr.lang()).to_string())
        .unwrap_or_default()
}

/// Appendix 59: the list of budget programs of the administrators below `root`, each with its
/// purpose as its passport states it (`purposes` by ABP and program, from the budget module,
/// which owns the passports).
pub async fn appendix_59(
    db: &Db,
    tr: &Tr,
    tree: &OrgTree,
    reader: &Reader<'_>,
    scope: &Scope,
    purposes: &BTreeMap<(String, String), String>,
) -> Result<Table> {
    let approved_only = scope.approved_only;
    let campaign = campaign_of(db, scope.campaign_id).await?;
    let root = scope.org.unwrap_or(campaign.authority_org_id);
    reader.require_read(root)?;
    let slicer = Slicer::load(db, tr, tree).await?;
    let years = request_years(campaign.first_year).to_vec();
    let by_admin =
        programs_by_administrator(db, tree, &slicer, reader, &campaign, root, approved_only)
            .await?;
    let mut table = frame(tr, "appendix-59", &years)?;
    let years = with_report_year(&years);
    table.subtitle = vec![
        slicer.org_name(root),
        campaign_name(tr, &campaign),
        which_requests(tr, approved_only),
    ];
    let mut names = Names::new(db, tr, &campaign).await?;
    let mut total = Amounts::new();
    for (abp, programs) in &by_admin {
        let mut admin_total = Amounts::new();
        for kinds in programs.values() {
            kinds.values().for_each(|a| add(&mut admin_total, a));
        }
        add(&mut total, &admin_total);
        push(
            &mut table,
            (0, true),
            [text(abp), text(""), text(administrator_name(&slicer, abp))],
            &years,
            &admin_total,
        );
        if let Some(row) = table.rows.last_mut() {
            row.push(text(""));
        }
        for (program, kinds) in programs {
            let mut amounts = Amounts::new();
            kinds.values().for_each(|a| add(&mut amounts, a));
            let name = names
                .name(CodeKind::Program, &format!("{abp} {program}"))
                .await?;
            push(
                &mut table,
                (1, false),
                [text(""), text(program), text(name)],
                &years,
                &amounts,
            );
            let purpose = purposes.get(&(abp.clone(), program.clone()));
            if let Some(row) = table.rows.last_mut() {
                row.push(text(purpose.cloned().unwrap_or_default()));
            }
        }
    }
    let mut total_cells = total_row(tr, 3, &years, &total);
    total_cells.push(text(""));
    table.total = Some(total_cells);
    Ok(table)
}

/// The specifics of subsidies, whose lines appendix 67 lists by recipient.
const SUBSIDIES: [&str; 3] = ["311", "312", "313"];

/// A subsidy's place in appendix 67: ABP, program, subprogram and specific.
type SubsidyKey = (String, String, String, String);

/// Appendix 67: the subsidies of the requests below an organisation (default: the campaign's
/// authorized body) by program, subprogram and specific, each recipient and direction with
/// its amount by year, read from the rows of the line's calculation form. A line whose form
/// names no recipient is listed whole without one, so the total is always the specifics'
/// total in the requests.
pub async fn appendix_67(
    db: &Db,
    tr: &Tr,
    tree: &OrgTree,
    reader: &Reader<'_>,
    scope: &Scope,
) -> Result<Table> {
    let campaign = campaign_of(db, scope.campaign_id).await?;
    let root = scope.org.unwrap_or(campaign.authority_org_id);
    reader.require_read(root)?;
    let slicer = Slicer::load(db, tr, tree).await?;
    let years = request_years(campaign.first_year).to_vec();
    let forms = repo::forms(db).await?;
    let requests = repo::campaign_requests(db, campaign.id).await?;
    let readable = |org: i64| reader.can_read(org);
    let mut subsidies: BTreeMap<SubsidyKey, BTreeMap<(String, String), Amounts>> = BTreeMap::new();
    for request in crate::usecases::latest_of(&requests, tree, root, scope.approved_only, &readable)
    {
        let lines: Vec<Line> = repo::lines(db, request.id)
            .await?
            .into_iter()
            .filter(|l| SUBSIDIES.contains(&l.specific.as_str()))
            .collect();
        if lines.is_empty() {
            continue;
        }
        let (_, abp) = administrator_of(&slicer, request.org_id);
        let rows = repo::request_rows(db, request.id).await?;
        for line in &lines {
            let key = (
                abp.clone(),
                line.program.clone(),
                line.subprogram.clone(),
                line.specific.clone(),
            );
            let recipients = subsidies.entry(key).or_default();
            let form = forms
                .iter()
                .find(|f| f.code == line.form_code && f.column("recipient").is_some());
            let Some(form) = form else {
                add(
                    recipients.entry(Default::default()).or_default(),
                    &line.amounts,
                );
                continue;
            };
            for year in &years {
                let typed = rows
                    .get(&(line.id, *year))
                    .map(Vec::as_slice)
                    .unwrap_or(&[]);
                let evaluated = form
                    .evaluate(typed)
                    .map_err(|e| Error::Internal(format!("line {}: {e}", line.id)))?;
                for row in evaluated {
                    let value = |key: &str| row.values.get(key).cloned().unwrap_or_default();
                    let amounts = recipients
                        .entry((value("recipient"), value("purpose")))
                        .or_default();
                    *amounts.entry(*year).or_default() += row.amount;
                }
            }
        }
    }
    // The report year's executed subsidies have no recipients: each is a row of its own.
    let facts = fact_lines(db, tree, &campaign, root, scope.approved_only, &readable).await?;
    let unnamed = (tr.t("appendix-fact-unnamed"), String::new());
    for (org, line) in facts
        .iter()
        .filter(|(_, l)| SUBSIDIES.contains(&l.specific.as_str()))
    {
        let (_, abp) = administrator_of(&slicer, *org);
        let key = (
            abp,
            line.program.clone(),
            line.subprogram.clone(),
            line.specific.clone(),
        );
        let recipients = subsidies.entry(key).or_default();
        add(
            recipients.entry(unnamed.clone()).or_default(),
            &line.amounts,
        );
    }
    let mut table = frame(tr, "appendix-67", &years)?;
    let years = with_report_year(&years);
    table.subtitle = vec![
        slicer.org_name(root),
        campaign_name(tr, &campaign),
        which_requests(tr, scope.approved_only),
    ];
    let mut names = Names::new(db, tr, &campaign).await?;
    let total = subsidy_rows(&mut names, &subsidies, &years, &mut table).await?;
    table.total = Some(total_row(tr, 5, &years, &total));
    Ok(table)
}

/// The rows of appendix 67: a bold subtotal for each program, subprogram and specific, and
/// under it each recipient with its direction; the total of them all.
async fn subsidy_rows(
    names: &mut Names<'_>,
    subsidies: &BTreeMap<SubsidyKey, BTreeMap<(String, String), Amounts>>,
    years: &[i32],
    table: &mut Table,
) -> Result<Amounts> {
    let sum = |recipients: &BTreeMap<(String, String), Amounts>| {
        let mut amounts = Amounts::new();
        for a in recipients.values() {
            add(&mut amounts, a);
        }
        amounts
    };
    let mut total = Amounts::new();
    let mut program_of: BTreeMap<(String, String), Amounts> = BTreeMap::new();
    let mut subprogram_of: BTreeMap<(String, String, String), Amounts> = BTreeMap::new();
    for ((abp, program, subprogram, _), recipients) in subsidies {
        let amounts = sum(recipients);
        add(&mut total, &amounts);
        add(
            program_of
                .entry((abp.clone(), program.clone()))
                .or_default(),
            &amounts,
        );
        add(
            subprogram_of
                .entry((abp.clone(), program.clone(), subprogram.clone()))
                .or_default(),
            &amounts,
        );
    }
    let (mut last_program, mut last_subprogram) = (None, None);
    for ((abp, program, subprogram, specific), recipients) in subsidies {
        let program_key = (abp.clone(), program.clone());
        if last_program.as_ref() != Some(&program_key) {
            let name = names
                .name(CodeKind::Program, &format!("{abp} {program}"))
                .await?;
            let lead = [
                text(format!("{abp} {program}")),
                text(""),
                text(""),
                text(name),
                text(""),
            ];
            push(table, (0, true), lead, years, &program_of[&program_key]);
            last_program = Some(program_key);
            last_subprogram = None;
        }
        let sub_key = (abp.clone(), program.clone(), subprogram.clone());
        if !subprogram.is_empty() && last_subprogram.as_ref() != Some(&sub_key) {
            let mut name = names
                .name(
                    CodeKind::Subprogram,
                    &format!("{abp} {program} {subprogram}"),
                )
                .await?;
            if name.is_empty() {
                name = ebk::local_source_name(subprogram, names.tr.lang()).to_string();
            }
            let lead = [text(""), text(subprogram), text(""), text(name), text("")];
            push(table, (1, true), lead, years, &subprogram_of[&sub_key]);
            last_subprogram = Some(sub_key);
        }
        let name = names.name(CodeKind::EconSpecific, specific).await?;
        let lead = [text(""), text(""), text(specific), text(name), text("")];
        push(table, (2, true), lead, years, &sum(recipients));
        for ((recipient, purpose), amounts) in recipients {
            let lead = [text(""), text(""), text(""), text(recipient), text(purpose)];
            push(table, (3, false), lead, years, amounts);
        }
    }
    Ok(total)
}

/// Appendix 60: programs with base expenses and new initiatives for each planning year.
pub async fn appendix_60(
    db: &Db,
    tr: &Tr,
    tree: &OrgTree,
    reader: &Reader<'_>,
    scope: &Scope,
) -> Result<Table> {
    let approved_only = scope.approved_only;
    let campaign = campaign_of(db, scope.campaign_id).await?;
    let root = scope.org.unwrap_or(campaign.authority_org_id);
    reader.require_read(root)?;
    let slicer = Slicer::load(db, tr, tree).await?;
    let years = request_years(campaign.first_year).to_vec();
    let planning: Vec<i32> = years.iter().skip(1).copied().collect();
    let by_admin =
        programs_by_administrator(db, tree, &slicer, reader, &campaign, root, approved_only)
            .await?;
    let mut table = frame(tr, "appendix-60", &years)?;
    table.subtitle = vec![
        slicer.org_name(root),
        campaign_name(tr, &campaign),
        which_requests(tr, approved_only),
    ];
    let split = |kinds: &BTreeMap<LimitKind, Amounts>| -> Vec<Cell> {
        planning
            .iter()
            .flat_map(|y| {
                let of = |k: LimitKind| {
                    kinds
                        .get(&k)
                        .and_then(|a| a.get(y))
                        .copied()
                        .unwrap_or_default()
                };
                let (base, new) = (of(LimitKind::Base), of(LimitKind::NewInitiatives));
                [Cell::Money(base), Cell::Money(new), Cell::Money(base + new)]
            })
            .collect()
    };
    let mut names = Names::new(db, tr, &campaign).await?;
    let mut total: BTreeMap<LimitKind, Amounts> = BTreeMap::new();
    for (abp, programs) in &by_admin {
        let mut admin_total: BTreeMap<LimitKind, Amounts> = BTreeMap::new();
        for kinds in programs.values() {
            for (kind, amounts) in kinds {
                add(admin_total.entry(*kind).or_default(), amounts);
                add(total.entry(*kind).or_default(), amounts);
            }
        }
        table.strong_rows.push(table.rows.len());
        table.levels.push(0);
        let mut row = vec![text(abp), text(""), text(administrator_name(&slicer, abp))];
        row.extend(split(&admin_total));
        table.rows.push(row);
        for (program, kinds) in programs {
            let name = names
                .name(CodeKind::Program, &format!("{abp} {program}"))
                .await?;
            let mut row = vec![text(""), text(program), text(name)];
            row.extend(split(kinds));
            table.levels.push(1);
            table.rows.push(row);
        }
    }
    let mut total_cells = vec![text(""), text(""), text(tr.t("total"))];
    total_cells.extend(split(&total));
    table.total = Some(total_cells);
    Ok(table)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jospar_i18n::Lang;

    /// Every appendix has its layout in both languages, with the campaign's years over the
    /// amounts, the form's number and who signs.
    #[test]
    fn each_appendix_prints_in_its_layout() {
        let years = request_years(2027).to_vec();
        for (code, signs) in [
            ("appendix-57", 2),
            ("appendix-58", 2),
            ("appendix-58-counterparty", 2),
            ("appendix-59", 1),
            ("appendix-60", 1),
            ("appendix-67", 2),
            ("appendix-70", 2),
            ("appendix-57-counterparty", 2),
        ] {
            for lang in [Lang::Ru, Lang::Kk] {
                let table = frame(&Tr(lang), code, &years).expect(code);
                let number = code
                    .trim_start_matches("appendix-")
                    .trim_end_matches("-counterparty");
                assert!(
                    table.number[0].contains(number),
                    "{code}: {:?}",
                    table.number
                );
                assert!(table.numbered && table.signatures.len() == signs, "{code}");
                assert_eq!(
                    table.head.iter().map(|c| c.row).max(),
                    Some(1),
                    "{code}: two rows"
                );
                let label = table.unit.as_ref().map(|u| u.label.clone());
                assert_eq!(label, Some(Tr(lang).t("unit-thousand_tenge")), "{code}");
            }
        }
        let a57 = frame(&Tr(Lang::Ru), "appendix-57", &years).expect("57");
        // The report year (fact), the current year and the three planning years.
        assert_eq!(&a57.headers[4..], ["2025", "2026", "2027", "2028", "2029"]);
        let report = a57.head.iter().find(|c| c.text == "Отчётный год (факт)");
        assert_eq!(report.map(|c| (c.col, c.cols)), Some((4, 1)));
        let planning = a57.head.iter().find(|c| c.text == "Плановый период");
        assert_eq!(planning.map(|c| (c.col, c.cols)), Some((6, 3)));
        let a60 = frame(&Tr(Lang::Kk), "appendix-60", &years).expect("60");
        let over_2028 = a60
            .head
            .iter()
            .find(|c| c.text == "2028")
            .map(|c| (c.col, c.cols));
        assert_eq!(over_2028, Some((6, 3)));
        assert_eq!(
            a60.columns[5].plus,
            vec![3, 4],
            "the year's total adds base and new"
        );
    }

    /// Issue 21 (the Russian PDF of appendix 57 had no "Подпрограмма"): every heading of every
    /// appendix is in its PDF whole, in both languages, over a line of a billion tenge.
    #[test]
    fn every_heading_of_every_appendix_is_in_its_pdf() {
        use jospar_reports::pdf_text::missing_headings;
        use jospar_reports::{Cell, Kind};
        let years = request_years(2027).to_vec();
        for layout in layouts().iter() {
            for lang in [Lang::Ru, Lang::Kk] {
                let mut table = frame(&Tr(lang), &layout.code, &years).expect("frame");
                let cell = |column: &jospar_reports::Column| match column.kind {
                    Kind::Money => Cell::Money(jospar_core::Tenge::from_tiyn(123_456_789_012)),
                    _ => Cell::Text("001".into()),
                };
                table.rows = vec![table.columns.iter().map(cell).collect()];
                let missing = missing_headings(&table);
                assert_eq!(missing, Ok(vec![]), "{} {lang:?}", layout.code);
            }
        }
    }
}
