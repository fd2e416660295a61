import * as fs from 'node:fs';
import * as inspector from 'node:inspector';
import * as path from 'node:path';

/**
 * CPU and allocation (sampling heap) profiles of exactly one measured run, through the
 * inspector, so that process start-up and module loading stay out of them. Open the files in Chrome DevTools
 * (Performance / Memory tab) or VS Code.
 */

function post<T = unknown>(session: inspector.Session, method: string, params?: object): Promise<T> {
	return new Promise((resolve, reject) => {
		session.post(method, params ?? {}, (error, result) => (error ? reject(error) : resolve(result as T)));
	});
}

export async function profiled<T>(dir: string | undefined, name: string, fn: () => Promise<T>): Promise<T> {
	if (!dir) return await fn();
	const session = new inspector.Session();
	session.connect();
	await post(session, 'Profiler.enable');
	await post(session, 'Profiler.setSamplingInterval', { interval: 200 });
	await post(session, 'HeapProfiler.enable');
	await post(session, 'Profiler.start');
	// Objects collected during the run count too: the profile shows where a run allocates, not only what it keeps.
	await post(session, 'HeapProfiler.startSampling', {
		samplingInterval: 64 * 1024,
		includeObjectsCollectedByMajorGC: true,
		includeObjectsCollectedByMinorGC: true,
	});
	try {
		return await fn();
	} finally {
		const { profile } = await post<{ profile: object }>(session, 'Profiler.stop');
		const { profile: heap } = await post<{ profile: object }>(session, 'HeapProfiler.stopSampling');
		fs.mkdirSync(dir, { recursive: true });
		fs.writeFileSync(path.join(dir, `${name}.cpuprofile`), JSON.stringify(profile));
		fs.writeFileSync(path.join(dir, `${name}.heapprofile`), JSON.stringify(heap));
		session.disconnect();
	}
}
