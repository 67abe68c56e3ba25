//! The text the grid and the WebAssembly engine exchange: lines of tab-separated fields, so the
//! engine needs no JSON parser. Input:
//!
//! ```text
//! c <key> <t|n|c> <required 0|1> <min> <max> <formula>   a column of the form, in order
//! a <key>                                                the amount column
//! r                                                      a new row
//! v <key> <typed text>                                   a typed cell of the current row
//! ```
//!
//! Output, per row: `r <amount in tiyn>`, then per number or computed column
//! `<key> <value, "1234,5"> <value in tiyn> <0, or 1 when the cell failed>`.

use crate::{ColumnSpec, Kind, Outcome, evaluate_row, format_decimal, parse_decimal, tiyn_of};
use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt::Write;

pub fn evaluate_wire(input: &str) -> String {
    let mut columns = Vec::new();
    let mut amount = "";
    let mut rows: Vec<BTreeMap<&str, &str>> = Vec::new();
    for line in input.lines() {
        let mut fields = line.split('\t');
        match fields.next() {
            Some("c") => columns.push(column(&mut fields)),
            Some("a") => amount = fields.next().unwrap_or(""),
            Some("r") => rows.push(BTreeMap::new()),
            Some("v") => {
                if let (Some(row), Some(key)) = (rows.last_mut(), fields.next()) {
                    row.insert(key, fields.next().unwrap_or(""));
                }
            }
            _ => {}
        }
    }
    let mut out = String::new();
    for row in &rows {
        let outcomes = evaluate_row(&columns, |key| row.get(key).copied().unwrap_or(""));
        let amount_tiyn = columns
            .iter()
            .zip(&outcomes)
            .find(|(c, _)| c.key == amount)
            .and_then(|(_, o)| match o {
                Outcome::Number(v) => Some(tiyn_of(*v)),
                _ => None,
            })
            .unwrap_or(0);
        let _ = writeln!(out, "r\t{amount_tiyn}");
        for (column, outcome) in columns.iter().zip(&outcomes) {
            match outcome {
                Outcome::Text => {}
                Outcome::Number(v) => {
                    let _ = writeln!(
                        out,
                        "{}\t{}\t{}\t0",
                        column.key,
                        format_decimal(*v),
                        tiyn_of(*v)
                    );
                }
                Outcome::Failed(crate::CellError::OutOfRange(v)) => {
                    let _ = writeln!(
                        out,
                        "{}\t{}\t{}\t1",
                        column.key,
                        format_decimal(*v),
                        tiyn_of(*v)
                    );
                }
                Outcome::Failed(_) => {
                    let _ = writeln!(out, "{}\t\t0\t1", column.key);
                }
            }
        }
    }
    out
}

fn column<'a>(fields: &mut impl Iterator<Item = &'a str>) -> ColumnSpec<'a> {
    let key = fields.next().unwrap_or("");
    let kind = match fields.next() {
        Some("n") => Kind::Number,
        Some("c") => Kind::Computed,
        _ => Kind::Text,
    };
    let required = fields.next() == Some("1");
    let min = fields.next().and_then(parse_decimal);
    let max = fields.next().and_then(parse_decimal);
    let formula = fields.next().unwrap_or("0");
    ColumnSpec {
        key,
        kind,
        formula,
        required,
        min,
        max,
    }
}
