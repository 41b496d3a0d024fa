//! Energy-based voice activity detection.
//!
//! The audio is cut into 30 ms frames and each frame's RMS level is taken
//! in dBFS. The noise floor is the 10th percentile of the frame levels, so
//! it follows the room (or the file) instead of a fixed number. A frame is
//! voiced when it is at least [`VadConfig::margin_db`] above that floor and
//! above [`VadConfig::min_level_db`]. Silence fails the absolute level and
//! steady noise (white noise, fan hum) fails the margin, because its frames
//! all sit at the floor. Speech needs [`VadConfig::min_speech_ms`] of voiced
//! frames in total. The trimmed region runs from the first to the last
//! voiced frame, widened by [`VadConfig::padding_ms`] on both sides.
//!
//! NOTE: speech under steady noise with less than `margin_db` of SNR is
//! taken for noise and dropped. The thresholds were chosen on espeak-ng
//! speech, silence and synthetic noise, not on real microphones.

/// Thresholds of the detector.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct VadConfig {
    /// Frame length in milliseconds.
    pub frame_ms: u32,
    /// Level a voiced frame must exceed above the noise floor, in dB.
    pub margin_db: f32,
    /// Level below which a frame is silence whatever the floor, in dBFS.
    pub min_level_db: f32,
    /// Voiced time needed before the audio counts as speech, in milliseconds.
    pub min_speech_ms: u32,
    /// Audio kept before the first and after the last voiced frame, in milliseconds.
    pub padding_ms: u32,
}

impl Default for VadConfig {
    fn default() -> Self {
        Self {
            frame_ms: 30,
            margin_db: 12.0,
            min_level_db: -50.0,
            min_speech_ms: 120,
            padding_ms: 250,
        }
    }
}

/// Result of running the detector over a clip.
#[derive(Debug, Clone, PartialEq)]
pub struct VoiceActivity {
    /// Sample range of the speech, padded; `None` when there is none.
    pub speech: Option<std::ops::Range<usize>>,
    /// Voiced time in milliseconds.
    pub voiced_ms: u32,
    /// Estimated noise floor in dBFS.
    pub noise_floor_db: f32,
}

/// RMS level of `samples` in dBFS (full scale = 1.0), at least -120 dB.
pub fn rms_db(samples: &[f32]) -> f32 {
    if samples.is_empty() {
        return -120.0;
    }
    let mean_square = samples
        .iter()
        .map(|sample| f64::from(*sample) * f64::from(*sample))
        .sum::<f64>()
        / samples.len() as f64;
    (10.0 * mean_square.max(1e-12).log10()) as f32
}

/// Finds the speech in `samples` (mono, at `sample_rate` Hz).
pub fn detect(samples: &[f32], sample_rate: u32, config: &VadConfig) -> VoiceActivity {
    let frame_len = ((sample_rate as usize * config.frame_ms as usize) / 1000).max(1);
    let levels: Vec<f32> = samples.chunks(frame_len).map(rms_db).collect();
    if levels.is_empty() {
        return VoiceActivity {
            speech: None,
            voiced_ms: 0,
            noise_floor_db: -120.0,
        };
    }

    let mut sorted = levels.clone();
    sorted.sort_by(f32::total_cmp);
    let noise_floor_db = sorted[sorted.len() / 10];
    let threshold = (noise_floor_db + config.margin_db).max(config.min_level_db);

    let voiced: Vec<usize> = levels
        .iter()
        .enumerate()
        .filter(|(_, level)| **level > threshold)
        .map(|(index, _)| index)
        .collect();
    let voiced_ms = (voiced.len() as u32) * config.frame_ms;

    let speech = match (voiced.first(), voiced.last()) {
        (Some(&first), Some(&last)) if voiced_ms >= config.min_speech_ms => {
            let padding = sample_rate as usize * config.padding_ms as usize / 1000;
            let start = (first * frame_len).saturating_sub(padding);
            let end = ((last + 1) * frame_len + padding).min(samples.len());
            Some(start..end)
        }
        _ => None,
    };

    VoiceActivity {
        speech,
        voiced_ms,
        noise_floor_db,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RATE: u32 = 16_000;

    fn tone(seconds: f32, amplitude: f32) -> Vec<f32> {
        let count = (RATE as f32 * seconds) as usize;
        (0..count)
            .map(|index| {
                amplitude * (2.0 * std::f32::consts::PI * 220.0 * index as f32 / RATE as f32).sin()
            })
            .collect()
    }

    /// Deterministic white noise from a linear congruential generator.
    fn noise(seconds: f32, amplitude: f32) -> Vec<f32> {
        let mut state = 0x2545_f491_u32;
        (0..(RATE as f32 * seconds) as usize)
            .map(|_| {
                state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                amplitude * ((state >> 8) as f32 / (1u32 << 24) as f32 * 2.0 - 1.0)
            })
            .collect()
    }

    #[test]
    fn rms_db_of_full_scale_sine() {
        let level = rms_db(&tone(1.0, 1.0));
        assert!((level + 3.01).abs() < 0.05, "{level}");
    }

    #[test]
    fn silence_has_no_speech() {
        let activity = detect(&vec![0.0; RATE as usize * 2], RATE, &VadConfig::default());
        assert_eq!(activity.speech, None);
    }

    #[test]
    fn steady_noise_has_no_speech() {
        let activity = detect(&noise(3.0, 0.3), RATE, &VadConfig::default());
        assert_eq!(activity.speech, None);
    }

    #[test]
    fn burst_in_silence_is_trimmed() {
        let mut samples = vec![0.0; RATE as usize];
        samples.extend(tone(1.0, 0.3));
        samples.extend(vec![0.0; RATE as usize]);

        let activity = detect(&samples, RATE, &VadConfig::default());
        let speech = activity.speech.expect("tone is detected");
        let padding = RATE as usize / 4;
        assert!(
            speech.start >= RATE as usize - padding - 480,
            "start {}",
            speech.start
        );
        assert!(
            speech.end <= 2 * RATE as usize + padding + 480,
            "end {}",
            speech.end
        );
        assert!(
            activity.voiced_ms >= 900,
            "voiced {} ms",
            activity.voiced_ms
        );
    }

    #[test]
    fn burst_over_quiet_noise_is_found() {
        let mut samples = noise(1.0, 0.01);
        let burst: Vec<f32> = tone(0.5, 0.3)
            .iter()
            .zip(noise(0.5, 0.01))
            .map(|(a, b)| a + b)
            .collect();
        samples.extend(burst);
        samples.extend(noise(1.0, 0.01));
        assert!(
            detect(&samples, RATE, &VadConfig::default())
                .speech
                .is_some()
        );
    }

    #[test]
    fn click_is_too_short_for_speech() {
        let mut samples = vec![0.0; RATE as usize];
        samples.extend(tone(0.05, 0.5));
        samples.extend(vec![0.0; RATE as usize]);
        assert_eq!(detect(&samples, RATE, &VadConfig::default()).speech, None);
    }
}
