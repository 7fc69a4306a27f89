//! The shop's database: surveys and the object index, in SQLite (the default, a file) or MySQL
//! (the original system's database), through `sqlx`.

use std::fmt;

use fc::{Error, ObjectRecord, Platform, Timestamp};
use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::{AnyPool, Row};

use crate::validate::Submission;

/// The default store: an SQLite file next to the process, created on first run.
pub const DEFAULT_URL: &str = "sqlite://survey.db";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Backend {
    Sqlite,
    MySql,
}

/// A connection pool with the schema in place.
#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    shown: String,
}

impl fmt::Debug for Store {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The URL can hold a password: show it without.
        write!(f, "Store({})", self.shown)
    }
}

/// A stored survey.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Saved {
    /// Its id.
    pub id: i64,
    /// False when the same submission (same idempotency key) was stored before.
    pub new: bool,
    /// Whether its notification went out.
    pub notified: bool,
}

/// A survey as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredSurvey {
    /// Its id.
    pub id: i64,
    /// The idempotency key it was stored under.
    pub key: String,
    /// What was submitted.
    pub submission: Submission,
    /// Whether its notification went out.
    pub notified: bool,
}

/// The URL without its password, for logs.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            let user = userinfo.split(':').next().unwrap_or_default();
            format!("{}{user}:***{}", &url[..scheme + 3], &url[at..])
        }
        _ => url.to_owned(),
    }
}

impl Store {
    /// Connects to `url` (`sqlite://file.db`, `mysql://user:pass@host/db`) and applies the
    /// migrations.
    pub async fn connect(url: &str) -> Result<Store, Error> {
        install_default_drivers();
        let shown = redact(url);
        let (backend, url) = if url.starts_with("sqlite:") {
            // Create the file on first run.
            let url = if url.contains("mode=") {
                url.to_owned()
            } else if url.contains('?') {
                format!("{url}&mode=rwc")
            } else {
                format!("{url}?mode=rwc")
            };
            (Backend::Sqlite, url)
        } else if url.starts_with("mysql:") || url.starts_with("mariadb:") {
            (Backend::MySql, url.replacen("mariadb:", "mysql:", 1))
        } else {
            return Err(Error::msg(format!(
                "DATABASE_URL must start with sqlite:// or mysql://, got `{shown}`"
            )));
        };
        let pool = AnyPoolOptions::new()
            .max_connections(if backend == Backend::Sqlite { 4 } else { 10 })
            .connect(&url)
            .await
            .map_err(|err| Error::msg(format!("cannot open the database {shown}: {err}")))?;
        if backend == Backend::Sqlite {
            // Write-ahead logging lets readers and a writer work at once, and lasts in the file;
            // sqlx already makes writers wait for each other (busy timeout 5 s).
            sqlx::query("PRAGMA journal_mode = WAL")
                .execute(&pool)
                .await?;
        }
        let migrator = match backend {
            Backend::Sqlite => sqlx::migrate!("./migrations/sqlite"),
            Backend::MySql => sqlx::migrate!("./migrations/mysql"),
        };
        // Instances that start together migrate together. MySQL serialises that with a lock;
        // SQLite has none, so one that lost the race waits and finds the work done.
        let mut attempt = 0;
        loop {
            attempt += 1;
            match migrator.run(&pool).await {
                Ok(()) => break,
                Err(err) if backend == Backend::Sqlite && attempt < 5 => {
                    tracing::debug!("migration attempt {attempt} lost a race: {err}");
                    tokio::time::sleep(std::time::Duration::from_millis(100 * attempt)).await;
                }
                Err(err) => {
                    return Err(Error::msg(format!(
                        "cannot migrate the database {shown}: {err}"
                    )));
                }
            }
        }
        tracing::info!("database ready: {shown}");
        Ok(Store {
            pool,
            backend,
            shown,
        })
    }

