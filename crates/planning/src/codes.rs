//! The codes of a request line — program, subprogram, specific — as the user picks them and as
//! the server checks them (issue 21): from the classification of the campaign's year, the
//! programs narrowed to those whose limits reached the organisation, and each code shown with
//! its name wherever it is shown.

use crate::Request;
use jospar_access::{Error, Result};
use jospar_classification::{CodeEntry, CodeKind, repo as ebk};
use jospar_i18n::Tr;
use jospar_limits::repo as limits_repo;
use jospar_org::OrgKind;
use jospar_store::Db;
use std::collections::{BTreeMap, BTreeSet};

/// A code with its name in the user's language.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct CodeChoice {
    pub code: String,
    pub name: String,
}

/// What a request line may be made of: the programs whose limits reached the organisation,
/// the subprograms of each, and the specifics a calculation form serves.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct LineChoices {
    pub programs: Vec<CodeChoice>,
    /// Subprograms by program code.
    pub subprograms: BTreeMap<String, Vec<CodeChoice>>,
    pub specifics: Vec<CodeChoice>,
}

impl LineChoices {
    pub fn program_name(&self, code: &str) -> String {
        name_in(&self.programs, code)
    }

    pub fn subprogram_name(&self, program: &str, code: &str) -> String {
        self.subprograms
            .get(program)
            .map(|list| name_in(list, code))
            .unwrap_or_default()
    }

    pub fn specific_name(&self, code: &str) -> String {
        name_in(&self.specifics, code)
    }
}

fn name_in(list: &[CodeChoice], code: &str) -> String {
    list.iter()
        .find(|c| c.code == code)
        .map(|c| c.name.clone())
        .unwrap_or_default()
}

/// The classification year a campaign plans in: its first year, or the latest year before it
/// that the classification has.
pub async fn classification_year(db: &Db, first_year: i32) -> Result<i32> {
    Ok(ebk::years(db)
        .await?
        .into_iter()
        .filter(|y| *y <= first_year)
        .max()
        .unwrap_or(first_year))
}

/// The ABP code of the administrator an organisation belongs to: its own, or its nearest
/// ancestor's; none above an organisation outside any administrator.
pub async fn administrator_code(db: &Db, org_id: i64) -> Result<Option<String>> {
    let mut next = Some(org_id);
    while let Some(id) = next {
        let org = jospar_org::repo::get_org(db, id)
            .await?
            .ok_or(Error::NotFound)?;
        if org.kind == OrgKind::Administrator {
            return Ok(org.abp_code.filter(|c| !c.trim().is_empty()));
        }
        next = org.parent_id;
    }
    Ok(None)
}

/// The ABP codes under which the expense codes of `root`'s subtree are named: the
/// administrator `root` belongs to, or, above administrators (a finance department), every
/// administrator below it.
pub async fn administrators_of(
    db: &Db,
    tree: &jospar_org::OrgTree,
    root: i64,
) -> Result<Vec<String>> {
    if let Some(abp) = administrator_code(db, root).await? {
        return Ok(vec![abp]);
    }
    let orgs = jospar_limits::usecases::org_map(db).await?;
    Ok(tree
        .subtree(root)
        .into_iter()
        .filter_map(|id| orgs.get(&id))
        .filter(|o| o.kind == OrgKind::Administrator)
        .filter_map(|o| o.abp_code.clone())
        .collect())
}

/// The names of the expense codes of `root`'s subtree in the classification of `year`, in the
/// user's language (issue 21: names wherever a code is shown).
pub async fn expense_names(
    db: &Db,
    tr: &Tr,
    tree: &jospar_org::OrgTree,
    root: i64,
    year: i32,
) -> Result<jospar_classification::repo::ExpenseNames> {
    let abps = administrators_of(db, tree, root).await?;
    Ok(
        jospar_classification::repo::ExpenseNames::of_administrators(db, year, abps, tr.lang())
            .await?,
    )
}

