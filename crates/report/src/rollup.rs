//! Rolling figures up the unit tree: each unit's subtree figures are its own plus those of its
//! children's subtrees, so every subtotal is the sum of the leaves beneath it.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

/// Figures that add up.
pub trait Summable: Default + Clone {
    fn add(&mut self, other: &Self);
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitNode {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub name: String,
    pub sort_order: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rolled<T> {
    pub unit_id: i64,
    pub parent_id: Option<i64>,
    pub name: String,
    /// 0 for the root of the roll-up.
    pub depth: u32,
    pub has_children: bool,
    /// The unit's own matters.
    pub own: T,
    /// The unit and everything under it.
    pub subtree: T,
}

/// The subtree under `root` in display order (parents first, siblings by sort order then id),
/// each unit with its own and its rolled-up figures. Units not connected to `root` through
/// `units` are left out; a unit missing from `own` counts as zero.
pub fn roll_up<T: Summable>(
    root: i64,
    units: &[UnitNode],
    own: &HashMap<i64, T>,
) -> Vec<Rolled<T>> {
    let mut children: HashMap<i64, Vec<&UnitNode>> = HashMap::new();
    let mut root_node = None;
    for u in units {
        if u.id == root {
            root_node = Some(u);
        } else if let Some(p) = u.parent_id {
            children.entry(p).or_default().push(u);
        }
    }
    let Some(root_node) = root_node else {
        return vec![];
    };
    for list in children.values_mut() {
        list.sort_by_key(|u| (u.sort_order, u.id));
    }
    // Preorder without recursion: a deep tree must not overflow the stack.
    let mut order: Vec<(&UnitNode, u32)> = Vec::with_capacity(units.len());
    let mut stack = vec![(root_node, 0u32)];
    while let Some((node, depth)) = stack.pop() {
        order.push((node, depth));
        if let Some(kids) = children.get(&node.id) {
            stack.extend(kids.iter().rev().map(|k| (*k, depth + 1)));
        }
    }
    let mut rows: Vec<Rolled<T>> = order
        .iter()
        .map(|(u, depth)| {
            let mine = own.get(&u.id).cloned().unwrap_or_default();
            Rolled {
                unit_id: u.id,
                parent_id: if u.id == root { None } else { u.parent_id },
                name: u.name.clone(),
                depth: *depth,
                has_children: children.get(&u.id).is_some_and(|k| !k.is_empty()),
                subtree: mine.clone(),
                own: mine,
            }
        })
        .collect();
    // In reverse preorder every child comes before its parent, so one pass adds each finished
    // subtree into its parent's.
    let index: HashMap<i64, usize> = rows
        .iter()
        .enumerate()
        .map(|(i, r)| (r.unit_id, i))
        .collect();
    for i in (0..rows.len()).rev() {
        if let Some(&p) = rows[i].parent_id.as_ref().and_then(|p| index.get(p)) {
            let sub = rows[i].subtree.clone();
            rows[p].subtree.add(&sub);
        }
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[derive(Debug, Clone, Default, PartialEq)]
    struct N(i64);
    impl Summable for N {
        fn add(&mut self, other: &Self) {
            self.0 += other.0;
        }
    }

    fn tree(parents: &[usize]) -> Vec<UnitNode> {
        // Unit i+1 hangs under one of the units before it, so the shape is always a tree.
        let mut units = vec![UnitNode {
            id: 1,
            parent_id: None,
            name: "集团".into(),
            sort_order: 0,
        }];
        for (i, p) in parents.iter().enumerate() {
            let id = i as i64 + 2;
            units.push(UnitNode {
                id,
                parent_id: Some((*p % (i + 1)) as i64 + 1),
                name: format!("单位{id}"),
                sort_order: (id * 7) % 5,
            });
        }
        units
    }

    proptest! {
        #[test]
        fn every_subtotal_is_the_sum_of_its_leaves(
            parents in proptest::collection::vec(0usize..1000, 0..120),
            values in proptest::collection::vec(0i64..1000, 121),
        ) {
            let units = tree(&parents);
            let own: HashMap<i64, N> = units.iter().map(|u| (u.id, N(values[(u.id - 1) as usize]))).collect();
            let rows = roll_up(1, &units, &own);
            prop_assert_eq!(rows.len(), units.len());
            prop_assert_eq!(rows[0].subtree.0, own.values().map(|n| n.0).sum::<i64>());
            for r in &rows {
                // The subtree of any unit is the sum of the own figures of every unit below it.
                let mut below = 0;
                for u in &units {
                    let mut cur = Some(u.id);
                    while let Some(c) = cur {
                        if c == r.unit_id {
                            below += own[&u.id].0;
                            break;
                        }
                        cur = units.iter().find(|x| x.id == c).and_then(|x| x.parent_id);
                    }
                }
                prop_assert_eq!(r.subtree.0, below);
                if !r.has_children {
                    prop_assert_eq!(&r.subtree, &r.own);
                }
            }
            // Parents come before their children.
            let pos: HashMap<i64, usize> = rows.iter().enumerate().map(|(i, r)| (r.unit_id, i)).collect();
            for r in &rows {
                if let Some(p) = r.parent_id {
                    prop_assert!(pos[&p] < pos[&r.unit_id]);
                    prop_assert_eq!(rows[pos[&p]].depth + 1, r.depth);
                }
            }
        }
    }

    #[test]
    fn a_subtree_root_and_strangers() {
        let units = tree(&[0, 0, 1, 1]);
        // 1 → {2, 3}, 2 → {4, 5}
        let own: HashMap<i64, N> = (1..=5).map(|i| (i, N(i))).collect();
        let rows = roll_up(2, &units, &own);
        let ids: Vec<i64> = rows.iter().map(|r| r.unit_id).collect();
        // Siblings by sort order: 5 (order 0) before 4 (order 3).
        assert_eq!(ids, vec![2, 5, 4]);
        assert_eq!(rows[0].subtree, N(11));
        assert_eq!(rows[0].parent_id, None);
        assert!(roll_up(99, &units, &own).is_empty());
    }

    #[test]
    fn a_deep_chain_does_not_overflow() {
        let parents: Vec<usize> = (0..50_000).collect();
        let units = tree(&parents);
        let own: HashMap<i64, N> = units.iter().map(|u| (u.id, N(1))).collect();
        let rows = roll_up(1, &units, &own);
        assert_eq!(rows[0].subtree, N(50_001));
        assert_eq!(rows.last().map(|r| r.depth), Some(50_000));
    }
}
