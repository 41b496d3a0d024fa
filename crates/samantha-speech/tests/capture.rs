//! The capture path: the lock-free ring under load, a replayed recording
//! through the same callback code, and cpal with ALSA's null device.

mod common;

use std::time::{Duration, Instant};

use samantha_speech::bench;
use samantha_speech::capture::ring::capture_ring;
use samantha_speech::decode;
use samantha_speech::models::TINY_EN;
use samantha_speech::{
    CaptureError, Recorder, RecorderConfig, TranscribeOptions, Transcriber, list_input_devices,
};

#[test]
fn ring_preserves_order_under_load() {
    const TOTAL: usize = 4_000_000;
    const BLOCK: usize = 480;
    let (mut producer, mut consumer) = capture_ring(8_192, 1);

    let writer = std::thread::spawn(move || {
        let mut block = vec![0.0_f32; BLOCK];
        let mut next = 0_usize;
        while next < TOTAL {
            let count = BLOCK.min(TOTAL - next);
            for (offset, slot) in block[..count].iter_mut().enumerate() {
                // Exact in f32 up to 2^24, so wrap the counter there.
                *slot = ((next + offset) % (1 << 24)) as f32;
            }
            producer.push_interleaved(&block[..count], |sample| sample);
            next += count;
            if next.is_multiple_of(BLOCK * 64) {
                std::thread::yield_now();
            }
        }
        producer
    });

    let mut received = Vec::with_capacity(TOTAL);
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        consumer.drain_into(&mut received);
        let finished = writer.is_finished();
        if finished {
            consumer.drain_into(&mut received);
            break;
        }
        assert!(Instant::now() < deadline, "stress test timed out");
        std::thread::yield_now();
    }
    let producer = writer.join().expect("writer thread");
    let stats = producer.stats();

    let dropped = stats.dropped_samples() as usize;
    assert_eq!(
        received.len() + dropped,
        TOTAL,
        "every sample is received or counted as dropped"
    );
    assert_eq!(stats.captured_samples() as usize, received.len());

    // Received samples keep their order: each value is larger than the one
    // before (modulo the wrap), and with no drop they are consecutive.
    let mut previous = -1.0_f32;
    let mut gaps = 0;
    for value in &received {
        if *value != previous + 1.0 && !(*value < previous && previous > 16_000_000.0) {
            assert!(
                *value > previous,
                "sample {value} after {previous} is out of order"
            );
            gaps += 1;
        }
        previous = *value;
    }
    if dropped == 0 {
        assert_eq!(gaps, 0, "no drops but {gaps} gaps");
    }
    eprintln!(
        "received {} samples, dropped {dropped}, {gaps} gaps",
        received.len()
    );
}

#[test]
fn ring_overflow_is_counted_when_consumer_stalls() {
    let (mut producer, mut consumer) = capture_ring(1_000, 2);
    let block: Vec<f32> = (0..4_000).map(|index| index as f32).collect();
    producer.push_interleaved(&block, |sample| sample);

    // 2,000 stereo frames arrive, 1,000 fit.
    assert_eq!(producer.stats().dropped_samples(), 1_000);
    let mut received = Vec::new();
    consumer.drain_into(&mut received);
    assert_eq!(received.len(), 1_000);
    assert_eq!(received[0], 0.5);
    assert_eq!(received[999], 1998.5);
}

