//! `canopy`: parse the command line, load configuration, start logging, run.

use std::process::ExitCode;

use clap::Parser;

use canopy::{
    cli::{Cli, Command},
    config::Config,
    telemetry,
};

/// jemalloc, whose background threads give freed pages back to the system within seconds
/// (its default decay): with the system allocator a burst of large queries left the process
/// at twice its idle size for good (docs/data-layer.md, "Memory").
#[cfg(all(target_os = "linux", not(target_env = "msvc")))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    if matches!(cli.command, Command::Schema) {
        print!("{}", canopy::graphql::sdl());
        return ExitCode::SUCCESS;
    }
    let config = if matches!(cli.command, Command::Migrate { .. }) {
        Config::from_env_without_secret()
    } else {
        Config::from_env()
    };
    let config = match config {
        Ok(config) => config,
        Err(e) => {
            eprintln!("canopy: configuration error: {e}");
            return ExitCode::from(2);
        }
    };
    telemetry::init(config.log_format);
    match canopy::cli::run(cli, config).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("canopy: {e:#}");
            ExitCode::FAILURE
        }
    }
}
