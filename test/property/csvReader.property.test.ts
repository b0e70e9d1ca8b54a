/**
 * The node's own CSV reader against csv-parse, a well-kept parser, over generated files: more
 * than 10,000 in all, pushed in randomly cut chunks.
 *
 * - Well-formed files, generated from records (quotes, every delimiter, embedded CR/LF/CRLF,
 *   `""`, unicode with astral characters, ragged rows, blank lines, mixed line ends, BOMs; UTF-8,
 *   UTF-16LE/BE and Windows-1252): the reader gives the generated records, as csv-parse does,
 *   each with the line counted from the text before it.
 * - Arbitrary text over CSV's special characters: whenever csv-parse (strict) reads it, the
 *   reader gives the same records; where csv-parse refuses it, the reader refuses it for the same
 *   reason. The one deliberate difference: a quote inside an unquoted field is an ordinary
 *   character (csv-parse's `relax_quotes`), so there the reader is compared with that mode.
 * - Files that must be refused: a quote never closed (error on the line it opens), text after a
 *   closing quote (on its line), binary data, no header.
 *
 * Text is decoded for csv-parse with Node's decoders and an independent Windows-1252 table, so
 * the reader's own decoding is checked too.
 */
import { parse } from 'csv-parse/sync';
import fc from 'fast-check';

import {
	CsvFormatError,
	CsvReader,
	type CsvReaderOptions,
} from '../../nodes/Paqtana/helpers/csvReader';

type Delimiter = NonNullable<CsvReaderOptions['delimiter']>;
type Encoding = 'utf-8' | 'utf-8 with BOM' | 'utf-16le' | 'utf-16be' | 'windows-1252';
type Outcome =
	| { records: Array<[line: number, fields: string[]]>; delimiter: string | undefined }
	| { error: CsvFormatError };

const DELIMITERS: readonly Delimiter[] = [',', ';', '\t', '|'];
const LINE_ENDS = ['\n', '\r\n', '\r'];
/** csv-parse reading our semantics: line ends of all kinds, ragged rows, empty lines skipped. */
const CSV_PARSE_OPTIONS = {
	relax_column_count: true,
	skip_empty_lines: true,
	record_delimiter: LINE_ENDS,
};

/** Windows-1252's characters at 0x80–0x9F, written out independently of the reader's table. */
const WINDOWS_1252_HIGH: Record<string, number> = {
	'€': 0x80,
	'‚': 0x82,
	ƒ: 0x83,
	'„': 0x84,
	'…': 0x85,
	'†': 0x86,
	'‡': 0x87,
	ˆ: 0x88,
	'‰': 0x89,
	Š: 0x8a,
	'‹': 0x8b,
	Œ: 0x8c,
	Ž: 0x8e,
	'‘': 0x91,
	'’': 0x92,
	'“': 0x93,
	'”': 0x94,
	'•': 0x95,
	'–': 0x96,
	'—': 0x97,
	'˜': 0x98,
	'™': 0x99,
	š: 0x9a,
	'›': 0x9b,
	œ: 0x9c,
	ž: 0x9e,
	Ÿ: 0x9f,
};

function encodeWindows1252(text: string): Buffer {
	return Buffer.from([...text].map((char) => WINDOWS_1252_HIGH[char] ?? char.charCodeAt(0)));
}

function encode(text: string, encoding: Encoding): Buffer {
	switch (encoding) {
		case 'utf-8':
			return Buffer.from(text, 'utf8');
		case 'utf-8 with BOM':
			return Buffer.from('\ufeff' + text, 'utf8');
		case 'utf-16le':
			return Buffer.from('\ufeff' + text, 'utf16le');
		case 'utf-16be':
			return Buffer.from('\ufeff' + text, 'utf16le').swap16();
		case 'windows-1252':
			return encodeWindows1252(text);
	}
}

/** Reads `bytes` pushed in pieces ending at `cuts` (fractions of the length, any order). */
function readWithReader(bytes: Uint8Array, options: CsvReaderOptions, cuts: number[]): Outcome {
	const records: Array<[number, string[]]> = [];
	const reader = new CsvReader(options, (fields, line) => records.push([line, fields]));
	const ends = [...new Set(cuts.map((cut) => Math.floor(cut * bytes.length)))].sort(
		(a, b) => a - b,
	);
	try {
		let from = 0;
		for (const end of [...ends, bytes.length]) {
			reader.push(bytes.subarray(from, end));
			from = end;
		}
		reader.end();
	} catch (error) {
		if (error instanceof CsvFormatError) return { error };
		throw error;
	}
	return { records, delimiter: reader.delimiter };
}

