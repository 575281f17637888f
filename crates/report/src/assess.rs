//! The assessment (考核) of units for a period: five rates, a composite score with weights the
//! admin sets, "样本不足" below a minimum sample instead of a rank, the ranking, and the red and
//! black lists (红黑榜). The definitions are in docs/figures.md ("Assessment").

use serde::{Deserialize, Serialize};

use crate::figures::ratio;
use crate::rollup::Summable;

/// What the rates are computed from, for one unit (its own, or its subtree once rolled up).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssessCounts {
    /// Demands received in the period.
    pub received: i64,
    /// Of those, given a first response by their accept-by date.
    pub responded_in_time: i64,
    /// Of those, not merged into another (the resolution rate's base).
    pub resolvable: i64,
    /// Of those, answered, or adopted into a matter that is done now.
    pub resolved: i64,
    pub satisfied: i64,
    pub basically: i64,
    pub dissatisfied: i64,
    /// Main matters completed in the period.
    pub completed: i64,
    pub on_time: i64,
    /// Of the completed, those reworked at least once.
    pub reworked: i64,
}

impl Summable for AssessCounts {
    fn add(&mut self, o: &Self) {
        self.received += o.received;
        self.responded_in_time += o.responded_in_time;
        self.resolvable += o.resolvable;
        self.resolved += o.resolved;
        self.satisfied += o.satisfied;
        self.basically += o.basically;
        self.dissatisfied += o.dissatisfied;
        self.completed += o.completed;
        self.on_time += o.on_time;
        self.reworked += o.reworked;
    }
}

impl AssessCounts {
    pub fn evaluated(&self) -> i64 {
        self.satisfied + self.basically + self.dissatisfied
    }

    /// Everything the rates rest on; a unit below the policy's minimum gets no rank.
    pub fn sample(&self) -> i64 {
        self.received + self.evaluated() + self.completed
    }

    pub fn rates(&self) -> Rates {
        Rates {
            response: ratio(self.responded_in_time, self.received),
            resolution: ratio(self.resolved, self.resolvable),
            satisfaction: ratio(self.satisfied + self.basically, self.evaluated()),
            on_time: ratio(self.on_time, self.completed),
            rework: ratio(self.reworked, self.completed),
        }
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Rates {
    /// 响应率
    pub response: Option<f64>,
    /// 解决率
    pub resolution: Option<f64>,
    /// 满意率
    pub satisfaction: Option<f64>,
    /// 按时完成率
    pub on_time: Option<f64>,
    /// 重办率 (lower is better)
    pub rework: Option<f64>,
}

/// The weights (any non-negative numbers; only their proportions matter), the minimum sample
/// and the size of each list. Stored as a setting; every field has a default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AssessPolicy {
    pub weight_response: u32,
    pub weight_resolution: u32,
    pub weight_satisfaction: u32,
    pub weight_on_time: u32,
    pub weight_rework: u32,
    pub min_sample: u32,
    pub board_size: u32,
}

impl Default for AssessPolicy {
    fn default() -> Self {
        AssessPolicy {
            weight_response: 20,
            weight_resolution: 25,
            weight_satisfaction: 30,
            weight_on_time: 15,
            weight_rework: 10,
            min_sample: 10,
            board_size: 3,
        }
    }
}

impl AssessPolicy {
    pub const FIELDS: [&'static str; 7] = [
        "weight_response",
        "weight_resolution",
        "weight_satisfaction",
        "weight_on_time",
        "weight_rework",
        "min_sample",
        "board_size",
    ];

    /// Fields out of range, by name.
    pub fn problems(&self) -> Vec<&'static str> {
        let mut out = Vec::new();
        let weights = [
            ("weight_response", self.weight_response),
            ("weight_resolution", self.weight_resolution),
            ("weight_satisfaction", self.weight_satisfaction),
            ("weight_on_time", self.weight_on_time),
            ("weight_rework", self.weight_rework),
        ];
        for (name, w) in weights {
            if w > 100 {
                out.push(name);
            }
        }
        if weights.iter().all(|(_, w)| *w == 0) {
            out.push("weight_response");
        }
        if self.min_sample > 100_000 {
            out.push("min_sample");
        }
        if !(1..=50).contains(&self.board_size) {
            out.push("board_size");
        }
        out
    }

