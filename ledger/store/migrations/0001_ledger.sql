-- The append-only ledger: events, schema registry, rejected inputs.

CREATE TABLE ledger.schemas (
    fingerprint    bytea PRIMARY KEY CHECK (octet_length(fingerprint) = 8),
    event_type     text NOT NULL,
    version        integer NOT NULL CHECK (version > 0),
    canonical_form text NOT NULL,
    schema_json    text NOT NULL,
    registered_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
    UNIQUE (event_type, version)
);
COMMENT ON TABLE ledger.schemas IS
    'Every Avro schema version ever used, by CRC-64-AVRO fingerprint. Append-only.';

CREATE TABLE ledger.events (
    position        bigint PRIMARY KEY CHECK (position > 0),
    event_id        uuid NOT NULL UNIQUE,
    event_type      text NOT NULL,
    stream_id       text NOT NULL,
    recorded_at     timestamptz NOT NULL,
    valid_from      timestamptz,
    valid_to        timestamptz,
    payload         bytea NOT NULL CHECK (substring(payload FROM 1 FOR 2) = '\xc301'::bytea),
    prev_hash       bytea NOT NULL CHECK (octet_length(prev_hash) = 32),
    hash            bytea NOT NULL CHECK (octet_length(hash) = 32),
    kafka_topic     text,
    kafka_partition integer,
    kafka_offset    bigint,
    CHECK ((kafka_topic IS NULL) = (kafka_partition IS NULL)
       AND (kafka_topic IS NULL) = (kafka_offset IS NULL))
);
COMMENT ON TABLE ledger.events IS
    'Append-only event ledger: contiguous positions, single-object Avro payloads, '
    'hash = sha256(prev_hash || int8(position) || int8(recorded_at in epoch micros) || payload).';

-- Few indexes: each one costs append throughput. Record time grows with position, so a
-- BRIN index answers "as of" lookups at almost no cost to appends.
CREATE INDEX events_stream ON ledger.events (stream_id, position);
CREATE INDEX events_recorded_at ON ledger.events USING brin (recorded_at);
CREATE UNIQUE INDEX events_kafka_origin ON ledger.events (kafka_topic, kafka_partition, kafka_offset)
    WHERE kafka_topic IS NOT NULL;

CREATE TABLE ledger.rejected (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    received_at     timestamptz NOT NULL DEFAULT clock_timestamp(),
    origin          text NOT NULL,
    kafka_topic     text,
    kafka_partition integer,
    kafka_offset    bigint,
    kafka_key       bytea,
    headers         jsonb,
    payload         bytea,
    reason          text NOT NULL
);
COMMENT ON TABLE ledger.rejected IS
    'Every input that could not be accepted from a transport, with its raw bytes and why.';
CREATE UNIQUE INDEX rejected_kafka_origin ON ledger.rejected (kafka_topic, kafka_partition, kafka_offset)
    WHERE kafka_topic IS NOT NULL;

-- The database itself refuses to change history, whoever asks.
CREATE FUNCTION ledger.refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'ledger.% is append-only: % is refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'LG000',
              HINT = 'Record a new event (for example ClaimRetracted) instead of changing history.';
END
$$;

CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON ledger.events
    FOR EACH ROW EXECUTE FUNCTION ledger.refuse_change();
CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON ledger.events
    FOR EACH STATEMENT EXECUTE FUNCTION ledger.refuse_change();
CREATE TRIGGER schemas_append_only BEFORE UPDATE OR DELETE ON ledger.schemas
    FOR EACH ROW EXECUTE FUNCTION ledger.refuse_change();
CREATE TRIGGER schemas_no_truncate BEFORE TRUNCATE ON ledger.schemas
    FOR EACH STATEMENT EXECUTE FUNCTION ledger.refuse_change();
CREATE TRIGGER rejected_append_only BEFORE UPDATE OR DELETE ON ledger.rejected
    FOR EACH ROW EXECUTE FUNCTION ledger.refuse_change();
CREATE TRIGGER rejected_no_truncate BEFORE TRUNCATE ON ledger.rejected
    FOR EACH STATEMENT EXECUTE FUNCTION ledger.refuse_change();

