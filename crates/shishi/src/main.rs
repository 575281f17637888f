//! `shishi`: the one binary. Parses the command line, loads the configuration, and hands
//! over to the command; everything else lives in the library crates.

mod admin_cli;
mod bench;
mod bench_driving;
mod bench_reports;
mod cli;
mod config;
mod import_cli;
mod report_cli;

use clap::Parser;

fn main() -> std::process::ExitCode {
    let args = cli::Args::parse();
    let config = match config::Config::load(&args) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("shishi: configuration: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    config::init_logging(&config);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("shishi: cannot start the runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match runtime.block_on(cli::run(args, config)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("shishi: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
