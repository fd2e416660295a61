import type { HereEmulator } from '../../emulator';
import type { Engine } from '../harness/engine';
import { runWorkflow } from '../harness/engine';
import { bulkJobsNode, byId, createJobDirectly, itemsThen, loginUser, newDevices } from '../harness/fixtures';
import { withEmulatorAndEngine } from '../harness/suite';

// What the action node's HTTP errors say to do when the project is missing or wrong.
let emulator: HereEmulator;
let engine: Engine;
withEmulatorAndEngine({ processing: { mode: 'instant' }, seed: 29 }, (started) => ({ emulator, engine } = started));

type Described = Error & { description?: string };

async function failure(credential: { id: string; name: string }, parameters: Record<string, unknown>): Promise<Described> {
	const run = await runWorkflow(engine, itemsThen(bulkJobsNode(credential, parameters as never)));
	const error = run.error() as Described | undefined;
	expect(error).toBeDefined();
	return error as Described;
}

test('a user in several projects whose node and credential name none is told to choose the Project or set Default Project ID', async () => {
	const user = loginUser(emulator, engine, { projects: ['hint-a', 'hint-b'] });
	for (const parameters of [
		{ operation: 'getAll', returnAll: true },
		{ resource: 'device', operation: 'getAll', returnAll: true },
		{ operation: 'create', inputSource: 'csvText', csvText: 'name\nA' },
	]) {
		const error = await failure(user.credential, parameters);
		expect(error.message).toMatch(/HERE answered HTTP 400/);
		expect(error.description).toMatch(/^HERE needs a project it accepts: this user is in several projects, or the credential's Default Project ID is wrong\. Choose the node's Project, or set or check Default Project ID in the credential\./);
	}
});

test("a Project the user is not in (403) or that HERE does not know (404) on a listing: check the node's Project or the credential's Default Project ID, no word of a job ID", async () => {
	const user = loginUser(emulator, engine);
	loginUser(emulator, engine, { projects: ['hint-someone-elses'] });
	const notMember = await failure(user.credential, { resource: 'device', operation: 'getAll', returnAll: true, projectId: byId('hint-someone-elses') });
	expect(notMember.description).toMatch(/^This user may not do this in the project\. Check the user's role, and the node's Project \(or the credential's Default Project ID, used when the node names none\)\./);

	const unknown = await failure(user.credential, { operation: 'getAll', returnAll: true, projectId: byId('hint-no-such-project') });
	expect(unknown.description).toMatch(/^Not found: HERE does not know the project, or this user is not in it\. Check the node's Project \(or the credential's Default Project ID/);
	for (const error of [notMember, unknown]) expect(error.description).not.toMatch(/job ID/);

	// The same through the credential's Default Project ID.
	const defaulted = loginUser(emulator, engine, { defaultProjectId: 'hint-no-such-project' });
	const viaCredential = await failure(defaulted.credential, { resource: 'device', operation: 'getAll', returnAll: true });
	expect(viaCredential.description).toMatch(/Default Project ID/);
	expect(viaCredential.description).not.toMatch(/job ID/);
});

test('a job looked for in another project (404 on /deviceUploads/{jobId}): check the job ID and the Project', async () => {
	const user = loginUser(emulator, engine, { projects: ['hint-c', 'hint-d'] });
	const jobId = await createJobDirectly(emulator, user.email, newDevices(1), 'hint-c');
	const error = await failure(user.credential, { operation: 'getStatus', jobId: byId(jobId), projectId: byId('hint-d') });
	expect(error.description).toMatch(/^Not found\. HERE keeps jobs and results for one week; check the job ID, and the node's Project \(or the credential's Default Project ID, used when the node names none\): a job is found only in its own project\./);
});
