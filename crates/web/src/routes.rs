//! The one declaration of every API route: its module, its path and method, what it does, the
//! right it needs, and whether read-only oversight users (auditor grants) are answered. The
//! router, the OpenAPI document (`/api/v1/openapi.json`) and the authorisation-matrix test are
//! all built from it, so a new module's routes are described and tested the day they are
//! declared. The handlers decide nothing here: each calls a module's use case, which checks the
//! caller's rights by organisation subtree.

use crate::AppState;
use axum::Router;
use axum::handler::Handler;
use axum::http::Method;
use axum::routing::{MethodRouter, on};
use serde::Serialize;

/// The module a route belongs to (its crate owns the use cases behind it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Module {
    Platform,
    Limits,
    Planning,
    Staffing,
    Execution,
    Oversight,
    OpenBudget,
    Reports,
}

/// The function of a route: who may call it (checked again, per organisation, by the use case).
pub use jospar_access::Access;

/// One declared route of `/api/v1`.
#[derive(Debug, Clone, Serialize)]
pub struct ApiRoute {
    pub module: Module,
    /// Lower case, as OpenAPI writes it: get, post, put, patch, delete.
    pub method: &'static str,
    pub path: &'static str,
    pub summary: &'static str,
    pub access: Access,
    /// Read-only oversight users (representative and audit bodies, auditor grants) get an
    /// answer here rather than a refusal.
    pub oversight: bool,
}

/// The API as it is declared: the router and the list of its routes, built together.
pub struct Api {
    module: Module,
    router: Router<AppState>,
    declared: Vec<ApiRoute>,
}

impl Default for Api {
    fn default() -> Self {
        Api {
            module: Module::Platform,
            router: Router::new(),
            declared: Vec::new(),
        }
    }
}

macro_rules! method_helpers {
    ($($name:ident => $method:ident),+ $(,)?) => {$(
        pub fn $name<H, T>(
            self,
            path: &'static str,
            summary: &'static str,
            access: Access,
            oversight: bool,
            handler: H,
        ) -> Api
        where
            H: Handler<T, AppState>,
            T: 'static,
        {
            self.route(Method::$method, path, summary, access, oversight, on(method_filter(&Method::$method), handler))
        }
    )+};
}

fn method_filter(method: &Method) -> axum::routing::MethodFilter {
    use axum::routing::MethodFilter;
    match *method {
        Method::POST => MethodFilter::POST,
        Method::PUT => MethodFilter::PUT,
        Method::PATCH => MethodFilter::PATCH,
        Method::DELETE => MethodFilter::DELETE,
        _ => MethodFilter::GET,
    }
}

impl Api {
    /// The module the routes declared next belong to.
    pub fn module(mut self, module: Module) -> Api {
        self.module = module;
        self
    }

    method_helpers!(get => GET, post => POST, put => PUT, patch => PATCH, delete => DELETE);

    /// A route whose handler needs more than the plain method (a body limit, say).
    pub fn route(
        mut self,
        method: Method,
        path: &'static str,
        summary: &'static str,
        access: Access,
        oversight: bool,
        handler: MethodRouter<AppState>,
    ) -> Api {
        self.declared.push(ApiRoute {
            module: self.module,
            method: method_name(&method),
            path,
            summary,
            access,
            oversight,
        });
        self.router = self.router.route(path, handler);
        self
    }

    pub fn declared(&self) -> &[ApiRoute] {
        &self.declared
    }

    pub fn into_router(self) -> Router<AppState> {
        self.router
    }
}

fn method_name(method: &Method) -> &'static str {
    match *method {
        Method::POST => "post",
        Method::PUT => "put",
        Method::PATCH => "patch",
        Method::DELETE => "delete",
        _ => "get",
    }
}
