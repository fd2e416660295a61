import type { EmulatorCore } from '../core';
import { badRequest } from '../errors';
import { integer, multi, ok, type Route } from '../http';
import type { Project } from '../projects';
import type { Query } from '../types';
import { tooLong } from '../validation';

const PROJECT_TYPES: ReadonlySet<string> = new Set(['indoor', 'tracking', 'trackingAzure', 'lastmile']);

interface License {
	appId: string;
	projectId: string;
	projectName: string;
	projectHrn: string;
	type: 'commercial';
	expired: boolean;
	realm: string;
	features: string[];
}

function licenseOf(project: Project): License {
	return {
		appId: project.appId,
		projectId: project.projectId,
		projectName: project.projectName,
		projectHrn: project.projectHrn,
		type: 'commercial',
		expired: false,
		realm: project.realm,
		features: ['tracking'],
	};
}

/** The caller's projects (all of the user's, or only a scoped token's project). */
export function licenseRoutes(core: EmulatorCore): Route[] {
	return [
		{
			method: 'GET',
			pattern: /^\/registry\/v2\/licenses$/,
			handle: (req) => {
				const principal = core.accounts.authenticate(req.headers.authorization);
				const start = integer(req.query, 'startIndex', 0, Number.MAX_SAFE_INTEGER, 0);
				const end = integer(req.query, 'endIndex', 0, Number.MAX_SAFE_INTEGER, 100);
				if (end < start) throw badRequest('endIndex must not be smaller than startIndex.', { field: 'endIndex' });
				const projectIds = distinctValues(req.query, 'projectIds', 20);
				if (projectIds && [...projectIds].some((id) => tooLong(id, 50))) {
					throw badRequest('projectIds takes ids of 1-50 characters.', { field: 'projectIds' });
				}
				const projectTypes = distinctValues(req.query, 'projectTypes', PROJECT_TYPES.size);
				const unknown = projectTypes && [...projectTypes].find((t) => !PROJECT_TYPES.has(t));
				if (unknown !== undefined) {
					throw badRequest(`projectTypes "${unknown}" is not one of ${[...PROJECT_TYPES].join(', ')}.`, { field: 'projectTypes' });
				}
				// Every emulated project is a tracking project.
				const all = projectTypes && !projectTypes.has('tracking') ? [] : core.accounts.projectsOf(principal);
				const matching = projectIds ? all.filter((p) => projectIds.has(p.projectId)) : all;
				const page = matching.slice(start, end).map(licenseOf);
				return ok({ licenses: page, start, end: start + page.length, total: matching.length });
			},
		},
	];
}

/** A repeated parameter under the spec's array rules for it: at most `maxItems` values, each once (uniqueItems). */
function distinctValues(query: Query, name: string, maxItems: number): Set<string> | undefined {
	const values = multi(query, name);
	if (values === undefined) return undefined;
	if (values.length > maxItems) throw badRequest(`${name} takes at most ${maxItems} values (got ${values.length}).`, { field: name });
	const distinct = new Set<string>();
	for (const value of values) {
		if (distinct.has(value)) throw badRequest(`${name} gives "${value}" twice: each value may be given once.`, { field: name });
		distinct.add(value);
	}
	return distinct;
}
