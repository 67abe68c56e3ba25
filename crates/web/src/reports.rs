//! The report catalogue: the reports every module contributes from its own crate, in one
//! list that the pages, the API and the command line read. A new module's reports are added
//! here with one line.

use jospar_reports::catalogue::Catalogue;
use std::sync::LazyLock;

static CATALOGUE: LazyLock<Catalogue> = LazyLock::new(|| {
    Catalogue::new(&[
        jospar_planning::REPORTS,
        jospar_execution::REPORTS,
        jospar_openbudget::REPORTS,
        jospar_oversight::REPORTS,
    ])
});

pub fn catalogue() -> &'static Catalogue {
    &CATALOGUE
}
