-- A record's flags, in the contract's order.
CREATE OR REPLACE FUNCTION scan_flags(shared boolean, outside boolean,
    no_device boolean) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT array_remove(ARRAY[
	    CASE WHEN shared THEN 'shared_device' END,
	    CASE WHEN outside THEN 'outside_network' END,
	    CASE WHEN no_device THEN 'no_device' END], NULL)
$$;

-- (issue 16) not_enrolled's message: the code's course and group.
CREATE OR REPLACE FUNCTION scan_class_label(p_course uuid, p_group uuid)
RETURNS text
LANGUAGE sql STABLE SET search_path = public, pg_temp AS $$
	SELECT format('not enrolled in %s %s (%s), %s', c1.code, c1.name,
	    c1.term, g1.name)
	FROM courses c1 JOIN groups g1 ON g1.course_id = c1.id
	WHERE c1.id = p_course AND g1.id = p_group
$$;

-- POST /api/sessions/:sessionId/rounds/:roundId/scan, the busiest route
-- of the product, in one round trip: the login lookup that every other
-- route makes first comes inside the scan's transaction.  The worker
-- checks what it can without the database first (the sid cookie's shape,
-- the body, the ids); the contract's order of checks then holds here:
-- unauthenticated, forbidden, then the scan's own checks.  user_id is the
-- caller once the login is known.
--
-- Locks, always in this order: the student's enrollment (one student
-- racing itself: the second sees the first's record), the round, shared
-- (a new round or the end waits for scans in flight), the token
-- (students racing one token: one wins, the rest see it consumed).  The
-- record is written first and the token then consumed with a link to it
-- (qr_tokens.record_id), and the next token is inserted without a
-- supersede pass: the consumed one was the round's only live token.
-- (v1.1) The evidence of the scan goes with its record: p_address (NULL
-- when the web server gave none), the device cookie's hash p_device
-- (NULL for none; one that is not live counts as none, and p_new_device
-- is issued: issued says so) and the User-Agent's first 200 bytes.  The
-- flags are computed here, in this transaction: shared_device when
-- another student's record of this session has the same device (which
-- then gets the flag too), outside_network when the course names
-- networks, policy flag, and the address is in none, no_device.  Policy
-- refuse refuses such a scan before its token is looked at.
-- (v1.1) In window mode (sessions.scan_mode) the token is share-locked,
-- neither consumed nor followed by another, and expires_at stays NULL:
-- the worker then publishes no round:qr-updated.  What keeps a refresh,
-- a new round or the end from superseding it under a scan in flight is
-- the round's share lock, as in single mode; the token's row lock only
-- orders scans that would consume it, and a window scan consumes
-- nothing, so hundreds of them do not queue on one row.
-- (issue 16) A not_enrolled refusal has its message in detail: it names
-- the code's course and group, read in that branch only.  The student
-- holds the code, and the projector shows its class anyway; an unknown
-- session (not_found) names nothing.
DROP FUNCTION IF EXISTS api_scan_as(bytea, uuid, uuid, bytea, bytea);
DROP FUNCTION IF EXISTS api_scan_as(bytea, uuid, uuid, bytea, bytea, inet,
    bytea, bytea, int, text, text);
-- detail changed the result types of both, which CREATE OR REPLACE
-- cannot do: the current signatures go first (the whole file is one
-- transaction, so no scan ever finds them missing).
DROP FUNCTION IF EXISTS api_scan_code_as(bytea, bytea, bytea, bytea, inet,
    bytea, bytea, int, text, int, int);
DROP FUNCTION IF EXISTS api_scan_as(bytea, uuid, uuid, bytea, bytea, bytea,
    inet, bytea, bytea, int, text, text);
