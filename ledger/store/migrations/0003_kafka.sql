-- Kafka archiving: where each archiver is, and which messages repeated an event.

CREATE TABLE ledger.kafka_offsets (
    topic       text NOT NULL,
    "partition" integer NOT NULL CHECK ("partition" >= 0),
    next_offset bigint NOT NULL CHECK (next_offset >= 0),
    updated_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (topic, "partition")
);
COMMENT ON TABLE ledger.kafka_offsets IS
    'Next Kafka offset to archive per partition; written in the same transaction as the '
    'events and rejections it covers, so a crash can neither lose nor repeat a message.';

CREATE TABLE ledger.kafka_duplicates (
    topic       text NOT NULL,
    "partition" integer NOT NULL,
    "offset"    bigint NOT NULL,
    event_id    uuid NOT NULL,
    "position"  bigint NOT NULL REFERENCES ledger.events (position),
    received_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (topic, "partition", "offset")
);
COMMENT ON TABLE ledger.kafka_duplicates IS
    'Messages that carried an event already in the ledger with identical bytes (a re-sent '
    'batch): archived as the original position, recorded here so every offset is accounted for.';

CREATE TRIGGER kafka_duplicates_append_only BEFORE UPDATE OR DELETE ON ledger.kafka_duplicates
    FOR EACH ROW EXECUTE FUNCTION ledger.refuse_change();
CREATE TRIGGER kafka_duplicates_no_truncate BEFORE TRUNCATE ON ledger.kafka_duplicates
    FOR EACH STATEMENT EXECUTE FUNCTION ledger.refuse_change();

DO $$
BEGIN
    EXECUTE 'REVOKE ALL ON ledger.kafka_offsets, ledger.kafka_duplicates FROM PUBLIC';
    EXECUTE 'GRANT SELECT ON ledger.kafka_offsets, ledger.kafka_duplicates TO ledger_reader, ledger_writer';
    EXECUTE 'GRANT INSERT, UPDATE ON ledger.kafka_offsets TO ledger_writer';
    EXECUTE 'GRANT INSERT ON ledger.kafka_duplicates TO ledger_writer';
EXCEPTION WHEN undefined_object OR insufficient_privilege THEN
    RAISE NOTICE 'ledger roles absent: grants on Kafka tables skipped';
END
$$;
