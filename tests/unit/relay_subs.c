/*
 * src/relay/relay_subs.c, the Redis side's state machine, driven without
 * Redis: a fake send that records each SUBSCRIBE and UNSUBSCRIBE (and
 * fails while "down"), replies fed in as Redis would send them, and the
 * events recorded.  Covers one SUBSCRIBE per session, waiting for the
 * confirmation, an outage (every session with members marked for resync
 * and subscribed again on reconnect, those without dropped), leaving
 * while a command is in flight, foreign channels, the back-off, and the
 * logins channel (a logout's hash decoded, anything else ignored, the
 * logins checked once the channel is back after an outage).
 */
#include <stdio.h>
#include <string.h>

#include <criterion/criterion.h>

#include "events.h"
#include "relay_redis.h"
#include "relay_subs.h"
#include "token.h"

#define A	"0b7e6c1e-2f4a-4c8e-9a55-3d1f0e8b7c42"
#define B	"1c8f7d2f-3a5b-4d9f-8b66-4e2a1f9c8d53"
#define C	"2d9a8e3a-4b6c-4eaa-9c77-5f3b2a0d9e64"
#define MAX	16

struct fake {
	struct relay_sessions	 sessions;
	struct relay_subs	 subs;
	int			 down;		/* send fails */
	unsigned		 nsent;
	char			 sent[MAX][96];	/* "SUBSCRIBE <id>" */
	unsigned		 nready;
	char			 ready[MAX][64];	/* "<id> <resync>" */
	unsigned		 ndelivered;
	char			 delivered[MAX][64];
	/* deliver makes these members leave (session:ended). */
	struct relay_member	*leave[4];
	unsigned		 nlogouts;
	unsigned char		 logouts[MAX][TOKEN_HASH_BYTES];
	unsigned		 nresyncs;	/* logins_resync */
};

static struct fake	 f;

static int
fake_send(void *io, const char *verb, const struct relay_session *session)
{
	struct fake	*fk = io;

	if (fk->down)
		return -1;
	cr_assert_lt(fk->nsent, MAX);
	snprintf(fk->sent[fk->nsent++], sizeof(fk->sent[0]), "%s %s", verb,
	    session->id);
	return 0;
}

static void
fake_deliver(void *arg, struct relay_session *session, const char *msg,
    size_t len)
{
	struct fake	*fk = arg;
	size_t		 i;

	cr_assert_lt(fk->ndelivered, MAX);
	snprintf(fk->delivered[fk->ndelivered++], sizeof(fk->delivered[0]),
	    "%s %.*s", session->id, (int)len, msg);
	for (i = 0; i < 4 && fk->leave[i] != NULL; i++) {
		relay_subs_leave(&fk->subs, session, fk->leave[i]);
		fk->leave[i] = NULL;
	}
}

static void
fake_ready(void *arg, struct relay_session *session, int resync)
{
	struct fake	*fk = arg;

	cr_assert_lt(fk->nready, MAX);
	snprintf(fk->ready[fk->nready++], sizeof(fk->ready[0]), "%s %d",
	    session->id, resync);
}

static void
fake_logout(void *arg, const unsigned char *hash)
{
	struct fake	*fk = arg;

	cr_assert_lt(fk->nlogouts, MAX);
	memcpy(fk->logouts[fk->nlogouts++], hash, TOKEN_HASH_BYTES);
}

static void
fake_logins_resync(void *arg)
{
	struct fake	*fk = arg;

	fk->nresyncs++;
}

static const struct relay_redis_events fake_events = {
	fake_deliver,
	fake_ready,
	fake_logout,
	fake_logins_resync
};

static void
setup(void)
{
	memset(&f, 0, sizeof(f));
	cr_assert_eq(relay_sessions_init(&f.sessions), AT_OK);
	relay_subs_init(&f.subs, &f.sessions, fake_send, &f, &fake_events,
	    &f);
}

static void
teardown(void)
{
	relay_sessions_free(&f.sessions);
}

TestSuite(relay_subs, .init = setup, .fini = teardown);

/* A reply on the channel of session id. */
static void
reply(const char *kind, const char *id, const char *msg)
{
	char	 channel[96];

	snprintf(channel, sizeof(channel), EVENTS_CHANNEL_PREFIX "%s", id);
	relay_subs_reply(&f.subs, kind, channel, strlen(channel), msg,
	    msg != NULL ? strlen(msg) : 0);
}

static struct relay_session *
join(const char *id, struct relay_member *m, int want_wait)
{
	struct relay_session	*session;
	int			 wait = -1;

	cr_assert_eq(relay_subs_join(&f.subs, id, m, &session, &wait), AT_OK);
	cr_assert_not_null(session);
	cr_assert_str_eq(session->id, id);
	cr_assert_eq(wait, want_wait, "%s: wait %d", id, wait);
	return session;
}

