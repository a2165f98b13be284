-- Logins.  A login (an auth_sessions row, found by the hash of its sid
-- cookie) lives until its expiry: these two functions are the one place
-- that says so, for the worker, the relay and the scan.  Both are STABLE
-- SQL functions of one expression or one SELECT, which the planner
-- inlines: a caller pays nothing for them.
CREATE OR REPLACE FUNCTION auth_login_live(expires_at timestamptz)
RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$
	SELECT expires_at > now()
$$;

-- The user of the live login whose sid hashes to p_sid, or no row.
CREATE OR REPLACE FUNCTION auth_login_user(p_sid bytea) RETURNS SETOF users
LANGUAGE sql STABLE AS $$
	SELECT u.* FROM auth_sessions x JOIN users u ON u.id = x.user_id
	WHERE x.token_hash = p_sid AND auth_login_live(x.expires_at)
$$;

-- The network a login attempt counts under: the address itself, an IPv6
-- address by its /64 (one subscriber, one phone, gets a whole /64).
CREATE OR REPLACE FUNCTION auth_network(p inet) RETURNS cidr
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT network(set_masklen(p, CASE family(p) WHEN 6 THEN 64
	    ELSE 32 END))::cidr
$$;

-- Whether a device cookie issued at created_at is still one (it lives as
-- long as its Max-Age, lifetime seconds).
CREATE OR REPLACE FUNCTION auth_device_live(created_at timestamptz,
    lifetime int) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$
	SELECT created_at > now() - make_interval(secs => lifetime)
$$;

-- The advisory locks of this file, each kind in a class of its own (the
-- first key), so that no text a client types can name another kind's
-- lock: a login typed as "network 10.0.0.1/32" is a name, never a
-- network.
CREATE OR REPLACE FUNCTION auth_lock(class int, key text) RETURNS void
LANGUAGE sql AS $$
	SELECT pg_advisory_xact_lock(class, hashtext(key))
$$;

-- When the failures of the window stop blocking: when the limit-th most
-- recent of them leaves it (NULL when fewer than limit).  The failures
-- of a network, or of a name from one device (p_device), or of a name
-- from browsers with no device of its account: three plain queries, so
-- that each has its index.
CREATE OR REPLACE FUNCTION auth_blocked_until(p_name text, p_device bigint,
    p_network cidr, p_limit int, p_window int) RETURNS timestamptz
LANGUAGE plpgsql STABLE SET search_path = public, pg_temp AS $$
DECLARE
	v_since	timestamptz := now() - make_interval(secs => p_window);
	v_at	timestamptz;
BEGIN
	IF p_network IS NOT NULL THEN
		SELECT f.failed_at INTO v_at FROM login_failures f
		WHERE f.network = p_network AND f.failed_at > v_since
		ORDER BY f.failed_at DESC OFFSET p_limit - 1 LIMIT 1;
	ELSIF p_device IS NOT NULL THEN
		SELECT f.failed_at INTO v_at FROM login_failures f
		WHERE f.name = p_name AND f.device_id = p_device
		  AND f.failed_at > v_since
		ORDER BY f.failed_at DESC OFFSET p_limit - 1 LIMIT 1;
	ELSE
		SELECT f.failed_at INTO v_at FROM login_failures f
		WHERE f.name = p_name AND f.device_id IS NULL
		  AND f.failed_at > v_since
		ORDER BY f.failed_at DESC OFFSET p_limit - 1 LIMIT 1;
	END IF;
	RETURN v_at + make_interval(secs => p_window);
END
$$;

-- Whole seconds until until, at least 1: a Retry-After.
CREATE OR REPLACE FUNCTION auth_retry_after(until timestamptz) RETURNS int
LANGUAGE sql STABLE PARALLEL SAFE AS $$
	SELECT greatest(1, ceil(extract(epoch FROM until - now())))::int
$$;

