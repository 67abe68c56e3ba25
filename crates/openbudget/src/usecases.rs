//! The open budget (OB-1…OB-5) for the pages and the API: who may publish (the approve right
//! on the administrator), moderate (the operator: the system's configure right) and answer
//! (the administrator); people in the public part act through a session opened with their
//! signature ([`Citizen`]). A passport's figures come from the administrator's approved
//! budget requests of the program; the final report is made when the discussion has ended.

use crate::publications::{
    self as pubs, MAX_FILE_BYTES, NewPublication, Publication as Published, PublicationError,
    PublicationKind,
};
use crate::repo::{self, Document, FigureRow, NewDocument, Proposal, RepoError};
use crate::words::{BANNED_WORDS, ContentError, WordList, check_proposal};
use crate::{
    DiscussionError, DocKind, FinalReport, FinalRow, ProposalStatus, PublishError,
    check_publication, discussion_end,
};
use chrono::{DateTime, NaiveDate, Utc};
use jospar_access::Principal;
use jospar_access::Reader;
use jospar_access::{Error, Result};
use jospar_core::Tenge;
use jospar_i18n::Tr;
use jospar_obportal::{OpenBudgets, ProgramUpload, SubprogramAmounts};
use jospar_org::{BudgetLevel, OrgKind, Right};
use jospar_reports::{Cell, Table};
use jospar_store::Db;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// The cookie of a session opened with a signature in the public part.
pub const CITIZEN_COOKIE: &str = "jospar_ob";

/// The structural parts of a document a proposal may concern.
pub const PARTS: [&str; 5] = ["purpose", "tasks", "indicators", "expenses", "other"];

/// A person signed in with their signature: IIN and name from the certificate.
#[derive(Debug, Clone)]
pub struct Citizen {
    pub iin: String,
    pub name: String,
    /// Guards the person's forms, derived from the session.
    pub csrf: String,
}

fn csrf_of(token: &str) -> String {
    jospar_eds::sha256_hex(format!("ob-csrf:{token}").as_bytes())[..32].to_string()
}

/// The person of a session token, while the session lasts.
pub async fn citizen(db: &Db, token: &str, now: DateTime<Utc>) -> Result<Option<Citizen>> {
    Ok(repo::session(db, token, now)
        .await
        .map_err(repo_error)?
        .map(|(iin, name)| Citizen {
            iin,
            name,
            csrf: csrf_of(token),
        }))
}

/// Opens a session for the person of a verified certificate: the cookie's token.
pub async fn open_session(
    db: &Db,
    signer: &jospar_eds::VerifiedSigner,
    now: DateTime<Utc>,
) -> Result<String> {
    let iin = signer
        .iin
        .clone()
        .ok_or_else(|| Error::invalid("err-ob-no-iin", "cms"))?;
    repo::open_session(db, &iin, &signer.common_name, now)
        .await
        .map_err(repo_error)
}

impl Citizen {
    pub fn check_csrf(&self, csrf: &str) -> Result<()> {
        if csrf == self.csrf {
            Ok(())
        } else {
            Err(Error::Forbidden)
        }
    }
}

pub fn repo_error(e: RepoError) -> Error {
    match e {
        RepoError::Store(e) => e.into(),
        RepoError::NotFound => Error::NotFound,
        RepoError::Corrupt(id) => Error::Internal(format!("open budget record {id}")),
        RepoError::Rules(e) => discussion_error(e),
    }
}

fn discussion_error(e: DiscussionError) -> Error {
    let (key, field, args) = match e {
        DiscussionError::Ended(day) => ("err-ob-ended", "date", vec![("date", day.to_string())]),
        DiscussionError::VotedAlready => ("err-ob-voted", "vote", vec![]),
        DiscussionError::NotPublished => ("err-ob-not-published", "proposal", vec![]),
        DiscussionError::Moderated => ("err-ob-moderated", "proposal", vec![]),
        DiscussionError::Answered => ("err-ob-answered", "proposal", vec![]),
        DiscussionError::NoReason => ("err-required", "reason", vec![("field", "reason".into())]),
    };
    Error::Invalid {
        key,
        args,
        field: Some(field.into()),
    }
}

