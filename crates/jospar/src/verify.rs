//! `jospar verify`: the consolidated totals kept as data changes must equal a
//! recomputation from the detail, to the tiyn.

use anyhow::Result;
use jospar_consolidation::repo::{self, Discrepancies};
use jospar_store::Db;
use serde::Serialize;

#[derive(Debug, Serialize)]
pub struct Verification {
    /// Kept totals against a recomputation from the kept cells and the request lines.
    pub totals: Discrepancies,
    /// Financing plans whose kept cells differ from the plan with every change applied.
    pub plans_off_their_cells: Vec<i64>,
}

impl Verification {
    pub fn holds(&self) -> bool {
        self.totals.none() && self.plans_off_their_cells.is_empty()
    }
}

pub async fn verify(db: &Db) -> Result<Verification> {
    Ok(Verification {
        totals: repo::verify(db).await?,
        plans_off_their_cells: jospar_execution::plans::plans_off_their_cells(db).await?,
    })
}