CREATE OR REPLACE FUNCTION api_scan_as(p_sid bytea, p_session uuid,
    p_round uuid, p_hash bytea, p_next_hash bytea, p_next_code_hash bytea,
    p_address inet,
    p_device bytea, p_new_device bytea, p_device_lifetime int,
    p_user_agent text, p_source text,
    OUT error text, OUT body json, OUT recorded json, OUT expires_at text,
    OUT user_id uuid, OUT issued boolean, OUT detail text)
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
	caller users;
	s sessions;
	r attendance_rounds;
	t qr_tokens;
	a attendance_records;
	v_course uuid;
	v_group uuid;
	v_networks cidr[];
	v_policy text;
	late boolean;
	v_device bytea;
	v_shared boolean := false;
	v_outside boolean;
BEGIN
	issued := false;
	SELECT * INTO caller FROM auth_login_user(p_sid);
	IF NOT FOUND THEN
		error := 'unauthenticated';
		RETURN;
	END IF;
	user_id := caller.id;
	IF caller.role <> 'student' THEN
		error := 'forbidden';
		RETURN;
	END IF;
	-- Every check of the scan, first without a lock, in one statement
	-- (one snapshot): a refused scan (in a hall, most scans lose the race
	-- for a token) answers from here and writes nothing, takes no lock
	-- and no transaction id.  Its answer is the one a scan at that
	-- snapshot would get, in the contract's order.  A scan that may
	-- succeed checks again below, under its locks; the course's networks
	-- are read here only (a scan reads them, never locks them).
	SELECT s1.course_id, s1.group_id, c1.allowed_networks,
	    c1.network_policy,
	    CASE
	    WHEN NOT EXISTS (SELECT 1 FROM enrollments e
		WHERE e.student_id = caller.id AND e.course_id = s1.course_id
		  AND e.group_id = s1.group_id) THEN 'not_enrolled'
	    WHEN s1.status <> 'active' THEN 'session_ended'
	    WHEN r1.ends_at IS NOT NULL THEN 'round_closed'
	    WHEN EXISTS (SELECT 1 FROM attendance_records ar
		WHERE ar.round_id = r1.id AND ar.student_id = caller.id
		  AND ar.status <> 'absent') THEN 'already_recorded'
	    WHEN c1.network_policy = 'refuse' AND
		c1.allowed_networks IS NOT NULL AND
		NOT coalesce(p_address <<= ANY (c1.allowed_networks), false)
		THEN 'outside_network'
	    WHEN t1.id IS NULL THEN 'invalid_token'
	    WHEN t1.superseded_at IS NOT NULL OR
		(t1.consumed AND s1.scan_mode = 'single') THEN 'token_used'
	    WHEN t1.expires_at <= clock_timestamp() THEN 'token_expired'
	    END
	INTO v_course, v_group, v_networks, v_policy, error
	FROM sessions s1
	JOIN attendance_rounds r1 ON r1.session_id = s1.id
	JOIN courses c1 ON c1.id = s1.course_id
	LEFT JOIN qr_tokens t1 ON t1.token_hash = p_hash AND t1.round_id = r1.id
	WHERE s1.id = p_session AND r1.id = p_round;
	IF NOT FOUND THEN
		error := 'not_found';
		RETURN;
	END IF;
	IF error = 'not_enrolled' THEN
		detail := scan_class_label(v_course, v_group);
		RETURN;
	ELSIF error IS NOT NULL THEN
		RETURN;
	END IF;
	PERFORM 1 FROM enrollments
	WHERE student_id = caller.id AND course_id = v_course
	    AND group_id = v_group
	FOR NO KEY UPDATE;
	IF NOT FOUND THEN
		error := 'not_enrolled';
		detail := scan_class_label(v_course, v_group);
		RETURN;
	END IF;
	-- Read again once the round is share-locked: a session ended or a
	-- round closed meanwhile shows now, and cannot change until commit.
	SELECT * INTO r FROM attendance_rounds WHERE id = p_round FOR SHARE;
	SELECT * INTO s FROM sessions WHERE id = p_session;
	IF s.status <> 'active' THEN
		error := 'session_ended';
		RETURN;
	END IF;
	IF r.ends_at IS NOT NULL THEN
		error := 'round_closed';
		RETURN;
	END IF;
	PERFORM 1 FROM attendance_records
	WHERE round_id = p_round AND student_id = caller.id
	    AND status <> 'absent';
	IF FOUND THEN
		error := 'already_recorded';
		RETURN;
	END IF;
	v_outside := v_networks IS NOT NULL AND
	    NOT coalesce(p_address <<= ANY (v_networks), false);
	IF v_outside AND v_policy = 'refuse' THEN
		error := 'outside_network';
		RETURN;
	END IF;
	-- A window token is only read: share-locked (see above).
	IF s.scan_mode = 'window' THEN
		SELECT * INTO t FROM qr_tokens
		WHERE token_hash = p_hash AND round_id = p_round FOR SHARE;
	ELSE
		SELECT * INTO t FROM qr_tokens
		WHERE token_hash = p_hash AND round_id = p_round FOR UPDATE;
	END IF;
	IF NOT FOUND THEN
		error := 'invalid_token';
		RETURN;
	END IF;
	IF t.consumed OR t.superseded_at IS NOT NULL THEN
		error := 'token_used';
		RETURN;
	END IF;
	IF t.expires_at <= clock_timestamp() THEN
		error := 'token_expired';
		RETURN;
	END IF;

	-- In window mode two students may scan at once with one phone and
	-- nothing else orders them (single mode's token does): the device's
	-- row does, and the check below, a statement of its own, then sees
	-- the other's record.
	IF s.scan_mode = 'window' AND p_device IS NOT NULL THEN
		PERFORM 1 FROM devices WHERE token_hash = p_device
		FOR NO KEY UPDATE;
	END IF;
	-- The device, and whether another student's record of this session
	-- has it: two probes of the index on (session, device, student) that
	-- each stop at their first entry.  One "student <> caller" test
	-- would walk every record this student's own phone made in the
	-- session, a cost that grew with each round.
	SELECT d.token_hash,
	    EXISTS (SELECT 1 FROM attendance_records o
		WHERE o.session_id = s.id AND o.device_hash = d.token_hash
		  AND o.student_id < caller.id) OR
	    EXISTS (SELECT 1 FROM attendance_records o
		WHERE o.session_id = s.id AND o.device_hash = d.token_hash
		  AND o.student_id > caller.id)
	INTO v_device, v_shared
	FROM devices d
	WHERE d.token_hash = p_device
	  AND auth_device_live(d.created_at, p_device_lifetime);
	IF v_device IS NULL THEN
		INSERT INTO devices (token_hash) VALUES (p_new_device);
		v_device := p_new_device;
		v_shared := false;
		issued := true;
	END IF;
	IF v_shared THEN
		-- shared_device comes first in the contract's order.
		UPDATE attendance_records o
		SET flags = ARRAY['shared_device'] || o.flags
		WHERE o.session_id = s.id AND o.device_hash = v_device
		  AND NOT 'shared_device' = ANY (o.flags);
	END IF;

	late := now() > r.starts_at + make_interval(secs => s.late_after_seconds);
	INSERT INTO attendance_records (round_id, session_id, group_id,
	    course_id, student_id, status, qr_token_id, source, address,
	    device_hash, user_agent, flags)
	VALUES (r.id, s.id, s.group_id, s.course_id, caller.id,
	    CASE WHEN late THEN 'late' ELSE 'present' END, t.id, p_source,
	    p_address, v_device, p_user_agent,
	    scan_flags(v_shared, v_outside, issued))
	ON CONFLICT (round_id, student_id) DO UPDATE
	    SET status = excluded.status, qr_token_id = excluded.qr_token_id,
		recorded_at = excluded.recorded_at, source = excluded.source,
		address = excluded.address,
		device_hash = excluded.device_hash,
		user_agent = excluded.user_agent, flags = excluded.flags
	    WHERE attendance_records.status = 'absent'
	RETURNING * INTO a;
	body := json_build_object('record', record_json(a));
	recorded := recorded_json(a, caller);
	-- A window token stays live for the rest of the hall.
	IF s.scan_mode = 'window' THEN
		RETURN;
	END IF;
	UPDATE qr_tokens SET consumed = true, consumed_at = now(),
	    consumed_by = caller.id, record_id = a.id
	WHERE id = t.id;
	-- The next token.  No supersede pass as in qr_token_mint(): the token
	-- just consumed was the round's only live one (the partial unique
	-- index), and the round's share lock keeps a refresh or a new round
	-- out until commit.
	INSERT INTO qr_tokens (round_id, token_hash, code_hash, expires_at)
	VALUES (r.id, p_next_hash, p_next_code_hash,
	    now() + make_interval(secs => s.qr_ttl_seconds))
	RETURNING at_ts(qr_tokens.expires_at) INTO expires_at;