/** The 1-based line `offset` is on: one more than the line breaks (CRLF, LF, lone CR) before it. */
function lineAt(text: string, offset: number): number {
	return 1 + (text.slice(0, offset).match(/\r\n|\r|\n/g)?.length ?? 0);
}

function csvParse(text: string, options: Record<string, unknown>): string[][] {
	return parse(text, { ...CSV_PARSE_OPTIONS, ...options }) as string[][];
}

type CsvParseOutcome = { records: string[][] } | { code: string; lines: number };

function csvParseOutcome(text: string, options: Record<string, unknown>): CsvParseOutcome {
	try {
		return { records: csvParse(text, options) };
	} catch (error) {
		// Only these two: csv-parse's error also has a `records` count.
		const { code, lines } = error as { code: string; lines: number };
		return { code, lines };
	}
}

const cuts = fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 8 });

// ------------------------------------------------------------------------ well-formed files

/** Characters that stress a CSV reader; the first group is also what Windows-1252 can carry. */
const WINDOWS_1252_CHARS = [
	'a',
	'Z',
	'7',
	' ',
	'-',
	'.',
	'é',
	'ß',
	'ÿ',
	'€',
	'Š',
	'“',
	'”',
	'™',
	'\u00a0',
];
const SPECIAL_CHARS = [',', ';', '\t', '|', '"', '\r', '\n'];
const UNICODE_CHARS = ['😀', '𝄞', '中', '\u2028', '\ufeff', '\ufffd', 'Ω', '\u0301'];

const fieldText = (chars: string[]) =>
	fc.array(fc.constantFrom(...chars), { maxLength: 12 }).map((list) => list.join(''));

interface WellFormed {
	encoding: Encoding;
	delimiter: Delimiter;
	detect: boolean;
	header: string[];
	rows: string[][];
	/** Per record: quote every field that may be written bare? */
	quoteAll: boolean[];
	lineEnds: string[];
	/** Blank lines before each record, and whether the last record has a line end. */
	blankLines: number[];
	finalLineEnd: boolean;
}

const wellFormed: fc.Arbitrary<WellFormed> = fc
	.record({
		encoding: fc.constantFrom<Encoding>(
			'utf-8',
			'utf-8 with BOM',
			'utf-16le',
			'utf-16be',
			'windows-1252',
		),
		delimiter: fc.constantFrom(...DELIMITERS),
		detect: fc.boolean(),
		headerSize: fc.integer({ min: 1, max: 5 }),
		rowCount: fc.integer({ min: 0, max: 8 }),
	})
	.chain(({ encoding, delimiter, detect, headerSize, rowCount }) => {
		const chars =
			encoding === 'windows-1252'
				? [...WINDOWS_1252_CHARS, ...SPECIAL_CHARS]
				: [...WINDOWS_1252_CHARS, ...SPECIAL_CHARS, ...UNICODE_CHARS];
		// Detection needs header names without candidate delimiters outside quotes, and two columns.
		// And no file starts with U+FEFF: that is a byte-order mark.
		const headerChars = detect ? WINDOWS_1252_CHARS : chars.filter((char) => char !== '\ufeff');
		const size = detect ? Math.max(2, headerSize) : headerSize;
		return fc.record({
			encoding: fc.constant(encoding),
			delimiter: fc.constant(delimiter),
			detect: fc.constant(detect),
			header: fc.array(fieldText(headerChars), { minLength: size, maxLength: size }),
			// Ragged: from one field to two more than the header.
			rows: fc.array(fc.array(fieldText(chars), { minLength: 1, maxLength: size + 2 }), {
				minLength: rowCount,
				maxLength: rowCount,
			}),
			quoteAll: fc.array(fc.boolean(), { minLength: rowCount + 1, maxLength: rowCount + 1 }),
			lineEnds: fc.array(fc.constantFrom(...LINE_ENDS), {
				minLength: rowCount + 1,
				maxLength: rowCount + 1,
			}),
			blankLines: fc.array(fc.nat({ max: 2 }), {
				minLength: rowCount + 1,
				maxLength: rowCount + 1,
			}),
			finalLineEnd: fc.boolean(),
		});
	});

