// The test fixture OpenID Provider: npm oidc-provider (a certified
// implementation, pinned by package-lock.json beside this file) with one
// confidential client, Apache's mod_auth_openidc, and a campus directory
// of three people.  Started by tests/stack/oidc.sh; its environment:
//   OIDC_PORT          the loopback port to listen on (127.0.0.1)
//   OIDC_ISSUER        its issuer URL, http://localhost:PORT (another site
//                      than Apache's http://127.0.0.1:PORT, as a campus
//                      identity provider is)
//   OIDC_CLIENT_ID, OIDC_CLIENT_SECRET, OIDC_REDIRECT_URI  the client
//   OIDC_NODE_DIR      where package.json's packages are installed
//
// The sign-in form is the fixture's own (/interaction/UID): a username and
// a password, checked; no consent page (the university's own service, as
// campus providers do for their first-party clients).  Nothing is loaded
// from another site (oidc-provider's development form loads a web font).
// Prints "oidc-provider: listening on ISSUER" once it answers.
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const env = process.env;
const require = createRequire(join(env.OIDC_NODE_DIR, 'package.json'));
const { default: Provider } = await import(
    pathToFileURL(require.resolve('oidc-provider')).href);

// The campus directory: login name -> password and claims.  sub is the
// stable subject (mod_auth_openidc's REMOTE_USER, OIDCRemoteUserClaim
// sub); affiliation is what campus providers release for the role
// (eduPersonAffiliation), one value or several.
const people = {
	prof1: {
		password: 'prof1-campus',
		claims: {
			sub: 'staff-4711', email: 'prof1@campus.example.edu',
			email_verified: true, name: 'Émilie Prof-Ünal',
			preferred_username: 'prof1', affiliation: 'staff',
		},
	},
	newstudent: {
		password: 'newstudent-campus',
		claims: {
			sub: 'student-8150', email: 'newstudent@campus.example.edu',
			email_verified: true, name: 'Nora Newcomer',
			preferred_username: 'newstudent',
			affiliation: ['member', 'student'],
		},
	},
	visitor: {
		password: 'visitor-campus',
		claims: {
			sub: 'guest-0042', email: 'visitor@campus.example.edu',
			email_verified: true, name: 'Vic Visitor',
			preferred_username: 'visitor', affiliation: 'affiliate',
		},
	},
};
const bySub = new Map(Object.values(people).map((p) => [p.claims.sub, p]));

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwk = { ...privateKey.export({ format: 'jwk' }), kid: 'fixture', use: 'sig', alg: 'RS256' };

const provider = new Provider(env.OIDC_ISSUER, {
	clients: [{
		client_id: env.OIDC_CLIENT_ID,
		client_secret: env.OIDC_CLIENT_SECRET,
		redirect_uris: [env.OIDC_REDIRECT_URI],
		response_types: ['code'],
		grant_types: ['authorization_code'],
		token_endpoint_auth_method: 'client_secret_basic',
	}],
	jwks: { keys: [jwk] },
	cookies: { keys: [randomBytes(32).toString('hex')] },
	claims: {
		openid: ['sub'],
		email: ['email', 'email_verified'],
		profile: ['name', 'preferred_username', 'affiliation'],
	},
	features: { devInteractions: { enabled: false } },
	interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
	async findAccount(ctx, sub) {
		const person = bySub.get(sub);
		if (!person)
			return undefined;
		return { accountId: sub, claims: async () => ({ ...person.claims }) };
	},
});
provider.on('server_error', (ctx, err) => console.error('oidc-provider:', err));

function html(res, status, body) {
	res.writeHead(status, {
		'Content-Type': 'text/html; charset=utf-8',
		'Cache-Control': 'no-store',
		// No form-action: Chromium holds the redirects that follow
		// the form's POST (back to the client) to it too.
		'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'",
	});
	res.end(body);
}

