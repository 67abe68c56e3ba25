//! The one formula engine of calculation forms (BP-8, BP-10; issue 21). The server links this
//! crate; the request grid runs the same code in the browser, compiled to WebAssembly
//! (`crates/web/static/formula.wasm`, built by `scripts/build-formula-wasm.sh`), so that what the
//! economist sees while typing is what the server stores, to the tiyn.
//!
//! It is `no_std` (with `alloc`) only so that it compiles for `wasm32-unknown-unknown`.
//! Arithmetic is decimal, never floating point.

#![no_std]

extern crate alloc;
#[cfg(test)]
extern crate std;

mod expr;
mod row;
#[cfg(target_arch = "wasm32")]
mod wasm;
mod wire;

pub use expr::{Expr, FormulaError};
pub use row::{CellError, ColumnSpec, Kind, Outcome, evaluate_row};
pub use wire::evaluate_wire;

use alloc::string::{String, ToString};
use rust_decimal::{Decimal, RoundingStrategy};

/// "1 234 567,89", "1 234,50" (with a no-break space, as Russian-locale Excel copies it) or
/// "1234567.89" → decimal.
pub fn parse_decimal(text: &str) -> Option<Decimal> {
    let cleaned: String = text
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{a0}')
        .map(|c| if c == ',' { '.' } else { c })
        .collect();
    cleaned.parse::<Decimal>().ok()
}

/// Decimal with a comma and no trailing zeros: "1234567,5".
pub fn format_decimal(value: Decimal) -> String {
    value.normalize().to_string().replace('.', ",")
}

/// A computed cell is kept to the tiyn: two decimals, half away from zero.
pub fn round_to_tiyn(value: Decimal) -> Decimal {
    value.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

/// A decimal amount of tenge → whole tiyn, half away from zero (saturating at `i64`).
pub fn tiyn_of(value: Decimal) -> i64 {
    let tiyn = round_to_tiyn(value);
    i64::try_from(tiyn.mantissa() * 100 / 10i128.pow(tiyn.scale())).unwrap_or(
        if value < Decimal::ZERO {
            i64::MIN
        } else {
            i64::MAX
        },
    )
}

#[cfg(test)]
mod tests;
