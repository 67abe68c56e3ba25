//! Ad-hoc forms (P-16, seed 004 section 1 item 10, issue 23): an authorized body or an
//! administrator designs a table — columns with their types, formulas and checks (the
//! calculation forms' engine), rows fixed by their labels or free — and sends it to the
//! organisations of a subtree with a deadline. Each organisation fills its copy and submits it;
//! the sender sees them consolidated as they are filled (report `adhoc-form`, XLSX/PDF). Every
//! step is audited and the copies to fill wait on the start page with their deadline. Rules,
//! storage, use cases and the consolidated report of the one document together.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use jospar_access::{Error, Principal, Reader, Result};
use jospar_core::{Tenge, ids::new_id};
use jospar_forms::{Column, ColumnType, Expr, FormDef, RowInput, format_decimal, parse_decimal};
use jospar_i18n::Tr;
use jospar_org::{Org, OrgKind, OrgTree, Right};
use jospar_reports::{Cell, Table};
use jospar_store::{AuditEntry, Db, StoreError, Who, exec_tx, on_db};
use serde::{Deserialize, Serialize};
use serde_json::json;

jospar_access::code_enum!(
    /// A form is drawn up, then sent: its copies are created for the subtree.
    AdhocStatus {
        Draft = "draft",
        Sent = "sent",
    }
);

jospar_access::code_enum!(
    /// Where an organisation's copy stands.
    ResponseStatus {
        /// Not opened yet.
        Pending = "pending",
        /// Saved, still being filled.
        Saved = "saved",
        /// Submitted to the sender.
        Submitted = "submitted",
    }
);

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct AdhocForm {
    pub id: i64,
    /// The body that designed and sends the form.
    pub owner_org_id: i64,
    /// The organisation whose subtree fills it.
    pub root_org_id: i64,
    pub title_ru: String,
    pub title_kk: String,
    pub columns: Vec<Column>,
    /// The labels of fixed rows; empty: free rows, as many as each organisation needs.
    pub row_labels: Vec<String>,
    pub deadline: NaiveDate,
    pub status: AdhocStatus,
    pub version: i64,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
}

impl AdhocForm {
    pub fn title(&self, tr: &Tr) -> String {
        tr.pick(&self.title_ru, Some(&self.title_kk)).to_string()
    }

    /// The calculation-form engine's view of the columns.
    pub fn def(&self) -> FormDef {
        FormDef {
            code: format!("adhoc-{}", self.id),
            name_ru: self.title_ru.clone(),
            name_kk: self.title_kk.clone(),
            specifics: Vec::new(),
            columns: self.columns.clone(),
            amount_column: String::new(),
        }
    }

    pub fn fixed_rows(&self) -> bool {
        !self.row_labels.is_empty()
    }
}

impl jospar_core::listing::Listable for AdhocForm {
    fn search_text(&self) -> String {
        let columns: Vec<&str> = self.columns.iter().map(|c| c.name_ru.as_str()).collect();
        format!(
            "{} {} {} {} {}",
            self.title_ru,
            self.title_kk,
            self.deadline.format("%d.%m.%Y"),
            self.created_by,
            columns.join(" ")
        )
    }

    fn sort_key(&self, column: &str) -> Option<jospar_core::listing::SortKey> {
        use jospar_core::listing::SortKey;
        Some(match column {
            "title" => SortKey::text(&self.title_ru),
            "deadline" => SortKey::Number(i64::from(self.deadline.num_days_from_ce())),
            _ => return None,
        })
    }
}

/// What the designer types.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct NewAdhocForm {
    pub owner_org_id: i64,
    /// The subtree that fills the form; none: the owner's own.
    pub root_org_id: Option<i64>,
    pub title_ru: String,
    pub title_kk: String,
    pub columns: Vec<Column>,
    pub row_labels: Vec<String>,
    /// `YYYY-MM-DD`.
    pub deadline: String,
}

