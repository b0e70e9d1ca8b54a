/** Valid rows → JSON text, exactly as `JSON.stringify` writes them, without building an object per row. */
import type { PassThrough } from './rowTable';
import type { WireField } from './wireFormat';

/** Whether `text` can go between JSON quotes as it is: no quote, backslash, control character or surrogate (those need `JSON.stringify`'s escaping). */
function isPlainJsonText(text: string): boolean {
	for (let i = 0; i < text.length; i++) {
		const code = text.charCodeAt(i);
		if (code < 0x20 || code === 0x22 || code === 0x5c || (code >= 0xd800 && code <= 0xdfff))
			return false;
	}
	return true;
}

export type RowSerializer = (
	values: ArrayLike<unknown>,
	offset: number,
	extra: PassThrough | undefined,
) => string;

/**
 * Serialises a valid row, given as its values in field order from `offset` (plus pass-through columns), to
 * the exact JSON `JSON.stringify` writes for the same row as an object, without building that object or
 * walking it generically: the fields with a value in wire order, then the pass-through columns.
 */
export function compileRowSerializer(fields: readonly WireField[]): RowSerializer {
	// Each property's opening, for the first property written and for the others; for text that needs no
	// escaping (nearly all), with the opening quote included, so writing a value makes no quoted copy of it.
	const firsts = fields.map((field) => `{${JSON.stringify(field.id)}:`);
	const nexts = fields.map((field) => `,${JSON.stringify(field.id)}:`);
	const firstsQuoted = firsts.map((opening) => opening + '"');
	const nextsQuoted = nexts.map((opening) => opening + '"');
	const isNumber = fields.map((field) => field.kind === 'number');
	// A valid date is `YYYY-MM-DD`: never anything to escape.
	const isDate = fields.map((field) => field.kind === 'date');
	// Rows usually arrive sorted, so a row's leading fields tend to repeat the previous row's (same workspace,
	// location and item, another day): the text written up to each field is kept, and reused while the values
	// are the same, which saves most of the quoting and string building on large inputs.
	// A kept text is a chain of concatenations; the first time it is reused it is flattened, so joining the
	// rows that share it copies it rather than walking the chain again for each of them.
	const previousValues: unknown[] = fields.map(() => undefined);
	const previousTexts: string[] = fields.map(() => '');
	const flattened: boolean[] = fields.map(() => false);
	return (values, offset, extra) => {
		let json = '';
		let samePrefix = true;
		for (let i = 0; i < firsts.length; i++) {
			const value = values[offset + i];
			if (samePrefix && value === previousValues[i]) {
				json = previousTexts[i];
				if (!flattened[i]) {
					json.charCodeAt(0); // V8 flattens a concatenated string in place when it reads a character
					flattened[i] = true;
				}
				continue;
			}
			samePrefix = false;
			// Fields without a value are left out, as JSON leaves out undefined.
			if (value !== undefined) {
				if (isNumber[i]) json = (json === '' ? firsts[i] : json + nexts[i]) + String(value);
				else if (isDate[i] || isPlainJsonText(value as string))
					json = (json === '' ? firstsQuoted[i] : json + nextsQuoted[i]) + (value as string) + '"';
				else json = (json === '' ? firsts[i] : json + nexts[i]) + JSON.stringify(value);
			}
			previousValues[i] = value;
			previousTexts[i] = json;
			flattened[i] = false;
		}
		if (extra !== undefined) json += (json === '' ? '{' : ',') + extra;
		return json === '' ? '{}' : json + '}';
	};
}
