/**
 * What validating every row costs: the node's zod schema (zod 3 API, what `require('zod')` gives inside
 * n8n), the same rules written with the zod 4 API (`zod/v4`, shipped inside the same zod 3.25 package),
 * and the compiled predicate the node runs first (zod then only explains the rows it rejects).
 */
import { z as z4 } from 'zod/v4';

import { isIsoDay } from '../../nodes/Paqtana/helpers/calendar';
import { compileRowCheck, rowSchema } from '../../nodes/Paqtana/helpers/validation';
import { type WireField } from '../../nodes/Paqtana/helpers/wireFormat';
import { median } from './stats';

/** `rowSchema`'s rules, field by field, in zod 4. Checked against `rowSchema` on every benchmarked row. */
function rowSchemaZod4(fields: readonly WireField[]) {
	const shape: Record<string, z4.ZodType> = {};
	for (const field of fields) {
		let schema: z4.ZodType;
		if (field.kind === 'number') {
			schema = z4.number({ message: 'must be a number' });
		} else {
			let text = z4.string({ message: 'must be text' }).min(1, { message: 'must not be empty' });
			if (field.maxLength !== undefined)
				text = text.max(field.maxLength, {
					message: `must be at most ${field.maxLength} characters`,
				});
			schema =
				field.kind === 'date'
					? text.refine(isIsoDay, { message: 'must be a calendar day (YYYY-MM-DD) that exists' })
					: text;
		}
		shape[field.id] = field.required ? schema : schema.optional();
	}
	return z4.object(shape).catchall(z4.unknown());
}

export interface ValidationTimes {
	rows: number;
	zod3Ms: number;
	zod4Ms: number;
	compiledMs: number;
	/** Explaining rejected rows (the error report path), per rejected row. */
	zod3ExplainUsPerRow: number;
	zod4ExplainUsPerRow: number;
}

type Row = Record<string, unknown>;

/** Times `check` on every row; it must hold for all of them (so no validator is timed on the wrong verdicts). */
function timeAll<T>(rows: readonly T[], check: (row: T) => boolean): number {
	const started = performance.now();
	let held = 0;
	for (const row of rows) if (check(row)) held++;
	const elapsed = performance.now() - started;
	if (held !== rows.length)
		throw new Error(`the check failed on ${rows.length - held} of ${rows.length} rows`);
	return elapsed;
}

/** Rows that break one rule each, for the error-report path. */
function brokenRows(valid: readonly Row[], count: number): Row[] {
	const breakages: Array<(row: Row) => Row> = [
		(row) => ({ ...row, quantity: 'twelve' }),
		(row) => ({ ...row, date: '2025-02-30' }),
		(row) => ({ ...row, code: '' }),
		(row) => {
			const copy = { ...row };
			delete copy.location;
			return copy;
		},
	];
	return Array.from({ length: count }, (_, i) =>
		breakages[i % breakages.length](valid[i % valid.length]),
	);
}

export function measureValidation(
	fields: readonly WireField[],
	rows: readonly Row[],
	runs: number,
): ValidationTimes {
	const zod3 = rowSchema(fields);
	const zod4 = rowSchemaZod4(fields);
	const compiled = compileRowCheck(fields);
	const broken = brokenRows(rows, Math.min(rows.length, 20_000));
	// The compiled check reads a row's values in field order, as the node holds them while preparing.
	const valuesOf = (row: Row) => fields.map((field) => row[field.id]);
	const rowValues = rows.map(valuesOf);
	for (const row of broken) {
		const verdicts = [
			zod3.safeParse(row).success,
			zod4.safeParse(row).success,
			compiled(valuesOf(row), 0),
		];
		if (verdicts.some((verdict) => verdict))
			throw new Error(`a broken row passed validation: ${JSON.stringify(row)}`);
	}
	const samples = {
		zod3: [] as number[],
		zod4: [] as number[],
		compiled: [] as number[],
		zod3Explain: [] as number[],
		zod4Explain: [] as number[],
	};
	for (let run = 0; run < runs; run++) {
		samples.zod3.push(timeAll(rows, (row) => zod3.safeParse(row).success));
		samples.zod4.push(timeAll(rows, (row) => zod4.safeParse(row).success));
		samples.compiled.push(timeAll(rowValues, (values) => compiled(values, 0)));
		samples.zod3Explain.push(
			timeAll(broken, (row) => zod3.safeParse(row).error?.issues[0]?.message !== undefined),
		);
		samples.zod4Explain.push(
			timeAll(broken, (row) => zod4.safeParse(row).error?.issues[0]?.message !== undefined),
		);
	}
	return {
		rows: rows.length,
		zod3Ms: median(samples.zod3),
		zod4Ms: median(samples.zod4),
		compiledMs: median(samples.compiled),
		zod3ExplainUsPerRow: (median(samples.zod3Explain) * 1000) / broken.length,
		zod4ExplainUsPerRow: (median(samples.zod4Explain) * 1000) / broken.length,
	};
}