-- Marks every later occurrence of event p_id in the batch as a repeat of its first one,
-- or fails if the occurrences differ in content.
CREATE FUNCTION ledger._mark_repeats(p_id uuid, p_event_ids uuid[], p_payloads bytea[],
                                     p_first_of integer[]) RETURNS integer[]
LANGUAGE plpgsql AS $$
DECLARE
    first integer;
    r record;
BEGIN
    FOR r IN
        SELECT u.ord::integer AS ord, u.p
          FROM unnest(p_event_ids, p_payloads) WITH ORDINALITY AS u(id, p, ord)
         WHERE u.id = p_id ORDER BY u.ord
    LOOP
        IF first IS NULL THEN
            first := r.ord;
        ELSIF r.p IS DISTINCT FROM p_payloads[first] THEN
            RAISE EXCEPTION 'event % occurs twice in the batch with different content', p_id
                USING ERRCODE = 'LG001', DETAIL = p_id::text;
        ELSE
            p_first_of[r.ord] := first;
        END IF;
    END LOOP;
    RETURN p_first_of;
END
$$;

-- Appends a batch all-or-nothing under one lock, so positions stay contiguous and the
-- chain linear even with many concurrent writers. Event ids already present with the
-- same bytes (in the ledger or earlier in the batch) are returned with their original
-- position and appended = false; with different bytes the whole batch fails (LG001).
CREATE FUNCTION ledger.append_events(
    p_event_ids  uuid[],
    p_types      text[],
    p_streams    text[],
    p_valid_from timestamptz[],
    p_valid_to   timestamptz[],
    p_payloads   bytea[],
    p_topics     text[] DEFAULT NULL,
    p_partitions integer[] DEFAULT NULL,
    p_offsets    bigint[] DEFAULT NULL
) RETURNS TABLE (event_id uuid, "position" bigint, recorded_at timestamptz, appended boolean)
LANGUAGE plpgsql AS $$
DECLARE
    n           integer := coalesce(cardinality(p_event_ids), 0);
    head_pos    bigint;
    head_hash   bytea;
    head_time   timestamptz;
    now_ts      timestamptz;
    now_micros  bytea;
    out_pos     bigint[] := array_fill(NULL::bigint, ARRAY[n]);
    out_new     boolean[] := array_fill(false, ARRAY[n]);
    out_time    timestamptz[] := array_fill(NULL::timestamptz, ARRAY[n]);
    first_of    integer[] := array_fill(NULL::integer, ARRAY[n]);
    new_idx     integer[] := '{}';
    new_prev    bytea[] := '{}';
    new_hash    bytea[] := '{}';
    new_pos     bigint[] := '{}';
    k           integer := 0;
    r           record;
