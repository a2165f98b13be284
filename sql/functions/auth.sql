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
