//! Choosing the next token from logits.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// How many recent tokens the repetition penalty looks at, as llama.cpp's
/// default `repeat_last_n`.
pub const REPETITION_WINDOW: usize = 64;

/// Sampling settings. A temperature of 0 means greedy decoding.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SamplingParams {
    pub temperature: f32,

    /// Keep only the `top_k` most likely tokens; 0 keeps all.
    pub top_k: usize,

    /// Keep the smallest set of tokens whose probability sums to `top_p`.
    pub top_p: f32,

    /// Drop tokens less likely than `min_p` times the most likely one.
    pub min_p: f32,

    /// Divide positive logits (multiply negative ones) of recent tokens by
    /// this factor; 1 turns it off.
    pub repetition_penalty: f32,

    pub seed: u64,
}

/// A sampling setting out of range.
#[derive(Debug, Clone, Copy, PartialEq, thiserror::Error)]
pub enum SamplingError {
    #[error("temperature must be 0 or more, got {0}")]
    Temperature(f32),

    #[error("top-p must be in (0, 1], got {0}")]
    TopP(f32),

    #[error("min-p must be in [0, 1), got {0}")]
    MinP(f32),

    #[error("repetition penalty must be positive, got {0}")]
    RepetitionPenalty(f32),
}

impl Default for SamplingParams {
    fn default() -> Self {
        Self {
            temperature: 0.7,
            top_k: 40,
            top_p: 0.95,
            min_p: 0.05,
            repetition_penalty: 1.1,
            seed: 42,
        }
    }
}

impl SamplingParams {
    /// Greedy decoding with no penalty: the same output as llama.cpp's argmax.
    pub fn greedy() -> Self {
        Self {
            temperature: 0.0,
            repetition_penalty: 1.0,
            ..Self::default()
        }
    }

    /// Checks that every value is in range, naming the first that is not.
    pub fn validate(&self) -> Result<(), SamplingError> {
        if !(self.temperature >= 0.0 && self.temperature.is_finite()) {
            return Err(SamplingError::Temperature(self.temperature));
        }
        if !(self.top_p > 0.0 && self.top_p <= 1.0) {
            return Err(SamplingError::TopP(self.top_p));
        }
        if !(0.0..1.0).contains(&self.min_p) {
            return Err(SamplingError::MinP(self.min_p));
        }
        if !(self.repetition_penalty > 0.0 && self.repetition_penalty.is_finite()) {
            return Err(SamplingError::RepetitionPenalty(self.repetition_penalty));
        }
        Ok(())
    }
}

/// Draws tokens according to [`SamplingParams`], reproducibly from the seed.
#[derive(Debug)]
pub struct Sampler {
    params: SamplingParams,
    rng: StdRng,
}

impl Sampler {
    pub fn new(params: SamplingParams) -> Self {
        Self {
            params,
            rng: StdRng::seed_from_u64(params.seed),
        }
    }

    /// Picks the next token; `recent` are the tokens seen so far.
    pub fn sample(&mut self, logits: &mut [f32], recent: &[u32]) -> u32 {
        self.apply_repetition_penalty(logits, recent);

        if self.params.temperature == 0.0 {
            return argmax(logits);
        }

        let mut candidates: Vec<(u32, f32)> = logits.iter().enumerate().map(|(id, &logit)| (id as u32, logit)).collect();
        let descending = |a: &(u32, f32), b: &(u32, f32)| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0));
        let top_k = self.params.top_k;
        if top_k > 0 && top_k < candidates.len() {
            // Partitioning first spares sorting the whole vocabulary for
            // every token.
            candidates.select_nth_unstable_by(top_k - 1, descending);
            candidates.truncate(top_k);
        }
        candidates.sort_unstable_by(descending);

        // Softmax at the temperature, over the remaining candidates.
        let max = candidates[0].1;
        let mut probabilities: Vec<f32> =
            candidates.iter().map(|(_, logit)| ((logit - max) / self.params.temperature).exp()).collect();
        let total: f32 = probabilities.iter().sum();
        probabilities.iter_mut().for_each(|p| *p /= total);

        let mut keep = probabilities.len();
        let mut cumulative = 0.0;
        for (index, &p) in probabilities.iter().enumerate() {
            cumulative += p;
            if cumulative >= self.params.top_p {
                keep = index + 1;
                break;
            }
        }
        let threshold = probabilities[0] * self.params.min_p;
        keep = keep.min(probabilities.iter().take_while(|&&p| p >= threshold).count().max(1));

        let total: f32 = probabilities[..keep].iter().sum();
        let mut draw = self.rng.random::<f32>() * total;
        for (index, &p) in probabilities[..keep].iter().enumerate() {
            draw -= p;
            if draw <= 0.0 {
                return candidates[index].0;
            }
        }
        candidates[keep - 1].0
    }

    fn apply_repetition_penalty(&self, logits: &mut [f32], recent: &[u32]) {
        let penalty = self.params.repetition_penalty;
        if penalty == 1.0 {
            return;
        }

        let window = &recent[recent.len().saturating_sub(REPETITION_WINDOW)..];
        let mut seen = std::collections::HashSet::with_capacity(window.len());
        for &id in window {
            if !seen.insert(id) {
                continue;
            }
            if let Some(logit) = logits.get_mut(id as usize) {
                *logit = if *logit > 0.0 { *logit / penalty } else { *logit * penalty };
            }
        }
    }
}

