//! The one notification service (issue 20). A module that changes something another person must
//! act on (a request sent for review, returned, approved) calls [`send_in`] in the transaction of
//! the change: the notice reaches the users who hold the named right at the organisation — or,
//! when nobody there does, at the nearest organisation above it — and commits or rolls back with
//! the change. Its text is kept in both languages as it was said, so the list reads the same
//! tomorrow whatever was renamed since. The header shows the unread count; the list pages and
//! marks notices read. E-mail goes out after the commit ([`mail`]), from the rows not yet mailed.

pub mod mail;

use chrono::{DateTime, Utc};
use jospar_access::{Right, Role};
use jospar_store::{Db, StoreError, Tx, exec_db, exec_tx, on_db, on_tx};
use serde::Serialize;

/// What happened, in both languages, and the page where the reader acts on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// A short code of what happened (`request-sent`, `request-returned`, …), for filters.
    pub kind: &'static str,
    pub text_ru: String,
    pub text_kk: String,
    /// A path of this system, e.g. `/requests/42`.
    pub link: String,
}

/// A notice as its reader sees it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Notification {
    pub id: i64,
    pub kind: String,
    /// The text in the reader's language.
    pub text: String,
    pub link: String,
    pub created_at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
}

/// Who is told: the users holding `right` at `org_id`, else at the nearest organisation above.
#[derive(Debug, Clone, Copy)]
pub struct Holders {
    pub org_id: i64,
    pub right: Right,
}

/// Writes `notice` for every holder, in the change's transaction. Returns how many were told.
pub async fn send_in(tx: &mut Tx, to: Holders, notice: &Notice) -> Result<usize, StoreError> {
    let users = holders(tx, to).await?;
    let now = Utc::now();
    for user_id in &users {
        exec_tx!(&mut *tx, conn => sqlx::query(
            "INSERT INTO notifications (id, user_id, kind, text_ru, text_kk, link, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)")
            .bind(jospar_core::ids::new_id()).bind(user_id).bind(notice.kind)
            .bind(&notice.text_ru).bind(&notice.text_kk).bind(&notice.link).bind(now)
            .execute(conn).await)?;
    }
    Ok(users.len())
}

/// Marks read, in the transaction of a change, the notices of `kind` about `link` that the
/// change has settled: once a request has moved on, "awaits your review" is no longer news to
/// any of its reviewers.
pub async fn settle_in(tx: &mut Tx, kind: &str, link: &str) -> Result<u64, StoreError> {
    Ok(exec_tx!(&mut *tx, conn => sqlx::query(
        "UPDATE notifications SET read_at = $1 WHERE link = $2 AND kind = $3 AND read_at IS NULL")
        .bind(Utc::now()).bind(link).bind(kind).execute(conn).await)?)
}

/// The users who hold the right at the organisation, walking up while nobody there does: a
/// school's return goes to the school's economists, not to every planner of the region, and a
/// request reaching an administrator without its own reviewer goes to the one above.
async fn holders(tx: &mut Tx, to: Holders) -> Result<Vec<i64>, StoreError> {
    let today = Utc::now().date_naive();
    let mut org = Some(to.org_id);
    // The tree is shallow (republic → region → district → administrator → institution);
    // the bound only guards against a cycle in broken data.
    for _ in 0..32 {
        let Some(org_id) = org else { break };
        let grants: Vec<(i64, String, chrono::NaiveDate)> = on_tx!(&mut *tx, conn => sqlx::query_as(
            "SELECT g.user_id, g.role, g.valid_until FROM role_grants g JOIN users u ON u.id = g.user_id \
             WHERE g.org_id = $1 AND u.blocked = FALSE ORDER BY g.user_id")
            .bind(org_id).fetch_all(conn).await)?;
        let mut users: Vec<i64> = grants
            .into_iter()
            .filter(|(_, role, until)| {
                *until >= today
                    && Role::from_code(role).is_some_and(|r| r.rights().contains(&to.right))
            })
            .map(|(user, ..)| user)
            .collect();
        users.dedup();
        if !users.is_empty() {
            return Ok(users);
        }
        org = on_tx!(&mut *tx, conn => sqlx::query_scalar::<_, Option<i64>>(
            "SELECT parent_id FROM orgs WHERE id = $1")
            .bind(org_id).fetch_optional(conn).await)?
        .flatten();
    }
    Ok(Vec::new())
}

/// How many notices the user has not read (the header's counter).
pub async fn unread(db: &Db, user_id: i64) -> Result<i64, StoreError> {
    Ok(on_db!(db, pool => sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND read_at IS NULL")
        .bind(user_id).fetch_one(pool).await)?)
}

/// A page of the user's notices, newest first, with the total; only unread ones when asked.
pub async fn page(
    db: &Db,
    user_id: i64,
    lang: &str,
    unread_only: bool,
    offset: usize,
    limit: usize,
) -> Result<(Vec<Notification>, usize), StoreError> {
    // Only unread ones when the flag is 1.
    let only = i64::from(unread_only);
    let total: i64 = on_db!(db, pool => sqlx::query_scalar(
        "SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND ($2 = 0 OR read_at IS NULL)")
        .bind(user_id).bind(only).fetch_one(pool).await)?;
    type Row = (
        i64,
        String,
        String,
        String,
        String,
        DateTime<Utc>,
        Option<DateTime<Utc>>,
    );
    let rows: Vec<Row> = on_db!(db, pool => sqlx::query_as(
        "SELECT id, kind, text_ru, text_kk, link, created_at, read_at FROM notifications \
         WHERE user_id = $1 AND ($2 = 0 OR read_at IS NULL) \
         ORDER BY created_at DESC, id DESC LIMIT $3 OFFSET $4")
        .bind(user_id).bind(only).bind(limit as i64).bind(offset as i64).fetch_all(pool).await)?;
    let notices = rows
        .into_iter()
        .map(
            |(id, kind, text_ru, text_kk, link, created_at, read_at)| Notification {
                id,
                kind,
                text: if lang == "kk" { text_kk } else { text_ru },
                link,
                created_at,
                read_at,
            },
        )
        .collect();
    Ok((notices, usize::try_from(total).unwrap_or(0)))
}

/// Marks the user's notice read (or all of them when `id` is `None`); a notice of someone else
/// is left alone. Returns how many changed.
pub async fn mark_read(db: &Db, user_id: i64, id: Option<i64>) -> Result<u64, StoreError> {
    let now = Utc::now();
    Ok(match id {
        Some(id) => exec_db!(db, pool => sqlx::query(
            "UPDATE notifications SET read_at = $1 WHERE id = $2 AND user_id = $3 AND read_at IS NULL")
            .bind(now).bind(id).bind(user_id).execute(pool).await)?,
        None => exec_db!(db, pool => sqlx::query(
            "UPDATE notifications SET read_at = $1 WHERE user_id = $2 AND read_at IS NULL")
            .bind(now).bind(user_id).execute(pool).await)?,
    })
}

/// The link of a user's notice, marking it read: opening a notice reads it.
pub async fn open(db: &Db, user_id: i64, id: i64) -> Result<Option<String>, StoreError> {
    let link: Option<String> = on_db!(db, pool => sqlx::query_scalar(
        "SELECT link FROM notifications WHERE id = $1 AND user_id = $2")
        .bind(id).bind(user_id).fetch_optional(pool).await)?;
    if link.is_some() {
        mark_read(db, user_id, Some(id)).await?;
    }
    Ok(link)
}
