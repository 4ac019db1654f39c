//! The hot stages, one at a time, on the seeds and on a 100-essay book made from them:
//! front matter, Markdown, shaping, line breaking, typesetting (breaking and pagination),
//! the PDF writer and the EPUB writer. `cargo bench --features bench` runs them; `bench/bench.py` times whole
//! builds beside pandoc and Typst.

use std::path::Path;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use wenji::build;
use wenji::config::Config;
use wenji::manuscript::{self, ReadOptions};
use wenji::font::{FontId, FontSet};
use wenji::typeset::inline::{self, Align, Measure, Para};

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// A book of `n` essays copied from the seeds (titles and dates made distinct).
fn scaled(n: usize) -> (tempfile::TempDir, Config) {
    let dir = tempfile::tempdir().unwrap();
    let seeds: Vec<String> = std::fs::read_dir(repo().join("manuscripts"))
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .collect();
    for i in 0..n {
        let text: String = seeds[i % seeds.len()]
            .lines()
            .map(|l| match l {
                l if l.starts_with("title: ") => format!("title: 第{i}篇 {}\n", &l[7..]),
                l if l.starts_with("date: ") => format!("date: {}-{:02}-{:02} 08:00:00\n", 1990 + i / 300, 1 + i / 25 % 12, 1 + i % 25),
                l => format!("{l}\n"),
            })
            .collect();
        std::fs::write(dir.path().join(format!("{i:04}.md")), text).unwrap();
    }
    let config = Config::locate(Some(dir.path())).unwrap();
    (dir, config)
}

fn stages(c: &mut Criterion) {
    let seed = repo().join("manuscripts/000_698e083ace02b717.md");
    let text = std::fs::read_to_string(&seed).unwrap();
    let options = ReadOptions::default();
    c.bench_function("front matter: one essay", |b| b.iter(|| manuscript::parse(&seed, &text, &options)));
    let (essay, _) = manuscript::parse(&seed, &text, &options);
    let essay = essay.unwrap();
    c.bench_function("markdown: one essay", |b| b.iter(|| wenji::markdown::parse(&essay)));

    let fonts = FontSet::bundled();
    let config = Config::locate(Some(repo())).unwrap();
    let punct = wenji::typeset::page::Geometry::new(&config.pdf).punctuation;
    let paragraph = text.split("\n\n").filter(|p| !p.starts_with('#') && p.chars().count() > 120).nth(1).unwrap();
    let para = Para::plain(paragraph, FontId::SERIF);
    c.bench_function("shaping: one paragraph", |b| b.iter(|| inline::shape(&para, 10.5, &fonts, punct)));
    let shaped = inline::shape(&para, 10.5, &fonts, punct);
    let measure = Measure::new(28.0 * 10.5, Align::Justify).indented(21.0, 0.0);
    c.bench_function("line breaking: one paragraph", |b| b.iter(|| shaped.lines(measure)));

    let (_dir, config) = scaled(100);
    let (book, _) = build::load(&config);
    let book = book.unwrap();
    let mut group = c.benchmark_group("100 essays");
    group.sample_size(10);
    group.bench_function("read and parse", |b| b.iter(|| build::load(&config)));
    group.bench_function("typeset", |b| b.iter(|| wenji::typeset::typeset_with(&book, &config.pdf, &fonts, false)));
    let lay_out = || wenji::typeset::typeset_with(&book, &config.pdf, &fonts, false).0;
    group.bench_function("write the PDF", |b| b.iter_batched(lay_out, |layout| wenji::pdf::write(&book, layout, &fonts, Default::default()).unwrap(), BatchSize::LargeInput));
    let layout = lay_out();
    group.bench_function("write the EPUB", |b| b.iter(|| wenji::epub::write(&book, None, Some(&layout.summary.page_starts), None, &Default::default()).unwrap()));
    group.finish();
}

criterion_group!(benches, stages);
criterion_main!(benches);
