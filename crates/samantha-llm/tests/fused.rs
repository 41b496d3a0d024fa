//! The fused CPU decode path against the burn modules on the real SmolLM2
//! model.

mod common;

/// Largest logit difference allowed between the two paths. Logits of this
/// model span about 30; the paths differ only in the order of `f32` sums.
const TOLERANCE: f32 = 2e-3;

#[test]
fn fused_decode_matches_burn_path() {
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

    let mut scratch = fused.new_scratch(capacity);
    let mut fused_logits = vec![0.0; burn_logits.len()];
    let mut largest = 0.0f32;
    for step in 0..12 {
        let token = argmax(&burn_logits);
        burn_logits = model.forward_last(&[token], &mut burn_cache, device);
        fused.decode(token, &mut fused_cache, &mut scratch, &mut fused_logits).unwrap();

        let difference = burn_logits.iter().zip(&fused_logits).map(|(a, b)| (a - b).abs()).fold(0.0, f32::max);
        assert!(difference < TOLERANCE, "step {step}: logits differ by {difference}");
        assert_eq!(argmax(&fused_logits), argmax(&burn_logits), "step {step}: greedy tokens differ");
        largest = largest.max(difference);
    }
    eprintln!("largest logit difference between the paths: {largest:e}");
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