fn publish_error(e: PublishError) -> Error {
    match e {
        PublishError::PeriodTooShort { earliest } => Error::Invalid {
            key: "err-ob-period",
            args: vec![("earliest", earliest.to_string())],
            field: Some("ends_on".into()),
        },
        PublishError::ReportLate { year, due } => Error::Invalid {
            key: "err-ob-report-late",
            args: vec![("year", year.to_string()), ("due", due.to_string())],
            field: Some("year".into()),
        },
        PublishError::Missing(field) => Error::invalid("err-required", field),
    }
}

fn content_error(e: ContentError) -> Error {
    let (key, args) = match e {
        ContentError::Empty => ("err-required", vec![("field", "text".to_string())]),
        ContentError::TooLong(n) => ("err-ob-too-long", vec![("count", n.to_string())]),
        ContentError::BannedWord(w) => ("err-ob-banned", vec![("word", w)]),
        ContentError::Link(l) => ("err-ob-link", vec![("link", l)]),
        ContentError::Advertising(a) => ("err-ob-advertising", vec![("word", a)]),
        ContentError::Spam => ("err-ob-spam", vec![]),
    };
    Error::Invalid {
        key,
        args,
        field: Some("text".into()),
    }
}

fn banned_words() -> &'static WordList {
    static LIST: OnceLock<WordList> = OnceLock::new();
    LIST.get_or_init(|| WordList::parse(BANNED_WORDS))
}

/// What an administrator publishes.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
#[schema(as = DocumentPublication)]
pub struct Publication {
    pub kind: String,
    pub org_id: i64,
    pub program: String,
    pub year: i32,
    pub title_ru: String,
    pub title_kk: String,
    pub summary_ru: String,
    pub summary_kk: String,
    pub head: String,
    /// The last day of the discussion; the tenth working day when none is given.
    pub ends_on: Option<NaiveDate>,
    /// The materials confirming investment projects (file name, content): an implementation
    /// report of a program with budget investments is published with at least one (p. 10).
    #[serde(skip)]
    pub materials: Vec<(String, Vec<u8>)>,
}

/// Publishes a passport or an implementation report of an administrator's program, its
/// figures taken from the administrator's approved budget requests, and uploads the program
/// to the open-budgets portal (BP-14) when one is configured.
pub async fn publish(
    db: &Db,
    portal: Option<&dyn OpenBudgets>,
    p: &Principal,
    new: Publication,
) -> Result<Document> {
    let doc = publish_document(db, p, new).await?;
    upload(db, portal, p, doc).await
}

/// Sends a document's program to the open-budgets portal again (after a refusal or an outage).
pub async fn upload_again(
    db: &Db,
    portal: Option<&dyn OpenBudgets>,
    p: &Principal,
    id: i64,
) -> Result<Document> {
    let doc = document(db, id).await?;
    p.require(Right::Approve, doc.org_id)?;
    upload(db, portal, p, doc).await
}

/// The program as the portal takes it: codes, both languages, amounts in tiyn by year.
fn program_of(doc: &Document, org: &jospar_org::Org) -> ProgramUpload {
    ProgramUpload {
        document: doc.kind.code().to_string(),
        unique_number: doc.unique_number(),
        administrator_bin: org.bin.clone().unwrap_or_default(),
        administrator_code: doc.abp.clone(),
        administrator_name: org.name_ru.clone(),
        program: doc.program.clone(),
        year: doc.year,
        title_ru: doc.title_ru.clone(),
        title_kk: doc.title_kk.clone(),
        summary_ru: doc.summary_ru.clone(),
        summary_kk: doc.summary_kk.clone(),
        head: doc.head.clone(),
        budget_kind: doc.budget_kind.clone(),
        published_on: doc.published_on,
        discussion_ends_on: doc.ends_on,
        unit: "tiyn".into(),
        subprograms: doc
            .figures
            .iter()
            .map(|f| SubprogramAmounts {
                subprogram: f.subprogram.clone(),
                years: f.years.iter().map(|(y, t)| (*y, t.tiyn())).collect(),
            })
            .collect(),
    }
}

