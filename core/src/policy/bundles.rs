//! Bundles: which products a bundle includes, directly or through bundles inside it, and which
//! inclusions would make a cycle.

use crate::ids::ProductId;
use std::collections::{BTreeSet, HashMap};

/// Every (bundle, product) pair where `bundle` includes `product` directly or through bundles it
/// includes, given the direct inclusions `edges`. Sorted, without duplicates.
pub(crate) fn closure(edges: &[(ProductId, ProductId)]) -> Vec<(ProductId, ProductId)> {
    let mut items: HashMap<ProductId, Vec<ProductId>> = HashMap::new();
    for &(bundle, item) in edges {
        items.entry(bundle).or_default().push(item);
    }
    let mut out = BTreeSet::new();
    for &bundle in items.keys() {
        let mut stack = items[&bundle].clone();
        while let Some(item) = stack.pop() {
            if out.insert((bundle, item)) {
                stack.extend(items.get(&item).into_iter().flatten().copied());
            }
        }
    }
    out.into_iter().collect()
}

/// Whether including `item` in `bundle` would make a bundle include itself: `item` is
/// `bundle`, or `item` already includes `bundle`.
pub(crate) fn makes_cycle(
    edges: &[(ProductId, ProductId)],
    bundle: ProductId,
    item: ProductId,
) -> bool {
    item == bundle || closure(edges).contains(&(item, bundle))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_bundles_include_what_their_bundles_include_and_cycles_are_seen() {
        let [a, b, c, d] = [(); 4].map(|_| ProductId::new());
        let edges = [(a, b), (b, c), (b, d)];
        let all = closure(&edges);
        for pair in [(a, b), (a, c), (a, d), (b, c), (b, d)] {
            assert!(all.contains(&pair), "{pair:?}");
        }
        assert_eq!(all.len(), 5);
        assert!(makes_cycle(&edges, c, a), "c inside a, a inside c");
        assert!(makes_cycle(&edges, a, a));
        assert!(!makes_cycle(&edges, c, d));
        assert!(!makes_cycle(&edges, a, c), "already included: no cycle");
    }
}