    /// Stores `submission` once under `key`: a second call with the same key stores nothing and
    /// returns the first one's id.
    pub async fn save(&self, key: &str, submission: &Submission) -> Result<Saved, Error> {
        let inserted = sqlx::query(
            "INSERT INTO surveys (idempotency_key, name, phone, satisfaction, email, created_at) VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(key)
        .bind(&submission.name)
        .bind(&submission.phone)
        .bind(i64::from(submission.satisfaction))
        .bind(submission.email.as_deref())
        .bind(Timestamp::now().to_string())
        .execute(&self.pool)
        .await;
        match inserted {
            Ok(result) => match result.last_insert_id() {
                Some(id) => Ok(Saved {
                    id,
                    new: true,
                    notified: false,
                }),
                None => self.find(key, true).await,
            },
            Err(sqlx::Error::Database(err)) if err.is_unique_violation() => {
                self.find(key, false).await
            }
            Err(err) => Err(err.into()),
        }
    }

    async fn find(&self, key: &str, new: bool) -> Result<Saved, Error> {
        let row = sqlx::query("SELECT id, notified FROM surveys WHERE idempotency_key = ?")
            .bind(key)
            .fetch_one(&self.pool)
            .await?;
        Ok(Saved {
            id: row.try_get("id")?,
            new,
            notified: row.try_get::<i64, _>("notified")? != 0,
        })
    }

    /// Records that the survey's notification went out.
    pub async fn mark_notified(&self, id: i64) -> Result<(), Error> {
        sqlx::query("UPDATE surveys SET notified = 1 WHERE id = ?")
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Every stored survey, oldest first.
    pub async fn surveys(&self) -> Result<Vec<StoredSurvey>, Error> {
        let rows = sqlx::query(
            "SELECT id, idempotency_key, name, phone, satisfaction, email, notified FROM surveys ORDER BY id",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(StoredSurvey {
                    id: row.try_get("id")?,
                    key: row.try_get("idempotency_key")?,
                    submission: Submission {
                        name: row.try_get("name")?,
                        phone: row.try_get("phone")?,
                        satisfaction: u8::try_from(row.try_get::<i64, _>("satisfaction")?)
                            .unwrap_or(0),
                        email: row.try_get("email")?,
                    },
                    notified: row.try_get::<i64, _>("notified")? != 0,
                })
            })
            .collect()
    }

    /// How many surveys are stored.
    pub async fn survey_count(&self) -> Result<i64, Error> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM surveys")
            .fetch_one(&self.pool)
            .await?;
        Ok(row.try_get("n")?)
    }

    /// Records an object change once: the same change delivered again is not recorded twice.
    /// Returns whether it was new.
    pub async fn record_object(
        &self,
        platform: Platform,
        record: &ObjectRecord,
    ) -> Result<bool, Error> {
        let time = record.time.map(|t| t.to_string());
        let kind = format!("{:?}", record.kind).to_lowercase();
        let identity = [
            platform.as_str(),
            &record.event_name,
            &record.bucket,
            &record.key,
            record.etag.as_deref().unwrap_or_default(),
            time.as_deref().unwrap_or_default(),
        ]
        .join("\u{1f}");
        let inserted = sqlx::query(
            "INSERT INTO objects (event_key, platform, change_kind, bucket, object_key, size, etag, event_time, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(fingerprint(&identity))
        .bind(platform.as_str())
        .bind(kind)
        .bind(&record.bucket)
        .bind(&record.key)
        .bind(record.size.and_then(|s| i64::try_from(s).ok()))
        .bind(record.etag.as_deref())
        .bind(time)
        .bind(Timestamp::now().to_string())
        .execute(&self.pool)
        .await;
        match inserted {
            Ok(_) => Ok(true),
            Err(sqlx::Error::Database(err)) if err.is_unique_violation() => Ok(false),
            Err(err) => Err(err.into()),
        }
    }

    /// How many object changes are recorded.
    pub async fn object_count(&self) -> Result<i64, Error> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM objects")
            .fetch_one(&self.pool)
            .await?;
        Ok(row.try_get("n")?)
    }

    /// Whether this is the MySQL backend.
    pub fn is_mysql(&self) -> bool {
        self.backend == Backend::MySql
    }
}

/// A stable 128-bit FNV-1a fingerprint in hex: the same input gives the same key on every
/// build, unlike the standard library's hashers.
fn fingerprint(text: &str) -> String {
    let fnv = |offset: u64| {
        text.bytes().fold(offset, |hash, byte| {
            (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3)
        })
    };
    format!(
        "{:016x}{:016x}",
        fnv(0xcbf2_9ce4_8422_2325),
        fnv(0x6c62_272e_07bb_0142)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_redacted() {
        assert_eq!(
            redact("mysql://shop:s3cret@db:3306/survey"),
            "mysql://shop:***@db:3306/survey"
        );
        assert_eq!(redact("sqlite://survey.db"), "sqlite://survey.db");
    }

    #[test]
    fn fingerprints_are_stable() {
        assert_eq!(fingerprint("a"), fingerprint("a"));
        assert_ne!(fingerprint("a"), fingerprint("b"));
        assert_eq!(fingerprint("").len(), 32);
    }

    #[tokio::test]
    async fn a_key_stores_once() {
        let dir = std::env::temp_dir().join(format!("survey-store-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let url = format!("sqlite://{}/store.db", dir.display());
        let store = Store::connect(&url).await.unwrap();
        let s = Submission {
            name: "Ada".into(),
            phone: "12345".into(),
            satisfaction: 4,
            email: None,
        };
        let first = store.save("req-1", &s).await.unwrap();
        assert!(first.new);
        let again = store.save("req-1", &s).await.unwrap();
        assert_eq!((again.id, again.new), (first.id, false));
        let other = store.save("req-2", &s).await.unwrap();
        assert_ne!(other.id, first.id);
        store.mark_notified(first.id).await.unwrap();
        let all = store.surveys().await.unwrap();
        assert_eq!(all.len(), 2);
        assert!(all[0].notified && !all[1].notified);
        // Reconnecting finds the schema in place.
        drop(store);
        let store = Store::connect(&url).await.unwrap();
        assert_eq!(store.surveys().await.unwrap().len(), 2);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