/// Uploads a document's program and records the portal's answer; the document is published
/// whatever the portal says, and the administrator sees the answer and can send it again.
async fn upload(
    db: &Db,
    portal: Option<&dyn OpenBudgets>,
    p: &Principal,
    doc: Document,
) -> Result<Document> {
    let Some(portal) = portal else {
        return Ok(doc);
    };
    let org = jospar_org::repo::get_org(db, doc.org_id)
        .await?
        .ok_or(Error::NotFound)?;
    let outcome = portal
        .upload(&program_of(&doc, &org))
        .await
        .map(|r| r.id)
        .map_err(|e| e.to_string());
    repo::record_upload(db, &p.who(), &doc, outcome)
        .await
        .map_err(repo_error)?;
    document(db, doc.id).await
}

async fn publish_document(db: &Db, p: &Principal, new: Publication) -> Result<Document> {
    p.require(Right::Approve, new.org_id)?;
    let org = jospar_org::repo::get_org(db, new.org_id)
        .await?
        .filter(|o| o.kind == OrgKind::Administrator)
        .ok_or_else(|| Error::invalid("err-ob-not-administrator", "org_id"))?;
    let abp = org.abp_code.clone().unwrap_or_default();
    let kind = DocKind::from_code(&new.kind).ok_or_else(|| Error::Invalid {
        key: "err-unknown-value",
        args: vec![("field", "kind".into()), ("value", new.kind.clone())],
        field: Some("kind".into()),
    })?;
    let program = new.program.trim().to_string();
    if program.len() != 3 || !program.chars().all(|c| c.is_ascii_digit()) {
        return Err(Error::invalid("err-ob-program", "program"));
    }
    check_publication(kind, new.year, (&new.title_ru, &new.title_kk), p.today)
        .map_err(publish_error)?;
    let mut new = new;
    if kind == DocKind::Passport {
        summary_from_passport(db, &org, &program, &mut new).await?;
    }
    for (field, value) in [
        ("summary_ru", &new.summary_ru),
        ("summary_kk", &new.summary_kk),
        ("head", &new.head),
    ] {
        if value.trim().is_empty() {
            return Err(Error::invalid("err-required", field));
        }
    }
    let calendar = db.working_calendar().await?;
    let ends_on = discussion_end(&calendar, p.today, new.ends_on).map_err(publish_error)?;
    let (figures, investment) = program_figures(db, p, new.org_id, &program, new.year).await?;
    if kind == DocKind::Report && investment && new.materials.is_empty() {
        return Err(Error::invalid("err-ob-materials-required", "materials"));
    }
    if new
        .materials
        .iter()
        .any(|(_, c)| c.is_empty() || c.len() > MAX_FILE_BYTES)
    {
        return Err(Error::invalid("err-ob-file", "materials"));
    }
    if figures.is_empty() {
        return Err(Error::Invalid {
            key: "err-ob-no-planning-data",
            args: vec![("program", program), ("year", new.year.to_string())],
            field: Some("program".into()),
        });
    }
    let budget = jospar_org::repo::budgets(db)
        .await?
        .into_iter()
        .find(|b| b.id == org.budget_id);
    let budget_kind = match budget.map(|b| b.level) {
        Some(BudgetLevel::Republican) => "republican",
        _ => "local",
    };
    let doc = NewDocument {
        kind,
        org_id: new.org_id,
        abp,
        program,
        year: new.year,
        title_ru: new.title_ru.trim().to_string(),
        title_kk: new.title_kk.trim().to_string(),
        summary_ru: new.summary_ru.trim().to_string(),
        summary_kk: new.summary_kk.trim().to_string(),
        head: new.head.trim().to_string(),
        budget_kind: budget_kind.to_string(),
        figures,
        published_on: p.today,
        ends_on,
    };
    repo::publish(db, &p.who(), doc, &new.materials)
        .await
        .map_err(repo_error)
}

