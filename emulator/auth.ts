import type { Clock } from './clock';
import { ApiError, badRequest, forbidden, notFound, unauthorized } from './errors';
import { secret, type IdSource } from './ids';
import type { Project, ProjectInput, ProjectStore } from './projects';
import { tooLong } from './validation';

export const DEFAULT_REALM = 'here';

export interface UserInput {
	email: string;
	password: string;
	realm?: string;
	projects: ProjectInput[];
}

interface User {
	userId: string;
	email: string;
	password: string;
	realm: string;
	projectIds: string[];
}

interface TokenRecord {
	email: string;
	expiresAt: number;
	/** Set for project-scoped tokens (token exchange): the token implies its project. */
	scopeProjectId?: string;
}

export interface Principal {
	user: User;
	scopeProjectId?: string;
}

export interface LoginResponse {
	accessToken: string;
	refreshToken: string;
	expiresIn: number;
	tokenType: 'bearer';
	userId: string;
	realm: string;
}

export interface TokenExchangeResponse {
	accessToken: string;
	expiresIn: number;
	scope: string;
	tokenType: 'Bearer';
	issuedTokenType: 'urn:ietf:params:oauth:token-type:access_token';
}

export interface PublicUser {
	email: string;
	userId: string;
	realm: string;
	projectIds: string[];
}

/** Users, their passwords, access and refresh tokens, and which projects a caller may touch. */
export class Accounts {
	private readonly users = new Map<string, User>();
	private readonly tokens = new Map<string, TokenRecord>();
	/** refresh token → the access token it was issued with (HERE refreshes a *pair*). */
	private readonly refreshTokens = new Map<string, { email: string; accessToken: string }>();

	constructor(
		private readonly clock: Clock,
		private readonly ids: IdSource,
		private readonly projects: ProjectStore,
		private readonly ttlSeconds: number,
	) {}

	addUser(input: UserInput): { userId: string } {
		if (!input.email || !input.password) throw new RangeError('addUser needs an email and a password');
		const realm = input.realm ?? DEFAULT_REALM;
		const projectIds = input.projects.map((p) => this.projects.ensure(p, realm).projectId);
		const key = input.email.toLowerCase();
		const existing = this.users.get(key);
		if (existing) {
			// Adding a known user again updates the password and adds projects: tests build users up.
			existing.password = input.password;
			for (const id of projectIds) if (!existing.projectIds.includes(id)) existing.projectIds.push(id);
			return { userId: existing.userId };
		}
		const user: User = { userId: `HERE-${this.ids.uuid()}`, email: input.email, password: input.password, realm, projectIds };
		this.users.set(key, user);
		return { userId: user.userId };
	}

	listUsers(): PublicUser[] {
		return [...this.users.values()].map((u) => ({ email: u.email, userId: u.userId, realm: u.realm, projectIds: [...u.projectIds] }));
	}

	/** A valid access token without a login (tests, the demo token); `fixedToken` lets the demo token be a known string. */
	issueToken(email: string, options: { ttlSeconds?: number; projectHrn?: string; fixedToken?: string } = {}): string {
		const user = this.users.get(email.toLowerCase());
		if (!user) throw new RangeError(`issueToken: unknown user ${email}`);
		let scopeProjectId: string | undefined;
		if (options.projectHrn !== undefined) {
			const project = this.projects.getByHrn(options.projectHrn);
			if (!project || !user.projectIds.includes(project.projectId)) {
				throw new RangeError(`issueToken: ${email} is not a member of ${options.projectHrn}`);
			}
			scopeProjectId = project.projectId;
		}
		return this.storeToken(user, options.ttlSeconds ?? this.ttlSeconds, scopeProjectId, options.fixedToken);
	}

	login(body: unknown): LoginResponse {
		const { email, password, realm } = requireStrings(body, ['email', 'password'], ['realm']);
		const user = this.users.get(email.toLowerCase());
		// The spec's realm is "a case-insensitive requested realm ID".
		if (!user || user.password !== password || (realm !== undefined && realm.toLowerCase() !== user.realm.toLowerCase())) {
			// Login failures come from the HERE account service, in its own error shape.
			throw new ApiError(401, 'Invalid email, password or realm.', {}, 'account');
		}
		return this.newSession(user);
	}

	refresh(body: unknown): LoginResponse {
		const { accessToken, refreshToken } = requireStrings(body, ['accessToken', 'refreshToken'], []);
		const record = this.refreshTokens.get(refreshToken);
		// The access token may have expired (that is why one refreshes) but must be the one issued with this refresh token.
		if (!record || record.accessToken !== accessToken) throw unauthorized('The access token and refresh token do not match a session.');
		const user = this.users.get(record.email.toLowerCase());
		if (!user) throw unauthorized();
		// Refresh tokens rotate: the old pair is spent, its access token too (whether or not it had expired yet).
		this.refreshTokens.delete(refreshToken);
		this.tokens.delete(accessToken);
		return this.newSession(user);
	}

