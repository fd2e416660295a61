/** Wire and domain types shared by the emulator's modules. */

export const JOB_STATUSES = ['pending', 'ongoing', 'completed', 'failed', 'cancelled', 'acknowledged'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];
export const TERMINAL_STATUSES: ReadonlySet<JobStatus> = new Set(['completed', 'failed', 'cancelled', 'acknowledged']);
export const JOB_TYPES = ['create', 'delete'] as const;
export type JobType = (typeof JOB_TYPES)[number];

export type FaultKind = '429' | '429-no-retry-after' | '500' | '502' | '503' | 'slow' | 'drop' | 'malformed-json';
export const FAULT_KINDS: readonly FaultKind[] = ['429', '429-no-retry-after', '500', '502', '503', 'slow', 'drop', 'malformed-json'];

/** One validated add-device row (JSON object or CSV row). */
export interface AddRow {
	kind: 'add';
	name: string;
	deviceId?: string;
	externalId?: string;
	externalDeviceId?: string;
	connectorId?: string;
	sendMs?: number;
	sampleMs?: number;
	distanceM?: number;
	areaBased?: boolean;
	type?: string;
	tags?: string[];
	rules?: string[];
	geofences?: string[];
}

/** One validated delete-device row. */
export interface DeleteRow {
	kind: 'delete';
	trackingId?: string;
	externalId?: string;
	externalDeviceId?: string;
	connectorId?: string;
	unclaimOnly: boolean;
	removeFromConnectorOnly: boolean;
}

export type DeviceRow = AddRow | DeleteRow;

export interface ResultError {
	code: number;
	message: string;
	details: string;
}

/** A results row as the API returns it. */
export interface ResultItem {
	name?: string;
	deviceId?: string;
	deviceSecret?: string;
	externalId?: string;
	externalDeviceId?: string;
	connectorId?: string;
	trackingId?: string;
	errors?: ResultError[];
}

/** The rates a bulk add row sets; listed as `shadow.desired.system.rate`. */
export interface DeviceRate {
	sendMs?: number;
	sampleMs?: number;
	distanceM?: number;
}

/** A device in a project's registry. */
export interface Device {
	name: string;
	trackingId: string;
	/** Emulator-clock milliseconds when its bulk row succeeded (the desired shadow's timestamp). */
	addedAt: number;
	deviceId?: string;
	externalId?: string;
	externalDeviceId?: string;
	connectorId?: string;
	type?: string;
	tags?: string[];
	/** Only when the add row gave at least one rate: no rate, no shadow. */
	rate?: DeviceRate;
}

export type DeviceSnapshot = Readonly<Device>;

/** What `jobs()` and `GET /_emulator/state` show about a job. */
export interface JobSnapshot {
	id: string;
	/** Same as `id`, under the wire's name. */
	jobId: string;
	projectId: string;
	type: JobType;
	status: JobStatus;
	fileName?: string;
	/** Devices in the upload. */
	total: number;
	rows: number;
	processed: number;
	results: number;
	succeeded: number;
	failed: number;
	partiallySucceeded: number;
	/** Emulator-clock milliseconds. */
	createdAt: number;
	updatedAt: number;
}

export type Query = Record<string, string | string[]>;

export interface RequestLogEntry {
	method: string;
	path: string;
	query: Query;
	status: number | 'dropped';
	requestId?: string;
	fault?: FaultKind;
	/** Emulator-clock milliseconds at arrival. */
	at: number;
}

/** `GET .../{jobId}/status` */
export interface StatusBody {
	status: JobStatus;
	progress: number;
	total: number;
	succeeded: number;
	failed: number;
	partiallySucceeded: number;
	pending: number;
	fileName?: string;
	type: JobType;
}

/** `GET .../{jobId}/results` */
export interface ResultsBody {
	status: JobStatus;
	type: JobType;
	limit: number;
	count: number;
	items: ResultItem[];
	nextPageToken?: string;
}

/** `GET /bulkjobs/v4/deviceUploads` */
export interface ListBody {
	count: number;
	limit: number;
	items: Array<{ jobId: string; status: JobStatus; type: JobType }>;
	nextPageToken?: string;
}

/** One device of `GET /users/v2/devices`. */
export interface DeviceListItem {
	trackingId: string;
	appId?: string;
	externalId?: string;
	shadow?: {
		desired: { timestamp: string; system: { rate: DeviceRate; stateVersion: number; lastModifiedGeofenceTimestamp: string } };
		reported: Record<string, never>;
	};
}

/** `GET /users/v2/devices`: the next page's token comes back as `pageToken`. */
export interface DeviceListBody {
	count: number;
	pageToken?: string;
	data: DeviceListItem[];
}