/// One organisation's copy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Response {
    pub form_id: i64,
    pub org_id: i64,
    #[schema(value_type = Vec<std::collections::BTreeMap<String, String>>)]
    pub rows: Vec<RowInput>,
    pub status: ResponseStatus,
    pub version: i64,
    pub updated_by: Option<String>,
    pub updated_at: Option<DateTime<Utc>>,
}

/// A column's checks, the first wrong one refused naming `columns[i].…`.
fn check_column(i: usize, column: &Column, earlier: &[Column]) -> Result<()> {
    let field = |name: &str| format!("columns[{}].{name}", i + 1);
    let refuse = |key: &'static str, name: &str| Error::Invalid {
        key,
        args: vec![("column", (i + 1).to_string())],
        field: Some(field(name)),
    };
    let key_ok = !column.key.is_empty()
        && column.key.starts_with(|c: char| c.is_ascii_lowercase())
        && column
            .key
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !key_ok {
        return Err(refuse("err-adhoc-key", "key"));
    }
    if earlier.iter().any(|c| c.key == column.key) {
        return Err(refuse("err-adhoc-key-twice", "key"));
    }
    for (name, value) in [("name_ru", &column.name_ru), ("name_kk", &column.name_kk)] {
        if value.trim().is_empty() {
            return Err(refuse("err-adhoc-column-name", name));
        }
    }
    if let (Some(min), Some(max)) = (column.min, column.max)
        && min > max
    {
        return Err(refuse("err-adhoc-range", "max"));
    }
    if column.column_type != ColumnType::Computed {
        return Ok(());
    }
    let formula = column.formula.as_deref().unwrap_or("").trim();
    if formula.is_empty() {
        return Err(refuse("err-adhoc-formula-empty", "formula"));
    }
    let expr = Expr::parse(formula).map_err(|e| Error::Invalid {
        key: "err-adhoc-formula",
        args: vec![("column", (i + 1).to_string()), ("message", e.to_string())],
        field: Some(field("formula")),
    })?;
    for name in expr.variables() {
        match earlier.iter().find(|c| c.key == name) {
            Some(c) if c.column_type != ColumnType::Text => {}
            Some(_) => {
                return Err(Error::Invalid {
                    key: "err-adhoc-formula-text",
                    args: vec![("column", (i + 1).to_string()), ("name", name.clone())],
                    field: Some(field("formula")),
                });
            }
            None => {
                return Err(Error::Invalid {
                    key: "err-adhoc-formula-missing",
                    args: vec![("column", (i + 1).to_string()), ("name", name.clone())],
                    field: Some(field("formula")),
                });
            }
        }
    }
    Ok(())
}

/// The design of a new form: titles, columns (a formula refers only to earlier number
/// columns), fixed row labels, and a deadline not in the past.
pub fn check_design(new: &NewAdhocForm, today: NaiveDate) -> Result<NaiveDate> {
    for (value, field) in [(&new.title_ru, "title_ru"), (&new.title_kk, "title_kk")] {
        if value.trim().is_empty() {
            return Err(Error::invalid("err-required", field));
        }
    }
    if new.columns.is_empty() {
        return Err(Error::invalid("err-adhoc-no-columns", "columns"));
    }
    for (i, column) in new.columns.iter().enumerate() {
        check_column(i, column, &new.columns[..i])?;
    }
    if let Some(i) = new.row_labels.iter().position(|l| l.trim().is_empty()) {
        return Err(Error::invalid(
            "err-required",
            &format!("row_labels[{}]", i + 1),
        ));
    }
    let deadline = NaiveDate::parse_from_str(new.deadline.trim(), "%Y-%m-%d")
        .map_err(|_| Error::invalid("err-adhoc-deadline", "deadline"))?;
    if deadline < today {
        return Err(Error::invalid("err-adhoc-deadline", "deadline"));
    }
    Ok(deadline)
}

