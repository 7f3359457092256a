-- Two rules of the append function (issue 28, and issue 23's TAXII paging):
-- 1. Each new event's record time is at least a microsecond after the one before it, in
--    a batch too (batches used to share one), so an event's record time names it alone.
-- 2. Ids per clearance, below.
-- Need-to-know on the write path (issue 28). An event id names one event among those
-- its producer may see: a producer whose clearance does not cover an event is told
-- nothing of it, not even that its id is taken. So an id held only by events hidden from
-- the producer is free to it, and its event is appended beside them (polyinstantiation,
-- as multilevel databases have it): the ledger may hold several events with one id, each
-- marked so that no later one's marking covers an earlier one's (audit verify checks it).
-- The operator (the Kafka archiver, the command line) sees every event, so to it an id is
-- unique as before.
ALTER TABLE ledger.events DROP CONSTRAINT events_event_id_key;
CREATE INDEX events_event_id ON ledger.events (event_id);

DROP FUNCTION ledger.append_events(uuid[], text[], text[], timestamptz[], timestamptz[], bytea[],
                                   text[], integer[], bigint[], bytea[], bigint);

-- As before (0010), and: each new event's record time is at least a microsecond after the
-- one before it; p_seen_ranks and p_seen_compartments (space-separated) give the
-- clearance of each event's producer (NULL: the operator, who sees all); the ids it
-- re-sends or collides with are looked up among the events that clearance sees.
CREATE FUNCTION ledger.append_events(
    p_event_ids  uuid[],
    p_types      text[],
    p_streams    text[],
    p_valid_from timestamptz[],
    p_valid_to   timestamptz[],
    p_payloads   bytea[],
    p_topics     text[] DEFAULT NULL,
    p_partitions integer[] DEFAULT NULL,
    p_offsets    bigint[] DEFAULT NULL,
    p_signatures bytea[] DEFAULT NULL,
    p_keys_at    bigint DEFAULT NULL,
    p_seen_ranks smallint[] DEFAULT NULL,
    p_seen_compartments text[] DEFAULT NULL
) RETURNS TABLE (event_id uuid, "position" bigint, recorded_at timestamptz, appended boolean)
LANGUAGE plpgsql AS $$
DECLARE
    n           integer := coalesce(cardinality(p_event_ids), 0);
    head_pos    bigint;
    head_hash   bytea;
    head_time   timestamptz;
    now_us      bigint;
    at_ts       timestamptz;
    at_micros   bytea;
    new_time    timestamptz[] := '{}';
    out_pos     bigint[] := array_fill(NULL::bigint, ARRAY[n]);
    out_new     boolean[] := array_fill(false, ARRAY[n]);
    out_time    timestamptz[] := array_fill(NULL::timestamptz, ARRAY[n]);
    first_of    integer[] := array_fill(NULL::integer, ARRAY[n]);
    new_idx     integer[] := '{}';
    new_prev    bytea[] := '{}';
    new_hash    bytea[] := '{}';
    new_pos     bigint[] := '{}';
    new_leaf    bytea[] := '{}';
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
                                     OR cardinality(p_offsets) <> n))
       OR (p_signatures IS NOT NULL AND cardinality(p_signatures) <> n)
       OR ((p_seen_ranks IS NULL) <> (p_seen_compartments IS NULL))
       OR (p_seen_ranks IS NOT NULL AND (cardinality(p_seen_ranks) <> n
                                         OR cardinality(p_seen_compartments) <> n)) THEN
        RAISE EXCEPTION 'append_events: all argument arrays must have % elements', n
            USING ERRCODE = 'LG003';
    END IF;

    PERFORM pg_advisory_xact_lock(7402587364120001);

    -- The caller checked the producers' signatures against the key register as of its
    -- last key event at p_keys_at: if another writer changed the register since, the
    -- check is stale, and the caller checks again.
    IF p_keys_at IS NOT NULL AND EXISTS (
        SELECT 1 FROM ledger.events x
         WHERE x.event_type IN ('ProducerKeyRegistered', 'ProducerKeyRevoked')
           AND x.position > p_keys_at) THEN
        RAISE EXCEPTION 'the producer key register changed after position %', p_keys_at
            USING ERRCODE = 'LG005';
    END IF;

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

    -- Ids already in the ledger that each event's producer sees (every event, for the
    -- operator): found through the index on event_id, whatever the table size. An event
    -- with the same bytes is the one being re-sent; else the first one holds the id.
    FOR r IN
        SELECT u.ord::integer AS ord,
               (array_agg(e.position ORDER BY e.payload = u.p DESC, e.position))[1] AS pos,
               (array_agg(e.recorded_at ORDER BY e.payload = u.p DESC, e.position))[1] AS at,
               bool_or(e.payload = u.p) AS same
          FROM unnest(p_event_ids, p_payloads,
                      coalesce(p_seen_ranks, array_fill(NULL::smallint, ARRAY[n])),
                      coalesce(p_seen_compartments, array_fill(NULL::text, ARRAY[n])))
               WITH ORDINALITY AS u(id, p, seen_rank, seen, ord)
          JOIN (SELECT x.event_id, x.position, x.recorded_at, x.payload
                  FROM ledger.events x WHERE x.event_id = ANY(p_event_ids)) AS e
            ON e.event_id = u.id
         WHERE u.seen_rank IS NULL OR EXISTS (
               SELECT 1 FROM ledger.markings m
                WHERE m.position = e.position AND m.rank <= u.seen_rank
                  AND m.compartments <@ string_to_array(coalesce(u.seen, ''), ' '))
         GROUP BY u.ord
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
    -- Record times rise along the chain, one microsecond at least from event to event
    -- (whatever the clock does, and within a batch too): so each event's record time is
    -- its own, and a TAXII client paging by date added never meets two at one instant.
    now_us := greatest((extract(epoch FROM clock_timestamp()) * 1000000)::bigint,
                       CASE WHEN head_pos = 0 THEN NULL
                            ELSE (extract(epoch FROM head_time) * 1000000)::bigint + 1 END);

    FOR r IN SELECT u.ord::integer AS i, u.p FROM unnest(p_payloads) WITH ORDINALITY AS u(p, ord)
    LOOP
        IF out_pos[r.i] IS NULL AND first_of[r.i] IS NULL THEN
            k := k + 1;
            head_pos := head_pos + 1;
            new_idx[k] := r.i;
            new_pos[k] := head_pos;
            new_prev[k] := head_hash;
            at_ts := 'epoch'::timestamptz + (now_us + k - 1) * interval '1 microsecond';
            at_micros := int8send(now_us + k - 1);
            new_time[k] := at_ts;
            head_hash := sha256(head_hash || int8send(head_pos) || at_micros || r.p);
            new_hash[k] := head_hash;
            new_leaf[k] := sha256('\x00'::bytea || int8send(head_pos) || at_micros
                                  || int4send(length(r.p)) || r.p
                                  || coalesce(p_signatures[r.i], ''::bytea));
            out_pos[r.i] := head_pos;
            out_new[r.i] := true;
            out_time[r.i] := at_ts;
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
                                   kafka_topic, kafka_partition, kafka_offset, signature)
        SELECT u.pos, x.id, x.t, x.s, u.at, x.vf, x.vt, x.p, u.prev, u.h, x.topic, x.part, x.off,
               x.sig
          FROM unnest(new_idx, new_pos, new_prev, new_hash, new_time) AS u(i, pos, prev, h, at)
          JOIN unnest(p_event_ids, p_types, p_streams, p_valid_from, p_valid_to, p_payloads,
                      coalesce(p_topics, array_fill(NULL::text, ARRAY[n])),
                      coalesce(p_partitions, array_fill(NULL::integer, ARRAY[n])),
                      coalesce(p_offsets, array_fill(NULL::bigint, ARRAY[n])),
                      coalesce(p_signatures, array_fill(NULL::bytea, ARRAY[n])))
               WITH ORDINALITY AS x(id, t, s, vf, vt, p, topic, part, off, sig, ord)
            ON x.ord = u.i
         ORDER BY u.pos;
        PERFORM ledger.merkle_extend(new_pos[1] - 1, new_leaf);
    END IF;

    RETURN QUERY
        SELECT u.id, u.pos, u.at, u.fresh
          FROM unnest(p_event_ids, out_pos, out_time, out_new) WITH ORDINALITY AS u(id, pos, at, fresh, ord)
         ORDER BY u.ord;
END
$$;

DO $$
BEGIN
    EXECUTE 'GRANT EXECUTE ON FUNCTION ledger.append_events TO ledger_writer';
EXCEPTION WHEN undefined_object OR insufficient_privilege THEN
    RAISE NOTICE 'ledger roles absent: append_events relies on triggers alone';
END
$$;
