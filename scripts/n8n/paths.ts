import { resolve } from 'node:path';

/** The repository root (scripts/n8n/ is two levels below it). */
export const REPO_ROOT = resolve(__dirname, '..', '..');

/**
 * Where Node 24, the n8n installs, packed tarballs and n8n user folders live: git-ignored, reused
 * across runs. `N8N_E2E_CACHE` moves it (e.g. to a disk shared by several clones).
 */
export const CACHE_DIR = resolve(process.env.N8N_E2E_CACHE ?? resolve(REPO_ROOT, '.n8n-e2e'));
