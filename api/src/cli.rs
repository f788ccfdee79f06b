//! The command line: `canopy serve | migrate | create-admin | schema`.

use std::io::BufRead;

use anyhow::Context;
use clap::{Parser, Subcommand};
use migration::{Migrator, MigratorTrait};

use crate::{
    auth::PasswordHasher,
    config::Config,
    db,
    domain::umbrella::{self, NewAdmin},
    startup::{Application, Options},
};

#[derive(Parser, Debug)]
#[command(
    name = "canopy",
    version,
    about = "GraphQL API for umbrella networks of peer support groups"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Serve the API (migrates first unless CANOPY_AUTO_MIGRATE=false).
    Serve {
        /// Load the demo network into an empty database and print its sign-in accounts.
        #[arg(long)]
        demo: bool,
    },
    /// Apply, roll back or list migrations.
    Migrate {
        #[command(subcommand)]
        action: MigrateAction,
    },
    /// Create an UMBRELLA organisation and its first ADMIN. The password comes from
    /// CANOPY_ADMIN_PASSWORD or, if unset, the first line of standard input.
    CreateAdmin {
        #[arg(long)]
        org_slug: String,
        #[arg(long)]
        org_name: String,
        #[arg(long)]
        email: String,
        #[arg(long, default_value = "Admin")]
        display_name: String,
    },
    /// Print the GraphQL schema (SDL).
    Schema,
}

#[derive(Subcommand, Debug, Clone, Copy)]
pub enum MigrateAction {
    /// Apply every pending migration.
    Up,
    /// Roll back the most recent migration (or --steps of them).
    Down {
        #[arg(long, default_value_t = 1)]
        steps: u32,
    },
    /// List applied and pending migrations.
    Status,
}

pub async fn run(cli: Cli, config: Config) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve { demo } => {
            if config.jwt_secret_generated {
                tracing::warn!(
                    "CANOPY_JWT_SECRET is not set: using a random secret; access tokens stop working when the server restarts"
                );
            }
            let app = Application::build(
                config,
                Options {
                    demo,
                    ..Options::default()
                },
            )
            .await?;
            app.run_until_stopped().await?;
        }
        Command::Migrate { action } => {
            let db = db::connect(&config.database_url, db::Pool::of(1), None)
                .await
                .context("cannot connect to the database")?;
            match action {
                MigrateAction::Up => Migrator::up(&db, None).await?,
                MigrateAction::Down { steps } => Migrator::down(&db, Some(steps)).await?,
                MigrateAction::Status => {
                    for m in Migrator::get_applied_migrations(&db).await? {
                        println!("applied  {}", m.name());
                    }
                    for m in Migrator::get_pending_migrations(&db).await? {
                        println!("pending  {}", m.name());
                    }
                }
            }
        }
        Command::CreateAdmin {
            org_slug,
            org_name,
            email,
            display_name,
        } => {
            let password = match std::env::var("CANOPY_ADMIN_PASSWORD") {
                Ok(p) if !p.is_empty() => p,
                _ => {
                    let mut line = String::new();
                    std::io::stdin()
                        .lock()
                        .read_line(&mut line)
                        .context("cannot read the password from stdin")?;
                    line.trim_end_matches(['\r', '\n']).to_owned()
                }
            };
            create_admin(
                &config,
                &org_slug,
                &org_name,
                &email,
                &display_name,
                password,
            )
            .await?;
        }
        Command::Schema => print!("{}", crate::graphql::sdl()),
    }
    Ok(())
}

async fn create_admin(
    config: &Config,
    org_slug: &str,
    org_name: &str,
    email: &str,
    display_name: &str,
    password: String,
) -> anyhow::Result<()> {
    let db = db::connect(&config.database_url, db::Pool::of(1), None)
        .await
        .context("cannot connect to the database")?;
    if config.auto_migrate {
        Migrator::up(&db, None).await?;
    }
    let hasher = PasswordHasher::new(config.argon2)?;
    let (org, admin) = umbrella::create_umbrella_with_admin(
        &db,
        &hasher,
        NewAdmin {
            org_slug: org_slug.to_owned(),
            org_name: org_name.to_owned(),
            email: email.to_owned(),
            display_name: display_name.to_owned(),
            password,
        },
    )
    .await?;
    println!(
        "Created organisation `{}` with ADMIN {}",
        org.slug, admin.email
    );
    Ok(())
}
