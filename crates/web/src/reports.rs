//! The report catalogue: the reports every module contributes from its own crate, in one
//! list that the pages, the API and the command line read. A new module's reports are added
//! here with one line.

use jospar_reports::catalogue::Catalogue;
use std::sync::LazyLock;

static CATALOGUE: LazyLock<Catalogue> = LazyLock::new(|| {
    Catalogue::new(&[
        ("planning", jospar_planning::REPORTS),
        ("planning", jospar_budget::PLANNING_REPORTS),
        ("planning", jospar_adhoc::REPORTS),
        ("budget", jospar_budget::REPORTS),
        ("budget", jospar_execution::BUDGET_REPORTS),
        ("execution", jospar_execution::REPORTS),
        ("development", jospar_devbudget::REPORTS),
        ("open_budget", jospar_openbudget::REPORTS),
        ("oversight", jospar_oversight::REPORTS),
    ])
});

pub fn catalogue() -> &'static Catalogue {
    &CATALOGUE
}
