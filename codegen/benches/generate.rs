//! How long the generator takes on the preview1 document: load, generate and format.

use std::path::Path;

use criterion::{Criterion, criterion_group, criterion_main};

fn preview1(c: &mut Criterion) {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("witx/preview1/wasi_snapshot_preview1.witx");
    let doc = wasi_stubs_codegen::load(&[&path]).unwrap();
    let mut group = c.benchmark_group("codegen/preview1");
    group.bench_function("load", |b| {
        b.iter(|| wasi_stubs_codegen::load(&[&path]).unwrap())
    });
    group.bench_function("generate", |b| {
        b.iter(|| wasi_stubs_codegen::generate(&doc).unwrap())
    });
    group.bench_function("generate_file", |b| {
        b.iter(|| {
            wasi_stubs_codegen::Generator::witx([&path])
                .generate_string()
                .unwrap()
        })
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(20)
        .warm_up_time(std::time::Duration::from_secs(1))
        .measurement_time(std::time::Duration::from_secs(3));
    targets = preview1
}
criterion_main!(benches);
