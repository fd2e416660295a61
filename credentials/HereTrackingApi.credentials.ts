import type {
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	ICredentialType,
	IDataObject,
	IHttpRequestHelper,
	IHttpRequestOptions,
	Icon,
	INodeProperties,
} from 'n8n-workflow';

import { CUSTOM_HOST, HERE_HOSTS, requestUrlWithinBase, resolveBaseUrl } from '../nodes/HereBulkJobs/transport/host';
import { isProjectScoped } from '../nodes/HereBulkJobs/transport/projectScope';
import { obtainSessionToken } from '../nodes/HereBulkJobs/transport/session';
import { sessionFields, storedSessionToken } from '../nodes/HereBulkJobs/transport/storedSession';

export class HereTrackingApi implements ICredentialType {
	name = 'hereTrackingApi';

	displayName = 'HERE Tracking API';

	icon: Icon = {
		light: 'file:../nodes/HereBulkJobs/here.svg',
		dark: 'file:../nodes/HereBulkJobs/here.dark.svg',
	};

	documentationUrl = 'https://www.here.com/docs/bundle/here-tracking-developer-guide/page/topics/bulk-jobs.html';

	properties: INodeProperties[] = [
		{
			displayName: 'Authentication',
			name: 'authentication',
			type: 'options',
			options: [
				{
					name: 'Access Token',
					value: 'accessToken',
					description: 'Paste a HERE Tracking bearer token. It is not renewed: paste a new one when it expires.',
				},
				{
					name: 'E-Mail and Password',
					value: 'login',
					description: 'Log in as a HERE Tracking user; n8n logs in again by itself when the token expires',
				},
			],
			default: 'login',
		},
		{
			displayName: 'Access Token',
			name: 'accessToken',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description: 'A HERE Tracking user access token (the "accessToken" of POST /users/v2/login)',
			displayOptions: { show: { authentication: ['accessToken'] } },
		},
		{
			displayName: 'E-Mail',
			name: 'email',
			type: 'string',
			placeholder: 'name@example.com',
			default: '',
			required: true,
			displayOptions: { show: { authentication: ['login'] } },
		},
		{
			displayName: 'Password',
			name: 'password',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			displayOptions: { show: { authentication: ['login'] } },
		},
		{
			displayName: 'Realm',
			name: 'realm',
			type: 'string',
			default: '',
			description: 'Optional HERE realm ID to log in to; leave empty for your default realm',
			displayOptions: { show: { authentication: ['login'] } },
		},
		{
			displayName: 'Host',
			name: 'host',
			type: 'options',
			options: [
				{
					name: 'HERE Tracking (tracking.api.here.com)',
					value: HERE_HOSTS.legacy,
					description: 'Production, for HERE Tracking projects created in the Tracking portal',
				},
				{
					name: 'HERE Platform (tracking.hereapi.com)',
					value: HERE_HOSTS.platform,
					description: 'Production, for projects on the HERE platform (project-scoped tokens)',
				},
				{
					name: 'Custom Base URL',
					value: CUSTOM_HOST,
					description: 'Another server with the same API, such as the local HERE emulator or a proxy',
				},
			],
			default: HERE_HOSTS.legacy,
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'http://127.0.0.1:8480',
			placeholder: 'https://proxy.example.com',
			description:
				'Scheme, host, port and optional path prefix. Plain http:// is accepted only for this machine (localhost, 127.0.0.1, ::1).',
			displayOptions: { show: { host: [CUSTOM_HOST] } },
		},
		{
			displayName: 'Platform Project HRN',
			name: 'projectHrn',
			type: 'string',
			default: '',
			placeholder: 'hrn:here:authorization::org123:project/my-project',
			description:
				'Only for HERE platform projects: the token is exchanged for one scoped to this project (POST /users/v2/tokenExchange)',
		},
		{
			displayName: 'Default Project ID',
			name: 'projectId',
			type: 'string',
			default: '',
			description:
				'Sent as projectId when a node does not name a project. Needed when the user belongs to several projects.',
		},
		{
			// Filled by preAuthentication; n8n empties it and logs in again when a call answers 401.
			displayName: 'Session Token',
			name: 'sessionToken',
			type: 'hidden',
			typeOptions: { expirable: true, password: true },
			default: '',
		},
		{
			// What the session token was obtained for (host, e-mail, realm, HRN; a hash of a pasted
			// token). n8n keeps hidden fields when the credential is edited: a token obtained for
			// something else is not sent, so that HERE's 401 makes n8n log in again.
			displayName: 'Session Obtained For',
			name: 'sessionFor',
			type: 'hidden',
			default: '',
		},
		{
			// When HERE said the session token expires: a run whose token has expired lets its first
			// request log in alone, rather than every request in flight logging in after its own 401.
			displayName: 'Session Expires At',
			name: 'sessionExpiresAt',
			type: 'hidden',
			default: '',
		},
	];

	async preAuthentication(this: IHttpRequestHelper, credentials: ICredentialDataDecryptedObject): Promise<IDataObject> {
		const session = await obtainSessionToken(this.helpers.httpRequest, credentials);
		return { ...sessionFields(credentials, session.token, session.expiresIn) };
	}

	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> {
		// Checked before the token is added; the request then goes to exactly the URL that was checked.
		const target = requestUrlWithinBase(resolveBaseUrl(credentials), requestedUrl(requestOptions));
		const projectId = String(credentials.projectId ?? '').trim();
		const qs = { ...(requestOptions.qs ?? {}) };
		if (projectId !== '' && isProjectScoped(target.pathname) && !qs.projectId) {
			qs.projectId = projectId;
		}
		// A token obtained for another e-mail, host, HRN or pasted token is not sent: HERE answers 401,
		// and n8n logs in again for what the credential says now.
		const headers: IDataObject = {};
		for (const [name, value] of Object.entries(requestOptions.headers ?? {})) {
			if (name.toLowerCase() !== 'authorization') headers[name] = value;
		}
		const token = storedSessionToken(credentials);
		if (token !== undefined) headers.Authorization = `Bearer ${token}`;
		return {
			...requestOptions,
			...('uri' in requestOptions ? { uri: target.href } : {}),
			url: target.href,
			baseURL: undefined,
			qs,
			disableFollowRedirect: true,
			headers,
		};
	}

	test: ICredentialTestRequest = {
		request: {
			baseURL: `={{ $credentials.host === "${CUSTOM_HOST}" ? $credentials.baseUrl.replace(/\\/+$/, "") : $credentials.host }}`,
			url: '/registry/v2/licenses',
			qs: { endIndex: 1 },
		},
		rules: [
			{
				type: 'responseCode',
				properties: {
					value: 401,
					message: 'HERE rejected the token: it is invalid or has expired. Paste a fresh Access Token, or use E-Mail and Password so n8n renews it.',
				},
			},
			{
				type: 'responseCode',
				properties: {
					value: 403,
					message: 'HERE accepted the token but this user may not list projects. Check the user\'s role in the HERE Tracking project.',
				},
			},
		],
	};
}

/** n8n's `httpRequest` names the URL `url`; the older `request` helper (used by some nodes) names it `uri`. */
function requestedUrl(requestOptions: IHttpRequestOptions): string {
	const { url, uri } = requestOptions as IHttpRequestOptions & { uri?: unknown };
	if (typeof url === 'string') return url;
	return typeof uri === 'string' ? uri : '';
}
