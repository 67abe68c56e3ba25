//! The lines of a campaign's requests, kept in memory between consolidations (issue 20, BP-5:
//! a region's consolidation and pivot in ≤ 100 ms). A region's campaign has some 50,000 lines
//! with 200,000 yearly amounts; reading them for every look at the consolidation took a
//! second. Each read now asks the database only for the requests' stamps (id, organisation,
//! state, version: one indexed read of a few thousand rows) and re-reads the lines of just the
//! requests whose stamp changed since: every change of a request's lines bumps its version in
//! the same transaction (see `repo`), so what is kept is never stale. Several servers on one
//! database each keep their own and check it the same way.

use crate::domain::{Line, Request, Status};
use crate::repo;
use jospar_store::{Db, StoreError};
use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};

/// What tells that a request's lines may have changed.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Stamp {
    version: i64,
    status: Status,
    org_id: i64,
}

impl Stamp {
    fn of(request: &Request) -> Stamp {
        Stamp {
            version: request.version,
            status: request.status,
            org_id: request.org_id,
        }
    }
}

type Kept = HashMap<i64, (Stamp, Arc<Vec<Line>>)>;

/// By database and campaign: each request's stamp and lines.
static KEPT: LazyLock<Mutex<HashMap<(String, i64), Kept>>> = LazyLock::new(Default::default);

/// Requests with a stamp changed since they were kept: more than this many are read with the
/// whole campaign's two queries instead of two queries each.
const READ_ONE_BY_ONE: usize = 32;

/// The lines of every request of the campaign in `requests` (its requests as read now), by
/// request id, shared with what is kept.
pub async fn lines_of(
    db: &Db,
    campaign_id: i64,
    requests: &[Request],
) -> Result<HashMap<i64, Arc<Vec<Line>>>, StoreError> {
    let key = (db.identity(), campaign_id);
    let mut kept: Kept = KEPT
        .lock()
        .map(|mut all| all.remove(&key).unwrap_or_default())
        .unwrap_or_default();
    kept.retain(|id, (stamp, _)| {
        requests
            .iter()
            .any(|r| r.id == *id && Stamp::of(r) == *stamp)
    });
    let stale: Vec<&Request> = requests
        .iter()
        .filter(|r| !kept.contains_key(&r.id))
        .collect();
    if stale.len() > READ_ONE_BY_ONE {
        let mut fresh = repo::campaign_lines(db, campaign_id).await?;
        for request in &stale {
            let lines = fresh.remove(&request.id).unwrap_or_default();
            kept.insert(request.id, (Stamp::of(request), Arc::new(lines)));
        }
    } else {
        for request in &stale {
            let lines = repo::lines(db, request.id).await?;
            kept.insert(request.id, (Stamp::of(request), Arc::new(lines)));
        }
    }
    let answer = kept
        .iter()
        .map(|(id, (_, lines))| (*id, Arc::clone(lines)))
        .collect();
    if let Ok(mut all) = KEPT.lock() {
        all.insert(key, kept);
    }
    Ok(answer)
}