#[derive(sqlx::FromRow)]
struct FormRow {
    id: i64,
    owner_org_id: i64,
    root_org_id: i64,
    title_ru: String,
    title_kk: String,
    columns_json: String,
    row_labels_json: String,
    deadline: NaiveDate,
    status: String,
    version: i64,
    created_by: String,
    created_at: DateTime<Utc>,
    sent_at: Option<DateTime<Utc>>,
}

impl FormRow {
    fn into_form(self) -> AdhocForm {
        AdhocForm {
            id: self.id,
            owner_org_id: self.owner_org_id,
            root_org_id: self.root_org_id,
            title_ru: self.title_ru,
            title_kk: self.title_kk,
            columns: serde_json::from_str(&self.columns_json).unwrap_or_default(),
            row_labels: serde_json::from_str(&self.row_labels_json).unwrap_or_default(),
            deadline: self.deadline,
            status: AdhocStatus::from_code(&self.status).unwrap_or(AdhocStatus::Draft),
            version: self.version,
            created_by: self.created_by,
            created_at: self.created_at,
            sent_at: self.sent_at,
        }
    }
}

#[derive(sqlx::FromRow)]
struct ResponseRow {
    form_id: i64,
    org_id: i64,
    rows_json: String,
    status: String,
    version: i64,
    updated_by: Option<String>,
    updated_at: Option<DateTime<Utc>>,
}

impl ResponseRow {
    fn into_response(self) -> Response {
        Response {
            form_id: self.form_id,
            org_id: self.org_id,
            rows: serde_json::from_str(&self.rows_json).unwrap_or_default(),
            status: ResponseStatus::from_code(&self.status).unwrap_or(ResponseStatus::Pending),
            version: self.version,
            updated_by: self.updated_by,
            updated_at: self.updated_at,
        }
    }
}

fn sql(e: sqlx::Error) -> Error {
    StoreError::Sql(e).into()
}

fn to_json(value: &impl Serialize) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

async fn stored_forms(db: &Db) -> Result<Vec<AdhocForm>> {
    let rows: Vec<FormRow> = on_db!(db, pool => sqlx::query_as(
        "SELECT id, owner_org_id, root_org_id, title_ru, title_kk, columns_json, row_labels_json, deadline, \
         status, version, created_by, created_at, sent_at FROM adhoc_forms ORDER BY created_at DESC, id DESC")
        .fetch_all(pool).await)
    .map_err(sql)?;
    Ok(rows.into_iter().map(FormRow::into_form).collect())
}

async fn stored_responses(db: &Db, form_id: i64) -> Result<Vec<Response>> {
    let rows: Vec<ResponseRow> = on_db!(db, pool => sqlx::query_as(
        "SELECT form_id, org_id, rows_json, status, version, updated_by, updated_at FROM adhoc_responses \
         WHERE form_id = $1 ORDER BY org_id")
        .bind(form_id).fetch_all(pool).await)
    .map_err(sql)?;
    Ok(rows.into_iter().map(ResponseRow::into_response).collect())
}

/// Whether the reader sees a form: the sender's side, or (once sent) an organisation of the
/// subtree that fills it.
fn reads(reader: &Reader<'_>, tree: &OrgTree, f: &AdhocForm) -> bool {
    reader.can_read(f.owner_org_id)
        || (f.status == AdhocStatus::Sent
            && tree
                .subtree(f.root_org_id)
                .into_iter()
                .any(|org| reader.can_read(org)))
}

/// The forms the reader sees, newest first.
pub async fn forms(db: &Db, reader: &Reader<'_>, tree: &OrgTree) -> Result<Vec<AdhocForm>> {
    Ok(stored_forms(db)
        .await?
        .into_iter()
        .filter(|f| reads(reader, tree, f))
        .collect())
}

pub async fn form(db: &Db, reader: &Reader<'_>, tree: &OrgTree, id: i64) -> Result<AdhocForm> {
    let f = stored_forms(db)
        .await?
        .into_iter()
        .find(|f| f.id == id)
        .ok_or(Error::NotFound)?;
    if !reads(reader, tree, &f) {
        return Err(Error::Forbidden);
    }
    Ok(f)
}

