/**
 * The few calls of n8n's HTTP API the e2e tests and the demo need: set up the owner account,
 * log in (cookie), create an API key, then the public API (/api/v1) for workflows and executions.
 * Works for n8n 1.x and 2.x.
 */

export interface Owner {
	readonly email: string;
	readonly password: string;
	readonly firstName: string;
	readonly lastName: string;
}

/** The demo and test login of the local n8n: fake, and only ever on this machine. */
export const DEMO_OWNER: Owner = {
	email: 'owner@example.com',
	password: 'Here-Demo-2024',
	firstName: 'Demo',
	lastName: 'Owner',
};

export interface PublicExecution {
	readonly id: string | number;
	readonly workflowId: string;
	readonly status: string;
	readonly mode: string;
	readonly finished: boolean;
	readonly startedAt: string;
	readonly stoppedAt?: string | null;
	readonly data?: {
		readonly resultData: {
			readonly runData: Record<string, ReadonlyArray<{ readonly data?: { readonly main?: ReadonlyArray<ReadonlyArray<{ json: Record<string, unknown> }> | null> } }>>;
			readonly error?: { readonly message: string };
		};
	};
}

export interface NodeTypeInfo {
	readonly name: string;
	readonly displayName: string;
	readonly iconUrl?: string | { readonly light: string; readonly dark: string };
	readonly codex?: { readonly categories?: string[] };
	readonly polling?: boolean;
}

export class N8nApi {
	private cookie = '';
	private apiKey = '';
	// n8n ties a session to the browser that logged in; any fixed id will do for a script.
	private readonly browserId = 'n8n-e2e-script';

	constructor(readonly url: string) {}

	private async call<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
		const response = await fetch(`${this.url}${path}`, {
			method,
			headers: {
				'content-type': 'application/json',
				'browser-id': this.browserId,
				...(this.cookie ? { cookie: this.cookie } : {}),
				...headers,
			},
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		const text = await response.text();
		if (!response.ok) throw new Error(`n8n ${method} ${path}: HTTP ${response.status} ${text.slice(0, 500)}`);
		const setCookie = response.headers.getSetCookie().find((c) => c.startsWith('n8n-auth='));
		if (setCookie) this.cookie = setCookie.split(';')[0];
		return (text ? JSON.parse(text) : undefined) as T;
	}

	/** Creates the owner account on a fresh n8n (what the setup page does), then logs in. */
	async setupOwner(owner: Owner): Promise<void> {
		await this.call('POST', '/rest/owner/setup', owner);
		await this.login(owner);
	}

	async login(owner: Owner): Promise<void> {
		// n8n 2.x names the field emailOrLdapLoginId; n8n 1.x took `email` (newer 1.x take both).
		await this.call('POST', '/rest/login', { email: owner.email, emailOrLdapLoginId: owner.email, password: owner.password });
	}

	/** An API key for the public API, with every scope the owner may grant. */
	async createApiKey(label = `n8n-e2e-${Date.now()}`): Promise<string> {
		let scopes: string[] | undefined;
		try {
			scopes = unwrap(await this.call<unknown>('GET', '/rest/api-keys/scopes')) as string[];
		} catch {
			scopes = undefined; // n8n versions without scoped keys
		}
		const created = unwrap(
			await this.call<unknown>('POST', '/rest/api-keys', { label, expiresAt: null, ...(scopes ? { scopes } : {}) }),
		) as { rawApiKey?: string; apiKey?: string };
		this.apiKey = created.rawApiKey ?? created.apiKey ?? '';
		if (!this.apiKey) throw new Error('n8n created an API key but returned none');
		return this.apiKey;
	}

	private async publicCall<T>(method: string, path: string, body?: unknown): Promise<T> {
		if (!this.apiKey) await this.createApiKey();
		return await this.call<T>(method, `/api/v1${path}`, body, { 'X-N8N-API-KEY': this.apiKey });
	}

	/** The node types the editor gets (as the logged-in owner): name, iconUrl, codex, ... */
	async nodeTypes(): Promise<NodeTypeInfo[]> {
		return await this.call<NodeTypeInfo[]>('GET', '/types/nodes.json');
	}

	/** Replaces a workflow's nodes and connections (public API). */
	async updateWorkflow(workflow: { id: string; name: string; nodes: readonly unknown[]; connections: Record<string, unknown>; settings?: Record<string, unknown> }): Promise<void> {
		const { id, name, nodes, connections, settings } = workflow;
		await this.publicCall('PUT', `/workflows/${id}`, { name, nodes, connections, settings: settings ?? {} });
	}

	/** Activates (n8n 2.x: publishes) a workflow; its triggers start at once. */
	async activateWorkflow(id: string): Promise<void> {
		await this.publicCall('POST', `/workflows/${id}/activate`);
	}

	async deactivateWorkflow(id: string): Promise<void> {
		await this.publicCall('POST', `/workflows/${id}/deactivate`);
	}

	/** Every execution of a workflow, newest first, with its data. */
	async executions(workflowId: string, options: { includeData?: boolean } = {}): Promise<PublicExecution[]> {
		const all: PublicExecution[] = [];
		let cursor: string | undefined;
		do {
			const qs = new URLSearchParams({ workflowId, limit: '100', includeData: String(options.includeData ?? true) });
			if (cursor) qs.set('cursor', cursor);
			const page = await this.publicCall<{ data: PublicExecution[]; nextCursor?: string | null }>('GET', `/executions?${qs}`);
			all.push(...page.data);
			cursor = page.nextCursor ?? undefined;
		} while (cursor);
		return all;
	}
}

/** n8n's internal REST API wraps answers in {data}. */
function unwrap(value: unknown): unknown {
	return value && typeof value === 'object' && 'data' in value ? (value as { data: unknown }).data : value;
}
