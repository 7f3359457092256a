-- The RFC 9162 Merkle tree over the events, kept as its complete subtrees.
--
-- Leaf data is int8(position) || int8(record time in µs) || int4(length(payload)) ||
-- payload; leaf hash sha256(0x00 || data), node hash sha256(0x01 || left || right). A row
-- is the root of the complete subtree of 2^level leaves that the event at `position`
-- completed: it covers positions position - 2^level + 1 .. position. The two lowest
-- levels are not stored (three quarters of all nodes): a leaf is computed from its event
-- row and a level-1 node from two (ledger.merkle_node), so an append writes a quarter of
-- a row per event. The root of any tree size, and every inclusion or consistency proof,
-- is made of O(log n) nodes, each found through a primary key.
CREATE TABLE ledger.merkle_nodes (
    "position" bigint NOT NULL CHECK ("position" > 0),
    level      smallint NOT NULL CHECK (level >= 2 AND level < 63),
    hash       bytea NOT NULL CHECK (octet_length(hash) = 32),
    PRIMARY KEY ("position", level),
    CHECK ("position" % (1::bigint << level) = 0)
);
COMMENT ON TABLE ledger.merkle_nodes IS
    'RFC 9162 Merkle tree over ledger.events: the complete subtree of 2^level leaves ending at position (levels from 2; lower ones come from the events). Append-only.';
CREATE TRIGGER merkle_nodes_append_only BEFORE UPDATE OR DELETE ON ledger.merkle_nodes
    FOR EACH ROW EXECUTE FUNCTION ledger.refuse_change();
CREATE TRIGGER merkle_nodes_no_truncate BEFORE TRUNCATE ON ledger.merkle_nodes
    FOR EACH STATEMENT EXECUTE FUNCTION ledger.refuse_change();

-- The leaf hash of the event at a position, from its stored row (NULL if there is none).
CREATE FUNCTION ledger.merkle_leaf(p_position bigint) RETURNS bytea
LANGUAGE sql STABLE AS $$
    SELECT sha256('\x00'::bytea || int8send(e.position)
                  || int8send((extract(epoch FROM e.recorded_at) * 1000000)::bigint)
                  || int4send(length(e.payload)) || e.payload)
      FROM ledger.events e WHERE e.position = p_position
$$;

-- The hash of the complete subtree of 2^level leaves ending at a position: computed from
-- the events for the two lowest levels, stored above them (NULL if there is none).
CREATE FUNCTION ledger.merkle_node(p_position bigint, p_level integer) RETURNS bytea
LANGUAGE sql STABLE AS $$
    SELECT CASE p_level
        WHEN 0 THEN ledger.merkle_leaf(p_position)
        WHEN 1 THEN sha256('\x01'::bytea || ledger.merkle_leaf(p_position - 1)
                           || ledger.merkle_leaf(p_position))
        ELSE (SELECT m.hash FROM ledger.merkle_nodes m
               WHERE m."position" = p_position AND m.level = p_level)
    END
$$;

-- Adds the leaves of positions p_size + 1 .. to a tree of p_size leaves: each subtree of
-- level 2 or more they complete becomes a row. Set-based, one statement per level (array subscripts would
-- cost O(n) each): the nodes a batch makes at one level are consecutive, so they pair up
-- in order; the first one pairs with the tree's right-edge node before the batch when it
-- is a right child. Called with the
-- append lock held.
CREATE FUNCTION ledger.merkle_extend(p_size bigint, p_leaves bytea[]) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    k        integer := coalesce(cardinality(p_leaves), 0);
    lvl      integer := 0;
    first    bigint := p_size + 1;
    n        integer;
    off      integer;
    edge     bytea;
    cur_hash bytea[] := p_leaves;
    all_pos  bigint[] := '{}';
    all_lvl  smallint[] := '{}';
    all_hash bytea[] := '{}';
