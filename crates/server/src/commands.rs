//! Operator subcommands besides `serve`: apply migrations, create or promote an admin, and
//! check a configuration without starting the server.

use std::io::{BufRead, IsTerminal, Write};

use anyhow::{bail, Context};
use gather_core::{Role, UserId};
use gather_store::{NewUser, Readiness, SqlStore, UserStore};

use crate::auth::{load_or_create_secret, Passwords};
use crate::config::Config;
use crate::http::validate;

/// `gather migrate`: applies pending migrations and exits.
pub async fn migrate(config: &Config) -> anyhow::Result<()> {
    ensure_data_dir(config)?;
    let store =
        SqlStore::connect(&config.database_url(), config.pool_settings()).await.context("migrating")?;
    store.close().await;
    println!("migrations applied");
    Ok(())
}

/// `gather admin create --username U`: creates the admin, reading the password from stdin
/// (prompting on a terminal), or promotes an existing user to admin.
pub async fn create_admin(config: &Config, username: &str) -> anyhow::Result<()> {
    ensure_data_dir(config)?;
    let username = validate::username(username).map_err(|e| anyhow::anyhow!("{e}"))?;
    let store = SqlStore::connect(&config.database_url(), config.pool_settings())
        .await
        .context("opening the database")?;
    let result = async {
        if let Some(user) = store.user_by_username(&username).await? {
            store.set_role(user.id, Role::Admin).await?;
            println!("{} is now an admin", user.username);
            return Ok(());
        }
        let password = read_password(&username)?;
        validate::password(&password).map_err(|e| anyhow::anyhow!("{e}"))?;
        let user = NewUser {
            id: UserId::new(),
            username: username.clone(),
            password_hash: Passwords::new()?.hash(&password).await?,
            role: Role::Admin,
        };
        store.create_user(user, false).await?;
        println!("created admin {username}");
        Ok(())
    }
    .await;
    store.close().await;
    result
}

fn read_password(username: &str) -> anyhow::Result<String> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        eprint!("Password for {username} (6-256 characters, shown as you type): ");
        std::io::stderr().flush()?;
    }
    let mut line = String::new();
    stdin.lock().read_line(&mut line)?;
    let password = line.trim_end_matches(['\n', '\r']).to_owned();
    if password.is_empty() {
        bail!("no password given: pipe it on stdin, e.g. printf '%s\\n' \"$PASSWORD\" | gather admin create --username {username}");
    }
    Ok(password)
}

/// `gather check-config`: prints the effective settings (secrets hidden) and checks the data
/// dir, the signing secret and the database, changing nothing. Fails if any check fails.
pub async fn check_config(config: &Config) -> anyhow::Result<()> {
    let database = config.database_url();
    println!("addr                {}", config.addr);
    println!("data dir            {}", config.data_dir.display());
    println!("database            {}", redact_url(&database));
    println!("admin sign-up       {:?}", config.admin_signup);
    println!("token ttl           {} s", config.token_ttl_secs);
    println!("asset store         {}", config.asset_store());
    let mut ok = true;
    let mut check = |what: &str, result: anyhow::Result<String>| match result {
        Ok(detail) => println!("ok    {what}: {detail}"),
        Err(e) => {
            ok = false;
            println!("FAIL  {what}: {e:#}");
        }
    };
    check("signing secret", check_secret(config));
    check("database", check_database(config, &database).await);
    let cluster = crate::app::refuse_unshared_storage_in_a_cluster(config);
    check("shared storage", cluster.map(|()| "fits one node or a cluster".to_owned()));
    if !ok {
        bail!("the configuration has problems (see above)");
    }
    Ok(())
}

fn check_secret(config: &Config) -> anyhow::Result<String> {
    if config.jwt_secret.is_some() {
        load_or_create_secret(config.jwt_secret.as_deref(), &config.data_dir)?;
        return Ok("from GATHER_JWT_SECRET".into());
    }
    let file = config.data_dir.join("jwt-secret");
    if file.exists() {
        load_or_create_secret(None, &config.data_dir)?;
        Ok(format!("{} (mode 0600)", file.display()))
    } else {
        Ok(format!("will be generated at {} on first start", file.display()))
    }
}

async fn check_database(config: &Config, url: &str) -> anyhow::Result<String> {
    if url.starts_with("sqlite:") && !config.data_dir.exists() {
        return Ok("SQLite file will be created on first start".into());
    }
    let store = SqlStore::open(url, config.pool_settings()).await.context("cannot connect")?;
    let ready = store.ready().await;
    store.close().await;
    match ready {
        Ok(true) => Ok(format!("{:?}, reachable, migrations up to date", store.backend())),
        Ok(false) | Err(_) => {
            Ok(format!("{:?}, reachable, migrations pending (run gather migrate)", store.backend()))
        }
    }
}

fn ensure_data_dir(config: &Config) -> anyhow::Result<()> {
    if config.database_url().starts_with("sqlite:") {
        crate::app::create_data_dir(&config.data_dir)?;
    }
    Ok(())
}

fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => format!("{}://…@{}", &url[..scheme], &url[at + 1..]),
        _ => url.to_owned(),
    }
}