/// A passport published without its summary takes it from the administrator's budget program
/// passport of that year (issue 22): its purpose and its indicators with their plan for the
/// year, in each language's words.
async fn summary_from_passport(
    db: &Db,
    org: &jospar_org::Org,
    program: &str,
    new: &mut Publication,
) -> Result<()> {
    let abp = org.abp_code.clone().unwrap_or_default();
    let Some((first_year, purpose, indicators)) =
        jospar_budget::programs::for_year(db, org.budget_id, &abp, program, new.year).await?
    else {
        return Ok(());
    };
    let at = usize::try_from(new.year - first_year).unwrap_or(0).min(2);
    use jospar_i18n::{Lang, Tr};
    for (lang, summary) in [
        (Lang::Ru, &mut new.summary_ru),
        (Lang::Kk, &mut new.summary_kk),
    ] {
        if !summary.trim().is_empty() {
            continue;
        }
        let tr = Tr(lang);
        let mut text = tr.args("ob-summary-purpose", &[("purpose", purpose.clone())]);
        for i in &indicators {
            text.push('\n');
            text.push_str(&tr.args(
                "ob-summary-indicator",
                &[
                    ("kind", tr.t(&format!("programs-kind-{}", i.kind.code()))),
                    ("name", i.name.clone()),
                    ("plan", jospar_budget::programs::quantity(i.plan[at])),
                    ("unit", i.unit.clone()),
                    ("year", new.year.to_string()),
                ],
            ));
        }
        *summary = text;
    }
    Ok(())
}

/// The program's amounts by subprogram and year in the approved budget requests of the
/// administrator's subtree, from the campaign whose years hold `year` (the latest one), and
/// whether any of them is a budget investment.
async fn program_figures(
    db: &Db,
    p: &Principal,
    org: i64,
    program: &str,
    year: i32,
) -> Result<(Vec<FigureRow>, bool)> {
    // The newest campaign whose requests hold the program for the year: a newer campaign
    // just opened has no requests yet.
    let mut campaigns: Vec<_> = jospar_limits::repo::campaigns(db)
        .await?
        .into_iter()
        .filter(|c| jospar_planning::request_years(c.first_year).contains(&year))
        .collect();
    campaigns.sort_by_key(|c| std::cmp::Reverse(c.first_year));
    for campaign in campaigns {
        let years = jospar_planning::request_years(campaign.first_year);
        let lines =
            jospar_planning::usecases::campaign_lines(db, &p.tree, campaign.id, org, true, &|_| {
                true
            })
            .await?;
        let mut by_subprogram: BTreeMap<String, BTreeMap<i32, Tenge>> = BTreeMap::new();
        let mut investment = false;
        for (_, line) in lines.iter().filter(|(_, l)| l.program == program) {
            investment |= line.limit_kind == jospar_limits::LimitKind::Investment;
            let row = by_subprogram.entry(line.subprogram.clone()).or_default();
            for y in years.iter().filter(|y| **y >= year) {
                *row.entry(*y).or_default() += line.amounts.get(y).copied().unwrap_or_default();
            }
        }
        if !by_subprogram.is_empty() {
            let figures = by_subprogram
                .into_iter()
                .map(|(subprogram, years)| FigureRow { subprogram, years })
                .collect();
            return Ok((figures, investment));
        }
    }
    Ok((Vec::new(), false))
}

/// A published document anyone may read.
pub async fn document(db: &Db, id: i64) -> Result<Document> {
    repo::document(db, id)
        .await
        .map_err(repo_error)?
        .ok_or(Error::NotFound)
}

/// The program of a document and its subprograms as a reader sees them: codes with their
/// names from the classification of the document's year (issue 21).
pub struct FigureLabels {
    pub program: String,
    /// One per figure, in the document's order.
    pub subprograms: Vec<String>,
}

pub async fn figure_labels(db: &Db, tr: &Tr, doc: &Document) -> Result<FigureLabels> {
    use jospar_classification::{CodeKind, repo as ebk};
    let programs = ebk::code_names(db, doc.year, CodeKind::Program).await?;
    let subprograms = ebk::code_names(db, doc.year, CodeKind::Subprogram).await?;
    let key = format!("{}{}", doc.abp, doc.program);
    let named = |code: String, name: String| format!("{code} {name}").trim().to_string();
    Ok(FigureLabels {
        program: named(
            format!("{} {}", doc.abp, doc.program),
            programs.name(&key, tr.lang()),
        ),
        subprograms: doc
            .figures
            .iter()
            .map(|f| {
                if f.subprogram.is_empty() {
                    tr.t("field-program")
                } else {
                    named(
                        f.subprogram.clone(),
                        subprograms.subprogram_name(&key, &f.subprogram, tr.lang()),
                    )
                }
            })
            .collect(),
    })
}

