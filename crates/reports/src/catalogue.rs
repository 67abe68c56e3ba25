//! The report catalogue (P-19): every report with its parameters, its technical
//! specification's numbers and the function that builds it. Each module contributes its own
//! reports from its crate (`jospar_planning::REPORTS`, `jospar_execution::REPORTS` …); the
//! pages (`/reports/{name}`), the API (`/api/v1/reports/{name}`), the command line
//! (`jospar report NAME`) and its `--help` all read one [`Catalogue`] built from those lists.
//! A report's title and source note are the messages `report-{name}` and
//! `report-source-{name}` in both languages.

use crate::Table;
use jospar_access::{Error, OrgTree, Reader, Result};
use jospar_i18n::Tr;
use jospar_store::Db;
use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;

/// One parameter of a report.
pub struct ParamDef {
    pub name: &'static str,
    pub required: bool,
    /// For the command line's help (English, like the rest of `--help`).
    pub about: &'static str,
}

/// The table a report's function is building.
pub type Built<'a> = Pin<Box<dyn Future<Output = Result<Table>> + Send + 'a>>;

/// What a report's function gets: the database, the language, the organisation tree, who
/// reads (whose rights limit what the report covers), and the parameters of the call.
pub struct ReportCall<'a> {
    pub db: &'a Db,
    pub tr: &'a Tr,
    pub tree: &'a OrgTree,
    pub reader: &'a Reader<'a>,
    pub name: &'a str,
    pub params: Params<'a>,
}

pub struct ReportDef {
    pub name: &'static str,
    pub about: &'static str,
    pub params: &'static [ParamDef],
    /// The numbers of the technical specification's reports this one produces; several
    /// numbers are one report with another parameter.
    pub spec_numbers: &'static [u8],
    pub build: for<'a> fn(&'a ReportCall<'a>) -> Built<'a>,
}

/// A report's building function from an async block over the call, e.g.
/// `build: report_fn!(|c| my_table(c.db, c.tr).await)`.
#[macro_export]
macro_rules! report_fn {
    (|$call:ident| $body:expr) => {{
        fn build<'a>($call: &'a $crate::catalogue::ReportCall<'a>) -> $crate::catalogue::Built<'a> {
            Box::pin(async move { $body })
        }
        build
    }};
}

/// Every report of the system with the module contributing it (`planning`, `execution` …), in
/// the order the modules contributed them.
pub struct Catalogue(Vec<(&'static str, &'static ReportDef)>);

impl Catalogue {
    pub fn new(modules: &[(&'static str, &'static [ReportDef])]) -> Catalogue {
        Catalogue(
            modules
                .iter()
                .flat_map(|(module, reports)| reports.iter().map(move |r| (*module, r)))
                .collect(),
        )
    }

    pub fn iter(&self) -> impl Iterator<Item = &'static ReportDef> + '_ {
        self.0.iter().map(|(_, report)| *report)
    }

    /// The modules contributing reports, in their order.
    pub fn modules(&self) -> Vec<&'static str> {
        let mut modules: Vec<&'static str> = self.0.iter().map(|(module, _)| *module).collect();
        modules.dedup();
        modules
    }

    /// The catalogue as a list (issue 20): every report in the reader's language, filtered,
    /// searched, sorted and cut to a page; in the modules' order unless sorted. Every signed-in
    /// user sees the whole catalogue; a report checks the reader's rights when it is built.
    pub fn list(
        &self,
        tr: &Tr,
        filter: &CatalogueFilter,
        query: &jospar_core::listing::ListQuery,
    ) -> jospar_core::listing::Listed<CatalogueRow> {
        let rows = self
            .0
            .iter()
            .filter(|(module, report)| filter.keeps(module, report))
            .map(|(module, report)| CatalogueRow::of(tr, module, report))
            .collect();
        jospar_core::listing::list(rows, query)
    }

    pub fn find(&self, name: &str) -> Option<&'static ReportDef> {
        self.iter().find(|r| r.name == name)
    }

    /// `jospar report --help`: each report with its parameters.
    pub fn help_text(&self) -> String {
        let mut text =
            String::from("Reports and their parameters (--param NAME=VALUE, or --NAME VALUE):\n");
        for report in self.iter() {
            text.push_str(&format!("  {:<25} {}\n", report.name, report.about));
            for p in report.params {
                text.push_str(&format!(
                    "      {:<24} {}{}\n",
                    p.name,
                    p.about,
                    if p.required { " (required)" } else { "" }
                ));
            }
        }
        text
    }

    /// Builds report `name` for `reader`, whose rights limit what it covers.
    pub async fn build(
        &self,
        db: &Db,
        tr: &Tr,
        tree: &OrgTree,
        reader: &Reader<'_>,
        name: &str,
        params: &HashMap<String, String>,
    ) -> Result<Table> {
        let report = self.find(name).ok_or(Error::NotFound)?;
        let call = ReportCall {
            db,
            tr,
            tree,
            reader,
            name,
            params: Params(params),
        };
        let mut table = (report.build)(&call).await?;
        table.note_rounding(tr);
        Ok(table)
    }
}

/// Filters of the report catalogue (issue 20); every one optional.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CatalogueFilter {
    /// The module contributing the report: planning, execution, open_budget, oversight.
    pub module: Option<String>,
    /// A number of the technical specification's list of reports.
    pub spec_number: Option<u8>,
}

