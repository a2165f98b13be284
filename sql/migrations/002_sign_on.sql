-- v1.1: single sign-on through the web server, the device cookie, and
-- the login throttle built on it.

-- An account of single sign-on is found by the subject the identity
-- provider names it by.  It may have no password; an account has at
-- least one way in.
ALTER TABLE users
	ADD COLUMN external_id text
		CONSTRAINT users_external_id_check
		CHECK (length(external_id) BETWEEN 1 AND 256),
	ALTER COLUMN password_hash DROP NOT NULL,
	ADD CONSTRAINT users_sign_in_check
		CHECK (password_hash IS NOT NULL OR external_id IS NOT NULL);
CREATE UNIQUE INDEX users_external_id_key ON users (external_id);

-- Device cookies (did), by the hash of their value, and the accounts
-- that logged in with each.
CREATE TABLE devices (
	id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	token_hash	bytea NOT NULL,
	created_at	timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX devices_token_hash_key ON devices (token_hash);
CREATE INDEX devices_created_idx ON devices (created_at);

CREATE TABLE device_accounts (
	device_id	bigint NOT NULL REFERENCES devices ON DELETE CASCADE,
	user_id		uuid NOT NULL REFERENCES users ON DELETE CASCADE,
	PRIMARY KEY (device_id, user_id)
);
CREATE INDEX device_accounts_user_idx ON device_accounts (user_id);

-- Failed logins.  v1's rows named the login as typed; v1.1 counts by
-- account, by the device of an account and by network, so they are
-- replaced (a window's worth of throttle state is all that is lost).
-- A row is written before the password is checked, under the locks of
-- auth_login_begin(), and deleted when the password was right: racing
-- attempts count each other.
DROP TABLE login_failures;
CREATE TABLE login_failures (
	id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	name		text NOT NULL,	-- the account's id, else lower(login)
	network		cidr NOT NULL,	-- the address, IPv6 by its /64
	device_id	bigint REFERENCES devices ON DELETE CASCADE,
	failed_at	timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX login_failures_name_idx
    ON login_failures (name, device_id, failed_at);
CREATE INDEX login_failures_network_idx
    ON login_failures (network, failed_at);
CREATE INDEX login_failures_failed_idx ON login_failures (failed_at);