-- The first half of a password login (the contract's throttle): the
-- account login names, and either retry_after (seconds; throttled, no
-- password may be checked) or attempt, a failure written now, before
-- the password is checked, so that attempts racing in parallel count
-- each other.  A right password deletes it (auth_login_succeeded()).
-- The attempts of one name, and of one network, take turns on an
-- advisory lock, taken in that order by everyone.
--
-- p_device is the hash of the request's device cookie (NULL for none);
-- it counts when that account has logged in with it.  p_trusted are the
-- networks exempt from the per-network limit.
CREATE OR REPLACE FUNCTION auth_login_begin(p_login text, p_address inet,
    p_device bytea, p_device_lifetime int, p_window int, p_per_name int,
    p_per_network int, p_trusted cidr[],
    OUT retry_after int, OUT attempt bigint, OUT user_id uuid,
    OUT password_hash text)
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
	v_name		text;
	v_network	cidr := auth_network(p_address);
	v_device	bigint;
	v_until		timestamptz;
BEGIN
	SELECT u.id, u.password_hash INTO user_id, password_hash
	FROM users u
	WHERE lower(u.username) = lower(p_login)
	   OR lower(u.email) = lower(p_login);
	v_name := coalesce(user_id::text, lower(p_login));
	IF user_id IS NOT NULL AND p_device IS NOT NULL THEN
		SELECT d.id INTO v_device
		FROM devices d
		JOIN device_accounts a ON a.device_id = d.id
		WHERE d.token_hash = p_device
		  AND a.user_id = auth_login_begin.user_id
		  AND auth_device_live(d.created_at, p_device_lifetime);
	END IF;

	PERFORM auth_lock(1, v_name);
	v_until := auth_blocked_until(v_name, v_device, NULL, p_per_name,
	    p_window);
	-- A device of the account is exempt from its network's limit, and
	-- so are the trusted networks.
	-- The address itself is trusted or not: a trusted network may be
	-- narrower than the /64 that counts.
	IF v_device IS NULL AND NOT coalesce(p_address <<= ANY (p_trusted),
	    false) THEN
		PERFORM auth_lock(2, v_network::text);
		v_until := greatest(v_until, auth_blocked_until(NULL, NULL,
		    v_network, p_per_network, p_window));
	END IF;
	IF v_until IS NOT NULL THEN
		retry_after := auth_retry_after(v_until);
		password_hash := NULL;
		RETURN;
	END IF;
	INSERT INTO login_failures (name, network, device_id)
	VALUES (v_name, v_network, v_device)
	RETURNING id INTO attempt;
END
$$;

-- Opens a login for p_user (the sid's hash p_sid, lifetime seconds):
-- the user's expired logins go, last_login_at is set, and the browser's
-- device cookie (the hash p_device, NULL for none) remembers the
-- account; when it has no live one, p_new_device is issued: issued
-- says so.  Shared by the password login and the sign-on.
CREATE OR REPLACE FUNCTION auth_login_open(p_user uuid, p_sid bytea,
    p_lifetime int, p_device bytea, p_new_device bytea,
    p_device_lifetime int, OUT user_json json, OUT issued boolean)
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
	v_device	bigint;
BEGIN
	DELETE FROM auth_sessions
	WHERE auth_sessions.user_id = p_user
	  AND NOT auth_login_live(expires_at);
	INSERT INTO auth_sessions (token_hash, user_id, expires_at)
	VALUES (p_sid, p_user, now() + make_interval(secs => p_lifetime));
	SELECT d.id INTO v_device FROM devices d
	WHERE d.token_hash = p_device
	  AND auth_device_live(d.created_at, p_device_lifetime);
	issued := v_device IS NULL;
	IF issued THEN
		INSERT INTO devices (token_hash) VALUES (p_new_device)
		RETURNING id INTO v_device;
	END IF;
	INSERT INTO device_accounts (device_id, user_id)
	VALUES (v_device, p_user) ON CONFLICT DO NOTHING;
	UPDATE users u SET last_login_at = now() WHERE u.id = p_user
	RETURNING json_build_object('user', user_json(u)) INTO user_json;
END
$$;

-- The second half of a password login, when the password was right:
-- the attempt written by auth_login_begin() was no failure.
CREATE OR REPLACE FUNCTION auth_login_succeeded(p_attempt bigint,
    p_user uuid, p_sid bytea, p_lifetime int, p_device bytea,
    p_new_device bytea, p_device_lifetime int,
    OUT user_json json, OUT issued boolean)
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
	DELETE FROM login_failures WHERE id = p_attempt;
	SELECT o.user_json, o.issued INTO user_json, issued
	FROM auth_login_open(p_user, p_sid, p_lifetime, p_device,
	    p_new_device, p_device_lifetime) o;
END
$$;

-- A username for a new account of single sign-on: p_wanted (else the
-- subject's part before '@', else "user") without the characters the
-- rules do not allow, then "-2", "-3", ... until no account has it.
CREATE OR REPLACE FUNCTION auth_sso_username(p_wanted text, p_subject text)
RETURNS text
LANGUAGE plpgsql STABLE SET search_path = public, pg_temp AS $$
DECLARE
	v_base	text;
	v_name	text;
	v_n	int := 1;
BEGIN
	v_base := left(coalesce(
	    nullif(regexp_replace(p_wanted, '[^A-Za-z0-9._-]', '', 'g'), ''),
	    nullif(regexp_replace(split_part(p_subject, '@', 1),
	        '[^A-Za-z0-9._-]', '', 'g'), ''),
	    'user'), 64);
	v_name := v_base;
	WHILE EXISTS (SELECT 1 FROM users u
	    WHERE lower(u.username) = lower(v_name)) LOOP
		v_n := v_n + 1;
		v_name := left(v_base, 64 - length('-' || v_n)) || '-' || v_n;
	END LOOP;
	RETURN v_name;
END
$$;

-- A sign-on through the web server (the contract's "Single sign-on"):
-- the account of the subject, else one linked by email or username
-- (p_link 'email' or 'username'), else a new one when p_provision and a
-- role and an email say who it is; then its display name and email
-- follow the attributes, and a login opens as auth_login_open() does.
-- forbidden when there is no account and none may be made.  Sign-ons of
-- one subject take turns, so two first ones make one account.
CREATE OR REPLACE FUNCTION auth_sso_sign_on(p_subject text, p_email text,
    p_name text, p_username text, p_role text, p_link text,
    p_provision boolean, p_sid bytea, p_lifetime int, p_device bytea,
    p_new_device bytea, p_device_lifetime int,
    OUT forbidden boolean, OUT issued boolean)
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
	v_user	uuid;
	v_name	text := nullif(left(btrim(p_name), 200), '');
	v_which	text;
BEGIN
	forbidden := false;
	PERFORM auth_lock(3, p_subject);
	SELECT u.id INTO v_user FROM users u WHERE u.external_id = p_subject;
	IF v_user IS NULL AND p_link = 'email' AND p_email IS NOT NULL THEN
		UPDATE users u SET external_id = p_subject
		WHERE u.external_id IS NULL AND lower(u.email) = lower(p_email)
		RETURNING u.id INTO v_user;
	ELSIF v_user IS NULL AND p_link = 'username' AND
	    p_username IS NOT NULL THEN
		UPDATE users u SET external_id = p_subject
		WHERE u.external_id IS NULL
		  AND lower(u.username) = lower(p_username)
		RETURNING u.id INTO v_user;
	END IF;

	IF v_user IS NULL THEN
		IF NOT p_provision OR p_role IS NULL OR p_email IS NULL OR
		    EXISTS (SELECT 1 FROM users u
		    WHERE lower(u.email) = lower(p_email)) THEN
			forbidden := true;
			RETURN;
		END IF;
		-- Another subject may take the same username meanwhile:
		-- then the next one.
		LOOP
			BEGIN
				INSERT INTO users (role, email, username,
				    display_name, external_id)
				SELECT p_role, p_email, n, coalesce(v_name, n),
				    p_subject
				FROM auth_sso_username(p_username, p_subject) n
				RETURNING id INTO v_user;
				EXIT;
			EXCEPTION WHEN unique_violation THEN
				GET STACKED DIAGNOSTICS v_which =
				    CONSTRAINT_NAME;
				IF v_which <> 'users_username_key' THEN
					forbidden := true;
					RETURN;
				END IF;
			END;
		END LOOP;
	ELSE
		UPDATE users u SET display_name = coalesce(v_name,
		    u.display_name)
		WHERE u.id = v_user;
		-- An email another account holds is left as it was.
		BEGIN
			UPDATE users u SET email = p_email
			WHERE u.id = v_user AND p_email IS NOT NULL
			  AND u.email IS DISTINCT FROM p_email
			  AND NOT EXISTS (SELECT 1 FROM users o
			    WHERE lower(o.email) = lower(p_email)
			      AND o.id <> v_user);
		EXCEPTION WHEN unique_violation THEN
			NULL;
		END;
	END IF;
	SELECT o.issued INTO issued
	FROM auth_login_open(v_user, p_sid, p_lifetime, p_device,
	    p_new_device, p_device_lifetime) o;
END
$$;
