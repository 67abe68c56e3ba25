//! The official appendices of the budget-request rules (BP-R, P-19), built from the entered
//! requests as the technical specification lists them (seed 004, module "Budget request",
//! reports 14–19):
//! - 57 — consolidated calculation of a state institution's expenses by budget programs
//!   (subprograms);
//! - 58 — the same for an administrator of budget programs over its subtree, and by
//!   counterparty for the state enterprises' requests;
//! - 59 — consolidated list of budget programs;
//! - 60 — consolidated table of expenses by programs with base expenses and new initiatives.
//!
//! The seeds give the names of these forms, not their grids; the layouts here follow the
//! usual shape of the rules' forms: codes, name, the current year and the three planning
//! years, numbered columns, bold subtotals, a total and the signatures. Amounts are in tenge
//! with tiyn (not thousands) so that every form reconciles to the tiyn with the requests.

use crate::usecases::{Slicer, campaign_lines, which_requests};
use crate::{Line, repo, request_years};
use jospar_access::Reader;
use jospar_access::{Error, Result};
use jospar_classification::{CodeKind, repo as ebk};
use jospar_core::Tenge;
use jospar_i18n::Tr;
use jospar_limits::{Campaign, LimitKind, repo as limits_repo};
use jospar_org::{OrgKind, OrgTree, Right};
use jospar_reports::{Cell, Table};
use jospar_store::Db;
use std::collections::{BTreeMap, HashMap};

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