static void
expect_sent(unsigned i, const char *verb, const char *id)
{
	char	 want[96];

	snprintf(want, sizeof(want), "%s %s", verb, id);
	cr_assert_gt(f.nsent, i, "nothing sent for %s", want);
	cr_assert_str_eq(f.sent[i], want);
}

static void
expect_ready(unsigned i, const char *id, int resync)
{
	char	 want[64];

	snprintf(want, sizeof(want), "%s %d", id, resync);
	cr_assert_gt(f.nready, i, "no ready for %s", want);
	cr_assert_str_eq(f.ready[i], want);
}

Test(relay_subs, one_subscribe_per_session)
{
	struct relay_member	 m1, m2, m3;
	struct relay_session	*s;

	s = join(A, &m1, 1);
	cr_assert_eq(s->sub, RELAY_SUB_PENDING);
	cr_assert_eq(join(A, &m2, 1), s);
	cr_assert_eq(f.nsent, 1);
	expect_sent(0, "SUBSCRIBE", A);
	cr_assert_eq(f.nready, 0);

	reply("subscribe", A, NULL);
	cr_assert_eq(s->sub, RELAY_SUB_ACTIVE);
	cr_assert_eq(f.nready, 1);
	expect_ready(0, A, 0);
	/* A repeated confirmation changes nothing. */
	reply("subscribe", A, NULL);
	cr_assert_eq(f.nready, 1);
	/* Subscribed already: the next socket goes ahead, nothing sent. */
	cr_assert_eq(join(A, &m3, 0), s);
	cr_assert_eq(f.nsent, 1);
	cr_assert_eq(s->nmembers, 3);
}

Test(relay_subs, join_while_down_then_reconnect)
{
	struct relay_member	 m;
	struct relay_session	*s;

	f.down = 1;
	s = join(A, &m, 0);
	cr_assert_eq(s->sub, RELAY_SUB_NONE);
	cr_assert(s->resync);
	cr_assert_eq(f.nsent, 0);

	f.down = 0;
	relay_subs_connected(&f.subs);
	cr_assert_eq(f.nsent, 1);
	expect_sent(0, "SUBSCRIBE", A);
	reply("subscribe", A, NULL);
	/* Events may have been published meanwhile: resync, once. */
	expect_ready(0, A, 1);
	cr_assert(!s->resync);
	relay_subs_connected(&f.subs);
	cr_assert_eq(f.nsent, 1, "an active session was subscribed again");
}

Test(relay_subs, outage_resyncs_sessions_with_members)
{
	struct relay_member	 a1, a2, b1, c1;
	struct relay_session	*a, *b, *c;
	unsigned		 i, na = 0, nb = 0;

	a = join(A, &a1, 1);
	join(A, &a2, 1);
	reply("subscribe", A, NULL);
	b = join(B, &b1, 1);		/* still pending at the outage */
	c = join(C, &c1, 1);
	reply("subscribe", C, NULL);
	relay_subs_leave(&f.subs, c, &c1);	/* C: UNSUBSCRIBE in flight */
	cr_assert_eq(c->sub, RELAY_SUB_LEAVING);
	cr_assert_eq(f.nsent, 4);
	expect_sent(3, "UNSUBSCRIBE", C);
	f.nready = 0;

	f.down = 1;
	(void)relay_subs_lost(&f.subs);
	cr_assert_eq(a->sub, RELAY_SUB_NONE);
	cr_assert_eq(b->sub, RELAY_SUB_NONE);
	cr_assert(a->resync);
	cr_assert(b->resync);
	cr_assert_null(relay_sessions_find(&f.sessions, C),
	    "a session without members outlived the outage");
	cr_assert_eq(f.sessions.count, 2);
	/* Their waiting sockets go ahead now, without a resync yet. */
	cr_assert_eq(f.nready, 2);
	for (i = 0; i < f.nready; i++) {
		na += strcmp(f.ready[i], A " 0") == 0;
		nb += strcmp(f.ready[i], B " 0") == 0;
	}
	cr_assert(na == 1 && nb == 1, "%s, %s", f.ready[0], f.ready[1]);

	f.down = 0;
	f.nsent = f.nready = 0;
	relay_subs_connected(&f.subs);
	cr_assert_eq(f.nsent, 2);
	cr_assert(strcmp(f.sent[0], "SUBSCRIBE " A) == 0 ||
	    strcmp(f.sent[1], "SUBSCRIBE " A) == 0);
	cr_assert(strcmp(f.sent[0], "SUBSCRIBE " B) == 0 ||
	    strcmp(f.sent[1], "SUBSCRIBE " B) == 0);
	reply("subscribe", B, NULL);
	reply("subscribe", A, NULL);
	expect_ready(0, B, 1);
	expect_ready(1, A, 1);
	cr_assert(!a->resync && !b->resync);
	/* The old UNSUBSCRIBE's confirmation, late: nothing is left of C. */
	reply("unsubscribe", C, NULL);
	cr_assert_eq(f.sessions.count, 2);
}

