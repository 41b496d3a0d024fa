//! Conversion of mono audio to Whisper's 16 kHz with rubato's FFT resampler.

use rubato::{FftFixedIn, Resampler};

/// Sample rate whisper.cpp expects, in Hz.
pub const WHISPER_SAMPLE_RATE: u32 = 16_000;

/// Input frames per resampler call.
const CHUNK_FRAMES: usize = 1024;

/// Errors raised while resampling.
#[derive(Debug, thiserror::Error)]
pub enum ResampleError {
    #[error("cannot resample from {rate} Hz: the sample rate must be above zero")]
    InvalidRate { rate: u32 },

    #[error("could not set up resampling from {from} Hz to {to} Hz")]
    Setup {
        from: u32,
        to: u32,
        #[source]
        source: rubato::ResamplerConstructionError,
    },

    #[error("resampling from {from} Hz to {to} Hz failed")]
    Process {
        from: u32,
        to: u32,
        #[source]
        source: rubato::ResampleError,
    },
}

/// Averages interleaved frames of `channels` samples into one channel.
pub fn downmix(interleaved: &[f32], channels: usize) -> Vec<f32> {
    if channels <= 1 {
        return interleaved.to_vec();
    }
    interleaved
        .chunks_exact(channels)
        .map(|frame| frame.iter().sum::<f32>() / channels as f32)
        .collect()
}

/// Resamples mono `samples` from `from` Hz to `to` Hz. The output has
/// `ceil(len * to / from)` samples and no leading delay.
pub fn resample(samples: &[f32], from: u32, to: u32) -> Result<Vec<f32>, ResampleError> {
    if from == 0 {
        return Err(ResampleError::InvalidRate { rate: from });
    }
    if to == 0 {
        return Err(ResampleError::InvalidRate { rate: to });
    }
    if from == to || samples.is_empty() {
        return Ok(samples.to_vec());
    }

    let failure = |source| ResampleError::Process { from, to, source };
    let mut resampler = FftFixedIn::<f32>::new(from as usize, to as usize, CHUNK_FRAMES, 2, 1)
        .map_err(|source| ResampleError::Setup { from, to, source })?;

    let expected = (samples.len() as u64 * u64::from(to)).div_ceil(u64::from(from)) as usize;
    let delay = resampler.output_delay();
    let mut output = Vec::with_capacity(expected + delay + CHUNK_FRAMES);

    let mut chunks = samples.chunks_exact(CHUNK_FRAMES);
    for chunk in chunks.by_ref() {
        let frames = resampler.process(&[chunk], None).map_err(failure)?;
        output.extend_from_slice(&frames[0]);
    }

    let remainder = chunks.remainder();
    if !remainder.is_empty() {
        let frames = resampler
            .process_partial(Some(&[remainder]), None)
            .map_err(failure)?;
        output.extend_from_slice(&frames[0]);
    }

    // Push zeros through until the delayed tail of the input has come out.
    while output.len() < expected + delay {
        let frames = resampler
            .process_partial::<&[f32]>(None, None)
            .map_err(failure)?;
        if frames[0].is_empty() {
            break;
        }
        output.extend_from_slice(&frames[0]);
    }

    let end = (delay + expected).min(output.len());
    Ok(output[delay.min(end)..end].to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sine(frequency: f32, rate: u32, seconds: f32) -> Vec<f32> {
        let count = (rate as f32 * seconds) as usize;
        (0..count)
            .map(|index| {
                (2.0 * std::f32::consts::PI * frequency * index as f32 / rate as f32).sin()
            })
            .collect()
    }

    #[test]
    fn resample_keeps_length_and_tone() {
        for from in [8_000, 22_050, 44_100, 48_000] {
            let input = sine(440.0, from, 1.0);
            let output = resample(&input, from, WHISPER_SAMPLE_RATE).expect("resample");
            let expected = (input.len() as u64 * 16_000).div_ceil(u64::from(from)) as usize;
            assert_eq!(output.len(), expected, "length from {from} Hz");

            // Compare with the ideal 440 Hz sine away from the edges. The FFT
            // resampler reports its delay in whole output frames, so up to half
            // an output sample of delay (31 us) may remain. The check therefore
            // tries lags in steps of a tenth of a sample.
            let worst_at = |lag: f32| {
                (1_000..15_000)
                    .map(|index| {
                        let time = (index as f32 - lag) / WHISPER_SAMPLE_RATE as f32;
                        (output[index] - (2.0 * std::f32::consts::PI * 440.0 * time).sin()).abs()
                    })
                    .fold(0.0_f32, f32::max)
            };
            let best = (-5..=5)
                .map(|tenth| worst_at(tenth as f32 / 10.0))
                .fold(f32::INFINITY, f32::min);
            assert!(best < 0.02, "from {from} Hz the sine differs by {best}");
        }
    }

    #[test]
    fn resample_rejects_zero_rate() {
        assert!(matches!(
            resample(&[0.0; 10], 0, 16_000),
            Err(ResampleError::InvalidRate { rate: 0 })
        ));
    }

    #[test]
    fn downmix_averages_channels() {
        assert_eq!(downmix(&[1.0, 0.0, 0.5, 0.5], 2), vec![0.5, 0.5]);
        assert_eq!(downmix(&[0.25, 0.75], 1), vec![0.25, 0.75]);
    }
}
