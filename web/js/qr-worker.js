// The scan page's QR decoder where the browser has no BarcodeDetector
// (js/scanner.js): jsQR (npm jsqr, copied to web/vendor/jsqr.js by
// tools/web-deps.sh) run here, off the page's thread.  One frame in
// ({run, width, height, data}: RGBA pixels), its text out ({run, text},
// text null when no QR code was read).  A classic worker, not a module
// one: jsQR's browser build is a plain script that sets self.jsQR.
/* global jsQR */
importScripts('/vendor/jsqr.js');

self.onmessage = (ev) => {
	const { run, width, height, data } = ev.data;
	let text = null;
	try {
		// The class screen draws dark modules on white: no inverted
		// pass, which would double the time per frame.
		const code = jsQR(new Uint8ClampedArray(data), width, height,
		    { inversionAttempts: 'dontInvert' });
		if (code && code.data)
			text = code.data;
	} catch (e) {
		// A frame it cannot read: null, and the next frame.
	}
	self.postMessage({ run, text });
};