Test(relay_subs, last_member_unsubscribes)
{
	struct relay_member	 m1, m2;
	struct relay_session	*s;

	s = join(A, &m1, 1);
	reply("subscribe", A, NULL);
	relay_subs_leave(&f.subs, s, &m1);
	cr_assert_eq(s->sub, RELAY_SUB_LEAVING);
	expect_sent(1, "UNSUBSCRIBE", A);
	/* A socket comes back before Redis confirms: it waits, and the
	 * channel is subscribed again only after the confirmation. */
	cr_assert_eq(join(A, &m2, 1), s);
	cr_assert_eq(f.nsent, 2);
	reply("unsubscribe", A, NULL);
	expect_sent(2, "SUBSCRIBE", A);
	cr_assert_eq(s->sub, RELAY_SUB_PENDING);
	f.nready = 0;
	reply("subscribe", A, NULL);
	expect_ready(0, A, 0);

	relay_subs_leave(&f.subs, s, &m2);
	reply("unsubscribe", A, NULL);
	cr_assert_null(relay_sessions_find(&f.sessions, A));
	cr_assert_eq(f.sessions.count, 0);
}

Test(relay_subs, leave_while_pending)
{
	struct relay_member	 m;
	struct relay_session	*s;

	s = join(A, &m, 1);
	relay_subs_leave(&f.subs, s, &m);
	expect_sent(1, "UNSUBSCRIBE", A);
	/* The SUBSCRIBE's confirmation arrives late: ignored. */
	reply("subscribe", A, NULL);
	cr_assert_eq(f.nready, 0);
	cr_assert_eq(s->sub, RELAY_SUB_LEAVING);
	reply("unsubscribe", A, NULL);
	cr_assert_null(relay_sessions_find(&f.sessions, A));
}

Test(relay_subs, leave_while_down_frees_at_once)
{
	struct relay_member	 m1, m2;
	struct relay_session	*s;

	s = join(A, &m1, 1);
	reply("subscribe", A, NULL);
	f.down = 1;
	relay_subs_leave(&f.subs, s, &m1);
	cr_assert_null(relay_sessions_find(&f.sessions, A));
	/* Never subscribed at all. */
	s = join(B, &m2, 0);
	relay_subs_leave(&f.subs, s, &m2);
	cr_assert_eq(f.sessions.count, 0);
}

Test(relay_subs, messages)
{
	struct relay_member	 m1, m2;
	struct relay_session	*s;
	const char		*other = "attendance:other:" A;

	s = join(A, &m1, 1);
	join(A, &m2, 1);
	reply("subscribe", A, NULL);
	reply("message", A, "{\"event\":\"round:started\"}");
	cr_assert_eq(f.ndelivered, 1);
	cr_assert_str_eq(f.delivered[0], A " {\"event\":\"round:started\"}");
	/* Not for a session here, not a session channel, not a string. */
	reply("message", B, "{}");
	relay_subs_reply(&f.subs, "message", other, strlen(other), "{}", 2);
	relay_subs_reply(&f.subs, "message", EVENTS_CHANNEL_PREFIX A,
	    strlen(EVENTS_CHANNEL_PREFIX A) - 1, "{}", 2);
	reply("message", A, NULL);
	cr_assert_eq(f.ndelivered, 1);

	/* A deliver that makes every member leave (session:ended). */
	f.leave[0] = &m1;
	f.leave[1] = &m2;
	reply("message", A, "{\"event\":\"session:ended\"}");
	cr_assert_eq(f.ndelivered, 2);
	cr_assert_eq(s->nmembers, 0);
	cr_assert_eq(s->sub, RELAY_SUB_LEAVING);
	reply("unsubscribe", A, NULL);
	cr_assert_eq(f.sessions.count, 0);
}

/* 0.2, 0.4, 0.8 then 1 s steps; each delay in the upper half of its
 * step; a heartbeat starts over. */
