CREATE TABLE surveys (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    idempotency_key TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    phone TEXT NOT NULL,
    satisfaction INTEGER NOT NULL,
    email TEXT,
    created_at TEXT NOT NULL,
    notified INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE objects (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    event_key TEXT NOT NULL UNIQUE,
    platform TEXT NOT NULL,
    change_kind TEXT NOT NULL,
    bucket TEXT NOT NULL,
    object_key TEXT NOT NULL,
    size INTEGER,
    etag TEXT,
    event_time TEXT,
    recorded_at TEXT NOT NULL
);
