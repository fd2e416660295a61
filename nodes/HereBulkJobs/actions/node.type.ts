import type { AllEntities } from 'n8n-workflow';

/** Resource → operation values. They are saved in users' workflows: never rename one. */
type NodeMap = {
	bulkJob: 'create' | 'getAll' | 'getStatus' | 'getResults' | 'cancel' | 'acknowledge' | 'waitForCompletion';
	device: 'getAll' | 'sync';
};

export type HereBulkJobsType = AllEntities<NodeMap>;