BEGIN
    -- invariant: cur_hash holds this batch's nodes of level lvl, at positions
    -- first, first + 2^lvl, ... (first is the first multiple of 2^lvl after p_size)
    LOOP
        n := coalesce(cardinality(cur_hash), 0);
        EXIT WHEN n = 0;
        off := CASE WHEN first % (1::bigint << (lvl + 1)) = 0 THEN 1 ELSE 0 END;
        edge := NULL;
        IF off = 1 THEN
            edge := ledger.merkle_node(first - (1::bigint << lvl), lvl);
            IF edge IS NULL THEN
                RAISE EXCEPTION 'the Merkle tree lacks its node at level % ending at position %',
                    lvl, first - (1::bigint << lvl) USING ERRCODE = 'LG004';
            END IF;
        END IF;
        cur_hash := ARRAY(
            SELECT sha256('\x01'::bytea || y.l || y.h)
              FROM (SELECT x.h, x.i, lag(x.h) OVER (ORDER BY x.i) AS l
                      FROM unnest(CASE WHEN off = 1 THEN array_prepend(edge, cur_hash)
                                       ELSE cur_hash END) WITH ORDINALITY AS x(h, i)) AS y
             WHERE y.i % 2 = 0
             ORDER BY y.i);
        lvl := lvl + 1;
        first := CASE WHEN off = 1 THEN first ELSE first + (1::bigint << (lvl - 1)) END;
        IF cardinality(cur_hash) > 0 AND lvl >= 2 THEN
            all_pos := all_pos || ARRAY(SELECT first + (i::bigint << lvl)
                                          FROM generate_series(0, cardinality(cur_hash) - 1) AS i
                                         ORDER BY i);
            all_lvl := all_lvl || array_fill(lvl::smallint, ARRAY[cardinality(cur_hash)]);
            all_hash := all_hash || cur_hash;
        END IF;
    END LOOP;
    INSERT INTO ledger.merkle_nodes ("position", level, hash)
        SELECT * FROM unnest(all_pos, all_lvl, all_hash);
END
$$;

-- The tree over the events already recorded (in chunks: memory stays flat).
DO $$
DECLARE
    done bigint := 0;
    leaves bytea[];
BEGIN
    LOOP
        SELECT array_agg(sha256('\x00'::bytea || int8send(e.position)
                                || int8send((extract(epoch FROM e.recorded_at) * 1000000)::bigint)
                                || int4send(length(e.payload)) || e.payload) ORDER BY e.position)
          INTO leaves
          FROM ledger.events e WHERE e.position > done AND e.position <= done + 10000;
        EXIT WHEN leaves IS NULL;
        PERFORM ledger.merkle_extend(done, leaves);
        done := done + cardinality(leaves);
    END LOOP;
END
$$;

DO $$
BEGIN
    EXECUTE 'GRANT SELECT ON ledger.merkle_nodes TO ledger_reader, ledger_writer';
    EXECUTE 'GRANT EXECUTE ON FUNCTION ledger.merkle_leaf, ledger.merkle_node'
            ' TO ledger_reader, ledger_writer';
    EXECUTE 'GRANT INSERT ON ledger.merkle_nodes TO ledger_writer';
EXCEPTION WHEN undefined_object OR insufficient_privilege THEN
    RAISE NOTICE 'ledger roles absent: merkle_nodes relies on triggers alone';
END
$$;

-- Appends a batch all-or-nothing under one lock, so positions stay contiguous and the
-- chain linear even with many concurrent writers, and extends the Merkle tree over them. Event ids already present with the
-- same bytes (in the ledger or earlier in the batch) are returned with their original
-- position and appended = false; with different bytes the whole batch fails (LG001).
CREATE OR REPLACE FUNCTION ledger.append_events(
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
            new_leaf[k] := sha256('\x00'::bytea || int8send(head_pos) || now_micros
                                  || int4send(length(r.p)) || r.p);
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
        PERFORM ledger.merkle_extend(new_pos[1] - 1, new_leaf);
    END IF;

    RETURN QUERY
        SELECT u.id, u.pos, u.at, u.fresh
          FROM unnest(p_event_ids, out_pos, out_time, out_new) WITH ORDINALITY AS u(id, pos, at, fresh, ord)
         ORDER BY u.ord;
END
$$;