/// The organisations that may send forms: authorized bodies and administrators where the user
/// enters data.
pub async fn senders(db: &Db, p: &Principal) -> Result<Vec<Org>> {
    Ok(jospar_org::repo::all_orgs(db)
        .await?
        .into_iter()
        .filter(|o| matches!(o.kind, OrgKind::AuthorizedBody | OrgKind::Administrator))
        .filter(|o| o.closed_on.is_none() && p.can(Right::Enter, o.id))
        .collect())
}

/// A draft form of a sender; the subtree is the sender's own or one within it.
pub async fn create(db: &Db, p: &Principal, new: NewAdhocForm) -> Result<AdhocForm> {
    if !senders(db, p)
        .await?
        .iter()
        .any(|o| o.id == new.owner_org_id)
    {
        return Err(Error::Forbidden);
    }
    let root = new.root_org_id.unwrap_or(new.owner_org_id);
    if !p.tree.is_within(root, new.owner_org_id) {
        return Err(Error::invalid("err-adhoc-root", "root_org_id"));
    }
    let deadline = check_design(&new, p.today)?;
    let columns: Vec<Column> = new
        .columns
        .iter()
        .map(|c| Column {
            key: c.key.trim().to_string(),
            name_ru: c.name_ru.trim().to_string(),
            name_kk: c.name_kk.trim().to_string(),
            formula: c.formula.as_ref().map(|f| f.trim().to_string()),
            ..c.clone()
        })
        .collect();
    let f = AdhocForm {
        id: new_id(),
        owner_org_id: new.owner_org_id,
        root_org_id: root,
        title_ru: new.title_ru.trim().to_string(),
        title_kk: new.title_kk.trim().to_string(),
        columns,
        row_labels: new
            .row_labels
            .iter()
            .map(|l| l.trim().to_string())
            .collect(),
        deadline,
        status: AdhocStatus::Draft,
        version: 1,
        created_by: p.user.login.clone(),
        created_at: Utc::now(),
        sent_at: None,
    };
    let who = p.who();
    let mut tx = db.begin().await?;
    exec_tx!(&mut tx, conn => sqlx::query(
        "INSERT INTO adhoc_forms (id, owner_org_id, root_org_id, title_ru, title_kk, columns_json, row_labels_json, \
         deadline, status, version, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'draft', 1, $9, $10)")
        .bind(f.id).bind(f.owner_org_id).bind(f.root_org_id).bind(&f.title_ru).bind(&f.title_kk)
        .bind(to_json(&f.columns)).bind(to_json(&f.row_labels)).bind(f.deadline).bind(&f.created_by)
        .bind(f.created_at)
        .execute(conn).await)
    .map_err(sql)?;
    tx.audit(form_entry(&who, &f, "create", None)).await?;
    tx.commit().await?;
    Ok(f)
}

fn form_entry<'a>(
    who: &'a Who,
    f: &AdhocForm,
    action: &'a str,
    old: Option<serde_json::Value>,
) -> AuditEntry<'a> {
    AuditEntry {
        who,
        org_id: Some(f.owner_org_id),
        entity: "adhoc_form",
        entity_id: f.id.to_string(),
        action,
        old_value: old,
        new_value: Some(json!(f)),
        reason: None,
    }
}

/// Whether the user may send a form: a draft, by who enters the sender's data.
pub fn may_send(p: &Principal, f: &AdhocForm) -> bool {
    f.status == AdhocStatus::Draft && p.can(Right::Enter, f.owner_org_id)
}

/// Whether the user may fill an organisation's copy: who enters that organisation's data.
pub fn may_fill(p: &Principal, org: i64) -> bool {
    p.can(Right::Enter, org)
}

/// The organisations that fill a form: its subtree, the sender itself left out.
fn recipients(tree: &OrgTree, orgs: &[Org], f: &AdhocForm) -> Vec<i64> {
    tree.subtree(f.root_org_id)
        .into_iter()
        .filter(|id| *id != f.owner_org_id)
        .filter(|id| orgs.iter().any(|o| o.id == *id && o.closed_on.is_none()))
        .collect()
}

