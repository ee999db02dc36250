import DeviceInventory

/// The PostgreSQL inventory schema: named migrations applied in order, never edited once
/// shipped (a change is a new migration), as ``Migrations`` does for SQLite. Applied migrations
/// are listed in `fwgate_migration`; a database listing one this fwgate does not know was
/// written by a newer fwgate and is refused.
///
/// The same tables as SQLite's, in PostgreSQL's own spelling (snake_case), plus `chain_head`:
/// one row holding the last entry id and hash. Appends lock it (`SELECT ... FOR UPDATE`), so
/// writers from any number of sites append one after the other and keep one chain; a trigger
/// lets it only move forward, and the audit checks the last entry against it (deleting the
/// newest entries is caught, as SQLite's AUTOINCREMENT sequence catches it there).
enum PostgresSchema {
    struct Migration {
        let identifier: String
        let sql: String
    }

    /// The advisory lock key that serialises migrations (any 64-bit number of fwgate's own).
    static let migrationLock: Int64 = 0x6677_6761_7465_0001

    static let migrations: [Migration] = [
        Migration(
            identifier: "v1-devices-and-posture",
            sql: """
                CREATE TABLE device (
                  id text PRIMARY KEY,
                  asset_tag text, make text, model text, serial_number text, mac text, ip text,
                  tls_port integer CHECK (tls_port IS NULL OR (tls_port > 0 AND tls_port < 65536)),
                  location text, owner text, network_segment text, clinical_use text, stores_ephi boolean, baa_status text,
                  support_end_date text, installed_version text,
                  installed_security_counter bigint CHECK (installed_security_counter IS NULL OR installed_security_counter >= 0),
                  updated_at timestamptz NOT NULL
                );
                CREATE TABLE posture_entry (
                  id bigint PRIMARY KEY CHECK (id > 0),
                  device_id text REFERENCES device(id) ON DELETE RESTRICT,
                  artifact_path text NOT NULL,
                  artifact_sha256 text,
                  artifact_size bigint NOT NULL,
                  format text NOT NULL,
                  version text,
                  security_counter bigint,
                  signer_name text, signer_fingerprint text, signer_subject text,
                  chain_status text,
                  earliest_expiry timestamptz,
                  verdict text NOT NULL CHECK (verdict IN ('pass', 'warn', 'fail')),
                  checks text NOT NULL,
                  policy_digest text,
                  tool_version text NOT NULL,
                  recorded_at timestamptz NOT NULL,
                  previous_hash text NOT NULL,
                  entry_hash text NOT NULL UNIQUE,
                  hash_version integer NOT NULL DEFAULT 2
                );
                CREATE INDEX posture_entry_device_id ON posture_entry (device_id);
                CREATE INDEX posture_entry_artifact ON posture_entry (artifact_sha256, device_id);

                CREATE TABLE chain_head (
                  id integer PRIMARY KEY CHECK (id = 1),
                  last_id bigint NOT NULL,
                  head_hash text NOT NULL
                );
                INSERT INTO chain_head (id, last_id, head_hash) VALUES (1, 0, '\(PostureEntry.genesisHash)');

                -- Append-only: PostgreSQL itself refuses to change or remove a posture entry.
                CREATE FUNCTION fwgate_posture_entry_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                  RAISE EXCEPTION 'posture entries are append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
                END $$;
                CREATE TRIGGER posture_entry_no_update BEFORE UPDATE ON posture_entry
                  FOR EACH ROW EXECUTE FUNCTION fwgate_posture_entry_append_only();
                CREATE TRIGGER posture_entry_no_delete BEFORE DELETE ON posture_entry
                  FOR EACH ROW EXECUTE FUNCTION fwgate_posture_entry_append_only();
                CREATE TRIGGER posture_entry_no_truncate BEFORE TRUNCATE ON posture_entry
                  FOR EACH STATEMENT EXECUTE FUNCTION fwgate_posture_entry_append_only();

                -- The head row only moves forward, and is never removed.
                CREATE FUNCTION fwgate_chain_head_forward_only() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                  IF TG_OP <> 'UPDATE' THEN
                    RAISE EXCEPTION 'the chain head is kept: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
                  END IF;
                  IF NEW.id <> OLD.id OR NEW.last_id < OLD.last_id THEN
                    RAISE EXCEPTION 'the chain head only moves forward: UPDATE refused' USING ERRCODE = 'insufficient_privilege';
                  END IF;
                  RETURN NEW;
                END $$;
                CREATE TRIGGER chain_head_forward_only BEFORE UPDATE OR DELETE ON chain_head
                  FOR EACH ROW EXECUTE FUNCTION fwgate_chain_head_forward_only();
                CREATE TRIGGER chain_head_no_truncate BEFORE TRUNCATE ON chain_head
                  FOR EACH STATEMENT EXECUTE FUNCTION fwgate_chain_head_forward_only();
                """),
        Migration(
            identifier: "v2-certificates",
            sql: """
                CREATE TABLE certificate (
                  sha256 text PRIMARY KEY,
                  subject text NOT NULL, issuer text NOT NULL, serial text NOT NULL,
                  not_before timestamptz NOT NULL, not_after timestamptz NOT NULL,
                  first_seen timestamptz NOT NULL, last_seen timestamptz NOT NULL
                );
                CREATE TABLE certificate_location (
                  id bigserial PRIMARY KEY,
                  certificate_sha256 text NOT NULL REFERENCES certificate(sha256) ON DELETE CASCADE,
                  path text, endpoint text,
                  device_id text REFERENCES device(id) ON DELETE SET NULL,
                  kind text NOT NULL,
                  last_swept timestamptz NOT NULL,
                  CHECK (path IS NOT NULL OR endpoint IS NOT NULL)
                );
                CREATE UNIQUE INDEX certificate_location_unique ON certificate_location
                  (certificate_sha256, coalesce(path, ''), coalesce(endpoint, ''), coalesce(device_id, ''));
                CREATE INDEX certificate_location_device_id ON certificate_location (device_id);
                """),
        // Sites: each entry names the site that recorded it (hash version 3 hashes it), and an
        // entry pushed from a site's SQLite inventory keeps that entry's id and hash there, so
        // either side can be audited against the other; a push never copies an entry twice.
        Migration(
            identifier: "v3-entry-site",
            sql: """
                ALTER TABLE posture_entry ADD COLUMN site text;
                ALTER TABLE posture_entry ADD COLUMN origin_entry_id bigint;
                ALTER TABLE posture_entry ADD COLUMN origin_entry_hash text;
                CREATE UNIQUE INDEX posture_entry_origin ON posture_entry (site, origin_entry_hash) WHERE origin_entry_hash IS NOT NULL;
                """),
    ]
}