/// Columns of 57 and 58: codes, name, the current year and the planning period.
fn program_grid(tr: &Tr, years: &[i32]) -> (Vec<(String, usize)>, Vec<String>) {
    let groups = vec![
        (String::new(), 4),
        (tr.t("appendix-current-year"), 1),
        (
            tr.t("appendix-planning-period"),
            years.len().saturating_sub(1),
        ),
    ];
    let mut headers = vec![
        tr.t("appendix-col-program"),
        tr.t("appendix-col-subprogram"),
        tr.t("appendix-col-specific"),
        tr.t("appendix-col-name"),
    ];
    headers.extend(years.iter().map(|y| y.to_string()));
    (groups, headers)
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
                true,
                [text(program), text(""), text(""), text(name)],
                years,
                &p.amounts,
            );
            for (sub, s) in &p.children {
                if !sub.is_empty() {
                    let name = names
                        .name(CodeKind::Subprogram, &format!("{abp} {program} {sub}"))
                        .await?;
                    push(
                        table,
                        true,
                        [text(""), text(sub), text(""), text(name)],
                        years,
                        &s.amounts,
                    );
                }
                for (party, c) in &s.children {
                    if !party.is_empty() {
                        push(
                            table,
                            true,
                            [text(""), text(""), text(""), text(party)],
                            years,
                            &c.amounts,
                        );
                    }
                    for (specific, amounts) in &c.children {
                        let name = names.name(CodeKind::EconSpecific, specific).await?;
                        push(
                            table,
                            false,
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

fn push<const N: usize>(
    table: &mut Table,
    strong: bool,
    lead: [Cell; N],
    years: &[i32],
    amounts: &Amounts,
) {
    if strong {
        table.strong_rows.push(table.rows.len());
    }
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
    let (groups, headers) = program_grid(tr, &years);
    let org = slicer.orgs.get(&request.org_id);
    let mut table = Table {
        title: tr.t("appendix-57-title"),
        subtitle: vec![
            tr.t("appendix-57-form"),
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
            tr.t("consolidated-units"),
        ],
        headers,
        numbered: true,
        ..Table::default()
    };
    table.set_groups(&groups);
    let mut names = Names::new(db, tr, &campaign).await?;
    let total = lines_tree
        .rows(&mut names, &abp, &years, &mut table)
        .await?;
    table.total = Some(total_row(tr, 4, &years, &total));
    table.footer = vec![tr.t("appendix-sign-head"), tr.t("appendix-sign-economist")];
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

/// Appendix 58: an administrator's subtree; by counterparty: the enterprises' requests with
/// each enterprise under its subprogram.
pub async fn appendix_58(
    db: &Db,
    tr: &Tr,
    tree: &OrgTree,
    reader: &Reader<'_>,
    scope: &Scope,
    by_counterparty: bool,
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
    let mut lines_tree = Tree::default();
    for (org, line) in &lines {
        let enterprise = slicer
            .orgs
            .get(org)
            .is_some_and(|o| o.kind == OrgKind::Enterprise);
        match (by_counterparty, enterprise) {
            (true, true) => lines_tree.add(&slicer.org_name(*org), line),
            (true, false) => {}
            (false, _) => lines_tree.add("", line),
        }
    }
    let (groups, headers) = program_grid(tr, &years);
    let mut table = Table {
        title: tr.t(if by_counterparty {
            "appendix-58-counterparty-title"
        } else {
            "appendix-58-title"
        }),
        subtitle: vec![
            tr.t("appendix-58-form"),
            format!(
                "{}: {abp} {}",
                tr.t("dimension-administrator"),
                admin.name(tr.lang())
            ),
            campaign_name(tr, &campaign),
            which_requests(tr, approved_only),
            tr.t("consolidated-units"),
        ],
        headers,
        numbered: true,
        ..Table::default()
    };
    table.set_groups(&groups);
    let mut names = Names::new(db, tr, &campaign).await?;
    let total = lines_tree
        .rows(&mut names, &abp, &years, &mut table)
        .await?;
    table.total = Some(total_row(tr, 4, &years, &total));
    table.footer = vec![
        tr.t("appendix-sign-admin-head"),
        tr.t("appendix-sign-economist"),
    ];
    Ok(table)
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
    let mut by_admin: BTreeMap<String, BTreeMap<String, BTreeMap<LimitKind, Amounts>>> =
        BTreeMap::new();
    for (org, line) in &lines {
        let (_, abp) = administrator_of(slicer, *org);
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

/// Appendix 59: the list of budget programs of the administrators below `root`.
pub async fn appendix_59(
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
    let by_admin =
        programs_by_administrator(db, tree, &slicer, reader, &campaign, root, approved_only)
            .await?;
    let mut headers = vec![
        tr.t("appendix-col-abp"),
        tr.t("appendix-col-program"),
        tr.t("appendix-col-name"),
    ];
    headers.extend(years.iter().map(|y| y.to_string()));
    let mut table = Table {
        title: tr.t("appendix-59-title"),
        subtitle: vec![
            tr.t("appendix-59-form"),
            slicer.org_name(root),
            campaign_name(tr, &campaign),
            which_requests(tr, approved_only),
            tr.t("consolidated-units"),
        ],
        headers,
        numbered: true,
        ..Table::default()
    };
    table.set_groups(&[
        (String::new(), 3),
        (tr.t("appendix-current-year"), 1),
        (
            tr.t("appendix-planning-period"),
            years.len().saturating_sub(1),
        ),
    ]);
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
            true,
            [text(abp), text(""), text(administrator_name(&slicer, abp))],
            &years,
            &admin_total,
        );
        for (program, kinds) in programs {
            let mut amounts = Amounts::new();
            kinds.values().for_each(|a| add(&mut amounts, a));
            let name = names
                .name(CodeKind::Program, &format!("{abp} {program}"))
                .await?;
            push(
                &mut table,
                false,
                [text(""), text(program), text(name)],
                &years,
                &amounts,
            );
        }
    }
    table.total = Some(total_row(tr, 3, &years, &total));
    table.footer = vec![tr.t("appendix-sign-authority-head")];
    Ok(table)
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
    let planning: Vec<i32> = request_years(campaign.first_year)
        .into_iter()
        .skip(1)
        .collect();
    let by_admin =
        programs_by_administrator(db, tree, &slicer, reader, &campaign, root, approved_only)
            .await?;
    let mut groups = vec![(String::new(), 3)];
    let mut headers = vec![
        tr.t("appendix-col-abp"),
        tr.t("appendix-col-program"),
        tr.t("appendix-col-name"),
    ];
    for year in &planning {
        groups.push((year.to_string(), 3));
        headers.push(tr.t("limit-kind-base"));
        headers.push(tr.t("limit-kind-new_initiatives"));
        headers.push(tr.t("total"));
    }
    let mut table = Table {
        title: tr.t("appendix-60-title"),
        subtitle: vec![
            tr.t("appendix-60-form"),
            slicer.org_name(root),
            campaign_name(tr, &campaign),
            which_requests(tr, approved_only),
            tr.t("consolidated-units"),
        ],
        headers,
        numbered: true,
        ..Table::default()
    };
    table.set_groups(&groups);
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
        let mut row = vec![text(abp), text(""), text(administrator_name(&slicer, abp))];
        row.extend(split(&admin_total));
        table.rows.push(row);
        for (program, kinds) in programs {
            let name = names
                .name(CodeKind::Program, &format!("{abp} {program}"))
                .await?;
            let mut row = vec![text(""), text(program), text(name)];
            row.extend(split(kinds));
            table.rows.push(row);
        }
    }
    let mut total_cells = vec![text(""), text(""), text(tr.t("total"))];
    total_cells.extend(split(&total));
    table.total = Some(total_cells);
    table.footer = vec![tr.t("appendix-sign-authority-head")];
    Ok(table)
}
