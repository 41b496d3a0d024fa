//! `samantha bench memory` fills temporary databases with synthetic
//! conversations and measures insert throughput and recall latency.

use std::io::Write;
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::Args;
use samantha_store::{Role, Store};


#[derive(Debug, Args)]
pub struct MemoryBenchArgs {
    /// History sizes in messages, comma-separated; each gets a fresh database.
    #[arg(long, value_delimiter = ',', default_values_t = [10_000usize, 100_000])]
    messages: Vec<usize>,

    /// Recall queries timed per size.
    #[arg(long, default_value_t = 300)]
    queries: usize,

    /// Results requested from each recall.
    #[arg(long, default_value_t = 8)]
    k: usize,
}

/// Messages per synthetic conversation.
const MESSAGES_PER_CONVERSATION: usize = 40;

/// Words in the synthetic content vocabulary.
const CONTENT_WORDS: usize = 20_000;

/// Share of tokens that are function words such as "the" or "you".
const FUNCTION_WORD_SHARE: f64 = 0.45;

const FUNCTION_WORDS: &[&str] = &[
    "the", "a", "an", "and", "or", "but", "i", "you", "we", "she", "he", "it", "they", "me", "my",
    "your", "our", "is", "was", "are", "were", "be", "been", "to", "of", "in", "on", "at", "for",
    "with", "about", "from", "that", "this", "what", "when", "how", "do", "did", "not", "so",
    "just", "have", "had", "can", "will", "would", "there", "then", "if",
];

/// Result for one history size.
struct SizeResult {
    label: String,
    recall_p95: Duration,
}

pub async fn memory(args: MemoryBenchArgs) -> anyhow::Result<()> {
    if args.messages.is_empty() || args.messages.contains(&0) {
        anyhow::bail!("--messages needs sizes above zero, such as 10000,100000");
    }

    let mut sizes = args.messages.clone();
    sizes.sort_unstable();

    let text = TextGenerator::new(0x5eed_cafe);
    let mut results = Vec::new();
    let mut stdout = std::io::stdout().lock();

    for size in sizes {
        let folder = tempfile::tempdir().context("could not create a temporary folder")?;
        let store = Store::open(folder.path().join("bench.db")).await?;
        let label = size_label(size);

        let mut generator = text.clone();
        let started = Instant::now();
        fill(&store, size, &mut generator).await?;
        let insert_time = started.elapsed();

        writeln!(
            stdout,
            "{label} messages: inserted {size} in {:.2} s, {:.0} messages/s (one transaction each)",
            insert_time.as_secs_f64(),
            size as f64 / insert_time.as_secs_f64()
        )?;

        let mut latencies = Vec::with_capacity(args.queries);
        let mut returned = 0usize;
        for _ in 0..args.queries {
            let query = generator.sentence(4, 10);
            let started = Instant::now();
            returned += store.recall(&query, args.k).await?.len();
            latencies.push(started.elapsed());
        }
        latencies.sort_unstable();

        let p50 = percentile(&latencies, 0.50);
        let p95 = percentile(&latencies, 0.95);
        let max = latencies.last().copied().unwrap_or_default();
        writeln!(
            stdout,
            "{label} messages: recall k={} over {} queries: p50 {:.2} ms, p95 {:.2} ms, max {:.2} ms, {:.1} results per query",
            args.k,
            args.queries,
            millis(p50),
            millis(p95),
            millis(max),
            returned as f64 / args.queries.max(1) as f64
        )?;

        store.close().await;

        let started = Instant::now();
        let reopened = Store::open(folder.path().join("bench.db")).await?;
        let open_time = started.elapsed();
        reopened.close().await;
        writeln!(
            stdout,
            "{label} messages: open with integrity check {:.1} ms",
            millis(open_time)
        )?;

        results.push(SizeResult {
            label,
            recall_p95: p95,
        });
    }

    for result in results {
        writeln!(
            stdout,
            "recall_p95_ms_{}: {:.2}",
            result.label,
            millis(result.recall_p95)
        )?;
    }

    Ok(())
}

/// Writes `size` messages in conversations of alternating user and
/// assistant turns, plus one memory per hundred messages.
async fn fill(store: &Store, size: usize, generator: &mut TextGenerator) -> anyhow::Result<()> {
    let title = generator.sentence(2, 5);
    let mut conversation = store.create_conversation(&title, "samantha").await?.id;

    for index in 0..size {
        if index > 0 && index % MESSAGES_PER_CONVERSATION == 0 {
            let title = generator.sentence(2, 5);
            conversation = store.create_conversation(&title, "samantha").await?.id;
        }

        let role = if index % 2 == 0 {
            Role::User
        } else {
            Role::Assistant
        };
        let text = generator.sentence(8, 30);
        store
            .append_message(conversation, role, &text, None)
            .await?;

        if index % 100 == 0 {
            store.add_memory(&generator.sentence(5, 12), None).await?;
        }
    }

    Ok(())
}

fn size_label(size: usize) -> String {
    if size.is_multiple_of(1000) {
        format!("{}k", size / 1000)
    } else {
        size.to_string()
    }
}

fn percentile(sorted: &[Duration], fraction: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let index = ((sorted.len() - 1) as f64 * fraction).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

fn millis(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

/// Deterministic English-like text: function words mixed with content
/// words drawn from a Zipf distribution (exponent 1), as in natural text.
#[derive(Clone)]
struct TextGenerator {
    state: u64,
    words: Vec<String>,
    /// Cumulative Zipf weights of `words`, ending at 1.0.
    cumulative: Vec<f64>,
}

impl TextGenerator {
    fn new(seed: u64) -> Self {
        const SYLLABLES: &[&str] = &[
            "ka", "lo", "mi", "ren", "sa", "to", "vel", "ni", "ro", "da", "fen", "li", "mar", "po",
            "qui", "tes", "un", "zo", "bri", "ca",
        ];

        let words: Vec<String> = (0..CONTENT_WORDS)
            .map(|index| {
                let mut word = String::new();
                let mut rest = index;
                for _ in 0..3 {
                    word.push_str(SYLLABLES[rest % SYLLABLES.len()]);
                    rest /= SYLLABLES.len();
                }
                word
            })
            .collect();

        let total: f64 = (1..=CONTENT_WORDS).map(|rank| 1.0 / rank as f64).sum();
        let mut running = 0.0;
        let cumulative = (1..=CONTENT_WORDS)
            .map(|rank| {
                running += 1.0 / rank as f64 / total;
                running
            })
            .collect();

        Self {
            state: seed,
            words,
            cumulative,
        }
    }

    /// SplitMix64, mapped to `0.0..1.0`.
    fn next_unit(&mut self) -> f64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        (z >> 11) as f64 / (1u64 << 53) as f64
    }

    fn word(&mut self) -> &str {
        if self.next_unit() < FUNCTION_WORD_SHARE {
            let index = (self.next_unit() * FUNCTION_WORDS.len() as f64) as usize;
            return FUNCTION_WORDS[index.min(FUNCTION_WORDS.len() - 1)];
        }

        let draw = self.next_unit();
        let index = self.cumulative.partition_point(|weight| *weight < draw);
        &self.words[index.min(self.words.len() - 1)]
    }

    fn sentence(&mut self, min_words: usize, max_words: usize) -> String {
        let span = (max_words - min_words + 1) as f64;
        let count = min_words + (self.next_unit() * span) as usize;

        let mut sentence = String::new();
        for index in 0..count {
            if index > 0 {
                sentence.push(' ');
            }
            let word = self.word().to_owned();
            sentence.push_str(&word);
        }
        sentence.push('.');
        sentence
    }
}
