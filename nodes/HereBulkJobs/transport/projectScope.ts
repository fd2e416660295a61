/** The API paths that take a `projectId`: the bulk jobs, and the project's devices (Device resource). */
const PROJECT_SCOPED_PATHS = ['/bulkjobs/v4/deviceUploads', '/users/v2/devices'];

/** Whether a request to `path` (with or without the base URL's prefix) works in a project. */
export function isProjectScoped(path: string): boolean {
	return PROJECT_SCOPED_PATHS.some((scoped) => path.includes(scoped));
}

/** Whether `path` names one bulk job (`/deviceUploads/{jobId}` and below). */
export function isJobPath(path: string): boolean {
	return path.includes('/bulkjobs/v4/deviceUploads/');
}
