//! The command line: `canopy serve | migrate | create-admin | schema`.

use std::io::BufRead;

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};
use migration::{Migrator, MigratorTrait};

use crate::{
    auth::PasswordHasher,
    config::Config,
    db,
    domain::{
        accounts::insert_person,
        umbrella::{NewOrganisation, insert_grant, insert_organisation},
        values::{Email, Password, text},
    },
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
            let db = db::connect(&config.database_url, 1, None)
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
    let email = Email::parse("email", email)?;
    let password = Password::parse("password", &password)?;
    let display_name = text("display-name", display_name, 80)?;
    let db = db::connect(&config.database_url, 1, None)
        .await
        .context("cannot connect to the database")?;
    if config.auto_migrate {
        Migrator::up(&db, None).await?;
    }
    let hasher = PasswordHasher::new(config.argon2)?;
    let hash = hasher.hash(password.into_inner()).await?;
    let txn = crate::domain::begin(&db).await?;
    let org = insert_organisation(
        &txn,
        NewOrganisation {
            slug: org_slug.to_owned(),
            name: org_name.to_owned(),
            kind: entity::OrganisationKind::Umbrella,
            description: None,
        },
    )
    .await?;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let existing = entity::person::Entity::find()
        .filter(entity::person::Column::Email.eq(email.as_str()))
        .one(&txn)
        .await?;
    if existing.is_some() {
        bail!("an account with this email already exists; grant it ADMIN with grantRole instead");
    }
    let person = insert_person(&txn, email, display_name, hash, "UTC".into(), "en".into()).await?;
    insert_grant(&txn, person.id, entity::Role::Admin, org.id, None, None).await?;
    txn.commit().await?;
    println!(
        "Created organisation `{}` with ADMIN {}",
        org.slug, person.email
    );
    Ok(())
}
