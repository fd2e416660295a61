/**
 * n8n's editor in a real browser: Debian's Chromium (`apt-get install chromium`), headless,
 * driven by playwright-core. It logs in as a user would and reads what the editor shows of a
 * node's error in an execution, with a screenshot for a person to look at.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';

import { chromium, type BrowserContext, type Page } from 'playwright-core';

import { CACHE_DIR } from '../../../scripts/n8n/paths';
import type { Owner } from '../../../scripts/n8n/rest';

/** Debian's Chromium; CHROMIUM_PATH points elsewhere. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Screenshots go to the git-ignored cache folder, next to the n8n instances. */
export const SCREENSHOTS_DIR = join(CACHE_DIR, 'screenshots');

/** Offline and quiet: no first-run pages, no background updates, no sync. */
const CHROMIUM_FLAGS = [
	'--headless',
	'--no-sandbox',
	'--disable-gpu',
	'--disable-quic',
	'--no-first-run',
	'--disable-background-networking',
	'--disable-component-update',
	'--disable-sync',
];

/** What the editor shows of a node's error: the message, the description's text and its list items. */
export interface ShownError {
	message: string;
	description: string;
	/** The description's list items, one problem each. */
	items: string[];
	screenshot: string;
}

export class Editor {
	private constructor(
		private readonly context: BrowserContext,
		private readonly page: Page,
		private readonly profileDir: string,
		readonly url: string,
	) {}

	/** Starts Chromium with a fresh profile and logs in through n8n's sign-in page. */
	static async open(url: string, owner: Owner): Promise<Editor> {
		mkdirSync(SCREENSHOTS_DIR, { recursive: true });
		const profileDir = mkdtempSync(join(CACHE_DIR, 'chromium-profile-'));
		const context = await chromium.launchPersistentContext(profileDir, {
			executablePath: CHROMIUM,
			headless: true,
			args: CHROMIUM_FLAGS,
			viewport: { width: 1440, height: 900 },
		});
		const page = context.pages()[0] ?? (await context.newPage());
		page.setDefaultTimeout(90_000); // a busy two-core machine renders n8n's editor slowly
		const editor = new Editor(context, page, profileDir, url);
		await page.goto(`${url}/signin`);
		await page.fill('input[name=emailOrLdapLoginId]', owner.email);
		await page.fill('input[name=password]', owner.password);
		await page.click('[data-test-id=form-submit-button]');
		await page.waitForURL((address) => !address.pathname.startsWith('/signin'));
		return editor;
	}

	/**
	 * Opens an execution of a workflow, then the node's details (as a double click on it does),
	 * and reads the error shown in its output panel.
	 */
	async nodeErrorInExecution(workflowId: string, executionId: string | number, nodeName: string, screenshotName: string): Promise<ShownError> {
		const { page } = this;
		await page.goto(`${this.url}/workflow/${workflowId}/executions/${executionId}`);
		const node = page.locator(`[data-test-id=canvas-node][data-node-name="${nodeName}"]`);
		await node.dblclick();
		const description = page.locator('[data-test-id=node-error-description]');
		await description.waitFor();
		const screenshot = join(SCREENSHOTS_DIR, `${screenshotName}.png`);
		await page.screenshot({ path: screenshot });
		return {
			message: (await page.locator('[data-test-id=node-error-message]').innerText()).trim(),
			description: (await description.innerText()).trim(),
			items: (await description.locator('li').allInnerTexts()).map((item) => item.trim()),
			screenshot,
		};
	}

	async close(): Promise<void> {
		await this.context.close();
		rmSync(this.profileDir, { recursive: true, force: true });
	}
}