/// Sends a draft: a copy for every organisation of the subtree, in one transaction.
pub async fn send(db: &Db, p: &Principal, id: i64, version: i64) -> Result<AdhocForm> {
    let reader = Reader::User(p);
    let current = form(db, &reader, &p.tree, id).await?;
    p.require(Right::Enter, current.owner_org_id)?;
    if !may_send(p, &current) {
        return Err(Error::invalid("err-adhoc-status", "status"));
    }
    let orgs = jospar_org::repo::all_orgs(db).await?;
    let to = recipients(&p.tree, &orgs, &current);
    if to.is_empty() {
        return Err(Error::invalid("err-adhoc-no-recipients", "root_org_id"));
    }
    let now = Utc::now();
    let rows: Vec<RowInput> = current.row_labels.iter().map(|_| RowInput::new()).collect();
    let who = p.who();
    let mut tx = db.begin().await?;
    let changed = exec_tx!(&mut tx, conn => sqlx::query(
        "UPDATE adhoc_forms SET status = 'sent', sent_at = $1, version = version + 1 \
         WHERE id = $2 AND version = $3 AND status = 'draft'")
        .bind(now).bind(id).bind(version).execute(conn).await)
    .map_err(sql)?;
    if changed == 0 {
        return Err(Error::Stale);
    }
    for org in &to {
        exec_tx!(&mut tx, conn => sqlx::query(
            "INSERT INTO adhoc_responses (form_id, org_id, rows_json, status, version) VALUES ($1, $2, $3, 'pending', 1)")
            .bind(id).bind(*org).bind(to_json(&rows)).execute(conn).await)
        .map_err(sql)?;
    }
    let sent = AdhocForm {
        status: AdhocStatus::Sent,
        sent_at: Some(now),
        version: version + 1,
        ..current
    };
    let mut entry = form_entry(&who, &sent, "send", Some(json!({"status": "draft"})));
    entry.reason = Some(format!("{} organisations", to.len()));
    tx.audit(entry).await?;
    tx.commit().await?;
    Ok(sent)
}

/// The copies of a sent form the reader sees: the sender sees all, an organisation its own and
/// those below it.
pub async fn responses(
    db: &Db,
    reader: &Reader<'_>,
    tree: &OrgTree,
    id: i64,
) -> Result<(AdhocForm, Vec<Response>)> {
    let f = form(db, reader, tree, id).await?;
    let sender = reader.can_read(f.owner_org_id);
    let all = stored_responses(db, id).await?;
    let seen = all
        .into_iter()
        .filter(|r| sender || reader.can_read(r.org_id))
        .collect();
    Ok((f, seen))
}

pub async fn response(
    db: &Db,
    reader: &Reader<'_>,
    tree: &OrgTree,
    id: i64,
    org: i64,
) -> Result<(AdhocForm, Response)> {
    let (f, seen) = responses(db, reader, tree, id).await?;
    let r = seen
        .into_iter()
        .find(|r| r.org_id == org)
        .ok_or(Error::NotFound)?;
    Ok((f, r))
}