/// The program's amounts by subprogram and year, in thousands of tenge (issue 21).
pub fn figures_chart(tr: &Tr, doc: &Document, labels: &FigureLabels) -> jospar_charts::Chart {
    let mut years: Vec<i32> = doc
        .figures
        .iter()
        .flat_map(|f| f.years.keys().copied())
        .collect();
    years.sort_unstable();
    years.dedup();
    jospar_charts::Chart {
        title: tr.args(
            "chart-by-subprogram",
            &[("program", format!("{} {}", doc.abp, doc.program))],
        ),
        kind: jospar_charts::ChartKind::Bar,
        unit: tr.t("chart-unit-thousands"),
        categories: years.iter().map(i32::to_string).collect(),
        series: doc
            .figures
            .iter()
            .zip(&labels.subprograms)
            .map(|(f, label)| jospar_charts::Series {
                name: label.clone(),
                values: years
                    .iter()
                    .map(|y| f.years.get(y).copied().unwrap_or_default().tiyn())
                    .collect(),
            })
            .collect(),
    }
}

/// The proposals the public sees: the published ones.
pub async fn published_proposals(db: &Db, id: i64) -> Result<Vec<Proposal>> {
    Ok(repo::proposals(db, id)
        .await
        .map_err(repo_error)?
        .into_iter()
        .filter(|p| p.status() == ProposalStatus::Published)
        .collect())
}

/// A signed-in person's proposal to a part of a document, checked before the operator sees it.
pub async fn propose(
    db: &Db,
    who: &Citizen,
    id: i64,
    part: &str,
    text: &str,
    today: NaiveDate,
) -> Result<Proposal> {
    let doc = document(db, id).await?;
    if !PARTS.contains(&part) {
        return Err(Error::Invalid {
            key: "err-unknown-value",
            args: vec![("field", "part".into()), ("value", part.into())],
            field: Some("part".into()),
        });
    }
    let text = check_proposal(text, banned_words()).map_err(content_error)?;
    repo::propose(db, &doc, &who.iin, &who.name, part, text, today)
        .await
        .map_err(repo_error)
}

/// A signed-in person's vote on a document or on one of its published proposals.
pub async fn vote(
    db: &Db,
    who: &Citizen,
    id: i64,
    proposal: Option<i64>,
    in_favour: bool,
    now: DateTime<Utc>,
) -> Result<()> {
    let doc = document(db, id).await?;
    repo::vote(db, &doc, proposal, &who.iin, in_favour, now)
        .await
        .map_err(repo_error)
}

/// The operator publishes or refuses a proposal (OB-4).
pub async fn moderate(
    db: &Db,
    p: &Principal,
    id: i64,
    publish: bool,
    reason: &str,
) -> Result<Proposal> {
    p.require_system(Right::Configure)?;
    repo::moderate(db, &p.who(), id, publish, reason, p.today)
        .await
        .map_err(repo_error)
}

/// The proposals waiting for the operator, with the day each is due and whether it is late.
/// Whether the caller moderates citizens' proposals: the system's configurers.
pub fn may_moderate(p: &Principal) -> bool {
    p.can_system(Right::Configure)
}

pub async fn pending(db: &Db, p: &Principal) -> Result<Vec<(Proposal, NaiveDate, bool)>> {
    p.require_system(Right::Configure)?;
    let calendar = db.working_calendar().await?;
    Ok(repo::pending_proposals(db)
        .await
        .map_err(repo_error)?
        .into_iter()
        .map(|prop| {
            let due = crate::moderation_due(&calendar, prop.submitted_on);
            let late = prop.moderation_overdue(&calendar, p.today);
            (prop, due, late)
        })
        .collect())
}

