/**
 * Whether a row may be sent: the zod schema (the authority, and the explanation of a rejected row) and a
 * compiled check with the same rules for the common valid case.
 */
import { z } from 'zod';

import { isIsoDay } from './calendar';
import type { WireField } from './wireFormat';

function fieldSchema(field: WireField): z.ZodTypeAny {
	let schema: z.ZodTypeAny;
	if (field.kind === 'number') {
		schema = z
			.number({ message: 'must be a number' })
			.finite({ message: 'must be a finite number' });
	} else {
		let text = z.string({ message: 'must be text' }).min(1, { message: 'must not be empty' });
		if (field.maxLength !== undefined) {
			text = text.max(field.maxLength, {
				message: `must be at most ${field.maxLength} characters`,
			});
		}
		schema =
			field.kind === 'date'
				? text.refine(isIsoDay, { message: 'must be a calendar day (YYYY-MM-DD) that exists' })
				: text;
	}
	return field.required ? schema : schema.optional();
}

/**
 * The zod schema of one wire row. It is the authority on validity: a row is sent only if it passes.
 * Other mapped properties (master inventory's pass-through columns) are allowed and sent unchanged.
 */
export function rowSchema(fields: readonly WireField[]) {
	const shape: Record<string, z.ZodTypeAny> = {};
	for (const field of fields) shape[field.id] = fieldSchema(field);
	return z.object(shape).catchall(z.unknown());
}

/**
 * The same rules as `rowSchema`, as a plain predicate over a row's values in field order (from `offset`), for the common
 * valid case (zod runs only for rows that fail it, to explain why). A unit test proves both agree on
 * generated rows. It runs for every row, so it is one loop over plain arrays rather than a closure per field.
 */
export function compileRowCheck(
	fields: readonly WireField[],
): (values: ArrayLike<unknown>, offset: number) => boolean {
	const kinds = fields.map((field) => field.kind);
	const required = fields.map((field) => field.required);
	const maxLengths = fields.map((field) => field.maxLength ?? Infinity);
	return (values, offset) => {
		for (let i = 0; i < kinds.length; i++) {
			const value = values[offset + i];
			if (value === undefined) {
				if (required[i]) return false;
				continue;
			}
			const kind = kinds[i];
			if (kind === 'number') {
				if (typeof value !== 'number' || !Number.isFinite(value)) return false;
			} else if (
				typeof value !== 'string' ||
				(kind === 'date' ? !isIsoDay(value) : value.length === 0 || value.length > maxLengths[i])
			) {
				return false;
			}
		}
		return true;
	};
}