    /// The composite score, 0–100: the weighted mean of the rates that exist (a rate whose
    /// base is empty carries no weight), rework counted as 1 − rate.
    pub fn score(&self, r: &Rates) -> Option<f64> {
        let parts = [
            (self.weight_response, r.response),
            (self.weight_resolution, r.resolution),
            (self.weight_satisfaction, r.satisfaction),
            (self.weight_on_time, r.on_time),
            (self.weight_rework, r.rework.map(|x| 1.0 - x)),
        ];
        let (sum, weight) = parts
            .iter()
            .filter_map(|(w, v)| v.map(|v| (f64::from(*w) * v, f64::from(*w))))
            .fold((0.0, 0.0), |(s, t), (x, w)| (s + x, t + w));
        (weight > 0.0).then(|| (sum / weight * 1000.0).round() / 10.0)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Assessed {
    pub unit_id: i64,
    pub name: String,
    pub counts: AssessCounts,
    pub rates: Rates,
    /// None for 样本不足 (or no rate at all).
    pub score: Option<f64>,
    /// 1 is best; equal scores share a rank. None for 样本不足.
    pub rank: Option<u32>,
}

impl Assessed {
    pub fn insufficient(&self) -> bool {
        self.rank.is_none()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ranking {
    /// Ranked units first, best to worst; then those with too small a sample, by name order.
    pub units: Vec<Assessed>,
    /// 红榜: the best `board_size`.
    pub top: Vec<i64>,
    /// 黑榜: the worst `board_size`, never a unit of the red list.
    pub bottom: Vec<i64>,
}

/// Ranks the given units (each with its rolled-up counts), in the given order for ties.
pub fn rank(units: Vec<(i64, String, AssessCounts)>, policy: &AssessPolicy) -> Ranking {
    let mut all: Vec<Assessed> = units
        .into_iter()
        .map(|(unit_id, name, counts)| {
            let rates = counts.rates();
            let enough = counts.sample() >= i64::from(policy.min_sample);
            Assessed {
                unit_id,
                name,
                counts,
                rates,
                score: policy.score(&rates).filter(|_| enough),
                rank: None,
            }
        })
        .collect();
    // Stable: equal scores keep the caller's (tree) order.
    all.sort_by(|a, b| match (a.score, b.score) {
        (Some(x), Some(y)) => y.total_cmp(&x),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => std::cmp::Ordering::Equal,
    });
    let mut previous: Option<(f64, u32)> = None;
    for (i, a) in all.iter_mut().enumerate() {
        if let Some(score) = a.score {
            let rank = match previous {
                Some((s, r)) if s == score => r,
                _ => i as u32 + 1,
            };
            a.rank = Some(rank);
            previous = Some((score, rank));
        }
    }
    let ranked: Vec<i64> = all
        .iter()
        .filter(|a| a.rank.is_some())
        .map(|a| a.unit_id)
        .collect();
    let n = policy.board_size as usize;
    let top: Vec<i64> = ranked.iter().take(n).copied().collect();
    let bottom: Vec<i64> = ranked
        .iter()
        .rev()
        .filter(|id| !top.contains(id))
        .take(n)
        .copied()
        .collect();
    Ranking {
        units: all,
        top,
        bottom,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(
        received: i64,
        in_time: i64,
        sat: i64,
        dis: i64,
        done: i64,
        on_time: i64,
    ) -> AssessCounts {
        AssessCounts {
            received,
            responded_in_time: in_time,
            resolvable: received,
            resolved: in_time,
            satisfied: sat,
            dissatisfied: dis,
            completed: done,
            on_time,
            ..AssessCounts::default()
        }
    }

    #[test]
    fn scores_weigh_the_rates_that_exist() {
        let p = AssessPolicy::default();
        let all_good = counts(10, 10, 10, 0, 10, 10).rates();
        assert_eq!(p.score(&all_good), Some(100.0));
        // Nothing completed: on time and rework carry no weight, the rest decide.
        let no_work = counts(10, 5, 0, 0, 0, 0).rates();
        assert_eq!(no_work.on_time, None);
        assert_eq!(p.score(&no_work), Some(50.0));
        assert_eq!(p.score(&Rates::default()), None);
        let c = AssessCounts {
            satisfied: 6,
            basically: 2,
            dissatisfied: 2,
            ..AssessCounts::default()
        };
        assert_eq!(c.rates().satisfaction, Some(0.8));
    }

    #[test]
    fn ranks_share_ties_and_small_samples_are_not_ranked() {
        let p = AssessPolicy {
            board_size: 2,
            ..AssessPolicy::default()
        };
        let r = rank(
            vec![
                (1, "甲".into(), counts(10, 10, 10, 0, 10, 10)),
                (2, "乙".into(), counts(10, 5, 5, 5, 10, 5)),
                (3, "丙".into(), counts(10, 10, 10, 0, 10, 10)),
                (4, "丁".into(), counts(2, 2, 0, 0, 0, 0)),
                (5, "戊".into(), counts(10, 0, 0, 10, 10, 0)),
            ],
            &p,
        );
        let order: Vec<(i64, Option<u32>)> = r.units.iter().map(|a| (a.unit_id, a.rank)).collect();
        assert_eq!(
            order,
            vec![
                (1, Some(1)),
                (3, Some(1)),
                (2, Some(3)),
                (5, Some(4)),
                (4, None)
            ]
        );
        assert!(r.units[4].insufficient());
        assert_eq!(r.top, vec![1, 3]);
        assert_eq!(r.bottom, vec![5, 2]);
        // Three ranked units and lists of two: the black list never repeats the red one.
        let r = rank(
            r.units
                .iter()
                .take(3)
                .map(|a| (a.unit_id, a.name.clone(), a.counts))
                .collect(),
            &p,
        );
        assert_eq!((r.top.clone(), r.bottom.clone()), (vec![1, 3], vec![2]));
    }

    #[test]
    fn policy_bounds() {
        assert!(AssessPolicy::default().problems().is_empty());
        let zero = AssessPolicy {
            weight_response: 0,
            weight_resolution: 0,
            weight_satisfaction: 0,
            weight_on_time: 0,
            weight_rework: 0,
            board_size: 0,
            ..AssessPolicy::default()
        };
        assert_eq!(zero.problems(), vec!["weight_response", "board_size"]);
    }
}
