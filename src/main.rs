use clap::Parser;

/// mimalloc: the typesetter allocates millions of small vectors from two threads.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    // Freed memory goes back to the system at once (`mi_option_purge_delay`, 15 in
    // mimalloc 2's option enum, which libmimalloc-sys does not name), keeping the peak low.
    unsafe { libmimalloc_sys::mi_option_set(15, 0) };
    wenji::cli::run(wenji::cli::Cli::parse())
}
