//! The fused CPU decode path against the burn modules on the real SmolLM2
//! model.

// Each test binary uses only some of the shared helpers.
#[allow(dead_code)]
mod common;

use samantha_llm::quant::Activations;

/// Largest logit difference allowed between the burn path and the fused
/// path with exact activations. Logits of this model span about 30, and
/// the paths differ only in the order of `f32` sums.
const EXACT_TOLERANCE: f32 = 2e-3;

/// Largest logit difference allowed with 8-bit activations: where the two
/// paths' inputs differ in the last bit, a value can round to the next
/// 8-bit step, and these steps add up over 30 layers.
const INT8_TOLERANCE: f32 = 1.5;

/// Decodes 12 greedy tokens of the burn path through both paths and
/// returns the largest logit difference and the number of steps whose
/// greedy tokens agree.
fn compare_paths(activations: Activations) -> (f32, usize) {
    let engine = common::engine();
    let model = engine.model();
    let device = engine.device();
    let fused = model.fused().expect("the CPU backend has a fused decode path");

    let prompt = engine.raw_prompt("The lighthouse keeper wrote in her journal").unwrap();
    let capacity = prompt.len() + 12;
    let mut burn_cache = model.new_cache(capacity, device);
    let mut fused_cache = model.new_cache(capacity, device);
    let mut burn_logits = model.forward_last(&prompt, &mut burn_cache, device);
    model.forward_last(&prompt, &mut fused_cache, device);

    let mut scratch = fused.new_scratch_with(capacity, activations);
    let mut fused_logits = vec![0.0; burn_logits.len()];
    let mut largest = 0.0f32;
    let mut agreeing = 0;
    for _ in 0..12 {
        let token = argmax(&burn_logits);
        burn_logits = model.forward_last(&[token], &mut burn_cache, device);
        fused.decode(token, &mut fused_cache, &mut scratch, &mut fused_logits).unwrap();

        let difference = burn_logits.iter().zip(&fused_logits).map(|(a, b)| (a - b).abs()).fold(0.0, f32::max);
        largest = largest.max(difference);
        if argmax(&fused_logits) == argmax(&burn_logits) {
            agreeing += 1;
        }
    }

    eprintln!("{activations:?}: largest logit difference {largest:e}, {agreeing} of 12 greedy tokens agree");
    (largest, agreeing)
}

#[test]
fn exact_fused_decode_matches_burn() {
    let (largest, agreeing) = compare_paths(Activations::Exact);

    assert!(largest < EXACT_TOLERANCE, "logits differ by {largest}");
    assert_eq!(agreeing, 12);
}

#[test]
fn int8_fused_decode_stays_near_burn() {
    let (largest, agreeing) = compare_paths(Activations::Int8);

    assert!(largest < INT8_TOLERANCE, "logits differ by {largest}");
    assert!(agreeing >= 10, "only {agreeing} of 12 greedy tokens agree");
}

fn argmax(logits: &[f32]) -> u32 {
    let mut best = 0;
    for (index, value) in logits.iter().enumerate() {
        if *value > logits[best] {
            best = index;
        }
    }
    best as u32
}
