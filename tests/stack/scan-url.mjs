// The scan URL of the QR code, as the tests read and build it: the short
// form the live screen encodes since issue 16 (web/js/live.js scanUrl,
// read back by web/js/scan.js), "/scan#" then 156 digits: the session's
// UUID as a decimal number in 39, the round's in 39, the token's 32 bytes
// in 78; and the older form "/scan#s=..&r=..&t=..", which the scan page
// still accepts.  Written again here, from the description, so that a
// mistake in the page's code is not copied into the test's.

function digitsOfHex(hex, width) {
	return BigInt('0x' + hex).toString().padStart(width, '0');
}

function hexOfDigits(digits, width) {
	return BigInt(digits).toString(16).padStart(width, '0');
}

function uuidOfHex(x) {
	return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-` +
	    `${x.slice(16, 20)}-${x.slice(20)}`;
}

// { s, r, t } of a scan URL of either form; nulls for anything else.
export function scanOfUrl(url) {
	const fragment = new URL(url).hash.slice(1);
	const m = /^(\d{39})(\d{39})(\d{78})$/.exec(fragment);
	if (m) {
		return {
			s: uuidOfHex(hexOfDigits(m[1], 32)),
			r: uuidOfHex(hexOfDigits(m[2], 32)),
			t: Buffer.from(hexOfDigits(m[3], 64), 'hex')
			    .toString('base64url'),
		};
	}
	const p = new URLSearchParams(fragment);
	return { s: p.get('s'), r: p.get('r'), t: p.get('t') };
}

export function isShortScanUrl(url, base) {
	return new RegExp(`^${base.replace(/[.]/g, '\\.')}/scan#\\d{156}$`)
	    .test(url);
}

// The short URL of a scan.
export function shortScanUrl(base, s, r, t) {
	const bytes = Buffer.from(t, 'base64url');
	if (bytes.length !== 32 || bytes.toString('base64url') !== t)
		throw new Error(`not a token of 32 bytes: ${t}`);
	return `${base}/scan#` + digitsOfHex(s.replace(/-/g, ''), 39) +
	    digitsOfHex(r.replace(/-/g, ''), 39) +
	    digitsOfHex(bytes.toString('hex'), 78);
}

// The form before issue 16.
export function longScanUrl(base, s, r, t) {
	return `${base}/scan#s=${s}&r=${r}&t=${t}`;
}
