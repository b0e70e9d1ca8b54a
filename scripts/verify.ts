/**
 * n8n's verification scan, run locally and offline (`npm run verify`, which builds first; CI runs it).
 *
 * n8n verifies a community package with `@n8n/scan-community-package`: it lints the source checkout that
 * the package's npm provenance points at (with the scanner's SOURCE_FILE_PATTERNS) and the compiled code
 * of the published tarball. This does both without the registry:
 *   1. `npm pack` of the built working tree; the packed file list must hold only what n8n loads;
 *   2. the tarball unpacked into a temporary folder, scanned with the scanner's default patterns (every
 *      .js, .ts and .json: stricter than the registry leg, which lints only .js and package.json);
 *   3. this checkout, scanned with SOURCE_FILE_PATTERNS.
 * Prints every finding and ends with `verify: N passed, N failed`; exits 1 on any finding.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AnalysisResult } from '@n8n/scan-community-package/scanner/scanner.mjs';

import {
	packRepository,
	packedFileProblems,
	readPackageJson,
	unpackTarball,
} from './e2e/community-package';
import { REPO_ROOT } from './e2e/config';
import { formatMs } from './e2e/proc';

type Scanner = typeof import('@n8n/scan-community-package/scanner/scanner.mjs');

function print(line = ''): void {
	process.stdout.write(`${line}\n`);
}

/**
 * The scanner makes a temporary folder when it is loaded and never removes it: let it make it inside
 * ours. Loading an ES module from this CommonJS build needs Node ≥ 20.19 (require of ES modules).
 */
async function loadScanner(work: string): Promise<Scanner> {
	const saved = process.env.TMPDIR;
	process.env.TMPDIR = work;
	try {
		return await import('@n8n/scan-community-package/scanner/scanner.mjs');
	} finally {
		if (saved === undefined) delete process.env.TMPDIR;
		else process.env.TMPDIR = saved;
	}
}

/** The scanner's findings, with the scanned folder's path left out; empty when the scan passed. */
function scanFindings(result: AnalysisResult, scannedDir: string): string {
	// The scanner passes a folder where its patterns match nothing: here that is a broken setup.
	if (result.message === 'No files found to analyze') return `${result.message} in ${scannedDir}`;
	if (result.passed) return '';
	const details = (result.details ?? '').split(`${scannedDir}/`).join('').trim();
	return [result.message ?? 'the scan failed', details].filter(Boolean).join('\n');
}

async function main(): Promise<number> {
	const started = Date.now();
	let passed = 0;
	let failed = 0;
	const report = (name: string, findings: string): void => {
		if (findings === '') {
			passed++;
			print(`  ✔ ${name}`);
			return;
		}
		failed++;
		print(`  ✘ ${name}`);
		for (const line of findings.split('\n')) print(`      ${line}`);
	};

	print('n8n verification scan (@n8n/scan-community-package), locally and offline');
	const work = mkdtempSync(join(tmpdir(), 'paqtana-verify-'));
	try {
		const packed = await packRepository(join(work, 'pack'));
		const contents = packedFileProblems(packed.files, readPackageJson(), (source) =>
			existsSync(join(REPO_ROOT, source)),
		);
		report(
			`npm pack: ${packed.files.length} files, only what n8n loads (no .d.ts, no .map, no stale build)`,
			contents.join('\n'),
		);

		const unpacked = join(work, 'package');
		await unpackTarball(packed.tarball, unpacked);
		const scanner = await loadScanner(work);
		report(
			'scanner on the unpacked tarball (default patterns: every .js, .ts and .json)',
			scanFindings(await scanner.analyzePackage(unpacked), unpacked),
		);
		report(
			`scanner on the source checkout (SOURCE_FILE_PATTERNS: ${scanner.SOURCE_FILE_PATTERNS.join(', ')})`,
			scanFindings(
				await scanner.analyzePackage(REPO_ROOT, scanner.SOURCE_FILE_PATTERNS),
				REPO_ROOT,
			),
		);
	} finally {
		rmSync(work, { recursive: true, force: true });
	}
	print(`\nverify finished in ${formatMs(Date.now() - started)}`);
	print(`verify: ${passed} passed, ${failed} failed`);
	return failed > 0 ? 1 : 0;
}

main().then(
	(code) => process.exit(code),
	(error: unknown) => {
		process.stderr.write(
			`verify crashed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
		);
		print('verify: 0 passed, 1 failed');
		process.exit(1);
	},
);