#[test]
fn replayed_speech_is_transcribed() {
    let dir = tempfile::tempdir().expect("temp dir");
    let spoken = dir.path().join("spoken.wav");
    bench::speak(
        "Please open the kitchen window.",
        "en-us",
        160,
        &spoken,
    )
    .expect("espeak-ng");
    let stereo = dir.path().join("stereo.wav");
    bench::convert_audio(&spoken, &stereo, 48_000, 2).expect("sox");

    // Interleave the stereo file again: decode_file averages channels, so
    // duplicate the mono signal into two channels.
    let decoded = decode::decode_file(&stereo).expect("decode");
    let interleaved: Vec<f32> = decoded
        .samples
        .iter()
        .flat_map(|sample| [*sample, *sample])
        .collect();
    let frames = decoded.samples.len();

    let mut recorder = Recorder::replay(interleaved, 48_000, 2, 480, false, 10.0);
    let deadline = Instant::now() + Duration::from_secs(30);
    while !recorder.replay_finished() {
        recorder.poll().expect("poll");
        assert!(Instant::now() < deadline, "replay did not finish");
        std::thread::sleep(Duration::from_millis(2));
    }
    let recording = recorder.stop().expect("stop");
    assert_eq!(
        recording.samples.len() + recording.dropped_samples as usize,
        frames
    );
    assert_eq!(recording.sample_rate, 48_000);

    let saved = dir.path().join("saved.wav");
    recording.write_wav(&saved).expect("write wav");
    let reread = decode::decode_file(&saved).expect("decode saved");
    assert_eq!(reread.samples.len(), recording.samples.len());

    // The ring has room for 10 s, more than the whole clip, so nothing may drop.
    assert_eq!(recording.dropped_samples, 0);
    let mut transcriber = Transcriber::load(
        &common::installed_ggml(&TINY_EN),
        TranscribeOptions::default(),
    )
    .expect("load model");
    let samples = recording.to_whisper_input().expect("resample");
    let transcript = transcriber.transcribe(&samples).expect("transcribe");
    assert!(
        transcript.text.to_lowercase().contains("window"),
        "text {:?}",
        transcript.text
    );
}

#[test]
fn replay_can_be_stopped_early() {
    let samples = vec![0.0_f32; 48_000 * 60];
    let mut recorder = Recorder::replay(samples, 48_000, 1, 480, true, 1.0);
    std::thread::sleep(Duration::from_millis(100));
    recorder.poll().expect("poll");
    let recording = recorder.stop().expect("stop");
    assert!(
        recording.duration_seconds() < 5.0,
        "{} s recorded",
        recording.duration_seconds()
    );
}

#[test]
fn unknown_device_is_an_error() {
    let error = Recorder::start(&RecorderConfig {
        device: Some("no-such-microphone".to_owned()),
        ..RecorderConfig::default()
    })
    .expect_err("unknown device");
    assert!(
        matches!(error, CaptureError::DeviceNotFound { .. }),
        "{error}"
    );
    assert!(error.to_string().contains("no-such-microphone"), "{error}");
}

/// ALSA's null capture device produces zeros; on a machine without it the
/// test reports that and passes only when no input device exists at all.
#[test]
fn alsa_null_device_records_silence() {
    let devices = list_input_devices().expect("list devices");
    let Some(null) = devices
        .iter()
        .find(|device| device.id.as_deref() == Some("alsa:null"))
    else {
        eprintln!("skipped: no ALSA null device among {devices:?}");
        return;
    };
    eprintln!("recording from {:?}", null.name);

    let config = RecorderConfig {
        device: Some("null".to_owned()),
        buffer_seconds: 2.0,
    };
    let mut recorder = Recorder::start(&config).expect("start on the null device");
    let started = Instant::now();
    while started.elapsed() < Duration::from_millis(300) && recorder.recorded_seconds() < 1.0 {
        recorder.poll().expect("poll");
        std::thread::sleep(Duration::from_millis(10));
    }
    let level = recorder.level_db();
    let recording = recorder.stop().expect("stop");

    assert!(
        !recording.samples.is_empty(),
        "no samples from the null device"
    );
    assert!(
        recording.samples.iter().all(|sample| *sample == 0.0),
        "null device gave non-zero samples"
    );
    assert!(level <= -119.0, "level {level} dB");

    let mut transcriber = Transcriber::load(
        &common::installed_ggml(&TINY_EN),
        TranscribeOptions::default(),
    )
    .expect("load model");
    let samples = recording.to_whisper_input().expect("resample");
    let transcript = transcriber.transcribe(&samples).expect("transcribe");
    assert_eq!(transcript.text, "");
}
