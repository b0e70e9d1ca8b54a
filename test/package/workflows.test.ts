/**
 * The GitHub Actions workflows cannot run here, so this parses them and checks what matters: CI runs
 * .ci/run; a version tag runs that same CI job and only then publishes to npm with provenance.
 */
import { spawnSync } from 'node:child_process';
import { parseDocument } from 'yaml';

import { ROOT, manifest, readText } from './packageFiles';

interface Step {
	name?: string;
	uses?: string;
	run?: string;
	with?: Record<string, unknown>;
	env?: Record<string, string>;
}

interface Job {
	'runs-on'?: string;
	container?: string;
	needs?: string | string[];
	uses?: string;
	permissions?: Record<string, string>;
	steps?: Step[];
}

interface Workflow {
	on: Record<string, unknown>;
	permissions?: Record<string, string>;
	jobs: Record<string, Job>;
}

function readWorkflow(file: string): Workflow {
	const document = parseDocument(readText(`.github/workflows/${file}`));
	expect(document.errors).toEqual([]);
	expect(document.warnings).toEqual([]);
	return document.toJS() as Workflow;
}

const runs = (job: Job): string[] => (job.steps ?? []).flatMap((step) => step.run ?? []);
const needs = (job: Job): string[] => [job.needs ?? []].flat();

/** GitHub's tag filter: `*` matches any run of characters except "/", `.` is literal. */
function tagFilterMatches(pattern: string, tag: string): boolean {
	const source = pattern
		.split('*')
		.map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
		.join('[^/]*');
	return new RegExp(`^${source}$`).test(tag);
}

const ci = readWorkflow('ci.yml');
const release = readWorkflow('release.yml');

describe('CI workflow', () => {
	it('runs .ci/run on pushes to main and pull requests, and for the release workflow', () => {
		expect(Object.keys(ci.on).sort()).toEqual(['pull_request', 'push', 'workflow_call']);
		expect(ci.on.push).toEqual({ branches: ['main'] });
		expect(ci.permissions).toEqual({ contents: 'read' });
		const jobs = Object.values(ci.jobs);
		expect(jobs).toHaveLength(1);
		expect(runs(jobs[0])).toEqual(['bash .ci/run']);
		// .ci/run installs Debian's chromium with apt-get for the e2e: Debian, as root.
		expect(jobs[0].container).toMatch(/^node:20-bookworm$/);
	});

	it('.ci/run runs every check, in order, with npm scripts that exist', () => {
		const commands = readText('.ci/run')
			.split('\n')
			.filter((line) => /^npm /.test(line));
		expect(commands).toEqual([
			'npm ci --no-audit --no-fund',
			'npm run format:check',
			'npm run lint',
			'npm run typecheck',
			'npm run build',
			'npm run verify',
			'npm test',
			'npm run test:e2e',
			'npm run test:queue',
		]);
		const scripts = Object.keys(manifest.scripts);
		for (const command of commands) {
			const script = /^npm run (\S+)/.exec(command)?.[1];
			if (script) expect(scripts).toContain(script);
		}
	});
});

describe('release workflow', () => {
	const jobs = Object.entries(release.jobs);
	const [publishName, publish] = jobs.find(([, job]) =>
		runs(job).some((run) => run.startsWith('npm publish')),
	) ?? ['', {}];

	it('runs on version tags (v1.2.3) only', () => {
		expect(release.on).toEqual({ push: { tags: ['v*.*.*'] } });
		const [pattern] = (release.on.push as { tags: string[] }).tags;
		expect(tagFilterMatches(pattern, `v${manifest.version}`)).toBe(true);
		expect(tagFilterMatches(pattern, 'v1.20.3-rc.1')).toBe(true);
		expect(tagFilterMatches(pattern, '1.2.3')).toBe(false);
		expect(tagFilterMatches(pattern, 'v1.2')).toBe(false);
	});

	it('publishes with provenance, with the token from a secret, allowed to sign and nothing more', () => {
		expect(publishName).not.toBe('');
		expect(runs(publish)).toContain('npm publish --provenance --access public');
		const publishStep = (publish.steps ?? []).find((s) => s.run?.startsWith('npm publish'));
		expect(publishStep?.env).toEqual({ NODE_AUTH_TOKEN: '${{ secrets.NPM_TOKEN }}' });
		const setupNode = (publish.steps ?? []).find((s) => s.uses?.startsWith('actions/setup-node'));
		expect(setupNode?.with?.['registry-url']).toBe('https://registry.npmjs.org');
		expect(release.permissions).toEqual({ contents: 'read' });
		expect(publish.permissions).toEqual({ contents: 'read', 'id-token': 'write' });
		for (const [name, job] of jobs)
			if (name !== publishName) expect(job.permissions?.['id-token']).toBeUndefined();
	});

	it('publishes only after the CI job (.ci/run) passed, and scans what it publishes', () => {
		const checks = jobs.filter(([, job]) => job.uses === './.github/workflows/ci.yml');
		expect(checks).toHaveLength(1);
		expect(needs(publish)).toContain(checks[0][0]);
		expect(runs(publish)).toEqual([
			'npm ci',
			'npm run verify',
			'npm publish --provenance --access public',
		]);
	});

	it('first checks that the tag, package.json and CHANGELOG.md name the same version', () => {
		const [versionName, versionJob] = jobs.find(([, job]) =>
			runs(job).some((run) => run.includes('GITHUB_REF_NAME')),
		) ?? ['', {}];
		expect(versionName).not.toBe('');
		for (const [name, job] of jobs)
			if (name !== versionName) expect(needs(job)).toContain(versionName);
		const script = runs(versionJob).join('\n');
		const runFor = (tag: string) =>
			spawnSync('bash', ['-euo', 'pipefail', '-c', script], {
				cwd: ROOT,
				env: { ...process.env, GITHUB_REF_NAME: tag },
				encoding: 'utf8',
			});
		expect(runFor(`v${manifest.version}`).status).toBe(0);
		const wrongTag = runFor('v99.0.0');
		expect(wrongTag.status).toBe(1);
		expect(wrongTag.stdout).toContain(`does not match package.json's version ${manifest.version}`);
	});
});
