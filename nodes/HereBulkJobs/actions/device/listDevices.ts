import type { Scope } from '../../jobs/api';
import type { HereContext, HereRequestOptions } from '../../transport';
import { DEVICE_PAGES, herePages } from '../../transport';
import type { ListedDevice } from './wire';

/** The project's devices, page by page (100 a page, HERE's most). */
export function listDevicePages(
	context: HereContext,
	scope: Scope,
	options: HereRequestOptions & { maxItems?: number } = {},
): AsyncGenerator<ListedDevice[]> {
	return herePages<ListedDevice>(
		context,
		{ method: 'GET', path: '/users/v2/devices', projectId: scope.projectId, action: 'List the devices of the project', itemIndex: scope.itemIndex },
		{ ...options, shape: DEVICE_PAGES },
	);
}
