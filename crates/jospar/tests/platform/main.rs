//! Integration tests of the platform: storage and HTTP API on SQLite and on
//! PostgreSQL, the authorisation matrix, backups, and a browser test. One test binary, so
//! that linking happens once.

mod adhoc;
mod analytics;
mod app;
mod audit_chain;
mod bench;
mod bodies;
mod browser;
mod budget;
mod codes;
mod consolidation;
mod devbudget;
mod ebk_service;
mod emin;
mod entry;
mod execution;
mod goods;
mod lists;
mod matrix;
mod monitor;
mod openbudget;
mod oversight;
mod printed;
mod request_file;
mod restore;
mod selfcheck;
mod story;
mod treasury_stream;
mod workdesk;