impl CatalogueFilter {
    fn keeps(&self, module: &str, report: &ReportDef) -> bool {
        self.module.as_deref().is_none_or(|m| m == module)
            && self
                .spec_number
                .is_none_or(|n| report.spec_numbers.contains(&n))
    }
}

/// A parameter of a report as the catalogue lists it.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct CatalogueParam {
    pub name: &'static str,
    pub required: bool,
    pub about: &'static str,
}

/// A row of the report catalogue: the report's name, its title and source in the reader's
/// language, its module, its specification numbers and its parameters.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct CatalogueRow {
    pub name: &'static str,
    pub title: String,
    /// The data the report is built from.
    pub source: String,
    pub module: &'static str,
    pub spec_numbers: &'static [u8],
    pub params: Vec<CatalogueParam>,
}

impl CatalogueRow {
    fn of(tr: &Tr, module: &'static str, report: &'static ReportDef) -> CatalogueRow {
        CatalogueRow {
            name: report.name,
            title: tr.t(&format!("report-{}", report.name)),
            source: tr.t(&format!("report-source-{}", report.name)),
            module,
            spec_numbers: report.spec_numbers,
            params: report
                .params
                .iter()
                .map(|p| CatalogueParam {
                    name: p.name,
                    required: p.required,
                    about: p.about,
                })
                .collect(),
        }
    }
}

impl jospar_core::listing::Listable for CatalogueRow {
    fn search_text(&self) -> String {
        let numbers: Vec<String> = self.spec_numbers.iter().map(u8::to_string).collect();
        format!(
            "{} {} {} {}",
            self.title,
            self.name,
            self.source,
            numbers.join(" ")
        )
    }

    fn sort_key(&self, column: &str) -> Option<jospar_core::listing::SortKey> {
        use jospar_core::listing::SortKey;
        Some(match column {
            "title" => SortKey::text(&self.title),
            "module" => SortKey::Text(self.module.into()),
            "source" => SortKey::text(&self.source),
            "numbers" => SortKey::Number(
                self.spec_numbers
                    .first()
                    .map_or(i64::MAX, |n| i64::from(*n)),
            ),
            _ => return None,
        })
    }
}

/// The parameters of a call, by name.
pub struct Params<'a>(pub &'a HashMap<String, String>);

impl Params<'_> {
    pub fn text(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(|v| v.trim()).filter(|v| !v.is_empty())
    }

    pub fn number<T: std::str::FromStr>(&self, name: &str) -> Result<Option<T>> {
        match self.text(name) {
            None => Ok(None),
            Some(v) => v.parse().map(Some).map_err(|_| bad(name, v)),
        }
    }

    pub fn required<T: std::str::FromStr>(&self, name: &str) -> Result<T> {
        self.number(name)?
            .ok_or_else(|| Error::invalid("err-required", name))
    }

    pub fn flag(&self, name: &str) -> bool {
        matches!(self.text(name), Some("1" | "true" | "yes"))
    }

    /// An optional date (`YYYY-MM-DD` or `DD.MM.YYYY`).
    pub fn date(&self, name: &str) -> Result<Option<chrono::NaiveDate>> {
        self.text(name)
            .map(|d| jospar_access::parse_date(d, name))
            .transpose()
    }

    pub fn required_date(&self, name: &str) -> Result<chrono::NaiveDate> {
        self.date(name)?
            .ok_or_else(|| Error::invalid("err-required", name))
    }
}

/// A parameter's value the report cannot use.
pub fn bad(name: &str, value: &str) -> Error {
    Error::Invalid {
        key: "err-report-param",
        args: vec![("field", name.to_string()), ("value", value.to_string())],
        field: Some(name.to_string()),
    }
}

/// Parameters several modules' reports share.
pub mod params {
    use super::ParamDef;

    pub const CAMPAIGN: ParamDef = ParamDef {
        name: "campaign",
        required: true,
        about: "campaign id",
    };
    pub const ORG: ParamDef = ParamDef {
        name: "org",
        required: false,
        about: "organisation id whose subtree is covered (default: the authorized body)",
    };
    pub const APPROVED: ParamDef = ParamDef {
        name: "approved",
        required: false,
        about: "1 = only approved requests",
    };
    pub const REQUEST: ParamDef = ParamDef {
        name: "request",
        required: true,
        about: "budget request id",
    };
    pub const IMPORT: ParamDef = ParamDef {
        name: "import",
        required: true,
        about: "id of an imported execution report of the open-budgets portal",
    };
    pub const PLAN: ParamDef = ParamDef {
        name: "plan",
        required: true,
        about: "financing plan id",
    };
    pub const BASIS: ParamDef = ParamDef {
        name: "basis",
        required: false,
        about: "payments (default) or obligations",
    };
    pub const SUBTREE: ParamDef = ParamDef {
        name: "org",
        required: true,
        about: "organisation whose subtree is covered (an administrator, a finance body)",
    };
    pub const YEAR: ParamDef = ParamDef {
        name: "year",
        required: true,
        about: "fiscal year",
    };
    pub const AS_OF: ParamDef = ParamDef {
        name: "as_of",
        required: false,
        about: "date YYYY-MM-DD (default: with every change document)",
    };
    pub const CASH_FORM: ParamDef = ParamDef {
        name: "treasury",
        required: true,
        about: "id of an imported form of cash expenses (5-52, 5-42, 5-02, 2-15)",
    };
}
