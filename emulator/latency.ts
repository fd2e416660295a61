import { deriveSeed, Rng } from './ids';

/**
 * The network between a client and HERE: every request takes a round trip (half on the way in,
 * half on the way out, each varied by the jitter) plus the time its body and its answer take on
 * the wire. Off unless configured: HERE publishes no numbers, so these are assumptions.
 */
export interface LatencyOptions {
	/** Mean round-trip time of one request, ms. */
	roundTripMs: number;
	/** Each half of a round trip varies uniformly by ± this share of it (0.1 = ±10 %). */
	jitter?: number;
	/** Link speed for request and response bodies, megabits per second. */
	bandwidthMbps?: number;
	/** Extra round trips the first request on a new connection waits (TCP and TLS set-up); default 2. */
	handshakeRoundTrips?: number;
}

/** ±10 %: a steady path across the internet; a mobile link varies far more. */
export const DEFAULT_JITTER = 0.1;
/** 100 Mbit/s: a cloud-hosted n8n to HERE's cloud; a 1000-device upload (~120 KB) takes ~10 ms. */
export const DEFAULT_BANDWIDTH_MBPS = 100;
/** HERE is HTTPS only: a new connection costs a TCP handshake and a TLS 1.3 handshake before the request. */
export const DEFAULT_HANDSHAKE_ROUND_TRIPS = 2;

export class LatencyModel {
	readonly options: Required<LatencyOptions>;
	private readonly rng: Rng;

	constructor(options: LatencyOptions, seed: number) {
		const { roundTripMs, jitter = DEFAULT_JITTER, bandwidthMbps = DEFAULT_BANDWIDTH_MBPS, handshakeRoundTrips = DEFAULT_HANDSHAKE_ROUND_TRIPS } = options;
		if (!(Number.isFinite(roundTripMs) && roundTripMs >= 0)) throw new RangeError('latency.roundTripMs must be a non-negative number');
		if (!(jitter >= 0 && jitter <= 1)) throw new RangeError('latency.jitter must be between 0 and 1');
		if (!(bandwidthMbps > 0)) throw new RangeError('latency.bandwidthMbps must be greater than 0');
		if (!(Number.isInteger(handshakeRoundTrips) && handshakeRoundTrips >= 0)) throw new RangeError('latency.handshakeRoundTrips must be a whole number of at least 0');
		this.options = { roundTripMs, jitter, bandwidthMbps, handshakeRoundTrips };
		this.rng = new Rng(deriveSeed(seed, 'latency'));
	}

	/** How long `bytes` take on the wire. */
	transferMs(bytes: number): number {
		return (bytes * 8) / (this.options.bandwidthMbps * 1000);
	}

	/** The delay before a request of `bytes` reaches HERE (and is handled); the first on a connection sets it up first. */
	inboundMs(bytes: number, newConnection = false): number {
		const handshake = newConnection ? this.options.handshakeRoundTrips * 2 * this.halfTrip() : 0;
		return handshake + this.halfTrip() + this.transferMs(bytes);
	}

	/** The delay before an answer of `bytes` reaches the client. */
	outboundMs(bytes: number): number {
		return this.halfTrip() + this.transferMs(bytes);
	}

	private halfTrip(): number {
		const { roundTripMs, jitter } = this.options;
		return (roundTripMs / 2) * (1 + jitter * (2 * this.rng.next() - 1));
	}
}