/// The administrator accepts or rejects a published proposal with the reason (OB-4).
pub async fn answer(
    db: &Db,
    p: &Principal,
    proposal_id: i64,
    accepted: bool,
    text: &str,
) -> Result<Proposal> {
    let proposal = repo::proposal(db, proposal_id)
        .await
        .map_err(repo_error)?
        .ok_or(Error::NotFound)?;
    let doc = document(db, proposal.document_id).await?;
    p.require(Right::Approve, doc.org_id)?;
    repo::answer(db, &p.who(), &doc, proposal_id, accepted, text, p.today)
        .await
        .map_err(repo_error)
}

/// The documents of the administrators the user may publish for.
pub async fn managed(db: &Db, p: &Principal) -> Result<Vec<Document>> {
    Ok(repo::documents(db)
        .await
        .map_err(repo_error)?
        .into_iter()
        .filter(|d| p.can(Right::Approve, d.org_id))
        .collect())
}

/// The documents of the organisations the caller reads, for the choices of a report.
pub async fn readable_documents(db: &Db, p: &Principal) -> Result<Vec<Document>> {
    Ok(repo::documents(db)
        .await
        .map_err(repo_error)?
        .into_iter()
        .filter(|d| p.can(Right::Read, d.org_id))
        .collect())
}

/// The administrators for whom the caller may publish passports and reports.
pub async fn publishing_administrators(db: &Db, p: &Principal) -> Result<Vec<jospar_org::Org>> {
    Ok(jospar_org::repo::all_orgs(db)
        .await?
        .into_iter()
        .filter(|o| o.kind == OrgKind::Administrator && p.can(Right::Approve, o.id))
        .collect())
}

/// Makes the final report of every discussion that has ended without one (OB-5): run by the
/// server every hour, so the report is there for the administrator the day after the end.
/// Gives how many were made.
pub async fn make_final_reports(db: &Db, today: NaiveDate) -> Result<usize> {
    let tr = Tr(jospar_i18n::Lang::Ru);
    let mut made = 0;
    for doc in repo::documents(db).await.map_err(repo_error)? {
        if doc.final_report.is_none() && today > doc.ends_on {
            final_report(db, &tr, &doc, today).await?;
            made += 1;
        }
    }
    Ok(made)
}

/// The final report of a document whose discussion has ended: made once from the document,
/// its published proposals and the votes, then kept (and so sent to the administrator, whose
/// page lists it). None while the discussion lasts.
pub async fn final_report(
    db: &Db,
    tr: &Tr,
    doc: &Document,
    today: NaiveDate,
) -> Result<Option<FinalReport>> {
    if let Some(report) = &doc.final_report {
        return Ok(Some(report.clone()));
    }
    if today <= doc.ends_on {
        return Ok(None);
    }
    let proposals = repo::proposals(db, doc.id).await.map_err(repo_error)?;
    let tallies = repo::tallies(db, doc.id).await.map_err(repo_error)?;
    let administrator = format!(
        "{} {}",
        doc.abp,
        jospar_org::usecases::org_name(db, tr.0, doc.org_id).await?
    );
    let (document_for, document_against) = tallies.get(&0).copied().unwrap_or_default();
    let rows = proposals
        .iter()
        .filter(|p| p.status() == ProposalStatus::Published)
        .map(|p| {
            let (votes_for, votes_against) = tallies.get(&p.id).copied().unwrap_or_default();
            FinalRow {
                published_on: p.moderated_on.unwrap_or(p.submitted_on),
                part: p.part.clone(),
                text: p.text.clone(),
                accepted: p.accepted,
                answer: p.answer.clone(),
                votes_for,
                votes_against,
            }
        })
        .collect();
    let report = FinalReport::new(FinalReport {
        unique_number: doc.unique_number(),
        kind: doc.kind,
        title_ru: doc.title_ru.clone(),
        title_kk: doc.title_kk.clone(),
        published_on: doc.published_on,
        ends_on: doc.ends_on,
        made_on: today,
        document_for,
        document_against,
        proposals: proposals.len() as i64,
        proposals_for: 0,
        proposals_against: 0,
        budget_kind: doc.budget_kind.clone(),
        administrator,
        period: period_of(doc),
        head: doc.head.clone(),
        rows,
    });
    repo::save_final(db, doc, &report, today)
        .await
        .map_err(repo_error)?;
    Ok(Some(report))
}

