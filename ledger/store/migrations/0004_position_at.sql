-- "What did the ledger know at time T?" as a position: record time never decreases along
-- positions, so a binary search over the primary key answers in ~log2(n) index probes,
-- with no index on recorded_at to slow appends.
CREATE FUNCTION ledger.position_at(p_moment timestamptz) RETURNS bigint
LANGUAGE plpgsql STABLE AS $$
DECLARE
    lo bigint := 0;
    hi bigint;
    mid bigint;
    at timestamptz;
BEGIN
    SELECT e.position INTO hi FROM ledger.events e ORDER BY e.position DESC LIMIT 1;
    IF hi IS NULL THEN
        RETURN 0;
    END IF;
    -- invariant: position lo is known at p_moment (0 = nothing), hi+1 is not
    WHILE lo < hi LOOP
        mid := (lo + hi + 1) / 2;
        SELECT e.recorded_at INTO at FROM ledger.events e WHERE e.position = mid;
        IF at <= p_moment THEN
            lo := mid;
        ELSE
            hi := mid - 1;
        END IF;
    END LOOP;
    RETURN lo;
END
$$;
GRANT EXECUTE ON FUNCTION ledger.position_at(timestamptz) TO PUBLIC;
