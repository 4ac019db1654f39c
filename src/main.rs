use clap::Parser;

fn main() -> std::process::ExitCode {
    wenji::cli::run(wenji::cli::Cli::parse())
}
