import type { DeviceRow, RowIssue, RowLabel } from '../../../devices';
import { chunkForUpload } from '../../../devices';
import type { DeviceBlock } from './deviceSource';
import { chunkFileName, combinedFileName } from './fileName';

/**
 * From validated sources to the list of uploads: which devices go into which job, under which
 * file name, and which invalid rows (when skipped) each job reports. Pure code, no requests.
 */

/** A valid device and where it came from: the input item and the row as the user counts it. */
export interface LocatedDevice {
	item: number;
	row: number;
	device: DeviceRow;
}

/** An issue and the input item whose CSV/JSON it is in (for Input Items, the row is the item). */
export interface LocatedIssue {
	item: number;
	issue: RowIssue;
}

export interface PlannedJob {
	/** 0-based position among all jobs of this run. */
	index: number;
	/** 1-based part of its upload and how many parts the upload has (one upload per item with One Job per Input Item). */
	part: number;
	parts: number;
	fileName: string;
	label: RowLabel;
	devices: LocatedDevice[];
	/** Skipped invalid rows reported with this job (Skip Invalid Rows). */
	invalid: LocatedIssue[];
	/** Input items that contributed devices or invalid rows (the output's pairedItem). */
	items: number[];
}

/** Input items whose rows were all invalid, with One Job per Input Item: they make no job. */
export interface UnsentItem {
	item: number;
	label: RowLabel;
	invalid: LocatedIssue[];
}

export interface UploadPlan {
	jobs: PlannedJob[];
	unsent: UnsentItem[];
	/** Whether rows are counted per input item (CSV, JSON): then row numbers need the item to be unique. */
	rowsPerItem: boolean;
	/** Whether the devices came from more than one input item's CSV or JSON. */
	severalSources: boolean;
}

export interface PlanSettings {
	chunkSize: number;
	jobPerItem: boolean;
	/** The user's File Name option for item `item`, or '' for the default. */
	fileNameFor: (item: number) => string;
	/** devices.csv / devices.json when there is no binary file name. */
	defaultFileName: string;
}

/** Orders positions as the input reads: by item, then by row (whole-input issues first). */
function position(item: number, issue: RowIssue | undefined, row?: number): [number, number] {
	if (issue !== undefined) return [item, issue.whole === true ? -1 : issue.row];
	return [item, row ?? 0];
}

function before(a: [number, number], b: [number, number]): boolean {
	return a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]);
}

/**
 * The valid devices of a source. A row with any issue is left out, including issues the source
 * found before validation (a CSV cell such as `tag:x` = "yes", an unknown item field): those rows
 * can pass validation without the bad value, and must not be uploaded half.
 */
export function locatedDevices(block: DeviceBlock): LocatedDevice[] {
	const badRows = new Set<number>();
	for (const issue of block.prepared.issues) if (issue.whole !== true) badRows.add(issue.row);
	const { devices, rows } = block.prepared;
	const out: LocatedDevice[] = [];
	for (let i = 0; i < devices.length; i++) {
		const row = rows[i];
		if (!badRows.has(row)) out.push({ item: block.itemIndex ?? row, row, device: devices[i] });
	}
	return out;
}

export function locatedIssues(block: DeviceBlock): LocatedIssue[] {
	return block.prepared.issues.map((issue) => ({
		item: block.itemIndex ?? (issue.whole === true ? 0 : issue.row),
		issue,
	}));
}

/** The first job whose last device is at or after `at`, else the last job: a binary search, as jobs are in input order. */
function jobAt(jobs: PlannedJob[], at: [number, number]): PlannedJob {
	let low = 0;
	let high = jobs.length - 1;
	while (low < high) {
		const middle = Math.floor((low + high) / 2);
		const last = jobs[middle].devices[jobs[middle].devices.length - 1];
		if (before(position(last.item, undefined, last.row), at)) low = middle + 1;
		else high = middle;
	}
	return jobs[low];
}

interface Upload {
	devices: LocatedDevice[];
	issues: LocatedIssue[];
	fileNames: string[];
	firstItem: number;
}

function uploadsOf(blocks: DeviceBlock[], jobPerItem: boolean): Upload[] {
	const uploads = new Map<number, Upload>();
	const uploadFor = (item: number): Upload => {
		const key = jobPerItem ? item : 0;
		let upload = uploads.get(key);
		if (upload === undefined) {
			upload = { devices: [], issues: [], fileNames: [], firstItem: item };
			uploads.set(key, upload);
		}
		return upload;
	};
	for (const block of blocks) {
		if (block.itemIndex !== undefined) {
			const upload = uploadFor(block.itemIndex);
			if (block.fileName) upload.fileNames.push(block.fileName);
		}
		for (const device of locatedDevices(block)) uploadFor(device.item).devices.push(device);
		for (const issue of locatedIssues(block)) uploadFor(issue.item).issues.push(issue);
	}
	return [...uploads.values()].sort((a, b) => a.firstItem - b.firstItem);
}

/**
 * Splits the valid devices into jobs of at most `chunkSize` (and 10 MiB): one upload for all input items, or
 * one per item with One Job per Input Item. Each skipped invalid row is reported with the job
 * whose rows it lies among (or the next one; the last one after the end).
 */
export function planUploads(blocks: DeviceBlock[], settings: PlanSettings): UploadPlan {
	const label = blocks[0]?.prepared.label ?? 'row';
	const rowsPerItem = blocks.some((block) => block.itemIndex !== undefined);
	const severalSources = rowsPerItem && blocks.length > 1;
	const jobs: PlannedJob[] = [];
	const unsent: UnsentItem[] = [];

	for (const upload of uploadsOf(blocks, settings.jobPerItem)) {
		if (upload.devices.length === 0) {
			if (upload.issues.length > 0) unsent.push({ item: upload.firstItem, label, invalid: upload.issues });
			continue;
		}
		const chunks = chunkForUpload(upload.devices, settings.chunkSize, (located) => located.device);
		const base =
			settings.fileNameFor(upload.firstItem).trim() || combinedFileName(upload.fileNames) || settings.defaultFileName;
		const planned = chunks.map(
			(devices, index): PlannedJob => ({
				index: jobs.length + index,
				part: index + 1,
				parts: chunks.length,
				fileName: chunkFileName(base, index + 1, chunks.length, settings.defaultFileName),
				label,
				devices,
				invalid: [],
				items: [],
			}),
		);
		for (const located of upload.issues) jobAt(planned, position(located.item, located.issue)).invalid.push(located);
		for (const job of planned) {
			const items = new Set<number>();
			for (const device of job.devices) items.add(device.item);
			for (const located of job.invalid) items.add(located.item);
			job.items = [...items].sort((a, b) => a - b);
			jobs.push(job);
		}
	}
	return { jobs, unsent, rowsPerItem, severalSources };
}