/// Index of the largest value; the first one on ties, as llama.cpp picks.
pub fn argmax(values: &[f32]) -> u32 {
    let mut best = 0;
    for (index, &value) in values.iter().enumerate() {
        if value > values[best] {
            best = index;
        }
    }
    best as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn greedy_picks_the_largest() {
        let mut sampler = Sampler::new(SamplingParams::greedy());
        assert_eq!(sampler.sample(&mut [0.1, 3.0, 2.0], &[]), 1);
    }

    #[test]
    fn repetition_penalty_changes_the_choice() {
        let params = SamplingParams {
            repetition_penalty: 2.0,
            ..SamplingParams::greedy()
        };
        let mut sampler = Sampler::new(params);
        assert_eq!(sampler.sample(&mut [0.0, 3.0, 2.0], &[1]), 2);
    }

    #[test]
    fn same_seed_same_tokens() {
        let logits: Vec<f32> = (0..50).map(|i| (i as f32 * 0.37).sin()).collect();
        let draw = |seed| {
            let mut sampler = Sampler::new(SamplingParams { seed, ..SamplingParams::default() });
            (0..20).map(|_| sampler.sample(&mut logits.clone(), &[])).collect::<Vec<_>>()
        };
        assert_eq!(draw(7), draw(7));
        assert_ne!(draw(7), draw(8));
    }

    #[test]
    fn top_k_one_is_greedy() {
        let params = SamplingParams {
            top_k: 1,
            temperature: 1.5,
            ..SamplingParams::default()
        };
        let mut sampler = Sampler::new(params);
        for _ in 0..10 {
            assert_eq!(sampler.sample(&mut [1.0, 0.5, 4.0, 3.9], &[]), 2);
        }
    }

    #[test]
    fn top_k_draws_only_the_largest() {
        let logits: Vec<f32> = (0..500).map(|id| ((id * 7919) % 500) as f32 / 100.0).collect();
        let mut largest: Vec<u32> = (0..500).collect();
        largest.sort_by(|&a, &b| logits[b as usize].total_cmp(&logits[a as usize]));
        largest.truncate(3);

        let params = SamplingParams {
            top_k: 3,
            top_p: 1.0,
            min_p: 0.0,
            temperature: 50.0,
            repetition_penalty: 1.0,
            seed: 1,
        };
        let mut sampler = Sampler::new(params);
        let drawn: std::collections::HashSet<u32> = (0..200).map(|_| sampler.sample(&mut logits.clone(), &[])).collect();

        assert!(drawn.iter().all(|id| largest.contains(id)), "drew {drawn:?}, largest are {largest:?}");
        assert_eq!(drawn.len(), 3, "a high temperature draws all three");
    }

    #[test]
    fn invalid_params_are_named() {
        let params = SamplingParams {
            top_p: 1.5,
            ..SamplingParams::default()
        };
        assert_eq!(params.validate(), Err(SamplingError::TopP(params.top_p)));
    }
}
