//! The report line after each invocation: duration, billed duration, peak memory and cost.

use super::backend::Outcome;
use fc_core::Platform;

/// AWS Lambda list prices, us-east-1, x86_64, first tier (AWS pricing: "$0.0000166667 for every
/// GB-second", "$0.20 per 1M requests"); duration billed in 1 ms steps, rounded up.
const LAMBDA_GB_SECOND: f64 = 0.000_016_666_7;
const LAMBDA_REQUEST: f64 = 0.20 / 1_000_000.0;

/// Function Compute 3.0 list prices (international site, pay-as-you-go, since 2024-08-27):
/// $0.00002 per vCPU-second, $0.000003 per GB-second, $0.0015 per 10,000 invocations.
const FC_VCPU_SECOND: f64 = 0.000_02;
const FC_GB_SECOND: f64 = 0.000_003;
const FC_REQUEST: f64 = 0.0015 / 10_000.0;

/// The vCPU an FC 3.0 function gets for `memory_mb`: the least FC allows, a quarter of the
/// memory in GB (vCPU:GB between 1:1 and 1:4), in steps of 0.05.
fn fc_vcpu(memory_mb: u32) -> f64 {
    let quarter = f64::from(memory_mb) / 1024.0 / 4.0;
    ((quarter / 0.05).ceil() * 0.05).max(0.05)
}

/// Billed milliseconds and cost in USD of one invocation.
pub(crate) fn cost(platform: Platform, duration_ms: f64, memory_mb: u32) -> (u64, f64) {
    let billed = duration_ms.ceil().max(1.0) as u64;
    let seconds = billed as f64 / 1000.0;
    let gb_seconds = f64::from(memory_mb) / 1024.0 * seconds;
    let cost = match platform {
        Platform::Aws => gb_seconds * LAMBDA_GB_SECOND + LAMBDA_REQUEST,
        _ => fc_vcpu(memory_mb) * seconds * FC_VCPU_SECOND + gb_seconds * FC_GB_SECOND + FC_REQUEST,
    };
    (billed, cost)
}

/// Prints the report line, in the platform's own words.
pub(crate) fn report(platform: Platform, outcome: &Outcome, memory_mb: u32) {
    let ms = outcome.duration.as_secs_f64() * 1000.0;
    let (billed, cost) = cost(platform, ms, memory_mb);
    let used = outcome
        .peak_memory_kib
        .map_or_else(|| "?".to_owned(), |kib| (kib.div_ceil(1024)).to_string());
    let id = &outcome.request_id;
    // Each platform's own report format, with the cost added.
    match platform {
        Platform::Aws => {
            let init = outcome.init_duration.map_or_else(String::new, |init| {
                format!("\tInit Duration: {:.2} ms", init.as_secs_f64() * 1000.0)
            });
            eprintln!(
                "fc-local: REPORT RequestId: {id}\tDuration: {ms:.2} ms\tBilled Duration: {billed} ms\tMemory Size: {memory_mb} MB\tMax Memory Used: {used} MB{init}\tCost: ${cost:.10}"
            );
        }
        Platform::Aliyun => eprintln!(
            "fc-local: RequestId: {id}, Duration: {ms:.2} ms, Billed Duration: {billed} ms, Memory Size: {memory_mb} MB, Max Memory Used: {used} MB, Cost: ${cost:.10}"
        ),
        // Knative bills nothing itself, and Cloud Run by instance time, not per request.
        _ => {
            eprintln!("fc-local: RequestId: {id}, Duration: {ms:.2} ms, Max Memory Used: {used} MB")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn costs_follow_the_list_prices() {
        // 128 MB for 100 ms on Lambda: 0.0125 GB-s and one request.
        let (billed, usd) = cost(Platform::Aws, 99.2, 128);
        assert_eq!(billed, 100);
        let expected = 0.0125 * 0.000_016_666_7 + 0.000_000_2;
        assert!((usd - expected).abs() < 1e-15, "{usd}");
        // 512 MB on FC: 0.15 vCPU (a quarter of 0.5 GB, rounded up to 0.05), 1 s.
        assert!((fc_vcpu(512) - 0.15).abs() < 1e-9);
        let (billed, usd) = cost(Platform::Aliyun, 1000.0, 512);
        assert_eq!(billed, 1000);
        let expected = 0.15 * 0.000_02 + 0.5 * 0.000_003 + 0.000_000_15;
        assert!((usd - expected).abs() < 1e-15, "{usd}");
        // Anything under a millisecond is billed as one.
        assert_eq!(cost(Platform::Aws, 0.01, 128).0, 1);
    }
}