function writeField(field: string, delimiter: string, quote: boolean, onlyField: boolean): string {
	const mustQuote =
		field.includes(delimiter) ||
		field.includes('\r') ||
		field.includes('\n') ||
		field.startsWith('"') ||
		// A record of one empty field would be a blank line.
		(onlyField && field === '');
	return mustQuote || quote ? `"${field.replace(/"/g, '""')}"` : field;
}

/** The file's text, and where each record starts in it. */
function writeFile(file: WellFormed): { text: string; starts: number[] } {
	let text = '';
	const starts: number[] = [];
	[file.header, ...file.rows].forEach((record, i) => {
		for (let blank = 0; blank < file.blankLines[i]; blank++) text += file.lineEnds[i];
		starts.push(text.length);
		text += record
			.map((field) => writeField(field, file.delimiter, file.quoteAll[i], record.length === 1))
			.join(file.delimiter);
		if (i < file.rows.length || file.finalLineEnd) text += file.lineEnds[i];
	});
	return { text, starts };
}

// -------------------------------------------------------------------------- arbitrary text

const CHAOS_CHARS = ['a', 'b', ' ', ',', ';', '"', '"', '\n', '\r', '\r\n', 'é', '😀'];
const chaosText = fc
	.array(fc.constantFrom(...CHAOS_CHARS), { maxLength: 40 })
	.map((chars) => chars.join(''));

// ---------------------------------------------------------------------------------- properties

describe('CsvReader against csv-parse (property tests)', () => {
	it('reads well-formed files like csv-parse, in any chunking and encoding, with lines', () => {
		fc.assert(
			fc.property(wellFormed, cuts, (file, chunkCuts) => {
				const { text, starts } = writeFile(file);
				const bytes = encode(text, file.encoding);
				const options: CsvReaderOptions = {
					delimiter: file.detect ? undefined : file.delimiter,
					encoding: file.encoding === 'windows-1252' ? 'windows-1252' : 'auto',
				};
				const outcome = readWithReader(bytes, options, chunkCuts);
				const expected = [file.header, ...file.rows];
				expect(outcome).toEqual({
					records: expected.map((fields, i) => [lineAt(text, starts[i]), fields]),
					delimiter: file.delimiter,
				});
				expect(csvParse(text, { delimiter: file.delimiter, relax_quotes: true })).toEqual(expected);
			}),
			{ numRuns: 5000 },
		);
	});

	it('reads any text as csv-parse does, and refuses what it refuses for the same reason', () => {
		fc.assert(
			fc.property(
				chaosText,
				fc.constantFrom(',', ';'),
				fc.boolean(),
				cuts,
				(text, delimiter, bom, chunkCuts) => {
					const bytes = encode(text, bom ? 'utf-8 with BOM' : 'utf-8');
					const ours = readWithReader(bytes, { delimiter }, chunkCuts);
					const fields = 'records' in ours ? ours.records.map(([, record]) => record) : undefined;
					const reason = 'error' in ours ? ours.error.reason : '';
					const strict = csvParseOutcome(text, { delimiter });
					if ('records' in strict) {
						if (strict.records.length === 0) expect(reason).toMatch(/file is empty/);
						else expect(fields).toEqual(strict.records);
						return;
					}
					if (strict.code === 'CSV_INVALID_CLOSING_QUOTE') {
						expect(reason).toMatch(/must end at its closing quote/);
						// csv-parse counts a CRLF inside quotes as two lines: compare lines only without CR.
						if (!text.includes('\r')) expect('error' in ours && ours.error.line).toBe(strict.lines);
						return;
					}
					if (strict.code === 'CSV_QUOTE_NOT_CLOSED') {
						expect(reason).toMatch(/never closed/);
						return;
					}
					// A quote inside an unquoted field: ours keeps it, as relax_quotes does.
					expect(strict.code).toBe('INVALID_OPENING_QUOTE');
					const relaxed = csvParseOutcome(text, { delimiter, relax_quotes: true });
					if (fields !== undefined) {
						expect(relaxed).toEqual({ records: fields });
					} else if (/file is empty/.test(reason)) {
						expect(relaxed).toEqual({ records: [] });
					} else if (/never closed/.test(reason)) {
						expect(relaxed).toMatchObject({ code: 'CSV_QUOTE_NOT_CLOSED' });
					} else {
						expect(reason).toMatch(/must end at its closing quote/);
						// relax_quotes reads `"a"b` as the text `"a"b` (or, later in the file, loses track of
						// the quotes), where ours refuses it: only a weak check is possible here. The strict
						// comparisons above and the well-formed files carry the weight.
						if ('records' in relaxed) {
							expect(relaxed.records.flat().some((field) => field.startsWith('"'))).toBe(true);
						} else {
							expect(relaxed.code).toBe('CSV_QUOTE_NOT_CLOSED');
						}
					}
				},
			),
			{ numRuns: 4000 },
		);
	});
});

