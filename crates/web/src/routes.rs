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
use utoipa::openapi::path::{Parameter, ParameterIn};
use utoipa::openapi::schema::{ArrayBuilder, Schema};
use utoipa::openapi::{Ref, RefOr};
use utoipa::{IntoParams, PartialSchema, ToSchema};

/// The named schemas a type refers to, gathered for `components.schemas`.
pub type Schemas = Vec<(String, RefOr<Schema>)>;

/// Writes a type's schema: its named parts go into the list, the schema (or a `$ref`) is returned.
pub type SchemaFn = fn(&mut Schemas) -> RefOr<Schema>;

/// The query parameters a handler reads.
pub type ParamsFn = fn() -> Vec<Parameter>;

/// A named type of its own, referred to as `#/components/schemas/NAME`.
pub fn component<T: ToSchema>(schemas: &mut Schemas) -> RefOr<Schema> {
    T::schemas(schemas);
    schemas.push((T::name().into_owned(), T::schema()));
    RefOr::Ref(Ref::from_schema_name(T::name()))
}

/// A list of a named type.
pub fn list<T: ToSchema>(schemas: &mut Schemas) -> RefOr<Schema> {
    ArrayBuilder::new().items(component::<T>(schemas)).into()
}

/// A plain value (a number, a string, a list of them) written in place.
pub fn inline<T: PartialSchema + ToSchema>(schemas: &mut Schemas) -> RefOr<Schema> {
    T::schemas(schemas);
    T::schema()
}

fn query_of<Q: IntoParams>() -> Vec<Parameter> {
    Q::into_params(|| Some(ParameterIn::Query))
}

/// What a request carries or an answer returns.
#[derive(Debug, Clone, Copy)]
pub enum Payload {
    /// Nothing (a GET's body, a 204 answer).
    Empty,
    /// JSON of a Rust type.
    Json(SchemaFn),
    /// A file of these content types (downloads and uploads).
    File(&'static [&'static str]),
    /// A file download, or the same data as JSON of this type (`?format=`).
    FileOrJson(&'static [&'static str], SchemaFn),
}

/// The module a route belongs to (its crate owns the use cases behind it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Module {
    Platform,
    Limits,
    Planning,
    Budget,
    Staffing,
    Execution,
    Development,
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
    /// The request body.
    #[serde(skip)]
    pub body: Payload,
    /// The answer on success, and its status code (200, 201 or 204).
    #[serde(skip)]
    pub answer: Payload,
    pub status: u16,
    /// The query parameters the handler reads (a list's own filters beside the list
    /// parameters, say).
    #[serde(skip)]
    pub query: Vec<ParamsFn>,
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
            body: Payload::Empty,
            answer: Payload::Empty,
            status: 200,
            query: Vec::new(),
        });
        self.router = self.router.route(path, handler);
        self
    }

    fn last(&mut self) -> &mut ApiRoute {
        self.declared
            .last_mut()
            .expect("a route is declared before its types")
    }

    /// The JSON body of the route declared last.
    pub fn body<T: ToSchema>(mut self) -> Api {
        self.last().body = Payload::Json(component::<T>);
        self
    }

    /// The route declared last takes a file of these content types as its body.
    pub fn file_body(mut self, types: &'static [&'static str]) -> Api {
        self.last().body = Payload::File(types);
        self
    }

    /// The route declared last answers 200 with JSON of `T`.
    pub fn answer<T: ToSchema>(mut self) -> Api {
        self.last().answer = Payload::Json(component::<T>);
        self
    }

    /// The route declared last answers 200 with a JSON list of `T`.
    pub fn answers<T: ToSchema>(mut self) -> Api {
        self.last().answer = Payload::Json(list::<T>);
        self
    }

    /// The route declared last answers 200 with a plain JSON value (a number, a list of them).
    pub fn answer_inline<T: PartialSchema + ToSchema>(mut self) -> Api {
        self.last().answer = Payload::Json(inline::<T>);
        self
    }

    /// The route declared last answers 201 with JSON of `T`.
    pub fn created<T: ToSchema>(mut self) -> Api {
        let route = self.last();
        route.answer = Payload::Json(component::<T>);
        route.status = 201;
        self
    }

    /// The route declared last answers 204 without a body.
    pub fn no_content(mut self) -> Api {
        let route = self.last();
        route.answer = Payload::Empty;
        route.status = 204;
        self
    }

    /// The route declared last answers a file download of these content types.
    pub fn file(mut self, types: &'static [&'static str]) -> Api {
        self.last().answer = Payload::File(types);
        self
    }

    /// The route declared last answers a file download, or JSON of `T` for `?format=json`.
    pub fn file_or<T: ToSchema>(mut self, types: &'static [&'static str]) -> Api {
        self.last().answer = Payload::FileOrJson(types, component::<T>);
        self
    }

    /// Query parameters of the route declared last (called again for more).
    pub fn query<Q: IntoParams>(mut self) -> Api {
        self.last().query.push(query_of::<Q>);
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