/// The line choices of a request, named in the user's language.
pub async fn line_choices(db: &Db, tr: &Tr, request: &Request) -> Result<LineChoices> {
    let campaign = limits_repo::campaign(db, request.campaign_id)
        .await?
        .ok_or(Error::NotFound)?;
    let year = classification_year(db, campaign.first_year).await?;
    let abp = administrator_code(db, request.org_id).await?;
    let name = |c: &CodeEntry| tr.pick(&c.name_ru, c.name_kk.as_deref()).to_string();
    let mut programs = Vec::new();
    let mut subprograms = BTreeMap::new();
    for program in programs_with_limits(db, request).await? {
        let full = abp.as_ref().map(|a| format!("{a} {program}"));
        let entry = match &full {
            Some(code) => ebk::get(db, year, CodeKind::Program, code).await?,
            None => None,
        };
        programs.push(CodeChoice {
            code: program.clone(),
            name: entry.as_ref().map(name).unwrap_or_default(),
        });
        let listed = match &full {
            Some(code) => ebk::search(db, year, Some(CodeKind::Subprogram), Some(code), "", 1000)
                .await?
                .iter()
                .map(|c| CodeChoice {
                    code: c.code.rsplit(' ').next().unwrap_or_default().to_string(),
                    name: name(c),
                })
                .collect(),
            None => Vec::new(),
        };
        subprograms.insert(program, with_source_subprograms(listed, tr));
    }
    let forms = crate::repo::forms(db).await?;
    let specifics = ebk::codes_of_year(db, year)
        .await?
        .iter()
        .filter(|c| {
            c.kind == CodeKind::EconSpecific && forms.iter().any(|f| f.serves(&c.code).is_some())
        })
        .map(|c| CodeChoice {
            code: c.code.clone(),
            name: name(c),
        })
        .collect();
    Ok(LineChoices {
        programs,
        subprograms,
        specifics,
    })
}

/// A program's subprograms as the classification lists them; a program it lists none for is
/// planned by source of money.
fn with_source_subprograms(listed: Vec<CodeChoice>, tr: &Tr) -> Vec<CodeChoice> {
    if !listed.is_empty() {
        return listed;
    }
    jospar_classification::repo::LOCAL_SOURCE_SUBPROGRAMS
        .iter()
        .map(|(code, ru, kk)| CodeChoice {
            code: code.to_string(),
            name: tr.pick(ru, Some(kk)).to_string(),
        })
        .collect()
}

/// The programs of the limits the organisation received in the request's campaign.
async fn programs_with_limits(db: &Db, request: &Request) -> Result<BTreeSet<String>> {
    Ok(
        limits_repo::amounts_of(db, request.campaign_id, request.org_id)
            .await?
            .into_iter()
            .filter(|a| a.amount > jospar_core::Tenge::ZERO && !a.slot.program.is_empty())
            .map(|a| a.slot.program)
            .collect(),
    )
}

/// Checks the codes of a new line against the choices: a program whose limits reached the
/// organisation, one of its subprograms (or none), a specific of the classification that a
/// calculation form serves. The refusal names the field and the code.
pub fn check_line(
    choices: &LineChoices,
    program: &str,
    subprogram: &str,
    specific: &str,
) -> Result<()> {
    let unknown = |field: &str, value: &str| {
        Error::invalid_with(
            "err-unknown-code",
            field,
            vec![("value", value.to_string())],
        )
    };
    if !choices.programs.iter().any(|c| c.code == program) {
        return Err(Error::invalid_with(
            "err-program-without-limit",
            "program",
            vec![("value", program.to_string())],
        ));
    }
    let subprograms = choices.subprograms.get(program);
    if !subprogram.is_empty()
        && !subprograms.is_some_and(|l| l.iter().any(|c| c.code == subprogram))
    {
        return Err(unknown("subprogram", subprogram));
    }
    if !choices.specifics.iter().any(|c| c.code == specific) {
        return Err(unknown("specific", specific));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn choice(code: &str) -> CodeChoice {
        CodeChoice {
            code: code.into(),
            name: format!("name {code}"),
        }
    }

    fn choices() -> LineChoices {
        LineChoices {
            programs: vec![choice("003")],
            subprograms: BTreeMap::from([("003".into(), vec![choice("015")])]),
            specifics: vec![choice("111"), choice("159")],
        }
    }

    fn refused_field(result: Result<()>) -> Option<String> {
        match result {
            Err(Error::Invalid { field, .. }) => field,
            _ => None,
        }
    }

    #[test]
    fn a_line_takes_only_codes_of_the_choices() {
        let c = choices();
        assert!(check_line(&c, "003", "015", "159").is_ok());
        assert!(check_line(&c, "003", "", "111").is_ok());
        assert_eq!(
            refused_field(check_line(&c, "777", "", "111")).as_deref(),
            Some("program")
        );
        assert_eq!(
            refused_field(check_line(&c, "003", "999", "111")).as_deref(),
            Some("subprogram")
        );
        assert_eq!(
            refused_field(check_line(&c, "003", "015", "999")).as_deref(),
            Some("specific")
        );
    }

    #[test]
    fn names_are_found_by_code() {
        let c = choices();
        assert_eq!(c.program_name("003"), "name 003");
        assert_eq!(c.subprogram_name("003", "015"), "name 015");
        assert_eq!(c.specific_name("159"), "name 159");
        assert_eq!(c.specific_name("999"), "");
    }
}
