//! The open-budgets portal's execution CSV (EX-9): `portal::parse`. No input may panic; a file
//! that is read gives its months in calendar order, each with rows whose parents exist.
#![no_main]

use jospar_execution::portal::{check_inner_totals, parse};
use libfuzzer_sys::fuzz_target;
use std::collections::HashSet;

fuzz_target!(|data: &[u8]| {
    let Ok(months) = parse(data) else {
        return;
    };
    assert!(!months.is_empty());
    assert!(
        months.windows(2).all(|w| w[0].month < w[1].month),
        "one tree a month, in order"
    );
    for tree in &months {
        assert!(!tree.nodes.is_empty());
        let ids: HashSet<i64> = tree.nodes.iter().map(|n| n.id).collect();
        assert_eq!(ids.len(), tree.nodes.len(), "duplicates are refused");
        assert!(
            tree.nodes
                .iter()
                .all(|n| n.parent.is_none_or(|p| ids.contains(&p)))
        );
        assert!(check_inner_totals(tree).is_ok(), "checked by parse");
    }
});