function escape(s) {
	return String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function loginPage(uid, login, error) {
	return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Campus login</title>
<style>
body { font: 16px/1.4 sans-serif; margin: 0; background: #eef1f5; color: #1a1a1a; }
main { max-width: 22rem; margin: 2rem auto; background: #fff; padding: 1.5rem;
  border-radius: 6px; box-shadow: 0 1px 3px rgba(0,0,0,.2); }
h1 { font-size: 1.4rem; margin-top: 0; }
label { display: block; margin-top: .8rem; font-weight: bold; }
input { width: 100%; box-sizing: border-box; font-size: 1rem; padding: .5rem; }
button { margin-top: 1.2rem; width: 100%; font-size: 1rem; padding: .6rem;
  background: #0b5394; color: #fff; border: 0; border-radius: 4px; }
.error { color: #a00; }
</style></head>
<body><main>
<h1>Campus login</h1>
<p>The university's identity provider (a test fixture).</p>
${error ? `<p class="error" id="error" role="alert">${escape(error)}</p>` : ''}
<form method="post" action="/interaction/${escape(uid)}/login" autocomplete="off">
<label for="username">Username</label>
<input id="username" name="username" value="${escape(login || '')}" required autofocus>
<label for="password">Password</label>
<input id="password" name="password" type="password" required>
<button type="submit" id="sign-in">Sign in</button>
</form>
</main></body></html>
`;
}

async function readForm(req) {
	let body = '';
	for await (const chunk of req) {
		body += chunk;
		if (body.length > 4096)
			throw new Error('form too large');
	}
	return new URLSearchParams(body);
}

// The consent a first-party client gets without asking.
async function consent(req, res, details) {
	const { prompt: { details: missing }, params, session, grantId } = details;
	const grant = grantId ? await provider.Grant.find(grantId) :
	    new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
	if (missing.missingOIDCScope)
		grant.addOIDCScope(missing.missingOIDCScope.join(' '));
	if (missing.missingOIDCClaims)
		grant.addOIDCClaims(missing.missingOIDCClaims);
	const id = await grant.save();
	await provider.interactionFinished(req, res, { consent: { grantId: id } },
	    { mergeWithLastSubmission: true });
}

async function interaction(req, res, uid, action) {
	const details = await provider.interactionDetails(req, res);
	if (details.uid !== uid)
		return html(res, 400, 'wrong interaction');
	if (details.prompt.name === 'consent')
		return consent(req, res, details);
	if (details.prompt.name !== 'login')
		return html(res, 501, 'not implemented');
	if (req.method === 'GET' && !action)
		return html(res, 200, loginPage(uid, details.params.login_hint));
	if (req.method !== 'POST' || action !== 'login')
		return html(res, 405, 'method not allowed');
	const form = await readForm(req);
	const login = (form.get('username') || '').trim();
	const person = Object.hasOwn(people, login) ? people[login] : null;
	if (!person || form.get('password') !== person.password)
		return html(res, 200, loginPage(uid, login, 'Wrong username or password.'));
	await provider.interactionFinished(req, res,
	    { login: { accountId: person.claims.sub } },
	    { mergeWithLastSubmission: false });
}

const handle = provider.callback();
const server = createServer((req, res) => {
	const m = /^\/interaction\/([A-Za-z0-9_-]+)(?:\/(login))?$/.exec(
	    new URL(req.url, env.OIDC_ISSUER).pathname);
	if (!m)
		return handle(req, res);
	interaction(req, res, m[1], m[2]).catch((err) => {
		console.error('oidc-provider: interaction:', err);
		if (!res.headersSent)
			html(res, 400, `<p>${escape(err.message)}</p>`);
	});
});
server.listen(Number(env.OIDC_PORT), '127.0.0.1', () => {
	console.log(`oidc-provider: listening on ${env.OIDC_ISSUER}`);
});
for (const sig of ['SIGTERM', 'SIGINT'])
	process.on(sig, () => process.exit(0));