Test(relay_subs, backoff_bounds)
{
	static const double	 steps[] = { 0.2, 0.4, 0.8, 1.0, 1.0, 1.0 };
	double			 delay;
	size_t			 i;
	int			 round;

	for (round = 0; round < 50; round++) {
		for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
			delay = relay_subs_lost(&f.subs);
			cr_assert_float_eq(f.subs.backoff, steps[i], 1e-9);
			cr_assert_geq(delay, steps[i] / 2 - 1e-9, "%f", delay);
			cr_assert_leq(delay, steps[i] + 1e-9, "%f", delay);
			cr_assert_geq(delay, RELAY_REDIS_BACKOFF_MIN / 2);
			cr_assert_leq(delay, RELAY_REDIS_BACKOFF_MAX);
		}
		relay_subs_alive(&f.subs);
		cr_assert_float_eq(f.subs.backoff, 0.0, 1e-9);
	}
}

/* A reply on the logins channel. */
static void
logins_reply(const char *kind, const char *msg, size_t len)
{
	relay_subs_reply(&f.subs, kind, EVENTS_LOGINS_CHANNEL,
	    strlen(EVENTS_LOGINS_CHANNEL), msg, len);
}

#define HEX	"00112233445566778899aabbccddeeff" \
		"f0e1d2c3b4a5968778695a4b3c2d1e0f"

Test(relay_subs, logout_message)
{
	static const unsigned char want[TOKEN_HASH_BYTES] = {
		0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
		0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff,
		0xf0, 0xe1, 0xd2, 0xc3, 0xb4, 0xa5, 0x96, 0x87,
		0x78, 0x69, 0x5a, 0x4b, 0x3c, 0x2d, 0x1e, 0x0f
	};
	struct relay_member	 m;

	join(A, &m, 1);
	logins_reply("message", HEX, strlen(HEX));
	cr_assert_eq(f.nlogouts, 1);
	cr_assert_arr_eq(f.logouts[0], want, sizeof(want));
	/* Uppercase digits are the same hash. */
	logins_reply("message", "00112233445566778899AABBCCDDEEFF"
	    "F0E1D2C3B4A5968778695A4B3C2D1E0F", 64);
	cr_assert_eq(f.nlogouts, 2);
	cr_assert_arr_eq(f.logouts[1], want, sizeof(want));
	/* Never a session's message, nor its subscription. */
	cr_assert_eq(f.ndelivered, 0);
	cr_assert_eq(f.nready, 0);
	cr_assert_eq(f.nsent, 1);
}

Test(relay_subs, logout_message_not_a_hash)
{
	static const char *const bad[] = {
		"",
		"00112233",				/* short */
		HEX "00",				/* long */
		"\\x" HEX,				/* the bytea literal */
		"0g112233445566778899aabbccddeeff"
		    "f0e1d2c3b4a5968778695a4b3c2d1e0f",	/* not hex */
		"00112233445566778899aabbccddeeff"
		    "f0e1d2c3b4a5968778695a4b3c2d1e0 ",	/* a space */
		"00:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:ee:ff:00:11:22",
	};
	char		 nul[64];
	size_t		 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		logins_reply("message", bad[i], strlen(bad[i]));
	logins_reply("message", NULL, 0);		/* not a string */
	memcpy(nul, HEX, sizeof(nul));
	nul[10] = '\0';
	logins_reply("message", nul, sizeof(nul));
	/* A channel that only starts like it. */
	relay_subs_reply(&f.subs, "message", EVENTS_LOGINS_CHANNEL "x",
	    strlen(EVENTS_LOGINS_CHANNEL) + 1, HEX, strlen(HEX));
	relay_subs_reply(&f.subs, "message", EVENTS_LOGINS_CHANNEL,
	    strlen(EVENTS_LOGINS_CHANNEL) - 1, HEX, strlen(HEX));
	cr_assert_eq(f.nlogouts, 0);
	cr_assert_eq(f.ndelivered, 0);
}

Test(relay_subs, logins_checked_after_an_outage)
{
	/* The first subscription: nothing was missed. */
	logins_reply("subscribe", NULL, 0);
	cr_assert_eq(f.nresyncs, 0);

	f.down = 1;
	(void)relay_subs_lost(&f.subs);
	(void)relay_subs_lost(&f.subs);		/* retries fail too */
	cr_assert_eq(f.nresyncs, 0, "checked before the channel is back");
	f.down = 0;
	relay_subs_connected(&f.subs);
	logins_reply("subscribe", NULL, 0);
	cr_assert_eq(f.nresyncs, 1);
	/* Once per outage. */
	logins_reply("subscribe", NULL, 0);
	logins_reply("unsubscribe", NULL, 0);
	cr_assert_eq(f.nresyncs, 1);
	(void)relay_subs_lost(&f.subs);
	logins_reply("subscribe", NULL, 0);
	cr_assert_eq(f.nresyncs, 2);
}
