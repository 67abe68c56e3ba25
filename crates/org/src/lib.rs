//! Organisations, budgets, users, roles and rights, sessions and API tokens (P-1, P-2, P-3).
//!
//! `domain` holds the rules (tree, scenario, rights, scope) without SQL; `repo` stores them;
//! `auth` signs people in.

pub mod auth;
pub mod delegations;
pub mod domain;
pub mod repo;
pub mod testing;
pub mod usecases;

pub use domain::*;
