// The in-page scanner of /scan (issue 16): the rear camera, decoded frame
// after frame until the page says stop.  A student holds the phone up to
// the class screen and waits: the page (scan.js) posts each new code read
// here, and on "just used" simply waits for the next one, with no tap and
// no page load per try.
//
// Decoding: the browser's own BarcodeDetector where it reads QR codes
// (Chrome on Android, Safari on recent iPhones), else jsQR (npm jsqr,
// web/vendor/jsqr.js) in a Web Worker (qr-worker.js), so that decoding a
// frame, tens of milliseconds on a phone, never holds up the page.  One
// frame is decoded at a time: a slow phone reads fewer frames, never a
// queue of old ones.  The worker gets in turn the whole frame scaled down
// and its middle at full resolution: a QR code seen from the back row is
// small, and the student aims at it.
//
// The camera is on only while it is needed: stop() turns it off, and so
// does the page being hidden (another tab, the phone locked) or left; it
// comes back when the page shows again if the scanner is still wanted.
// While it is on, the screen is kept from dimming (a wake lock, where the
// browser has one): in a hall the wait for a free code can pass the
// phone's 30 s screen timeout, which would lock it and end the scan.

const WORKER_URL = '/js/qr-worker.js';
const WHOLE_MAX = 800;	// longest side of a whole frame given to jsQR (px)
const MIDDLE = 0.6;	// the middle crop: this share of the shorter side
const FRAME_WAIT = 500;	// ms to wait for a frame that may not come
const FRAME_POLL = 50;	// ms between frames without requestVideoFrameCallback

// Why the camera did not open: "unsupported" (no getUserMedia: an old
// browser, or a page not served over HTTPS), "denied", "absent", "busy"
// (another app holds it) or "failed".
export class CameraError extends Error {
	constructor(reason, cause) {
		super(`camera ${reason}` + (cause ? `: ${cause.message || cause}` : ''));
		this.reason = reason;
	}
}

export function cameraPossible() {
	return !!(navigator.mediaDevices && navigator.mediaDevices.getUserMedia);
}

function reasonOf(e) {
	switch (e && e.name) {
	case 'NotAllowedError':
	case 'SecurityError':
		return 'denied';
	case 'NotFoundError':
	case 'OverconstrainedError':
		return 'absent';
	case 'NotReadableError':
	case 'AbortError':
		return 'busy';
	default:
		return 'failed';
	}
}

// The browser's detector, when it has one that reads QR codes.
async function barcodeDetector() {
	if (typeof BarcodeDetector === 'undefined')
		return null;
	try {
		const formats = await BarcodeDetector.getSupportedFormats();
		if (!formats.includes('qr_code'))
			return null;
		return new BarcodeDetector({ formats: ['qr_code'] });
	} catch (e) {
		return null;
	}
}

// Resolves at the video's next frame (so that no frame is decoded
// twice), or after FRAME_WAIT at the latest (a stopped stream has no next
// frame); without requestVideoFrameCallback, after FRAME_POLL.
function nextFrame(video) {
	return new Promise((resolve) => {
		if (!video.requestVideoFrameCallback) {
			setTimeout(resolve, FRAME_POLL);
			return;
		}
		const timer = setTimeout(resolve, FRAME_WAIT);
		video.requestVideoFrameCallback(() => {
			clearTimeout(timer);
			resolve();
		});
	});
}

function stopTracks(stream) {
	if (stream)
		for (const track of stream.getTracks())
			track.stop();
}

export class Scanner {
	// onText(text): each text read (the same code many times in a row);
	// onError(CameraError): the scanner stopped by itself.
	constructor(video, { onText, onError }) {
		this.video = video;
		this.onText = onText;
		this.onError = onError;
		this.stream = null;
		this.wakeLock = null;
		this.wanted = false;
		this.detector = null;
		this.worker = null;
		this.canvas = null;
		this.turn = 0;
		// Each opening of the camera is a run; the frame loop of an
		// earlier run stops at its next step.
		this.run = 0;
		this.onVisibility = () => this.visibility();
		this.onPageHide = () => this.close();
	}

	// "barcode-detector" or "jsqr", once started.
	get decoder() {
		return this.detector ? 'barcode-detector'
		    : this.worker ? 'jsqr' : null;
	}

	get active() {
		return this.stream !== null;
	}

	// Resolves once frames are being decoded; rejects with a CameraError.
	async start() {
		if (this.wanted)
			return;
		this.wanted = true;
		document.addEventListener('visibilitychange', this.onVisibility);
		window.addEventListener('pagehide', this.onPageHide);
		try {
			await this.open();
		} catch (e) {
			this.stop();
			throw e;
		}
	}

