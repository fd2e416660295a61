import { createHash } from 'node:crypto';
import { DeviceRegistry } from './registry';

export interface Project {
	projectId: string;
	projectName: string;
	projectHrn: string;
	/** Licenses carry an app id (minLength 8); derived from the project id so it is stable. */
	appId: string;
	realm: string;
	devices: DeviceRegistry;
}

export interface ProjectInput {
	projectId: string;
	projectName?: string;
	projectHrn?: string;
}

/** Every project the emulator knows, shared by all users who are members of it. */
export class ProjectStore {
	private readonly byId = new Map<string, Project>();
	private readonly byHrn = new Map<string, Project>();

	/** Creates the project, or returns the existing one (several users can share a project). */
	ensure(input: ProjectInput, realm: string): Project {
		const existing = this.byId.get(input.projectId);
		if (existing) return existing;
		if (input.projectId.length < 1 || input.projectId.length > 50) throw new RangeError('projectId must be 1-50 characters');
		const project: Project = {
			projectId: input.projectId,
			projectName: (input.projectName ?? input.projectId).slice(0, 50),
			projectHrn: input.projectHrn ?? `hrn:here:authorization::${realm}:project/${input.projectId}`,
			appId: createHash('sha256').update(input.projectId).digest('base64url').replace(/[-_]/g, 'x').slice(0, 20),
			realm,
			devices: new DeviceRegistry(),
		};
		if (this.byHrn.has(project.projectHrn)) throw new RangeError(`projectHrn ${project.projectHrn} already names another project`);
		this.byId.set(project.projectId, project);
		this.byHrn.set(project.projectHrn, project);
		return project;
	}

	get(projectId: string): Project | undefined {
		return this.byId.get(projectId);
	}

	getByHrn(hrn: string): Project | undefined {
		return this.byHrn.get(hrn);
	}

	all(): Project[] {
		return [...this.byId.values()];
	}

	clear(): void {
		this.byId.clear();
		this.byHrn.clear();
	}
}
