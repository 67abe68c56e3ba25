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

/// Every report of the system, in the order the modules contributed them.
pub struct Catalogue(Vec<&'static ReportDef>);

impl Catalogue {
    pub fn new(modules: &[&'static [ReportDef]]) -> Catalogue {
        Catalogue(modules.iter().flat_map(|m| m.iter()).collect())
    }

    pub fn iter(&self) -> impl Iterator<Item = &'static ReportDef> + '_ {
        self.0.iter().copied()
    }

    pub fn find(&self, name: &str) -> Option<&'static ReportDef> {
        self.iter().find(|r| r.name == name)
    }

    /// The numbers of the technical specification's reports that `name` produces.
    pub fn spec_numbers(&self, name: &str) -> &'static [u8] {
        self.find(name).map(|r| r.spec_numbers).unwrap_or(&[])
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
        (report.build)(&call).await
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