/// Saves an organisation's rows, all or none: each cell checked by its column (a refusal
/// names the row and column); fixed forms keep their number of rows; `submit` hands the copy
/// to the sender (it can still be corrected and submitted again until the sender reads it).
pub async fn save(
    db: &Db,
    p: &Principal,
    id: i64,
    org: i64,
    version: i64,
    rows: Vec<RowInput>,
    submit: bool,
) -> Result<Response> {
    let reader = Reader::User(p);
    let (f, current) = response(db, &reader, &p.tree, id, org).await?;
    p.require(Right::Enter, org)?;
    let rows: Vec<RowInput> = if f.fixed_rows() {
        if rows.len() != f.row_labels.len() {
            return Err(Error::invalid("err-adhoc-row-count", "rows"));
        }
        rows
    } else {
        rows.into_iter()
            .filter(|r| r.values().any(|v| !v.trim().is_empty()))
            .collect()
    };
    f.def()
        .evaluate(&rows)
        .map_err(jospar_planning::usecases::form_error)?;
    let status = if submit {
        ResponseStatus::Submitted
    } else {
        ResponseStatus::Saved
    };
    let now = Utc::now();
    let who = p.who();
    let mut tx = db.begin().await?;
    let changed = exec_tx!(&mut tx, conn => sqlx::query(
        "UPDATE adhoc_responses SET rows_json = $1, status = $2, version = version + 1, updated_by = $3, updated_at = $4 \
         WHERE form_id = $5 AND org_id = $6 AND version = $7")
        .bind(to_json(&rows)).bind(status.code()).bind(&who.login).bind(now).bind(id).bind(org).bind(version)
        .execute(conn).await)
    .map_err(sql)?;
    if changed == 0 {
        return Err(Error::Stale);
    }
    let saved = Response {
        rows,
        status,
        version: version + 1,
        updated_by: Some(who.login.clone()),
        updated_at: Some(now),
        ..current.clone()
    };
    tx.audit(AuditEntry {
        who: &who,
        org_id: Some(org),
        entity: "adhoc_response",
        entity_id: format!("{id}/{org}"),
        action: if submit { "submit" } else { "update" },
        old_value: Some(json!({"rows": current.rows, "status": current.status})),
        new_value: Some(json!({"rows": saved.rows, "status": saved.status})),
        reason: None,
    })
    .await?;
    tx.commit().await?;
    Ok(saved)
}

/// The copies the user still has to fill: those of the user's own organisation and of the
/// organisations the user holds a role on (not every copy of the subtree a body may enter).
pub async fn to_fill(db: &Db, p: &Principal) -> Result<Vec<(AdhocForm, Response)>> {
    let own = |org: i64| p.user.org_id == org || p.grants.iter().any(|g| g.org_id == org);
    let mut due = Vec::new();
    for f in stored_forms(db).await? {
        if f.status != AdhocStatus::Sent {
            continue;
        }
        for r in stored_responses(db, f.id).await? {
            if r.status != ResponseStatus::Submitted
                && own(r.org_id)
                && p.can(Right::Enter, r.org_id)
            {
                due.push((f.clone(), r));
            }
        }
    }
    Ok(due)
}

/// A cell as the consolidated table prints it: money as tenge, numbers as typed, text.
fn cell(column: &Column, value: &str) -> Cell {
    match column.column_type {
        ColumnType::Money => Cell::Money(jospar_forms::to_tenge(
            parse_decimal(value).unwrap_or_default(),
        )),
        _ => Cell::Text(value.to_string()),
    }
}

/// Sums of the number, money and computed columns over rows.
fn sums(columns: &[Column], rows: &[std::collections::BTreeMap<String, String>]) -> Vec<Cell> {
    columns
        .iter()
        .map(|c| match c.column_type {
            ColumnType::Text => Cell::Text(String::new()),
            ColumnType::Money => Cell::Money(
                rows.iter()
                    .map(|r| {
                        jospar_forms::to_tenge(
                            parse_decimal(r.get(&c.key).map_or("", String::as_str))
                                .unwrap_or_default(),
                        )
                    })
                    .sum::<Tenge>(),
            ),
            ColumnType::Number | ColumnType::Computed => Cell::Text(format_decimal(
                rows.iter()
                    .map(|r| {
                        parse_decimal(r.get(&c.key).map_or("", String::as_str)).unwrap_or_default()
                    })
                    .sum(),
            )),
        })
        .collect()
}

