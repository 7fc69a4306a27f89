//! Ratios measured so that a noisy machine moves both sides alike: the sides of a case — fc,
//! and what it is compared with (a baseline, the floor) — run in alternating batches in one
//! process, `ROUNDS` times, the side that goes first rotating. Each round gives one ratio per
//! comparison; a row reports the median ratio and the range of the rounds, so a ratio whose
//! range straddles its target says so. Shared by the in-process benches of fc-aws and
//! fc-aliyun. Rows go to stderr: FC's runtime writes its log markers on stdout.

#![allow(dead_code)] // each bench uses its part

use std::hint::black_box;
use std::time::{Duration, Instant};

use tokio::runtime::Runtime;

/// One side of a case: runs the invocation `n` times and says how long that took.
pub(crate) type Side<'a> = Box<dyn FnMut(u64) -> Duration + 'a>;

/// `invocation` as a side: `n` of them back to back on the runtime's thread.
pub(crate) fn side<'a, F, T>(
    runtime: &'a Runtime,
    mut invocation: impl FnMut() -> F + 'a,
) -> Side<'a>
where
    F: Future<Output = T>,
{
    Box::new(move |n| {
        runtime.block_on(async {
            let started = Instant::now();
            for _ in 0..n {
                black_box(invocation().await);
            }
            started.elapsed()
        })
    })
}

/// A synchronous step as a side.
pub(crate) fn step<'a, T>(mut step: impl FnMut() -> T + 'a) -> Side<'a> {
    Box::new(move |n| {
        let started = Instant::now();
        for _ in 0..n {
            black_box(step());
        }
        started.elapsed()
    })
}

/// The floor of a JSON event: the same bytes read into `IgnoredAny`, and `answer` written.
pub(crate) fn json_floor<'a>(body: &'a [u8], answer: serde_json::Value) -> Side<'a> {
    step(move || {
        let _: serde::de::IgnoredAny = serde_json::from_slice(black_box(body)).expect("JSON");
        serde_json::to_vec(&answer).expect("the answer encodes")
    })
}

/// What one side is compared with, and the ratio it must stay under.
pub(crate) struct Against<'a> {
    /// What it is, in the table.
    pub(crate) name: String,
    /// Its side.
    pub(crate) side: Side<'a>,
    /// The most fc / it may be; `None` for a comparison that only informs.
    pub(crate) limit: Option<f64>,
}

/// The comparisons of one case.
pub(crate) struct Case<'a> {
    /// What it is, in the table.
    pub(crate) what: String,
    /// fc's side.
    pub(crate) fc: Side<'a>,
    /// What fc is compared with.
    pub(crate) against: Vec<Against<'a>>,
}

/// How a run measures.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Plan {
    /// Rounds of alternation.
    pub(crate) rounds: usize,
    /// Each side's batch, per round.
    pub(crate) batch: Duration,
}

impl Plan {
    /// `ROUNDS` (at least 5, 7 by default) batches of `BATCH_MS` (300 by default) under
    /// `cargo bench`; one short round otherwise (`cargo test --benches` checks it runs).
    pub(crate) fn from_env() -> Plan {
        let number = |name: &str, default: u64| {
            std::env::var(name)
                .ok()
                .and_then(|v| v.parse().ok())
                .unwrap_or(default)
        };
        if std::env::args().any(|arg| arg == "--bench") {
            Plan {
                rounds: number("ROUNDS", 7).max(5) as usize,
                batch: Duration::from_millis(number("BATCH_MS", 300)),
            }
        } else {
            Plan {
                rounds: 1,
                batch: Duration::from_millis(5),
            }
        }
    }

    /// The table's header.
    pub(crate) fn header(&self) -> String {
        format!(
            "| one invocation in process, interleaved ({} rounds of {} ms per side; median, range of the rounds) | fc | against | its time | fc / it | target | result |\n|---|---|---|---|---|---|---|",
            self.rounds,
            self.batch.as_millis()
        )
    }
}

/// Nanoseconds per invocation of `run` over about `budget`, after calibrating on a short run.
fn per_invocation(run: &mut Side<'_>, budget: Duration) -> f64 {
    let mut n = 1;
    loop {
        let took = run(n);
        if took >= budget / 20 || n >= 1 << 30 {
            let total = (n as f64 * budget.as_secs_f64() / took.as_secs_f64().max(1e-9)) as u64;
            let total = total.max(1);
            return run(total).as_nanos() as f64 / total as f64;
        }
        n *= 2;
    }
}