END
$$;

-- (v1.1) POST /api/scan/code: the typed code (its hash; NULL for one of
-- the wrong shape, which names nothing) stands for the token most
-- recently minted with it, and the scan then is api_scan_as()'s in
-- every respect, source "code".  Before the code is looked at: 401, 403
-- for a professor, then the limit on the student's invalid_token
-- answers (p_limit within p_window seconds: rate_limited, retry_after
-- the seconds until the oldest of them leaves the window).
CREATE OR REPLACE FUNCTION api_scan_code_as(p_sid bytea, p_code_hash bytea,
    p_next_hash bytea, p_next_code_hash bytea, p_address inet,
    p_device bytea, p_new_device bytea, p_device_lifetime int,
    p_user_agent text, p_window int, p_limit int,
    OUT error text, OUT body json, OUT recorded json, OUT expires_at text,
    OUT user_id uuid, OUT issued boolean, OUT session_id uuid,
    OUT round_id uuid, OUT retry_after int, OUT detail text)
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
	caller users;
	t qr_tokens;
	v_until timestamptz;
BEGIN
	issued := false;
	SELECT * INTO caller FROM auth_login_user(p_sid);
	IF NOT FOUND THEN
		error := 'unauthenticated';
		RETURN;
	END IF;
	user_id := caller.id;
	IF caller.role <> 'student' THEN
		error := 'forbidden';
		RETURN;
	END IF;
	-- A student's attempts take turns, so that parallel ones count
	-- each other (the login throttle's way).
	PERFORM auth_lock(4, caller.id::text);
	SELECT f.failed_at + make_interval(secs => p_window) INTO v_until
	FROM code_failures f
	WHERE f.student_id = caller.id
	  AND f.failed_at > now() - make_interval(secs => p_window)
	ORDER BY f.failed_at DESC OFFSET p_limit - 1 LIMIT 1;
	IF v_until IS NOT NULL THEN
		error := 'rate_limited';
		retry_after := auth_retry_after(v_until);
		RETURN;
	END IF;
	SELECT qt.* INTO t FROM qr_tokens qt WHERE qt.code_hash = p_code_hash
	ORDER BY qt.created_at DESC LIMIT 1;
	IF NOT FOUND THEN
		INSERT INTO code_failures (student_id) VALUES (caller.id);
		error := 'invalid_token';
		RETURN;
	END IF;
	SELECT ar.session_id, ar.id INTO session_id, round_id
	FROM attendance_rounds ar WHERE ar.id = t.round_id;
	-- The scan's own answer, its error codes (literal ones, in
	-- api_scan_as()) and not_enrolled's message included.
	SELECT o.error, o.body, o.recorded, o.expires_at, o.issued, o.detail
	INTO error, body, recorded, expires_at, issued, detail
	FROM api_scan_as(p_sid, session_id, round_id, t.token_hash,
	    p_next_hash, p_next_code_hash, p_address, p_device, p_new_device,
	    p_device_lifetime, p_user_agent, 'code') o;
END
$$;
