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

        let difference = max_difference(&burn_logits, &fused_logits);
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

/// Runs a 77-token prompt, two chunks of the fused prompt pass, through
/// burn and through the fused path and returns the largest logit
/// difference after the prompt and after one more token.
fn compare_prompt_passes(activations: Activations) -> (f32, f32) {
    let engine = common::engine();
    let model = engine.model();
    let device = engine.device();
    let fused = model.fused().expect("the CPU backend has a fused path");

    let text = "The lighthouse keeper wrote in her journal every night. ".repeat(7);
    let prompt = engine.raw_prompt(&text).unwrap();
    assert!(prompt.len() > 64, "the prompt has only {} tokens", prompt.len());
    let capacity = prompt.len() + 1;

    let mut burn_cache = model.new_cache(capacity, device);
    let burn_logits = model.forward_last(&prompt, &mut burn_cache, device);
    let mut fused_cache = model.new_cache(capacity, device);
    let mut scratch = fused.new_scratch_with(capacity, activations);
    let mut fused_logits = vec![0.0; burn_logits.len()];
    fused.prefill(&prompt, &mut fused_cache, &mut scratch, &mut fused_logits).unwrap();
    let after_prompt = max_difference(&burn_logits, &fused_logits);

    let token = argmax(&burn_logits);
    let burn_logits = model.forward_last(&[token], &mut burn_cache, device);
    fused.decode(token, &mut fused_cache, &mut scratch, &mut fused_logits).unwrap();
    let after_token = max_difference(&burn_logits, &fused_logits);

    eprintln!("{activations:?} prompt of {} tokens: logits differ by {after_prompt:e}, then {after_token:e}", prompt.len());
    (after_prompt, after_token)
}

#[test]
fn exact_fused_prompt_matches_burn() {
    let (after_prompt, after_token) = compare_prompt_passes(Activations::Exact);

    assert!(after_prompt < EXACT_TOLERANCE, "logits after the prompt differ by {after_prompt}");
    assert!(after_token < EXACT_TOLERANCE, "logits after one more token differ by {after_token}");
}

#[test]
fn int8_fused_prompt_stays_near_burn() {
    let (after_prompt, after_token) = compare_prompt_passes(Activations::Int8);

    assert!(after_prompt < INT8_TOLERANCE, "logits after the prompt differ by {after_prompt}");
    assert!(after_token < INT8_TOLERANCE, "logits after one more token differ by {after_token}");
}

#[test]
fn fused_prompt_same_on_two_threads() {
    let engine = common::engine();
    let model = engine.model();
    let fused = model.fused().unwrap();
    let prompt = engine.raw_prompt(&"Waves fold over the quiet harbour. ".repeat(10)).unwrap();

    let run = || {
        let mut cache = model.new_cache(prompt.len(), engine.device());
        let mut scratch = fused.new_scratch(prompt.len());
        let mut logits = vec![0.0; model.config().vocab_size];
        fused.prefill(&prompt, &mut cache, &mut scratch, &mut logits).unwrap();
        logits
    };
    let pool = rayon::ThreadPoolBuilder::new().num_threads(2).build().unwrap();
    let single = pool_of_one().install(run);

    assert_eq!(pool.install(run), single);
}

fn pool_of_one() -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap()
}

fn max_difference(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(a, b)| (a - b).abs()).fold(0.0, f32::max)
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
