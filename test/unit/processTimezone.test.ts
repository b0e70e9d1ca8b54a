/**
 * A database DATE arrives as a JS Date at midnight of the time zone n8n's process runs in (node-postgres
 * builds it with the local calendar), which need not be n8n's own time zone setting. The process zone
 * cannot change inside a jest worker, so the date rules run in a child process with TZ set.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import ts from 'typescript';

const HELPERS = join(__dirname, '../../nodes/Paqtana/helpers');

/** normalise.ts and what it imports, compiled to CommonJS in a temporary folder. */
function compiledHelpers(): string {
	const folder = mkdtempSync(join(tmpdir(), 'paqtana-tz-'));
	for (const name of ['normalise', 'calendar']) {
		const source = readFileSync(join(HELPERS, `${name}.ts`), 'utf8');
		const { outputText } = ts.transpileModule(source, {
			compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 },
		});
		writeFileSync(join(folder, `${name}.js`), outputText);
	}
	return folder;
}

/** The day the node reads from `new Date(y, m, d)` built in `processZone`, with n8n set to `instanceZone`. */
function dayOfLocalMidnight(processZone: string, instanceZone: string, folder: string): string {
	const script = `
		const { toDay } = require(${JSON.stringify(join(folder, 'normalise.js'))});
		const date = new Date(2026, 10, 27); // what node-postgres gives for DATE '2026-11-27'
		process.stdout.write(String(toDay(date, {
			dateOrder: 'yearFirst', earliestYear: 1970, latestYear: 2100,
			timezone: ${JSON.stringify(instanceZone)}, currentYear: 2026,
		})) + ' ' + date.toISOString());`;
	return execFileSync(process.execPath, ['-e', script], {
		env: { ...process.env, TZ: processZone },
		encoding: 'utf8',
	});
}

describe('a JS Date at midnight of the process time zone keeps its calendar day', () => {
	let folder: string;
	beforeAll(() => (folder = compiledHelpers()));
	afterAll(() => rmSync(folder, { recursive: true, force: true }));

	it.each([
		['Europe/Berlin', 'America/New_York', '2026-11-26T23:00:00.000Z'],
		['Europe/Berlin', 'UTC', '2026-11-26T23:00:00.000Z'],
		['Asia/Tokyo', 'America/New_York', '2026-11-26T15:00:00.000Z'],
		['America/New_York', 'Europe/Berlin', '2026-11-27T05:00:00.000Z'],
	])('process in %s, n8n set to %s (the Date is %s)', (processZone, instanceZone, instant) => {
		expect(dayOfLocalMidnight(processZone, instanceZone, folder)).toBe(`2026-11-27 ${instant}`);
	});
});
