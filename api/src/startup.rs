//! Wiring: connect, migrate, build the schema once, bind, serve.

use std::{net::TcpListener, sync::Arc};

use actix_web::{App, HttpServer, dev::Server, middleware::from_fn, web};
use anyhow::Context as _;
use migration::{Migrator, MigratorTrait};

use crate::{
    auth::{JwtKeys, PasswordHasher},
    config::Config,
    db::{self, StatementCounter},
    domain::demo,
    graphql::{self, CanopySchema, Services},
    http,
};

pub struct AppState {
    pub schema: CanopySchema,
    pub services: Services,
    pub sdl: Arc<str>,
    /// What a document costs, against `CANOPY_MAX_COMPLEXITY`.
    pub cost: Arc<graphql::cost::CostModel>,
}

#[derive(Default)]
pub struct Options {
    /// Load the demo network into the (empty) database before serving.
    pub demo: bool,
    /// Count SQL statements (tests).
    pub statement_counter: Option<StatementCounter>,
    /// HTTP worker threads; defaults to one per core.
    pub workers: Option<usize>,
}

pub struct Application {
    port: u16,
    server: Server,
}

impl Application {
    pub async fn build(config: Config, options: Options) -> anyhow::Result<Self> {
        let db = db::Db::connect(
            &config.database_url,
            db::Pool {
                max_connections: config.database_max_connections,
                idle_timeout: config.database_idle_timeout,
            },
            options.statement_counter,
        )
        .await
        .context("cannot connect to the database (CANOPY_DATABASE_URL)")?;
        if config.auto_migrate {
            Migrator::up(db.pool(), None)
                .await
                .context("migrations failed")?;
        }
        let hasher = PasswordHasher::new(config.argon2)?;
        let keys = JwtKeys::new(&config)?;
        if options.demo {
            let accounts = demo::load(&db, &hasher).await?;
            demo::print_accounts(&accounts);
        }
        let services = Services {
            db,
            config: Arc::new(config),
            hasher,
            keys,
        };
        let schema = graphql::build_schema(services.clone());
        let sdl = graphql::sdl();
        let cost = graphql::cost::CostModel::of_sdl(&sdl)
            .map_err(|e| anyhow::anyhow!("cannot price queries: {e}"))?;
        let state = web::Data::new(AppState {
            schema,
            sdl: sdl.into(),
            cost: Arc::new(cost),
            services: services.clone(),
        });

        let listener = TcpListener::bind(&services.config.bind)
            .with_context(|| format!("cannot listen on {} (CANOPY_BIND)", services.config.bind))?;
        let port = listener.local_addr()?.port();
        let mut server = HttpServer::new(move || {
            App::new()
                .app_data(state.clone())
                .wrap(from_fn(http::request_id::middleware))
                .configure(http::routes)
        })
        .shutdown_timeout(services.config.shutdown_timeout.as_secs())
        .listen(listener)?;
        if let Some(workers) = options.workers {
            server = server.workers(workers);
        }
        tracing::info!(port, "canopy is listening");
        Ok(Self {
            port,
            server: server.run(),
        })
    }

    /// Stops the server like SIGTERM does (tests; embedding).
    pub fn handle(&self) -> actix_web::dev::ServerHandle {
        self.server.handle()
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serves until SIGTERM/SIGINT, then lets in-flight requests finish.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}