BEGIN
    IF n = 0 THEN
        RETURN;
    END IF;
    IF coalesce(cardinality(p_types), 0) <> n OR coalesce(cardinality(p_streams), 0) <> n
       OR coalesce(cardinality(p_valid_from), 0) <> n OR coalesce(cardinality(p_valid_to), 0) <> n
       OR coalesce(cardinality(p_payloads), 0) <> n
       OR (p_topics IS NOT NULL AND (cardinality(p_topics) <> n OR cardinality(p_partitions) <> n
                                     OR cardinality(p_offsets) <> n)) THEN
        RAISE EXCEPTION 'append_events: all argument arrays must have % elements', n
            USING ERRCODE = 'LG003';
    END IF;

    PERFORM pg_advisory_xact_lock(7402587364120001);

    FOR r IN
        SELECT u.t, u.fp, s.event_type AS registered
          FROM (SELECT DISTINCT x.t, substring(x.p FROM 3 FOR 8) AS fp
                  FROM unnest(p_types, p_payloads) AS x(t, p)) AS u
          LEFT JOIN ledger.schemas s ON s.fingerprint = u.fp
         WHERE s.event_type IS DISTINCT FROM u.t
    LOOP
        IF r.registered IS NULL THEN
            RAISE EXCEPTION 'a % payload names schema fingerprint %, which is not registered',
                r.t, encode(r.fp, 'hex') USING ERRCODE = 'LG002';
        END IF;
        RAISE EXCEPTION 'a payload labelled % was written with a % schema (fingerprint %)',
            r.t, r.registered, encode(r.fp, 'hex') USING ERRCODE = 'LG002';
    END LOOP;

    -- Repeats inside the batch are rare: find them cheaply, then check them closely.
    FOR r IN
        SELECT u.id FROM unnest(p_event_ids) AS u(id) GROUP BY u.id HAVING count(*) > 1
    LOOP
        first_of := ledger._mark_repeats(r.id, p_event_ids, p_payloads, first_of);
    END LOOP;
    k := 0;

    -- Ids already in the ledger: found through the unique index, whatever the table size.
    FOR r IN
        SELECT u.ord::integer AS ord, e.position AS pos, e.recorded_at AS at, e.payload = u.p AS same
          FROM unnest(p_event_ids, p_payloads) WITH ORDINALITY AS u(id, p, ord)
          JOIN (SELECT x.event_id, x.position, x.recorded_at, x.payload
                  FROM ledger.events x WHERE x.event_id = ANY(p_event_ids)) AS e
            ON e.event_id = u.id
    LOOP
        IF NOT r.same THEN
            RAISE EXCEPTION 'event % was appended before at position % with different content',
                p_event_ids[r.ord], r.pos USING ERRCODE = 'LG001', DETAIL = p_event_ids[r.ord]::text;
        END IF;
        out_pos[r.ord] := r.pos;
        out_time[r.ord] := r.at;
    END LOOP;

    SELECT e.position, e.hash, e.recorded_at INTO head_pos, head_hash, head_time
      FROM ledger.events e ORDER BY e.position DESC LIMIT 1;
    IF NOT FOUND THEN
        head_pos := 0;
        head_hash := '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea;
        head_time := '-infinity';
    END IF;
    -- Record time never goes backwards along the chain, whatever the clock does.
    now_ts := greatest(clock_timestamp(), head_time);
    now_micros := int8send((extract(epoch FROM now_ts) * 1000000)::bigint);

    FOR r IN SELECT u.ord::integer AS i, u.p FROM unnest(p_payloads) WITH ORDINALITY AS u(p, ord)
    LOOP
        IF out_pos[r.i] IS NULL AND first_of[r.i] IS NULL THEN
            k := k + 1;
            head_pos := head_pos + 1;
            new_idx[k] := r.i;
            new_pos[k] := head_pos;
            new_prev[k] := head_hash;
            head_hash := sha256(head_hash || int8send(head_pos) || now_micros || r.p);
            new_hash[k] := head_hash;
            out_pos[r.i] := head_pos;
            out_new[r.i] := true;
            out_time[r.i] := now_ts;
        END IF;
    END LOOP;
    FOR i IN 1..n LOOP
        IF first_of[i] IS NOT NULL THEN
            out_pos[i] := out_pos[first_of[i]];
            out_time[i] := out_time[first_of[i]];
        END IF;
    END LOOP;

    IF k > 0 THEN
        INSERT INTO ledger.events (position, event_id, event_type, stream_id, recorded_at,
                                   valid_from, valid_to, payload, prev_hash, hash,
                                   kafka_topic, kafka_partition, kafka_offset)
        SELECT u.pos, x.id, x.t, x.s, now_ts, x.vf, x.vt, x.p, u.prev, u.h, x.topic, x.part, x.off
          FROM unnest(new_idx, new_pos, new_prev, new_hash) AS u(i, pos, prev, h)
          JOIN unnest(p_event_ids, p_types, p_streams, p_valid_from, p_valid_to, p_payloads,
                      coalesce(p_topics, array_fill(NULL::text, ARRAY[n])),
                      coalesce(p_partitions, array_fill(NULL::integer, ARRAY[n])),
                      coalesce(p_offsets, array_fill(NULL::bigint, ARRAY[n])))
               WITH ORDINALITY AS x(id, t, s, vf, vt, p, topic, part, off, ord)
            ON x.ord = u.i
         ORDER BY u.pos;
    END IF;

    RETURN QUERY
        SELECT u.id, u.pos, u.at, u.fresh
          FROM unnest(p_event_ids, out_pos, out_time, out_new) WITH ORDINALITY AS u(id, pos, at, fresh, ord)
         ORDER BY u.ord;
END
$$;
