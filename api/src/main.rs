//! `canopy`: parse the command line, load configuration, start logging, run.

use std::process::ExitCode;

use clap::Parser;

use canopy::{
    cli::{Cli, Command},
    config::Config,
    telemetry,
};

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
