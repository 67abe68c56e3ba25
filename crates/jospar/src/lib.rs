//! Library part of the `jospar` binary: configuration, demo data, backups — shared with the
//! integration tests.

pub mod backup;
pub mod bench;
pub mod config;
pub mod demo;
pub mod demo_workflow;
pub mod exchange;
pub mod scale;
pub mod selfcheck;
pub mod signing;
pub mod verify;