fn period_of(doc: &Document) -> String {
    let years: Vec<i32> = doc
        .figures
        .iter()
        .flat_map(|f| f.years.keys().copied())
        .collect();
    match (years.iter().min(), years.iter().max()) {
        (Some(a), Some(b)) if a != b => format!("{a}–{b}"),
        _ => doc.year.to_string(),
    }
}

/// The administrator's answer to a proposal as the pages give it: accepted or rejected, and why.
pub fn answer_text(tr: &Tr, p: &Proposal) -> String {
    answer_of(tr, p.accepted, p.answer.as_ref())
}

/// An answer as the final report and the pages give it.
fn answer_of(tr: &Tr, accepted: Option<bool>, answer: Option<&String>) -> String {
    match (accepted, answer) {
        (Some(accepted), Some(text)) => format!(
            "{}: {text}",
            tr.t(if accepted {
                "ob-answer-accepted"
            } else {
                "ob-answer-rejected"
            })
        ),
        _ => tr.t("ob-answer-none"),
    }
}

/// The press release of a publication, in the reader's language.
pub async fn press_release(db: &Db, tr: &Tr, doc: &Document) -> Result<String> {
    Ok(tr.args(
        "ob-press-release",
        &[
            (
                "administrator",
                jospar_org::usecases::org_name(db, tr.0, doc.org_id).await?,
            ),
            ("abp", doc.abp.clone()),
            ("kind", tr.t(&format!("ob-kind-{}", doc.kind.code()))),
            ("title", doc.title(tr.lang()).to_string()),
            ("from", doc.published_on.format("%d.%m.%Y").to_string()),
            ("to", doc.ends_on.format("%d.%m.%Y").to_string()),
        ],
    ))
}

/// OB-5: the final report laid out as appendix 1 or 2 of the rules — the heading fields above
/// the table of published proposals with the answers and their votes.
pub async fn final_report_table(
    db: &Db,
    tr: &Tr,
    reader: &Reader<'_>,
    id: i64,
    today: NaiveDate,
) -> Result<Table> {
    let doc = document(db, id).await?;
    reader.require_read(doc.org_id)?;
    let report = final_report(db, tr, &doc, today)
        .await?
        .ok_or_else(|| Error::Invalid {
            key: "err-ob-still-open",
            args: vec![("date", doc.ends_on.to_string())],
            field: Some("document".into()),
        })?;
    let field = |key: &str, value: String| format!("{}: {value}", tr.t(key));
    let title = if tr.lang() == "kk" {
        &report.title_kk
    } else {
        &report.title_ru
    };
    let subtitle = vec![
        format!("«{title}»"),
        field("ob-final-number", report.unique_number.clone()),
        field("ob-final-published", report.published_on.to_string()),
        field("ob-final-ends", report.ends_on.to_string()),
        field("ob-final-made", report.made_on.to_string()),
        field("ob-final-document-for", report.document_for.to_string()),
        field(
            "ob-final-document-against",
            report.document_against.to_string(),
        ),
        field("ob-final-proposals", report.proposals.to_string()),
        field("ob-final-proposals-for", report.proposals_for.to_string()),
        field(
            "ob-final-proposals-against",
            report.proposals_against.to_string(),
        ),
        field(
            "ob-final-budget-kind",
            tr.t(&format!("ob-budget-{}", report.budget_kind)),
        ),
        field(
            "ob-final-administrator",
            format!(
                "{} {}",
                doc.abp,
                jospar_org::usecases::org_name(db, tr.0, doc.org_id).await?
            ),
        ),
        field("ob-final-period", report.period.clone()),
        field("ob-final-head", report.head.clone()),
    ];
    let rows = report
        .rows
        .iter()
        .enumerate()
        .map(|(n, r)| {
            vec![
                Cell::Text((n + 1).to_string()),
                Cell::Text(r.published_on.to_string()),
                Cell::Text(tr.t(&format!("ob-part-{}", r.part))),
                Cell::Text(r.text.clone()),
                Cell::Text(answer_of(tr, r.accepted, r.answer.as_ref())),
                Cell::Text(r.votes_for.to_string()),
                Cell::Text(r.votes_against.to_string()),
            ]
        })
        .collect();
    Ok(Table {
        title: tr.t(match report.kind {
            DocKind::Passport => "ob-final-title-passport",
            DocKind::Report => "ob-final-title-report",
        }),
        subtitle,
        headers: [
            "ob-col-n",
            "ob-col-published",
            "ob-col-part",
            "ob-col-text",
            "ob-col-answer",
            "ob-col-for",
            "ob-col-against",
        ]
        .iter()
        .map(|k| tr.t(k))
        .collect(),
        numbered: true,
        rows,
        ..Table::default()
    })
}

