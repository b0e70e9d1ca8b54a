/**
 * A large CSV file of demand lines for the streaming run, written to disk in slices (never the
 * whole file in memory): document order, every one of `distinct` item-location-days at least once,
 * the other lines repeating random ones.
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';

import { mulberry32 } from '../../sandbox/faults';
import { DEMAND_HEADER, demandCsvLine, documentOrderKeys, yearDayTexts } from './data';

/** Lines joined per write: enough that writing is not the bottleneck, small next to memory. */
const LINES_PER_WRITE = 20_000;

/**
 * Writes the file and returns its size in bytes. `onLine` sees each data line as written (the e2e test
 * sums the quantities from it to check what was stored).
 */
export async function writeDemandCsvFile(
	path: string,
	lines: number,
	distinct: number,
	onLine?: (line: string) => void,
): Promise<number> {
	const keys = documentOrderKeys(lines, distinct, 10);
	const random = mulberry32(11);
	const dayTexts = yearDayTexts();
	const file = createWriteStream(path);
	let bytes = 0;
	const write = async (text: string) => {
		bytes += Buffer.byteLength(text);
		if (!file.write(text)) await once(file, 'drain');
	};
	await write(`${DEMAND_HEADER.join(',')}\n`);
	for (let start = 0; start < lines; start += LINES_PER_WRITE) {
		let text = '';
		const end = Math.min(lines, start + LINES_PER_WRITE);
		for (let line = start; line < end; line++) {
			const csvLine = demandCsvLine(keys[line], dayTexts, random);
			onLine?.(csvLine);
			text += csvLine;
		}
		await write(text);
	}
	file.end();
	await once(file, 'finish');
	return bytes;
}
