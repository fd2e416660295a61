/**
 * Preloaded into every n8n process of the e2e tests and the demo (NODE_OPTIONS=--require): records
 * each outgoing TCP connection to a host other than this machine in N8N_E2E_NETWORK_LOG, one JSON
 * line each, so a test can prove that n8n reached for nothing but the emulator. It only records;
 * the machine has no route out anyway.
 */
'use strict';
const net = require('node:net');
const fs = require('node:fs');

const logFile = process.env.N8N_E2E_NETWORK_LOG;
const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|::1|\[::1\]|::ffff:127(\.\d{1,3}){3})$/i;

function targetOf(args) {
	const first = args[0];
	if (Array.isArray(first)) return targetOf(first);
	if (first && typeof first === 'object') return { host: first.host ?? first.hostname ?? 'localhost', port: first.port, path: first.path };
	if (typeof first === 'string' && !/^\d+$/.test(first)) return { path: first };
	return { host: typeof args[1] === 'string' ? args[1] : 'localhost', port: first };
}

if (logFile) {
	const original = net.Socket.prototype.connect;
	net.Socket.prototype.connect = function connect(...args) {
		try {
			const target = targetOf(args);
			if (target.path === undefined && !LOOPBACK.test(String(target.host))) {
				const stack = new Error().stack.split('\n').slice(2, 8).map((line) => line.trim());
				fs.appendFileSync(logFile, `${JSON.stringify({ pid: process.pid, host: target.host, port: target.port, stack })}\n`);
			}
		} catch {
			// Recording must never break a connection.
		}
		return original.apply(this, args);
	};
}