fn publication_error(e: PublicationError) -> Error {
    match e {
        PublicationError::NoReceipt => Error::invalid("err-ob-received-on", "received_on"),
        PublicationError::Missing(field) => Error::invalid("err-required", field),
        PublicationError::BadFile => Error::invalid("err-ob-file", "file"),
        PublicationError::Published => Error::invalid("err-ob-published-already", "file"),
    }
}

/// Registers a publication of an administrator (OB-1) with its due day.
pub async fn register_publication(
    db: &Db,
    p: &Principal,
    new: NewPublication,
) -> Result<Published> {
    p.require(Right::Approve, new.org_id)?;
    let kind = PublicationKind::from_code(&new.kind).ok_or_else(|| Error::Invalid {
        key: "err-unknown-value",
        args: vec![("field", "kind".into()), ("value", new.kind.clone())],
        field: Some("kind".into()),
    })?;
    for (field, value) in [("title_ru", &new.title_ru), ("title_kk", &new.title_kk)] {
        if value.trim().is_empty() {
            return Err(publication_error(PublicationError::Missing(field)));
        }
    }
    if !(2000..=2100).contains(&new.year) {
        return Err(Error::invalid("err-ob-year", "year"));
    }
    let calendar = db.working_calendar().await?;
    let due =
        pubs::due_day(&calendar, kind, new.year, new.received_on).map_err(publication_error)?;
    Ok(pubs::register(db, &p.who(), kind, &new, due).await?)
}

/// Publishes a registered publication with its file.
pub async fn publish_file(
    db: &Db,
    p: &Principal,
    id: i64,
    file_name: &str,
    content: &[u8],
) -> Result<Published> {
    let old = pubs::publication(db, id).await?.ok_or(Error::NotFound)?;
    p.require(Right::Approve, old.org_id)?;
    if old.published_on.is_some() {
        return Err(publication_error(PublicationError::Published));
    }
    if content.is_empty() || content.len() > MAX_FILE_BYTES {
        return Err(publication_error(PublicationError::BadFile));
    }
    let name = jospar_planning::repo::clean_file_name(file_name);
    Ok(pubs::publish(db, &p.who(), &old, &name, content, p.today).await?)
}

/// The publications an administrator keeps (all of theirs), or what the public sees (the
/// published ones) when there is no one signed in.
pub async fn publications(db: &Db, p: Option<&Principal>) -> Result<Vec<Published>> {
    Ok(pubs::publications(db)
        .await?
        .into_iter()
        .filter(|x| match p {
            Some(p) => p.can(Right::Approve, x.org_id) || x.published_on.is_some(),
            None => x.published_on.is_some(),
        })
        .collect())
}

#[cfg(test)]
mod rights_tests {
    use super::*;
    use jospar_access::Role;
    use jospar_access::testing::{REGION, principal};

    #[test]
    fn citizens_proposals_are_moderated_by_the_systems_configurers_only() {
        assert!(may_moderate(&principal(1, &[(Role::Sysadmin, 1)], REGION)));
        assert!(!may_moderate(&principal(2, &[(Role::Sysadmin, 2)], REGION)));
        assert!(!may_moderate(&principal(1, &[(Role::Planner, 1)], REGION)));
    }
}
