import type { EmulatorCore } from '../core';
import { badRequest } from '../errors';
import { integer, multi, ok, type Route } from '../http';
import type { Project } from '../projects';
import { tooLong } from '../validation';

const PROJECT_TYPES = ['indoor', 'tracking', 'trackingAzure', 'lastmile'] as const;

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
				const projectIds = multi(req.query, 'projectIds');
				if (projectIds && (projectIds.length > 20 || projectIds.some((id) => tooLong(id, 50)))) {
					throw badRequest('projectIds takes at most 20 ids of 1-50 characters.', { field: 'projectIds' });
				}
				const projectTypes = multi(req.query, 'projectTypes');
				if (projectTypes?.some((t) => !(PROJECT_TYPES as readonly string[]).includes(t))) {
					throw badRequest(`projectTypes must be among ${PROJECT_TYPES.join(', ')}.`, { field: 'projectTypes' });
				}
				// Every emulated project is a tracking project.
				const all = projectTypes && !projectTypes.includes('tracking') ? [] : core.accounts.projectsOf(principal);
				const matching = projectIds ? all.filter((p) => projectIds.includes(p.projectId)) : all;
				const page = matching.slice(start, end).map(licenseOf);
				return ok({ licenses: page, start, end: start + page.length, total: matching.length });
			},
		},
	];
}
