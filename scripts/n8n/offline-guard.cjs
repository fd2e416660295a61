/**
 * Preloaded into every n8n process of the e2e tests and the demo (NODE_OPTIONS=--require): records
 * each outgoing TCP connection to a host other than this machine in N8N_E2E_NETWORK_LOG, one JSON
 * line each, so a test can prove that n8n reached for nothing but the emulator. It only records;
 * the machine has no route out anyway.
 */
'use strict';
const dns = require('node:dns');
const net = require('node:net');
const tls = require('node:tls');
const fs = require('node:fs');

const logFile = process.env.N8N_E2E_NETWORK_LOG;
// This machine: loopback names and addresses, and the unspecified addresses a server listens on.
const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|::1|\[::1\]|::ffff:127(\.\d{1,3}){3}|::|0\.0\.0\.0)$/i;

function targetOf(args) {
	const first = args[0];
	if (Array.isArray(first)) return targetOf(first);
	if (first && typeof first === 'object') return { host: first.host ?? first.hostname ?? 'localhost', port: first.port, path: first.path };
	if (typeof first === 'string' && !/^\d+$/.test(first)) return { path: first };
	return { host: typeof args[1] === 'string' ? args[1] : 'localhost', port: first };
}

function record(host, port) {
	if (host === undefined || LOOPBACK.test(String(host))) return;
	try {
		const stack = new Error().stack.split('\n').slice(3, 9).map((line) => line.trim());
		fs.appendFileSync(logFile, `${JSON.stringify({ pid: process.pid, host, port, stack })}\n`);
	} catch {
		// Recording must never break a connection.
	}
}

if (logFile) {
	// Host names: every connection to a name is looked up first (http, https, fetch, axios, ...).
	const lookup = dns.lookup;
	dns.lookup = function guardedLookup(hostname, ...rest) {
		record(hostname, undefined);
		return lookup.call(this, hostname, ...rest);
	};
	// Addresses: connections that skip the lookup.
	for (const [owner, key] of [
		[net.Socket.prototype, 'connect'],
		[tls, 'connect'],
	]) {
		const original = owner[key];
		owner[key] = function guardedConnect(...args) {
			const target = targetOf(args);
			if (target.path === undefined && net.isIP(String(target.host)) !== 0) record(target.host, target.port);
			return original.apply(this, args);
		};
	}
}
