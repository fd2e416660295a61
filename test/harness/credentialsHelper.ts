import type {
	ICredentialDataDecryptedObject,
	ICredentialType,
	ICredentials,
	ICredentialsHelper as CredentialsHelperContract,
	IHttpRequestHelper,
	IHttpRequestOptions,
	INode,
	INodeCredentialsDetails,
	INodeProperties,
	IRequestOptionsSimplified,
} from 'n8n-workflow';
import { ICredentialsHelper } from 'n8n-workflow';
import { Credentials } from 'n8n-core';

/**
 * Stands in for n8n's database-backed CredentialsHelper (n8n's `cli` package, which needs a
 * database). It follows the same rules as n8n's: preAuthentication runs when the expirable
 * field is empty, when a call answered 401 (`credentialsExpired`), or in a credential test,
 * and its output is saved back to the stored credential; `authenticate` is the credential's own.
 */
export class InMemoryCredentialsHelper extends ICredentialsHelper {
	private readonly store = new Map<string, { type: string; data: ICredentialDataDecryptedObject }>();

	/** Every preAuthentication call, for tests that check when n8n logged in again. */
	readonly preAuthenticationCalls: Array<{ id: string; forced: boolean }> = [];

	constructor(private readonly types: Map<string, ICredentialType>) {
		super();
	}

	save(id: string, type: string, data: ICredentialDataDecryptedObject): void {
		this.store.set(id, { type, data: { ...data } });
	}

	stored(id: string): ICredentialDataDecryptedObject {
		const entry = this.store.get(id);
		if (!entry) throw new Error(`No credential ${id}`);
		return { ...entry.data };
	}

	private type(name: string): ICredentialType {
		const type = this.types.get(name);
		if (!type) throw new Error(`Unknown credential type ${name}`);
		return type;
	}

	getParentTypes(): string[] {
		return [];
	}

	isCredentialUsableByNode(): boolean {
		return true;
	}

	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		requestOptions: IHttpRequestOptions | IRequestOptionsSimplified,
	): Promise<IHttpRequestOptions> {
		const { authenticate } = this.type(typeName);
		if (typeof authenticate !== 'function') throw new Error('The harness supports function authenticate only');
		return await authenticate(credentials, requestOptions as IHttpRequestOptions);
	}

	async preAuthentication(
		helpers: IHttpRequestHelper,
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		node: INode,
		credentialsExpired: boolean,
	): Promise<ICredentialDataDecryptedObject | undefined> {
		const type = this.type(typeName);
		const expirable = type.properties.find((p) => p.type === 'hidden' && p.typeOptions?.expirable === true);
		if (!expirable || typeof type.preAuthentication !== 'function') return undefined;
		const isTest = node?.parameters?.temp === '' && node?.type === 'n8n-nodes-base.noOp';
		if (credentials[expirable.name] !== '' && !credentialsExpired && !isTest) return undefined;
		const details = node.credentials?.[typeName];
		this.preAuthenticationCalls.push({ id: details?.id ?? '', forced: credentialsExpired });
		const output = (await type.preAuthentication.call(helpers, credentials)) as ICredentialDataDecryptedObject;
		if (output[expirable.name] === undefined) return undefined;
		if (details?.id && this.store.has(details.id)) {
			const entry = this.store.get(details.id)!;
			entry.data = { ...entry.data, ...output };
		}
		return Object.assign(credentials, output);
	}

	async runPreAuthentication(
		helpers: IHttpRequestHelper,
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
	): Promise<ICredentialDataDecryptedObject | undefined> {
		const type = this.type(typeName);
		if (typeof type.preAuthentication !== 'function') return undefined;
		return (await type.preAuthentication.call(helpers, credentials)) as ICredentialDataDecryptedObject;
	}

	async getCredentials(details: INodeCredentialsDetails, type: string): Promise<ICredentials> {
		const entry = this.store.get(details.id ?? '');
		if (!entry) throw new Error(`No credential ${details.id}`);
		const credentials = new Credentials({ id: details.id, name: details.name }, type);
		credentials.setData(entry.data);
		return credentials;
	}

	async getDecrypted(_additionalData: unknown, details: INodeCredentialsDetails, type: string): Promise<ICredentialDataDecryptedObject> {
		const entry = this.store.get(details.id ?? '');
		if (!entry || entry.type !== type) throw new Error(`No credential ${details.id} of type ${type}`);
		// n8n fills defaults in before a node sees the data; the expirable field starts empty.
		const defaults: ICredentialDataDecryptedObject = {};
		for (const property of this.type(type).properties) defaults[property.name] = property.default as never;
		return { ...defaults, ...entry.data };
	}

	async updateCredentials(details: INodeCredentialsDetails, _type: string, data: ICredentialDataDecryptedObject): Promise<void> {
		const entry = this.store.get(details.id ?? '');
		if (entry) entry.data = { ...data };
	}

	async updateCredentialsOauthTokenData(): Promise<void> {}

	getCredentialsProperties(type: string): INodeProperties[] {
		return this.type(type).properties;
	}
}

export type { CredentialsHelperContract };
