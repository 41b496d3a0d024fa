//! The lock-free path from the audio callback to the recorder.
//!
//! The audio callback runs on a real-time thread that must not block or
//! allocate. It gets a [`CaptureProducer`], which averages each frame to
//! mono and pushes the samples into a single-producer single-consumer ring
//! buffer (`ringbuf`) allocated up front. When the consumer falls behind
//! and the ring is full, the samples that do not fit are dropped and
//! counted with an atomic. The callback also stores the block's RMS level
//! in an atomic for a level meter.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};

use ringbuf::traits::{Consumer, Observer, Producer, Split};
use ringbuf::{HeapCons, HeapProd, HeapRb};

/// Counters shared by the callback and the recorder.
#[derive(Debug, Default)]
pub struct CaptureStats {
    dropped: AtomicU64,
    captured: AtomicU64,
    /// Mean square of the last block, as `f32` bits.
    level_bits: AtomicU32,
}

impl CaptureStats {
    /// Samples lost because the ring was full.
    pub fn dropped_samples(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }

    /// Samples that reached the ring.
    pub fn captured_samples(&self) -> u64 {
        self.captured.load(Ordering::Relaxed)
    }

    /// RMS level of the last block in dBFS, at least -120.
    pub fn level_db(&self) -> f32 {
        let mean_square = f32::from_bits(self.level_bits.load(Ordering::Relaxed));
        (10.0 * mean_square.max(1e-12).log10()).max(-120.0)
    }
}

/// Producer half, owned by the audio callback.
pub struct CaptureProducer {
    producer: HeapProd<f32>,
    stats: Arc<CaptureStats>,
    channels: usize,
}

/// Consumer half, owned by the recorder.
pub struct CaptureConsumer {
    consumer: HeapCons<f32>,
    stats: Arc<CaptureStats>,
}

/// Creates a ring for `capacity` mono samples and the stats it updates.
pub fn capture_ring(capacity: usize, channels: usize) -> (CaptureProducer, CaptureConsumer) {
    let (producer, consumer) = HeapRb::<f32>::new(capacity.max(1)).split();
    let stats = Arc::new(CaptureStats::default());
    (
        CaptureProducer {
            producer,
            stats: Arc::clone(&stats),
            channels: channels.max(1),
        },
        CaptureConsumer { consumer, stats },
    )
}

impl CaptureProducer {
    /// Pushes one block of interleaved samples, averaged to mono. Does not
    /// allocate, lock or panic, so it is safe in a real-time callback.
    pub fn push_interleaved<T: Copy>(&mut self, block: &[T], to_f32: impl Fn(T) -> f32) {
        let channels = self.channels;
        let frames = block.len() / channels;
        if frames == 0 {
            return;
        }

        let scale = 1.0 / channels as f32;
        let mono = block
            .chunks_exact(channels)
            .map(|frame| frame.iter().map(|sample| to_f32(*sample)).sum::<f32>() * scale);

        let mut sum_squares = 0.0_f32;
        let pushed = self
            .producer
            .push_iter(mono.inspect(|sample| sum_squares += sample * sample));
        let dropped = frames - pushed;

        // Samples that did not fit are still part of the level.
        if dropped > 0 {
            for frame in block.chunks_exact(channels).skip(pushed) {
                let sample = frame.iter().map(|sample| to_f32(*sample)).sum::<f32>() * scale;
                sum_squares += sample * sample;
            }
            self.stats
                .dropped
                .fetch_add(dropped as u64, Ordering::Relaxed);
        }
        self.stats
            .captured
            .fetch_add(pushed as u64, Ordering::Relaxed);
        self.stats
            .level_bits
            .store((sum_squares / frames as f32).to_bits(), Ordering::Relaxed);
    }

    pub fn stats(&self) -> &Arc<CaptureStats> {
        &self.stats
    }
}

impl CaptureConsumer {
    /// Moves every available sample to the end of `output`.
    pub fn drain_into(&mut self, output: &mut Vec<f32>) -> usize {
        let available = self.consumer.occupied_len();
        let start = output.len();
        output.resize(start + available, 0.0);
        let popped = self.consumer.pop_slice(&mut output[start..]);
        output.truncate(start + popped);
        popped
    }

    pub fn stats(&self) -> &Arc<CaptureStats> {
        &self.stats
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ring_downmixes_stereo() {
        let (mut producer, mut consumer) = capture_ring(16, 2);
        producer.push_interleaved(&[1.0_f32, 0.0, 0.5, 0.5], |sample| sample);
        let mut output = Vec::new();
        consumer.drain_into(&mut output);
        assert_eq!(output, vec![0.5, 0.5]);
    }

    #[test]
    fn ring_counts_overflow() {
        let (mut producer, mut consumer) = capture_ring(4, 1);
        producer.push_interleaved(&[0.1_f32; 10], |sample| sample);
        assert_eq!(producer.stats().dropped_samples(), 6);
        assert_eq!(producer.stats().captured_samples(), 4);

        let mut output = Vec::new();
        assert_eq!(consumer.drain_into(&mut output), 4);
        assert_eq!(output.len(), 4);
    }

    #[test]
    fn ring_level_in_db() {
        let (mut producer, _consumer) = capture_ring(1024, 1);
        producer.push_interleaved(&[0.5_f32; 512], |sample| sample);
        let level = producer.stats().level_db();
        assert!((level - (-6.02)).abs() < 0.05, "{level}");
    }

    #[test]
    fn ring_converts_integer_samples() {
        let (mut producer, mut consumer) = capture_ring(8, 1);
        producer.push_interleaved(&[i16::MAX, 0, i16::MIN], |sample| {
            f32::from(sample) / 32768.0
        });
        let mut output = Vec::new();
        consumer.drain_into(&mut output);
        assert!((output[0] - 1.0).abs() < 1e-4, "{output:?}");
        assert_eq!(output[1], 0.0);
        assert_eq!(output[2], -1.0);
    }
}
