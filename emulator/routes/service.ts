import { ok, type Route } from '../http';

/** The version the emulator reports; it speaks the v4 contract of the spec subset. */
export const BULKJOBS_VERSION = '4.1.0';

/** Health and version: no token needed. */
export function serviceRoutes(): Route[] {
	return [
		{ method: 'GET', pattern: /^\/bulkjobs\/v4\/health$/, handle: () => ok({ message: 'healthy' }) },
		{ method: 'GET', pattern: /^\/bulkjobs\/v4\/version$/, handle: () => ok({ bulkjobs: BULKJOBS_VERSION }) },
	];
}