/// The median of `values`.
pub(crate) fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let mid = sorted.len() / 2;
    if sorted.len() % 2 == 1 {
        sorted[mid]
    } else {
        (sorted[mid - 1] + sorted[mid]) / 2.0
    }
}

/// A time in the table's unit.
pub(crate) fn micros(ns: f64) -> String {
    format!("{:.2} µs", ns / 1000.0)
}

/// Runs the case's sides in alternation; prints a row per comparison, and returns fc's
/// median time in ns.
pub(crate) fn measure(mut case: Case<'_>, plan: Plan) -> f64 {
    let sides = 1 + case.against.len();
    let mut times = vec![Vec::new(); sides];
    for round in 0..plan.rounds {
        for turn in 0..sides {
            let which = (round + turn) % sides;
            let run = match which {
                0 => &mut case.fc,
                other => &mut case.against[other - 1].side,
            };
            times[which].push(per_invocation(run, plan.batch));
        }
    }
    let fc = median(&times[0]);
    for (index, against) in case.against.iter().enumerate() {
        let ratios: Vec<f64> = times[0]
            .iter()
            .zip(&times[index + 1])
            .map(|(fc, other)| fc / other)
            .collect();
        let low = ratios.iter().copied().fold(f64::INFINITY, f64::min);
        let high = ratios.iter().copied().fold(0.0, f64::max);
        let ratio = median(&ratios);
        let (target, result) = match against.limit {
            Some(limit) => (
                format!("≤ {limit:.2}"),
                if ratio <= limit { "met" } else { "not met" },
            ),
            None => ("—".to_owned(), "—"),
        };
        eprintln!(
            "| {} | {} | {} | {} | {ratio:.3} ({low:.3}–{high:.3}) | {target} | {result} |",
            case.what,
            micros(fc),
            against.name,
            micros(median(&times[index + 1])),
        );
    }
    fc
}

/// One point of a curve: its size (bytes or records) and the invocation at that size.
pub(crate) struct Point<'a> {
    /// Bytes or records.
    pub(crate) x: f64,
    /// The invocation.
    pub(crate) side: Side<'a>,
}

/// Measures a curve — each point `plan.rounds` times, the points in turn — and prints one
/// `curve,SERIES,UNIT,X,NS` line per point and a row with the least-squares line through them:
/// the cost per unit (the slope), the fixed cost, and R², which says how straight it is.
pub(crate) fn curve(series: &str, unit: &str, mut points: Vec<Point<'_>>, plan: Plan) {
    let mut times = vec![Vec::new(); points.len()];
    for _ in 0..plan.rounds {
        for (point, times) in points.iter_mut().zip(&mut times) {
            times.push(per_invocation(&mut point.side, plan.batch));
        }
    }
    let xy: Vec<(f64, f64)> = points
        .iter()
        .zip(&times)
        .map(|(point, times)| (point.x, median(times)))
        .collect();
    for (x, ns) in &xy {
        eprintln!("curve,{series},{unit},{x},{ns:.1}");
    }
    let n = xy.len() as f64;
    let (mean_x, mean_y) = (
        xy.iter().map(|p| p.0).sum::<f64>() / n,
        xy.iter().map(|p| p.1).sum::<f64>() / n,
    );
    let sxy: f64 = xy.iter().map(|(x, y)| (x - mean_x) * (y - mean_y)).sum();
    let sxx: f64 = xy.iter().map(|(x, _)| (x - mean_x).powi(2)).sum();
    let syy: f64 = xy.iter().map(|(_, y)| (y - mean_y).powi(2)).sum();
    let slope = sxy / sxx;
    let intercept = mean_y - slope * mean_x;
    let r2 = if syy > 0.0 {
        sxy * sxy / (sxx * syy)
    } else {
        1.0
    };
    let points: Vec<String> = xy
        .iter()
        .map(|(x, ns)| format!("{x} {unit}: {}", micros(*ns)))
        .collect();
    eprintln!(
        "| {series} | {:.2} ns per {} | {} | {r2:.4} | {} |",
        slope,
        unit.trim_end_matches('s'),
        micros(intercept),
        points.join("; ")
    );
}