/// The consolidated form as its sender reads it, live: how many copies are filled, each
/// filled copy's organisation (with its state) and rows, the organisation's sums in bold, the
/// total of all; a fixed form also sums each row over the organisations first.
pub async fn consolidated(
    db: &Db,
    tr: &Tr,
    reader: &Reader<'_>,
    tree: &OrgTree,
    id: i64,
) -> Result<Table> {
    let (f, seen) = responses(db, reader, tree, id).await?;
    let def = f.def();
    let orgs = jospar_org::repo::all_orgs(db).await?;
    let name_of = |org: i64| {
        orgs.iter()
            .find(|o| o.id == org)
            .map(|o| o.name(tr.lang()).to_string())
            .unwrap_or_default()
    };
    let mut table = Table {
        title: f.title(tr),
        subtitle: vec![
            name_of(f.owner_org_id),
            tr.args(
                "adhoc-deadline-line",
                &[("date", f.deadline.format("%d.%m.%Y").to_string())],
            ),
        ],
        headers: std::iter::once(tr.t("adhoc-col-org-row"))
            .chain(
                f.columns
                    .iter()
                    .map(|c| tr.pick(&c.name_ru, Some(&c.name_kk)).to_string()),
            )
            .collect(),
        numbered: true,
        ..Table::default()
    };
    let mut everything = Vec::new();
    let mut by_label: Vec<Vec<std::collections::BTreeMap<String, String>>> =
        vec![Vec::new(); f.row_labels.len()];
    let mut blocks = Vec::new();
    // A copy not opened yet is counted, not listed: at region scale most are, while it is young.
    let pending = seen
        .iter()
        .filter(|r| r.status == ResponseStatus::Pending)
        .count();
    table.subtitle.push(tr.args(
        "adhoc-filled-line",
        &[
            ("filled", (seen.len() - pending).to_string()),
            ("all", seen.len().to_string()),
        ],
    ));
    for r in seen.iter().filter(|r| r.status != ResponseStatus::Pending) {
        let values: Vec<_> = def
            .evaluate(&r.rows)
            .map_err(jospar_planning::usecases::form_error)?
            .into_iter()
            .map(|v| v.values)
            .collect();
        for (i, v) in values.iter().enumerate() {
            if let Some(slot) = by_label.get_mut(i) {
                slot.push(v.clone());
            }
        }
        everything.extend(values.iter().cloned());
        blocks.push((r, values));
    }
    if f.fixed_rows() {
        for (label, rows) in f.row_labels.iter().zip(&by_label) {
            table.levels.push(0);
            let mut cells = vec![Cell::Text(label.clone())];
            cells.extend(sums(&f.columns, rows));
            table.rows.push(cells);
        }
    }
    for (r, values) in blocks {
        table.strong_rows.push(table.rows.len());
        table.levels.push(0);
        let state = tr.t(&format!("adhoc-response-{}", r.status.code()));
        let mut cells = vec![Cell::Text(format!("{} ({state})", name_of(r.org_id)))];
        cells.extend(sums(&f.columns, &values));
        table.rows.push(cells);
        for (i, v) in values.iter().enumerate() {
            table.levels.push(1);
            let label = f.row_labels.get(i).cloned().unwrap_or_default();
            let mut cells = vec![Cell::Text(label)];
            cells.extend(
                f.columns
                    .iter()
                    .map(|c| cell(c, v.get(&c.key).map_or("", String::as_str))),
            );
            table.rows.push(cells);
        }
    }
    let mut total = vec![Cell::Text(tr.t("total"))];
    total.extend(sums(&f.columns, &everything));
    table.total = Some(total);
    Ok(table)
}

