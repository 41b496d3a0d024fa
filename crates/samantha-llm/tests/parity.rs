//! The engine against llama.cpp's outputs on the real SmolLM2 model.

mod common;

use samantha_llm::{CancelToken, GenerationRequest, SamplingParams, StopReason};

#[test]
fn tokenizer_ids_equal_llama_cpp() {
    let engine = common::engine();

    for case in common::reference().tokenizer {
        let ids = engine.tokenizer().encode_text(&case.text).unwrap();
        assert_eq!(ids, case.ids, "ids differ for {:?}", case.text);
    }
}

#[test]
fn decode_restores_text() {
    let engine = common::engine();

    for case in common::reference().tokenizer {
        let text = engine.tokenizer().decode(&case.ids).unwrap();
        assert_eq!(text, case.text);
    }
}

/// Continuations (of 20) that must equal llama.cpp's for all 16 tokens.
const FULL_MATCHES: usize = 11;

/// Continuations (of 20) that must equal llama.cpp's for their first
/// [`LONG_PREFIX_TOKENS`] tokens.
const LONG_PREFIX_MATCHES: usize = 14;
const LONG_PREFIX_TOKENS: usize = 12;

// NOTE: llama.cpp rounds activations to 8-bit blocks in the prompt pass
// and while decoding, keeps its KV cache in f16 and sums RMS norm squares
// in f64. This engine's fused CPU path does the same, so 12 of the 20
// continuations match all 16 tokens and 15 match 12. The others part from
// llama.cpp at near-ties, the earliest at the first token ("Dear diary,
// today I finally"). Remaining differences: llama.cpp rounds queries and
// softmax weights to f16 (see `KvPrecision`), computes `exp` in SiLU and
// softmax with its own vector approximation, and sums dot products in
// other orders.
#[test]
fn greedy_continuations_equal_llama_cpp() {
    let engine = common::engine();
    let mut matching = 0;
    let mut long_prefixes = 0;
    let reference = common::reference();

    for case in &reference.continuations {
        assert_eq!(engine.raw_prompt(&case.prompt).unwrap(), case.prompt_ids, "prompt ids for {:?}", case.prompt);

        let request = GenerationRequest {
            prompt: case.prompt_ids.clone(),
            max_tokens: 16,
            sampling: SamplingParams::greedy(),
            stop_tokens: Vec::new(),
        };
        let generation = engine.generate(&request, &CancelToken::new(), &mut |_: &str| {}).unwrap();

        assert_eq!(generation.stop, StopReason::MaxTokens);
        if generation.tokens[..LONG_PREFIX_TOKENS] == case.ids[..LONG_PREFIX_TOKENS] {
            long_prefixes += 1;
        }
        if generation.tokens[..] == case.ids[..16] {
            matching += 1;
        } else {
            eprintln!("{:?}: got {:?}, llama.cpp {:?}", case.prompt, generation.tokens, &case.ids[..16]);
        }
    }

    assert!(
        long_prefixes >= LONG_PREFIX_MATCHES,
        "{long_prefixes} of {} continuations match llama.cpp for {LONG_PREFIX_TOKENS} tokens",
        reference.continuations.len()
    );
    assert!(matching >= FULL_MATCHES, "{matching} of {} continuations match llama.cpp for 16 tokens", reference.continuations.len());
}

#[test]
fn top_logits_match_llama_cpp() {
    let engine = common::engine();
    let case = common::reference().logits;

    let mut cache = engine.model().new_cache(case.prompt_ids.len(), engine.device());
    let logits = engine.model().forward_last(&case.prompt_ids, &mut cache, engine.device());

    let mut order: Vec<usize> = (0..logits.len()).collect();
    order.sort_by(|&a, &b| logits[b].total_cmp(&logits[a]));
    let top: Vec<u32> = order[..5].iter().map(|&i| i as u32).collect();
    let expected: Vec<u32> = case.top5.iter().map(|entry| entry.id).collect();
    assert_eq!(top, expected, "top-5 token ids");

    // llama.cpp multiplies with activations quantized to 8 bits, so its
    // logits differ from exact f32 products by a few hundredths.
    for entry in &case.top5 {
        let actual = logits[entry.id as usize];
        assert!((actual - entry.logit).abs() < 0.25, "logit of {}: {actual} vs {}", entry.id, entry.logit);
    }
}

#[test]
fn perplexity_within_one_percent_of_llama_cpp() {
    let engine = common::engine();
    let case = common::reference().perplexity;

    let ids = engine.tokenizer().encode_text(&case.text).unwrap();
    assert_eq!(ids, case.ids);

    let result = samantha_llm::perplexity(engine, &ids).unwrap();
    let relative = (result.value - case.value).abs() / case.value;
    assert!(relative < 0.01, "perplexity {} vs llama.cpp {} ({:.2}% apart)", result.value, case.value, relative * 100.0);
}
