//! Which module a page or an API route belongs to (issue 20: rights by module). A grant limited
//! to one module counts only on that module's pages and routes; the start page, notices, the
//! user's own tokens and signing in belong to no one module, and there every grant counts.
//! `platform::modules` checks that every declared API route and every menu entry is placed.

use jospar_access::Module;

/// The module of a path of the pages or of the API (with or without `/api/v1`).
pub fn module_of(path: &str) -> Option<Module> {
    let path = path.strip_prefix("/api/v1").unwrap_or(path);
    let first = path.trim_start_matches('/').split('/').next().unwrap_or("");
    let module = match first {
        // The curator's desk, the consolidation and the pivot of a campaign are the requests'.
        "limits" | "campaigns" if is_requests_view(path) => Module::Planning,
        "limits" | "campaigns" => Module::Limits,
        "requests"
        | "forms"
        | "budget-acts"
        | "budget-programs"
        | "receipt-forecasts"
        | "transfer-applications"
        | "code-requests"
        | "adhoc-forms" => Module::Planning,
        "staffing" | "pay-reference" => Module::Staffing,
        "plans" | "financing-plans" | "receipt-plans" => Module::Plans,
        "execution" | "treasury-exchange" => Module::Treasury,
        "investment-projects" | "procurement" => Module::Development,
        "reports" => Module::Reports,
        "oversight"
        | "oversight-access"
        | "oversight-applications"
        | "training"
        | "training-sessions" => Module::Oversight,
        "open-budget" => Module::OpenBudget,
        "orgs" | "users" | "budgets" | "classification" | "goods" | "integrations"
        | "selfcheck" | "calendar" | "audit" => Module::Configuration,
        _ => return None,
    };
    Some(module)
}

fn is_requests_view(path: &str) -> bool {
    let last = path.rsplit('/').find(|s| !s.is_empty()).unwrap_or("");
    matches!(last, "desk" | "consolidated" | "pivot")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_fall_in_their_modules() {
        assert_eq!(module_of("/requests/42"), Some(Module::Planning));
        assert_eq!(module_of("/api/v1/requests"), Some(Module::Planning));
        assert_eq!(
            module_of("/api/v1/campaigns/7/limits"),
            Some(Module::Limits)
        );
        assert_eq!(module_of("/limits/7/desk"), Some(Module::Planning));
        assert_eq!(
            module_of("/api/v1/campaigns/7/desk"),
            Some(Module::Planning)
        );
        assert_eq!(module_of("/plans/3"), Some(Module::Plans));
        assert_eq!(module_of("/execution"), Some(Module::Treasury));
        assert_eq!(module_of("/orgs"), Some(Module::Configuration));
        assert_eq!(module_of("/"), None);
        assert_eq!(module_of("/notifications"), None);
        assert_eq!(module_of("/api/v1/workdesk"), None);
    }

    /// What belongs to no one module: the user's own things, the API's document, and the
    /// search across modules (each module's use case checks its own rights).
    const OWN: &[&str] = &[
        "/search",
        "/openapi.json",
        "/me",
        "/tokens",
        "/tokens/{id}",
        "/notifications",
        "/notifications/{id}/read",
        "/notifications/read",
        "/workdesk",
    ];

    #[test]
    fn every_route_and_menu_entry_has_its_module() {
        for route in crate::api::declared() {
            assert!(
                module_of(route.path).is_some() || OWN.contains(&route.path),
                "{} {} is in no module",
                route.method,
                route.path
            );
        }
        for entry in crate::pages::menu() {
            assert!(
                module_of(entry.path).is_some() || OWN.contains(&entry.path),
                "the menu's {} is in no module",
                entry.path
            );
        }
    }
}