	stop() {
		this.wanted = false;
		document.removeEventListener('visibilitychange', this.onVisibility);
		window.removeEventListener('pagehide', this.onPageHide);
		this.close();
		if (this.worker) {
			this.worker.terminate();
			this.worker = null;
		}
	}

	close() {
		this.run++;
		stopTracks(this.stream);
		this.stream = null;
		this.video.srcObject = null;
		if (this.wakeLock) {
			this.wakeLock.release().catch(() => {});
			this.wakeLock = null;
		}
	}

	// The screen kept on while the camera is; refused (a power saver)
	// or absent, the scan goes on all the same.
	async keepAwake(run) {
		if (!navigator.wakeLock)
			return;
		try {
			const lock = await navigator.wakeLock.request('screen');
			if (run === this.run)
				this.wakeLock = lock;
			else
				lock.release().catch(() => {});
		} catch (e) {
			// Not granted: nothing to release.
		}
	}

	visibility() {
		if (document.hidden) {
			this.close();
		} else if (this.wanted && !this.stream) {
			this.open().catch((e) => {
				this.stop();
				this.onError(e);
			});
		}
	}

	async open() {
		if (!cameraPossible())
			throw new CameraError('unsupported');
		const run = ++this.run;
		let stream;
		try {
			stream = await navigator.mediaDevices.getUserMedia({
				audio: false,
				video: {
					facingMode: { ideal: 'environment' },
					width: { ideal: 1920 },
					height: { ideal: 1080 },
				},
			});
		} catch (e) {
			throw new CameraError(reasonOf(e), e);
		}
		if (run !== this.run || !this.wanted) {
			// Stopped, or hidden, while the browser asked.
			stopTracks(stream);
			return;
		}
		this.stream = stream;
		this.video.srcObject = stream;
		try {
			await this.video.play();
		} catch (e) {
			if (run !== this.run)
				return;	// closed meanwhile: play() was cut short
			this.close();
			throw new CameraError('failed', e);
		}
		this.keepAwake(run);
		if (!this.detector && !this.worker)
			await this.pickDecoder();
		if (run !== this.run)
			return;
		if (this.detector)
			this.detectLoop(run);
		else
			this.grab(run);
	}

	async pickDecoder() {
		this.detector = await barcodeDetector();
		if (this.detector)
			return;
		this.worker = new Worker(WORKER_URL);
		this.worker.onmessage = (ev) => this.decoded(ev.data);
		this.worker.onerror = (ev) => {
			ev.preventDefault();
			this.stop();
			this.onError(new CameraError('failed',
			    'the QR decoder did not load'));
		};
		this.canvas = document.createElement('canvas');
	}

	async detectLoop(run) {
		while (run === this.run) {
			await nextFrame(this.video);
			if (run !== this.run)
				return;
			let codes = [];
			try {
				if (this.video.readyState >= 2)
					codes = await this.detector.detect(this.video);
			} catch (e) {
				// A frame it could not take: the next one.
			}
			if (run !== this.run)
				return;
			for (const c of codes)
				if (c.rawValue)
					this.onText(c.rawValue);
		}
	}

	// The part of the frame to decode next, [sx, sy, sw, sh, dw, dh]: in
	// turn the whole frame scaled to WHOLE_MAX, and its middle.
	region(w, h) {
		this.turn ^= 1;
		if (this.turn) {
			const k = Math.min(1, WHOLE_MAX / Math.max(w, h));
			return [0, 0, w, h, Math.round(w * k), Math.round(h * k)];
		}
		const side = Math.round(Math.min(w, h) * MIDDLE);
		const out = Math.min(side, WHOLE_MAX);
		return [Math.round((w - side) / 2), Math.round((h - side) / 2),
		    side, side, out, out];
	}

	grab(run) {
		if (run !== this.run || !this.worker)
			return;
		const v = this.video;
		if (v.readyState < 2 || !v.videoWidth) {
			nextFrame(v).then(() => this.grab(run));
			return;
		}
		const [sx, sy, sw, sh, dw, dh] = this.region(v.videoWidth,
		    v.videoHeight);
		const c = this.canvas;
		if (c.width !== dw || c.height !== dh) {
			c.width = dw;
			c.height = dh;
		}
		const ctx = c.getContext('2d', { willReadFrequently: true });
		ctx.drawImage(v, sx, sy, sw, sh, 0, 0, dw, dh);
		const pixels = ctx.getImageData(0, 0, dw, dh).data;
		this.worker.postMessage({ run, width: dw, height: dh,
		    data: pixels.buffer }, [pixels.buffer]);
	}

	decoded({ run, text }) {
		if (run !== this.run)
			return;
		if (text)
			this.onText(text);
		nextFrame(this.video).then(() => this.grab(run));
	}
}
