//! Whisper's mel filter bank, computed as librosa's
//! `librosa.filters.mel(sr=16000, n_fft=400, n_mels=80)` does with its
//! defaults (Slaney mel scale, `norm="slaney"`): triangular filters on the
//! Slaney scale, each scaled by 2 / (upper edge - lower edge) in Hz so that
//! every filter has the same area. OpenAI's `mel_filters.npz` contains the
//! same values (checked to 1e-8 in the tests below).

/// Sample rate Whisper expects, in Hz.
pub const SAMPLE_RATE: u32 = 16_000;

/// FFT size Whisper uses (25 ms windows at 16 kHz).
pub const N_FFT: usize = 400;

/// Number of FFT bins the filters cover: `N_FFT / 2 + 1`.
pub const N_BINS: usize = N_FFT / 2 + 1;

const MIN_LOG_HZ: f64 = 1000.0;
const LINEAR_HZ_PER_MEL: f64 = 200.0 / 3.0;
const MIN_LOG_MEL: f64 = MIN_LOG_HZ / LINEAR_HZ_PER_MEL;

fn log_step() -> f64 {
    6.4_f64.ln() / 27.0
}

fn hz_to_mel(hz: f64) -> f64 {
    if hz >= MIN_LOG_HZ {
        MIN_LOG_MEL + (hz / MIN_LOG_HZ).ln() / log_step()
    } else {
        hz / LINEAR_HZ_PER_MEL
    }
}

fn mel_to_hz(mel: f64) -> f64 {
    if mel >= MIN_LOG_MEL {
        MIN_LOG_HZ * (log_step() * (mel - MIN_LOG_MEL)).exp()
    } else {
        LINEAR_HZ_PER_MEL * mel
    }
}

/// Returns the `n_mels` x `N_BINS` filter bank in row-major order.
pub fn mel_filters(n_mels: usize) -> Vec<f32> {
    let nyquist = f64::from(SAMPLE_RATE) / 2.0;
    let fft_freqs: Vec<f64> = (0..N_BINS)
        .map(|bin| nyquist * bin as f64 / (N_BINS - 1) as f64)
        .collect();

    let max_mel = hz_to_mel(nyquist);
    let points = n_mels + 2;
    let mel_freqs: Vec<f64> = (0..points)
        .map(|index| mel_to_hz(max_mel * index as f64 / (points - 1) as f64))
        .collect();

    let mut weights = vec![0.0_f32; n_mels * N_BINS];
    for mel in 0..n_mels {
        let (lower_edge, center, upper_edge) =
            (mel_freqs[mel], mel_freqs[mel + 1], mel_freqs[mel + 2]);
        let area_norm = 2.0 / (upper_edge - lower_edge);

        for (bin, &freq) in fft_freqs.iter().enumerate() {
            let rising = (freq - lower_edge) / (center - lower_edge);
            let falling = (upper_edge - freq) / (upper_edge - center);
            let weight = rising.min(falling).max(0.0);
            weights[mel * N_BINS + bin] = (weight * area_norm) as f32;
        }
    }
    weights
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mel_scale_round_trips() {
        for hz in [0.0, 440.0, 1000.0, 4000.0, 8000.0] {
            assert!((mel_to_hz(hz_to_mel(hz)) - hz).abs() < 1e-6, "{hz} Hz");
        }
    }

    #[test]
    fn mel_filters_match_librosa() {
        let filters = mel_filters(80);
        assert_eq!(filters.len(), 80 * N_BINS);

        // Reference values from OpenAI Whisper's `assets/mel_filters.npz`
        // (`mel_80`), the filters its Python code and converter use.
        let expected = [
            (0, 1, 0.024_862_595_f32),
            (0, 2, 0.0),
            (26, 26, 0.003_318_606),
            (55, 75, 0.003_870_812),
            (68, 125, 0.003_910_962),
            (77, 173, 0.000_804_597_45),
            (79, 199, 0.000_448_759),
        ];
        for (mel, bin, value) in expected {
            let actual = filters[mel * N_BINS + bin];
            assert!(
                (actual - value).abs() < 1e-8,
                "filter {mel} bin {bin}: {actual} != {value}"
            );
        }
    }

    #[test]
    fn mel_filters_are_non_negative() {
        assert!(mel_filters(80).iter().all(|weight| *weight >= 0.0));
    }
}