describe('CsvReader refuses broken files (property tests)', () => {
	/** The text of a well-formed file whose records all end with a line break, and its delimiter. */
	const validStart = wellFormed.map((file) => ({
		start: writeFile({ ...file, finalLineEnd: true }).text,
		delimiter: file.delimiter,
	}));

	it('names the line where a quote opens that is never closed', () => {
		fc.assert(
			fc.property(
				validStart,
				fieldText(['a', ',', '\n', '\r', 'é']),
				cuts,
				({ start, delimiter }, rest, chunkCuts) => {
					const text = `${start}x${delimiter}"${rest}`;
					const outcome = readWithReader(Buffer.from(text), { delimiter }, chunkCuts);
					expect(outcome).toEqual({ error: expect.any(CsvFormatError) });
					const { error } = outcome as { error: CsvFormatError };
					expect(error.reason).toMatch(/never closed/);
					expect(error.line).toBe(lineAt(text, start.length));
				},
			),
			{ numRuns: 400 },
		);
	});

	it('names the line and field of text after a closing quote', () => {
		fc.assert(
			fc.property(
				validStart,
				fieldText(['a', '\n', '\r\n', 'é']),
				fc.constantFrom('x', ' ', 'é', '😀'),
				cuts,
				({ start, delimiter }, quoted, junk, chunkCuts) => {
					const text = `${start}1${delimiter}"${quoted}"${junk}${delimiter}2\n`;
					const outcome = readWithReader(Buffer.from(text), { delimiter }, chunkCuts);
					const { error } = outcome as { error: CsvFormatError };
					expect(error.reason).toMatch(/^field 2: a quoted field must end at its closing quote/);
					expect(error.line).toBe(lineAt(text, text.lastIndexOf(junk)));
				},
			),
			{ numRuns: 400 },
		);
	});

	it('refuses binary data (a ZIP/XLSX header, or NUL bytes) as not CSV', () => {
		const zip = fc
			.uint8Array({ maxLength: 200 })
			.map((tail) => Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00]), tail]));
		fc.assert(
			fc.property(
				zip,
				fc.constantFrom<CsvReaderOptions['encoding']>('auto', 'windows-1252'),
				cuts,
				(bytes, encoding, chunkCuts) => {
					const outcome = readWithReader(bytes, { encoding }, chunkCuts);
					expect(outcome).toEqual({
						error: expect.objectContaining({
							line: 1,
							reason: expect.stringMatching(
								/^this looks like a binary file \(e\.g\. XLSX\), not CSV/,
							),
						}),
					});
				},
			),
			{ numRuns: 300 },
		);
	});

	it('refuses a file without a header row (empty, or blank lines only)', () => {
		const blank = fc
			.array(fc.constantFrom(...LINE_ENDS), { maxLength: 6 })
			.map((ends) => ends.join(''));
		fc.assert(
			fc.property(
				blank,
				fc.constantFrom<Encoding>('utf-8', 'utf-8 with BOM', 'utf-16le', 'utf-16be'),
				cuts,
				(text, encoding, chunkCuts) => {
					const outcome = readWithReader(encode(text, encoding), {}, chunkCuts);
					expect(outcome).toEqual({
						error: expect.objectContaining({
							line: 1,
							reason: 'the file is empty: a header row is required',
						}),
					});
					expect(csvParse(text, {})).toEqual([]);
				},
			),
			{ numRuns: 300 },
		);
	});
});
