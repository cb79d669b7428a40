//! Accounts and spaces for a run, made through the public API. Accounts (and their tokens)
//! are cached in a file between runs: signing in thousands of users means thousands of
//! argon2 hashes, which would dominate a short run.

use std::collections::HashMap;
use std::path::Path;

use anyhow::{bail, Context};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Account {
    pub username: String,
    pub user_id: String,
    pub token: String,
}

#[derive(Default, Serialize, Deserialize)]
struct Cache {
    /// By server URL, so one file serves several servers.
    servers: HashMap<String, Vec<Account>>,
}

const PASSWORD: &str = "bench-password";

pub struct Api {
    http: reqwest::Client,
    base: String,
}

impl Api {
    pub fn new(server: &str) -> Self {
        Self { http: reqwest::Client::new(), base: format!("{}/api/v1", server.trim_end_matches('/')) }
    }

    async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Value,
    ) -> anyhow::Result<Value> {
        let mut request = self.http.request(method, format!("{}{path}", self.base)).json(&body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.with_context(|| format!("calling {path}"))?;
        let status = response.status();
        let body: Value = response.json().await.unwrap_or(Value::Null);
        if !status.is_success() {
            bail!("{path} answered {status}: {body}");
        }
        Ok(body)
    }

    async fn post(&self, path: &str, token: Option<&str>, body: Value) -> anyhow::Result<Value> {
        self.call(reqwest::Method::POST, path, token, body).await
    }

    async fn account(&self, username: String, kind: &str) -> anyhow::Result<Account> {
        let signup = json!({"username": username, "password": PASSWORD, "type": kind});
        if let Err(e) = self.post("/signup", None, signup).await {
            if !e.to_string().contains("username-taken") {
                return Err(e.context("signing up (run the server with --admin-signup open for benchmarks)"));
            }
        }
        let signin = self.post("/signin", None, json!({"username": username, "password": PASSWORD})).await?;
        Ok(Account {
            username,
            user_id: signin["userId"].as_str().context("userId")?.to_owned(),
            token: signin["token"].as_str().context("token")?.to_owned(),
        })
    }

    /// How long the server takes to answer `GET /healthz`.
    pub async fn health(&self) -> anyhow::Result<std::time::Duration> {
        let started = std::time::Instant::now();
        let url = format!("{}/healthz", self.base.trim_end_matches("/api/v1"));
        let status = self.http.get(url).send().await?.status();
        anyhow::ensure!(status.is_success(), "healthz answered {status}");
        Ok(started.elapsed())
    }

    /// The sum over its labels of counter `name` in the Prometheus text of `server`'s
    /// `/metrics` (another node of the cluster, perhaps).
    pub async fn counter_sum(&self, server: &str, name: &str) -> Option<u64> {
        let text = self.http.get(format!("{server}/metrics")).send().await.ok()?.text().await.ok()?;
        let values = text
            .lines()
            .filter(|line| line.starts_with(name) && line[name.len()..].starts_with(['{', ' ']))
            .filter_map(|line| line.rsplit(' ').next()?.parse::<f64>().ok());
        Some(values.sum::<f64>() as u64)
    }

    /// `count` accounts, from the cache where it has valid ones.
    pub async fn accounts(&self, count: usize, cache: &Path, server: &str) -> anyhow::Result<Vec<Account>> {
        let mut file: Cache = std::fs::read(cache)
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .unwrap_or_default();
        let mut accounts = file.servers.remove(server).unwrap_or_default();
        if let Some(first) = accounts.first() {
            // Tokens expire and databases get wiped: one check tells whether the cache holds.
            if self.call(reqwest::Method::GET, "/me", Some(&first.token), Value::Null).await.is_err() {
                accounts.clear();
            }
        }
        let run = std::process::id();
        while accounts.len() < count {
            let name = format!("bench-{run}-{}", accounts.len());
            accounts.push(self.account(name, "user").await?);
        }
        file.servers.insert(server.to_owned(), accounts.clone());
        if let Some(dir) = cache.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        std::fs::write(cache, serde_json::to_vec(&file)?).context("writing the account cache")?;
        accounts.truncate(count);
        Ok(accounts)
    }

    /// `count` spaces of `size` from a map with a few solid elements; returns their ids.
    pub async fn spaces(&self, count: usize, size: (u32, u32)) -> anyhow::Result<Vec<String>> {
        let admin = self.account(format!("bench-admin-{}", std::process::id()), "admin").await?;
        let token = Some(admin.token.as_str());
        let element = json!({"imageUrl": "/demo/plant.svg", "width": 1, "height": 1, "static": true});
        let plant = self.post("/admin/element", token, element).await?["id"].clone();
        let (w, h) = size;
        // A solid pillar every 7 tiles along the diagonal: some moves are refused.
        let pillars: Vec<Value> =
            (1..w.min(h)).step_by(7).map(|i| json!({"elementId": plant, "x": i, "y": i})).collect();
        let map = json!({"thumbnail": "/demo/rug.svg", "dimensions": format!("{w}x{h}"), "name": "bench", "defaultElements": pillars});
        let map_id = self.post("/admin/map", token, map).await?["id"].clone();
        let mut spaces = Vec::with_capacity(count);
        for i in 0..count {
            let body = json!({"name": format!("bench {i}"), "mapId": map_id});
            spaces.push(
                self.post("/space", token, body).await?["spaceId"].as_str().context("spaceId")?.to_owned(),
            );
        }
        Ok(spaces)
    }
}
