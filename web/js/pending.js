// The scan a student was recording when the page found them logged out:
// kept in sessionStorage (this tab only, gone when it closes) through the
// login, and sent right after it.  Never in localStorage: a token must not
// outlive the tab.
const KEY = 'attendance.pendingScan';

export function savePendingScan(scan) {
	sessionStorage.setItem(KEY, JSON.stringify(scan));
}

export function pendingScan() {
	try {
		const scan = JSON.parse(sessionStorage.getItem(KEY));
		if (scan && scan.s && scan.r && scan.t)
			return scan;
	} catch (e) {
		// Not ours, or damaged: dropped below.
	}
	sessionStorage.removeItem(KEY);
	return null;
}

export function hasPendingScan() {
	return pendingScan() !== null;
}

export function dropPendingScan() {
	sessionStorage.removeItem(KEY);
}