/// The report catalogue's entry: the consolidated form.
pub static REPORTS: &[jospar_reports::catalogue::ReportDef] = &[
    jospar_reports::catalogue::ReportDef {
        name: "adhoc-form",
        about: "An ad-hoc form consolidated over the organisations that fill it, as filled so far (P-16)",
        params: &[jospar_reports::catalogue::ParamDef {
            name: "adhoc",
            required: true,
            about: "ad-hoc form id",
        }],
        spec_numbers: &[],
        build: jospar_reports::report_fn!(|c| consolidated(
            c.db,
            c.tr,
            c.reader,
            c.tree,
            c.params.required("adhoc")?
        )
        .await),
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    fn column(key: &str, kind: ColumnType, formula: Option<&str>) -> Column {
        Column {
            key: key.into(),
            name_ru: key.into(),
            name_kk: key.into(),
            column_type: kind,
            formula: formula.map(str::to_string),
            required: false,
            min: None,
            max: None,
            indexed: false,
            price_check: None,
        }
    }

    fn design(columns: Vec<Column>) -> NewAdhocForm {
        NewAdhocForm {
            owner_org_id: 1,
            root_org_id: None,
            title_ru: "Сведения о паводках".into(),
            title_kk: "Су тасқыны туралы мәліметтер".into(),
            columns,
            row_labels: vec![],
            deadline: "2026-12-20".into(),
        }
    }

    fn refused(new: &NewAdhocForm) -> (String, String) {
        match check_design(new, NaiveDate::from_ymd_opt(2026, 12, 7).expect("date")) {
            Err(Error::Invalid { key, field, .. }) => (key.to_string(), field.unwrap_or_default()),
            other => panic!("{other:?}"),
        }
    }

    /// Sending is the sender's side's, once; filling an organisation's copy is for who enters
    /// that organisation's data, not for a reader above it.
    #[test]
    fn the_sender_sends_and_each_organisation_fills_its_own() {
        use jospar_access::Role;
        use jospar_access::testing::{REGION, principal};
        let body = principal(1, &[(Role::Planner, 1)], REGION);
        let school = principal(3, &[(Role::Economist, 3)], REGION);
        let auditor = principal(1, &[(Role::Auditor, 1)], REGION);
        let mut f = AdhocForm {
            id: 1,
            owner_org_id: 1,
            root_org_id: 2,
            title_ru: String::new(),
            title_kk: String::new(),
            columns: Vec::new(),
            row_labels: Vec::new(),
            deadline: NaiveDate::from_ymd_opt(2026, 12, 20).expect("date"),
            status: AdhocStatus::Draft,
            version: 1,
            created_by: String::new(),
            created_at: Utc::now(),
            sent_at: None,
        };
        assert!(may_send(&body, &f) && !may_send(&school, &f) && !may_send(&auditor, &f));
        f.status = AdhocStatus::Sent;
        assert!(!may_send(&body, &f), "sent once");
        assert!(may_fill(&school, 3) && !may_fill(&school, 2));
        assert!(!may_fill(&auditor, 3));
    }

    /// P-16: a formula that names a missing column is refused, naming the column's formula.
    #[test]
    fn a_formula_over_a_missing_column_is_refused_by_name() {
        let good = design(vec![
            column("name", ColumnType::Text, None),
            column("people", ColumnType::Number, None),
            column("cost", ColumnType::Money, None),
            column("total", ColumnType::Computed, Some("people * cost")),
        ]);
        assert!(check_design(&good, NaiveDate::from_ymd_opt(2026, 12, 7).expect("d")).is_ok());
        let missing = design(vec![
            column("people", ColumnType::Number, None),
            column("total", ColumnType::Computed, Some("people * price")),
        ]);
        assert_eq!(
            refused(&missing),
            (
                "err-adhoc-formula-missing".into(),
                "columns[2].formula".into()
            )
        );
        let over_text = design(vec![
            column("name", ColumnType::Text, None),
            column("total", ColumnType::Computed, Some("name * 2")),
        ]);
        assert_eq!(refused(&over_text).0, "err-adhoc-formula-text");
        let twice = design(vec![
            column("people", ColumnType::Number, None),
            column("people", ColumnType::Number, None),
        ]);
        assert_eq!(
            refused(&twice),
            ("err-adhoc-key-twice".into(), "columns[2].key".into())
        );
        let late = NewAdhocForm {
            deadline: "2026-12-01".into(),
            ..good.clone()
        };
        assert_eq!(refused(&late).1, "deadline");
        let blank_row = NewAdhocForm {
            row_labels: vec!["Школы".into(), " ".into()],
            ..good
        };
        assert_eq!(refused(&blank_row).1, "row_labels[2]");
    }
}