	exchange(body: unknown): TokenExchangeResponse {
		const { accessToken, scope } = requireStrings(body, ['accessToken', 'scope'], []);
		const principal = this.principalFor(accessToken);
		const project = this.projects.getByHrn(scope);
		if (!project) throw notFound(`No project has the HRN ${scope}.`);
		if (!principal.user.projectIds.includes(project.projectId)) throw forbidden('The user is not a member of the requested project.');
		return {
			accessToken: this.storeToken(principal.user, this.ttlSeconds, project.projectId),
			expiresIn: this.ttlSeconds,
			scope,
			tokenType: 'Bearer',
			issuedTokenType: 'urn:ietf:params:oauth:token-type:access_token',
		};
	}

	/** `Authorization: Bearer <token>` → who is calling; 401 otherwise. */
	authenticate(authorization: string | undefined): Principal {
		const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
		if (!match) throw unauthorized('Missing or malformed Authorization header: expected "Bearer <access token>".');
		return this.principalFor(match[1]);
	}

	/**
	 * The project a call works on: the token's scope, the `projectId` parameter, or the user's only
	 * project. An unknown `projectId` is 404, or 403 where the spec declares no 404 (`unknown`).
	 */
	resolveProject(principal: Principal, projectId: string | undefined, unknown: 'notFound' | 'forbidden' = 'notFound'): Project {
		if (projectId !== undefined && (projectId.length < 1 || tooLong(projectId, 50))) {
			throw badRequest('projectId must be 1-50 characters.', { field: 'projectId' });
		}
		if (principal.scopeProjectId !== undefined) {
			if (projectId !== undefined && projectId !== principal.scopeProjectId) {
				throw forbidden(`The access token is scoped to another project than ${projectId}.`);
			}
			return this.mustGetProject(principal.scopeProjectId);
		}
		const ids = principal.user.projectIds;
		if (projectId !== undefined) {
			const project = this.projects.get(projectId);
			if (!project) throw unknown === 'notFound' ? notFound(`Project ${projectId} was not found.`) : forbidden(`The user is not a member of project ${projectId}.`);
			if (!ids.includes(projectId)) throw forbidden(`The user is not a member of project ${projectId}.`);
			return project;
		}
		if (ids.length === 1) return this.mustGetProject(ids[0]);
		if (ids.length === 0) throw forbidden('The user is not a member of any project.');
		throw badRequest('The user is a member of several projects: the projectId query parameter is required.', { field: 'projectId' });
	}

	/** The projects a caller can see: all of the user's, or only the token's scope. */
	projectsOf(principal: Principal): Project[] {
		const ids = principal.scopeProjectId !== undefined ? [principal.scopeProjectId] : principal.user.projectIds;
		return ids.map((id) => this.mustGetProject(id));
	}

	clear(): void {
		this.users.clear();
		this.tokens.clear();
		this.refreshTokens.clear();
	}

	private principalFor(token: string): Principal {
		const record = this.tokens.get(token);
		if (!record) throw unauthorized('The access token is not valid.');
		if (record.expiresAt <= this.clock.now()) {
			this.tokens.delete(token);
			throw unauthorized('The access token has expired.');
		}
		const user = this.users.get(record.email.toLowerCase());
		if (!user) throw unauthorized('The access token is not valid.');
		return { user, scopeProjectId: record.scopeProjectId };
	}

	private newSession(user: User): LoginResponse {
		const accessToken = this.storeToken(user, this.ttlSeconds, undefined);
		const refreshToken = secret(18);
		this.refreshTokens.set(refreshToken, { email: user.email, accessToken });
		return { accessToken, refreshToken, expiresIn: this.ttlSeconds, tokenType: 'bearer', userId: user.userId, realm: user.realm };
	}

	private storeToken(user: User, ttlSeconds: number, scopeProjectId: string | undefined, fixedToken?: string): string {
		const token = fixedToken ?? `emu1.${secret(32)}`;
		this.tokens.set(token, { email: user.email, expiresAt: this.clock.now() + ttlSeconds * 1000, scopeProjectId });
		return token;
	}

	private mustGetProject(projectId: string): Project {
		const project = this.projects.get(projectId);
		if (!project) throw notFound(`Project ${projectId} was not found.`);
		return project;
	}
}

/** Checks a JSON body for required and optional non-empty string fields (400 in the Tracking shape otherwise). */
function requireStrings<R extends string, O extends string>(
	body: unknown,
	required: R[],
	optional: O[],
): Record<R, string> & Partial<Record<O, string>> {
	if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badRequest('The request body must be a JSON object.');
	const record = body as Record<string, unknown>;
	const out: Record<string, string> = {};
	for (const key of [...required, ...optional]) {
		const value = record[key];
		if (value === undefined && (optional as string[]).includes(key)) continue;
		if (typeof value !== 'string' || value.length === 0) throw badRequest(`${key} must be a non-empty string.`, { field: key });
		out[key] = value;
	}
	return out as Record<R, string> & Partial<Record<O, string>>;
}
