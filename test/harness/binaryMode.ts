import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/**
 * Binary data on disk, as n8n keeps it in "filesystem" mode (the default of a self-hosted n8n
 * 2.x; queue mode uses the database, n8n Cloud S3). In that mode an item's `binary.data` holds
 * only the mode's name and the file lives in the store, so a node that reads `binary.data`
 * instead of n8n's helpers gets garbage: this is what the tests need to catch.
 *
 * n8n-core configures it from the environment when its DI container first builds
 * InstanceSettings and BinaryDataConfig (`N8N_USER_FOLDER`, `N8N_DEFAULT_BINARY_DATA_MODE`,
 * `N8N_BINARY_DATA_STORAGE_PATH`), and the n8n CLI then calls `BinaryDataService.init()`, which
 * sets up the file store. Without that call n8n-core keeps binary data in memory (base64 in
 * `data`). Call this in `beforeAll`, before anything runs a workflow or stores a credential.
 * Jest gives each test file its own module registry (and so its own container) and its own
 * copy of `process.env`, so other test files keep the in-memory default.
 */
export interface FilesystemBinaryData {
	/** Where n8n writes the binary files. */
	storagePath: string;
	/** Removes the scratch folder. */
	cleanup(): void;
}

export async function useFilesystemBinaryData(): Promise<FilesystemBinaryData> {
	const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'here-n8n-binary-'));
	const storagePath = path.join(folder, 'storage');
	process.env.N8N_USER_FOLDER = folder;
	process.env.N8N_DEFAULT_BINARY_DATA_MODE = 'filesystem';
	process.env.N8N_BINARY_DATA_STORAGE_PATH = storagePath;

	// n8n-core ships its own copy of @n8n/di: its container is the one that must be configured.
	const di = require.resolve('@n8n/di', { paths: [path.dirname(require.resolve('n8n-core'))] });
	const { Container } = (await import(di)) as typeof import('@n8n/di');
	const { BinaryDataConfig, BinaryDataService, InstanceSettings } = await import('n8n-core');
	const instance = Container.get(InstanceSettings);
	const config = Container.get(BinaryDataConfig);
	if (config.mode !== 'filesystem' || config.localStoragePath !== storagePath || !instance.n8nFolder.startsWith(folder)) {
		throw new Error(
			'n8n-core was configured before useFilesystemBinaryData() ran: call it first in beforeAll, before createEngine() or saveCredential().',
		);
	}
	await Container.get(BinaryDataService).init();
	return {
		storagePath,
		cleanup: () => fs.rmSync(folder, { recursive: true, force: true }),
	};
}
