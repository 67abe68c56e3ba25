//! A page of the procurement portal's REST lists (issue 25, DB-2): `parse_contracts` and
//! `parse_plans`, and a contract's units with `parse_units` checked against each contract of
//! the same input (`units_disagree`). No input may panic; a page that is read has a next page that is a `/v3/`
//! path with a numeric `search_after`, or none.
#![no_main]

use jospar_goszakup::page::{parse_contracts, parse_plans, parse_units, units_disagree};
use libfuzzer_sys::fuzz_target;

fn sound_next(next: Option<&str>) -> bool {
    next.is_none_or(|path| path.starts_with("/v3/") && path.contains("search_after="))
}

fuzz_target!(|data: &[u8]| {
    let units = parse_units(data).map(|page| page.items).unwrap_or_default();
    if let Ok(page) = parse_contracts(data) {
        assert!(sound_next(page.next_page.as_deref()));
        for contract in &page.items {
            // Never a panic, however large the sums (a sum of units is checked, not wrapped).
            let _ = units_disagree(contract, &units);
        }
    }
    if let Ok(page) = parse_plans(data) {
        assert!(sound_next(page.next_page.as_deref()));
    }
});
