"""Schema versions, applied in order at start (``PRAGMA user_version``).

Never edit a migration that has shipped: add the next one. A database made by an older
version of the project is migrated, never recreated.

Kept whole past 300 lines: nearly all of it is the shipped scripts, the schema's history
read top to bottom, and the runner under them is ten lines.
"""

from __future__ import annotations

import aiosqlite

MIGRATIONS: tuple[str, ...] = (
    # 1: the forum, its people, deliveries, attendance, broadcasts and the organisers' log.
    """
    CREATE TABLE forum (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        name TEXT NOT NULL,
        city TEXT NOT NULL,
        timezone TEXT NOT NULL,
        source_hash TEXT,
        imported_at TEXT
    );
    CREATE TABLE venue (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        address TEXT NOT NULL DEFAULT '',
        lat REAL,
        lon REAL
    );
    CREATE TABLE delegation_group (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL
    );
    CREATE TABLE event (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        title TEXT NOT NULL,            -- JSON {lang: text}
        starts_at TEXT NOT NULL,        -- ISO 8601 UTC
        ends_at TEXT NOT NULL,
        venue_id TEXT,
        audience TEXT,                  -- JSON list of group ids; NULL = whole delegation
        speaker TEXT,
        description TEXT,               -- JSON {lang: text} or NULL
        remind INTEGER NOT NULL DEFAULT 0,
        dress TEXT,
        arrive_early INTEGER,
        bring TEXT,                     -- JSON {lang: text} or NULL
        status TEXT NOT NULL DEFAULT 'scheduled'
            CHECK (status IN ('scheduled', 'cancelled', 'removed')),
        scheduled_at TEXT NOT NULL,     -- when starts_at was last set; earlier reminders are void
        updated_at TEXT NOT NULL
    );
    CREATE INDEX event_starts ON event (starts_at);
    CREATE TABLE delegate (
        id INTEGER PRIMARY KEY,
        code TEXT UNIQUE,
        name TEXT NOT NULL,
        position TEXT NOT NULL DEFAULT '',
        group_id TEXT,
        role TEXT NOT NULL DEFAULT 'member',
        source TEXT NOT NULL DEFAULT 'file' CHECK (source IN ('file', 'invite', 'shared')),
        telegram_id INTEGER UNIQUE,
        registered_at TEXT,
        language TEXT,
        reminders_on INTEGER NOT NULL DEFAULT 1,
        reminder_offsets TEXT,          -- JSON list of minutes; NULL = every configured offset
        blocked_at TEXT,
        active INTEGER NOT NULL DEFAULT 1
    );
    CREATE TABLE user_language (        -- organisers and others who are not delegates
        telegram_id INTEGER PRIMARY KEY,
        language TEXT NOT NULL
    );
    CREATE TABLE code_attempt (
        telegram_id INTEGER PRIMARY KEY,
        failures INTEGER NOT NULL DEFAULT 0,
        last_failure_at TEXT NOT NULL
    );
    CREATE TABLE delivery (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL CHECK (kind IN ('reminder', 'briefing', 'notice')),
        key TEXT NOT NULL,              -- what is delivered, e.g. 'mou-tut@2023-09-14T05:00:00Z/60'
        delegate_id INTEGER NOT NULL REFERENCES delegate (id),
        event_id TEXT,
        due_at TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'pending'
            CHECK (status IN ('pending', 'sending', 'sent', 'blocked', 'failed', 'skipped',
                              'interrupted')),
        error TEXT,
        created_at TEXT NOT NULL,
        sent_at TEXT,
        UNIQUE (kind, key, delegate_id)
    );
    CREATE INDEX delivery_status ON delivery (status, due_at);
    CREATE TABLE attendance (
        event_id TEXT NOT NULL REFERENCES event (id),
        delegate_id INTEGER NOT NULL REFERENCES delegate (id),
        rsvp TEXT CHECK (rsvp IN ('yes', 'no')),
        rsvp_at TEXT,
        checked_in_at TEXT,
        present INTEGER,                -- NULL unknown, 1 present, 0 marked absent
        marked_by INTEGER,              -- organiser's Telegram id when marked by hand
        marked_at TEXT,
        PRIMARY KEY (event_id, delegate_id)
    );
    CREATE TABLE broadcast (
        id INTEGER PRIMARY KEY,
        organiser_id INTEGER NOT NULL,
        audience TEXT,                  -- group id or NULL = everyone
        content TEXT NOT NULL,          -- JSON: kind, text/caption (HTML), file_id
        confirm INTEGER NOT NULL DEFAULT 0,
        status TEXT NOT NULL DEFAULT 'sending' CHECK (status IN ('sending', 'done')),
        chat_id INTEGER,                -- where the progress message lives
        progress_message_id INTEGER,
        created_at TEXT NOT NULL,
        finished_at TEXT
    );
    CREATE TABLE broadcast_recipient (
        broadcast_id INTEGER NOT NULL REFERENCES broadcast (id),
        delegate_id INTEGER NOT NULL REFERENCES delegate (id),
        status TEXT NOT NULL DEFAULT 'pending'
            CHECK (status IN ('pending', 'sending', 'sent', 'blocked', 'failed', 'interrupted')),
        error TEXT,
        message_id INTEGER,
        sent_at TEXT,
        confirmed_at TEXT,
        PRIMARY KEY (broadcast_id, delegate_id)
    );
    CREATE TABLE organiser_log (
        id INTEGER PRIMARY KEY,
        organiser_id INTEGER NOT NULL,
        action TEXT NOT NULL,
        detail TEXT NOT NULL DEFAULT '',
        at TEXT NOT NULL
    );
    """,
    # 2: what each event's audience was last told of its time, place and status. A change
    # committed but not yet announced (a crash after an import, an offline import) is found
    # and announced at the next start; existing events count as announced.
    """
    CREATE TABLE event_announced (
        event_id TEXT PRIMARY KEY,
        starts_at TEXT NOT NULL,
        ends_at TEXT NOT NULL,
        venue_id TEXT,
        audience TEXT,                  -- JSON list of group ids; NULL = whole delegation
        status TEXT NOT NULL
    );
    INSERT INTO event_announced (event_id, starts_at, ends_at, venue_id, audience, status)
        SELECT id, starts_at, ends_at, venue_id, audience, status FROM event;
    -- A new event is known as first stored, in the transaction that adds it: its first
    -- change is told as a change, whoever adds it and whenever the notifier runs.
    CREATE TRIGGER event_announced_on_insert AFTER INSERT ON event BEGIN
        INSERT OR IGNORE INTO event_announced
            (event_id, starts_at, ends_at, venue_id, audience, status)
        VALUES
            (NEW.id, NEW.starts_at, NEW.ends_at, NEW.venue_id, NEW.audience, NEW.status);
    END;
    """,
    # The agreements of the visit: the file's fields, the status (kept across re-imports
    # unless the file's own status changes), who marked it signed, and photos of the
    # signing; and a history of event changes for the visit report.
    """
    CREATE TABLE agreement (
        id TEXT PRIMARY KEY,
        position INTEGER NOT NULL,      -- order in the forum file
        kind TEXT NOT NULL,
        title TEXT NOT NULL,            -- JSON {lang: text}
        partner TEXT NOT NULL,
        partner_country TEXT,
        event_id TEXT,                  -- the signing event
        signatories TEXT NOT NULL,      -- JSON list of delegate codes
        partner_signatories TEXT NOT NULL,  -- JSON list of names
        scope TEXT NOT NULL,            -- JSON list of {lang: text}
        copies INTEGER,
        file_status TEXT NOT NULL,      -- the file's status at the last import
        status TEXT NOT NULL
            CHECK (status IN ('planned', 'ready', 'signed', 'postponed', 'cancelled')),
        signed_by INTEGER,              -- the organiser's Telegram id who marked it signed
        signed_at TEXT,
        active INTEGER NOT NULL DEFAULT 1,  -- 0: no longer in the file (photos are kept)
        updated_at TEXT NOT NULL
    );
    CREATE TABLE agreement_photo (
        agreement_id TEXT NOT NULL REFERENCES agreement (id),
        file_unique_id TEXT NOT NULL,   -- the same photo sent twice is kept once
        file_id TEXT NOT NULL,
        added_by INTEGER NOT NULL,
        added_at TEXT NOT NULL,
        PRIMARY KEY (agreement_id, file_unique_id)
    );
    CREATE TABLE event_revision (
        id INTEGER PRIMARY KEY,
        event_id TEXT NOT NULL,
        starts_before TEXT NOT NULL,
        starts_after TEXT NOT NULL,
        ends_before TEXT NOT NULL,
        ends_after TEXT NOT NULL,
        venue_before TEXT,
        venue_after TEXT,
        status_before TEXT NOT NULL,
        status_after TEXT NOT NULL,
        at TEXT NOT NULL
    );
    -- Whoever changes an event (an import, /move, /cancel, an offline import), the report
    -- of the visit can say what was moved or cancelled.
    CREATE TRIGGER event_revision_on_update AFTER UPDATE ON event
    WHEN OLD.starts_at IS NOT NEW.starts_at OR OLD.ends_at IS NOT NEW.ends_at
        OR OLD.venue_id IS NOT NEW.venue_id OR OLD.status IS NOT NEW.status
    BEGIN
        INSERT INTO event_revision
            (event_id, starts_before, starts_after, ends_before, ends_after,
             venue_before, venue_after, status_before, status_after, at)
        VALUES
            (NEW.id, OLD.starts_at, NEW.starts_at, OLD.ends_at, NEW.ends_at,
             OLD.venue_id, NEW.venue_id, OLD.status, NEW.status, NEW.updated_at);
    END;
    """,
    # logistics: transport, contacts, the delegates' travel, calendar revisions, running-late
    # presses and the pinned day. Existing events start at the migration's minute, so that
    # SEQUENCE keeps growing past the minute-based numbers exported before it.
    """
    CREATE TABLE transport (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        departs_at TEXT NOT NULL,       -- ISO 8601 UTC
        arrives_at TEXT,
        from_venue TEXT NOT NULL,
        to_venue TEXT NOT NULL,
        meeting_point TEXT,             -- JSON {lang: text} or NULL
        vehicle TEXT,
        driver TEXT,
        phone TEXT,
        audience TEXT,                  -- JSON list of group ids and delegate codes; NULL = all
        event_id TEXT,
        status TEXT NOT NULL DEFAULT 'scheduled'
            CHECK (status IN ('scheduled', 'cancelled', 'removed')),
        revision INTEGER NOT NULL DEFAULT 0,   -- grows with every change: the calendar's SEQUENCE
        scheduled_at TEXT NOT NULL,     -- when departs_at was last set; earlier reminders are void
        updated_at TEXT NOT NULL
    );
    CREATE TABLE transport_announced (
        transport_id TEXT PRIMARY KEY,
        departs_at TEXT NOT NULL,
        from_venue TEXT NOT NULL,
        meeting_point TEXT,
        audience TEXT,
        status TEXT NOT NULL
    );
    CREATE TRIGGER transport_announced_on_insert AFTER INSERT ON transport BEGIN
        INSERT OR IGNORE INTO transport_announced
            (transport_id, departs_at, from_venue, meeting_point, audience, status)
        VALUES
            (NEW.id, NEW.departs_at, NEW.from_venue, NEW.meeting_point, NEW.audience, NEW.status);
    END;
    CREATE TABLE contact (
        position INTEGER PRIMARY KEY,   -- the file's order
        role TEXT NOT NULL,
        name TEXT NOT NULL,
        phone TEXT,
        telegram TEXT,
        audience TEXT,                  -- JSON list of group ids and delegate codes; NULL = all
        note TEXT                       -- JSON {lang: text} or NULL
    );
    CREATE TABLE delegate_travel (
        delegate_id INTEGER PRIMARY KEY REFERENCES delegate (id),
        hotel_id TEXT,
        arrival TEXT,                   -- JSON {at, place, flight} or NULL
        departure TEXT,
        revision INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE event_sequence (
        event_id TEXT PRIMARY KEY,
        revision INTEGER NOT NULL
    );
    INSERT INTO event_sequence (event_id, revision)
        SELECT id, CAST(strftime('%s', 'now') AS INTEGER) / 60 FROM event;
    -- Whoever changes an event (an import, /move, /cancel), its revision grows.
    CREATE TRIGGER event_sequence_on_update AFTER UPDATE ON event
    WHEN OLD.kind IS NOT NEW.kind OR OLD.title IS NOT NEW.title
        OR OLD.starts_at IS NOT NEW.starts_at OR OLD.ends_at IS NOT NEW.ends_at
        OR OLD.venue_id IS NOT NEW.venue_id OR OLD.audience IS NOT NEW.audience
        OR OLD.speaker IS NOT NEW.speaker OR OLD.description IS NOT NEW.description
        OR OLD.dress IS NOT NEW.dress OR OLD.bring IS NOT NEW.bring
        OR OLD.arrive_early IS NOT NEW.arrive_early OR OLD.status IS NOT NEW.status
    BEGIN
        INSERT OR IGNORE INTO event_sequence (event_id, revision) VALUES (NEW.id, 0);
        UPDATE event_sequence SET revision = revision + 1 WHERE event_id = NEW.id;
    END;
    CREATE TABLE running_late (
        transport_id TEXT NOT NULL,
        departs_at TEXT NOT NULL,       -- a moved departure is a new one
        delegate_id INTEGER NOT NULL REFERENCES delegate (id),
        pressed_at TEXT NOT NULL,
        PRIMARY KEY (transport_id, departs_at, delegate_id)
    );
    CREATE TABLE day_pin (              -- the morning briefing pinned in a delegate's chat
        delegate_id INTEGER PRIMARY KEY REFERENCES delegate (id),
        day TEXT NOT NULL,              -- forum-local date
        chat_id INTEGER NOT NULL,
        message_id INTEGER NOT NULL,
        digest TEXT NOT NULL,           -- of the text as pinned: edit only when the day changed
        updated_at TEXT NOT NULL
    );
    """,
    # Guessing codes is counted across accounts too (wrong codes in the current window),
    # an invitation tried from another account alerts the organisers once per while, and
    # an /import that removes delegates or many events waits for the organiser's yes.
    """
    CREATE TABLE code_guesses (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        window_start TEXT NOT NULL,
        failures INTEGER NOT NULL
    );
    CREATE TABLE taken_alert (
        delegate_id INTEGER PRIMARY KEY REFERENCES delegate (id),
        alerted_at TEXT NOT NULL,
        unreported INTEGER NOT NULL DEFAULT 0   -- tries since, not alerted yet
    );
    CREATE TABLE pending_import (
        token TEXT PRIMARY KEY,             -- travels in the confirmation button
        organiser_id INTEGER NOT NULL,
        filename TEXT NOT NULL,
        text TEXT NOT NULL,
        created_at TEXT NOT NULL
    );
    """,
    # 6: posts in the delegation's group or channel (ANNOUNCE_CHAT_ID), once each: a change
    # notice (keyed by the notice's key) or a broadcast the organiser also posted there.
    """
    CREATE TABLE announcement (
        key TEXT PRIMARY KEY,           -- a change notice's key, or 'broadcast:<id>'
        status TEXT NOT NULL DEFAULT 'pending'
            CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'interrupted')),
        error TEXT,
        message_id INTEGER,
        created_at TEXT NOT NULL,
        sent_at TEXT
    );
    """,
)


async def migrate(conn: aiosqlite.Connection) -> int:
    """Bring the schema to the newest version; returns the version reached."""
    async with conn.execute("PRAGMA user_version") as cur:
        row = await cur.fetchone()
    version = int(row[0]) if row else 0
    for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
        # executescript commits first; each migration and its version bump form one script.
        await conn.executescript(f"BEGIN;\n{script}\nPRAGMA user_version = {number};\nCOMMIT;")
    return len(MIGRATIONS)
