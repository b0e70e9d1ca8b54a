import {
	CsvFormatError,
	CsvReader,
	type CsvReaderOptions,
	MAX_RECORD_LENGTH,
} from '../../nodes/Paqtana/helpers/csvReader';

type Read = { records: Array<[line: number, fields: string[]]>; delimiter: string | undefined };

const utf8 = (text: string) => Buffer.from(text, 'utf8');

/** Reads `file` pushed in the given pieces (by default whole). */
function read(
	file: Uint8Array | string,
	options: CsvReaderOptions = {},
	cuts: number[] = [],
): Read {
	const bytes = typeof file === 'string' ? utf8(file) : file;
	const records: Read['records'] = [];
	const reader = new CsvReader(options, (fields, line) => records.push([line, fields]));
	let from = 0;
	for (const cut of [...cuts, bytes.length]) {
		reader.push(bytes.subarray(from, cut));
		from = cut;
	}
	reader.end();
	return { records, delimiter: reader.delimiter };
}

function readError(file: Uint8Array | string, options: CsvReaderOptions = {}): CsvFormatError {
	try {
		read(file, options);
	} catch (error) {
		if (error instanceof CsvFormatError) return error;
		throw error;
	}
	throw new Error('expected a CsvFormatError');
}

/** Every way of cutting `bytes` in two, and one byte at a time: all must read alike. */
function expectSameInEveryChunking(bytes: Uint8Array, options: CsvReaderOptions = {}): Read {
	const whole = read(bytes, options);
	for (let cut = 0; cut <= bytes.length; cut++) {
		expect(read(bytes, options, [cut])).toEqual(whole);
	}
	const everyByte = Array.from({ length: bytes.length }, (_, i) => i);
	expect(read(bytes, options, everyByte)).toEqual(whole);
	return whole;
}

describe('CsvReader: records and line numbers', () => {
	it('delivers the header and every line as fields, each with the line it starts on', () => {
		expect(
			read('date,location,code,qty\n2025-01-02,WH1,SKU-1,3\n2025-01-02,WH1,SKU-2,4\n'),
		).toEqual({
			records: [
				[1, ['date', 'location', 'code', 'qty']],
				[2, ['2025-01-02', 'WH1', 'SKU-1', '3']],
				[3, ['2025-01-02', 'WH1', 'SKU-2', '4']],
			],
			delimiter: ',',
		});
	});

	it('reads a last line without a line break, and an empty last field', () => {
		expect(read('a,b\n1,2').records).toEqual([
			[1, ['a', 'b']],
			[2, ['1', '2']],
		]);
		expect(read('a,b\n1,').records[1]).toEqual([2, ['1', '']]);
		expect(read('a,b\n,\n').records[1]).toEqual([2, ['', '']]);
	});

	it('accepts CRLF, LF and lone CR line ends, mixed in one file', () => {
		expect(read('a,b\r\n1,2\n3,4\r5,6\r\n').records).toEqual([
			[1, ['a', 'b']],
			[2, ['1', '2']],
			[3, ['3', '4']],
			[4, ['5', '6']],
		]);
	});

	it('skips blank lines but counts them, so line numbers match the file', () => {
		expect(read('\n\r\na,b\n\n1,2\r\n\r\n\r3,4\n\n').records).toEqual([
			[3, ['a', 'b']],
			[5, ['1', '2']],
			[8, ['3', '4']],
		]);
	});

	it('delivers a line of spaces or one quoted empty field: only empty lines are blank', () => {
		expect(read('a\n \n""\n').records).toEqual([
			[1, ['a']],
			[2, [' ']],
			[3, ['']],
		]);
	});

	it('delivers ragged rows as they are, for the caller to report', () => {
		expect(read('a,b,c\n1\n1,2,3,4\n').records).toEqual([
			[1, ['a', 'b', 'c']],
			[2, ['1']],
			[3, ['1', '2', '3', '4']],
		]);
	});

	it('gives each record its own array, so the caller may keep it', () => {
		const kept: string[][] = [];
		const reader = new CsvReader({}, (fields) => kept.push(fields));
		reader.push(utf8('a,b\n1,2\n'));
		reader.end();
		expect(kept).toEqual([
			['a', 'b'],
			['1', '2'],
		]);
	});
});

describe('CsvReader: quotes (RFC 4180)', () => {
	it('reads quoted fields with delimiters, "" escapes and line breaks in them', () => {
		expect(read('name,note\n"Bolt, M8","5"" pipe"\n"two\nlines","cr\rcrlf\r\nend"\nx,y\n')).toEqual(
			{
				records: [
					[1, ['name', 'note']],
					[2, ['Bolt, M8', '5" pipe']],
					[3, ['two\nlines', 'cr\rcrlf\r\nend']],
					// Line 3 ran over three more physical lines: LF, CR and CRLF.
					[7, ['x', 'y']],
				],
				delimiter: ',',
			},
		);
	});

	it('reads "" as an empty field and """" as one quote', () => {
		expect(read('a,b,c\n"","""",""""""\n').records[1]).toEqual([2, ['', '"', '""']]);
	});

	it('keeps a quote inside an unquoted field as a character (as relax_quotes does)', () => {
		expect(read('a,b,c\n5" pipe,ab"c, "x"\n').records[1]).toEqual([2, ['5" pipe', 'ab"c', ' "x"']]);
	});

	it('refuses text after a closing quote, naming the line and field', () => {
		const error = readError('a,b\n1,2\n"x\ny"z,3\n');
		expect(error.line).toBe(4);
		expect(error.reason).toMatch(/field 1: a quoted field must end at its closing quote, but "z,3/);
		expect(error.message).toMatch(/^line 4: /);
		expect(readError('a,b\n"x" ,3\n').reason).toMatch(/field 1: .* " ,3/);
		expect(readError('a,b\n1,"x"y\n').reason).toMatch(/^field 2: /);
	});

	it('refuses a file that ends inside quotes, naming the line where the quote opened', () => {
		const error = readError('a,b\n1,2\n3,"open\n4,5\n6,7\n');
		expect(error).toBeInstanceOf(CsvFormatError);
		expect(error.line).toBe(3);
		expect(error.reason).toMatch(/quoted field that opens on this line is never closed/);
	});
});

describe('CsvReader: delimiter', () => {
	it.each([
		[',', 'a,b,c\n1,2,3\n'],
		[';', 'a;b;c\n1;2,5;3\n'],
		['\t', 'a\tb\tc\n1\t2\t3\n'],
		['|', 'a|b|c\n1|2|3\n'],
	])('detects %j from the header line', (delimiter, file) => {
		const result = read(file);
		expect(result.delimiter).toBe(delimiter);
		expect(result.records[1][1]).toHaveLength(3);
	});

	it('counts only delimiters outside quotes', () => {
		expect(read('"a,b,c";d;e\n1;2;3\n').delimiter).toBe(';');
		expect(read('"x"";,,";y\n').delimiter).toBe(';');
	});

	it('breaks a tie in the order , ; tab |, and takes , for a one-column header', () => {
		expect(read('a;b,c\n').delimiter).toBe(',');
		expect(read('a|b\tc\n').delimiter).toBe('\t');
		expect(read('a|b;c\n').delimiter).toBe(';');
		expect(read('code\nx\n').delimiter).toBe(',');
	});

	it('uses a given delimiter instead of detecting one', () => {
		expect(read('a,b;c\n1,2;3\n', { delimiter: ';' }).records).toEqual([
			[1, ['a,b', 'c']],
			[2, ['1,2', '3']],
		]);
	});

	it('knows the delimiter once the header line is complete, not before', () => {
		const reader = new CsvReader({}, () => undefined);
		reader.push(utf8('\n\n"a,b";c'));
		expect(reader.delimiter).toBeUndefined();
		reader.push(utf8(';d\n'));
		expect(reader.delimiter).toBe(';');
		reader.end();
	});

	it('detects the delimiter of a header with a line break inside quotes', () => {
		expect(read('"multi\nline";b;c\n1;2;3\n').records).toEqual([
			[1, ['multi\nline', 'b', 'c']],
			[3, ['1', '2', '3']],
		]);
	});
});

describe('CsvReader: chunks cut anywhere', () => {
	const sample =
		'\ufeffdate;location;"item; code";note\r\n' +
		'2025-01-02;Zürich;SKU-😀-1;"a ""quoted""\r\nnote"\r\n' +
		'\r\n' +
		'2025-01-03;Köln;€-2;plain\rlast;row;"x";\n';

	it('reads the same whatever the chunks (UTF-8 with BOM, CRLF, quotes, astral chars)', () => {
		expect(expectSameInEveryChunking(utf8(sample)).records).toEqual([
			[1, ['date', 'location', 'item; code', 'note']],
			[2, ['2025-01-02', 'Zürich', 'SKU-😀-1', 'a "quoted"\r\nnote']],
			[5, ['2025-01-03', 'Köln', '€-2', 'plain']],
			[6, ['last', 'row', 'x', '']],
		]);
	});

	it('reads UTF-16LE and UTF-16BE (with byte-order mark) the same in every chunking', () => {
		const text = sample.slice(1);
		const expected = read(utf8(sample)).records;
		const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
		const be = Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(text, 'utf16le').swap16()]);
		expect(expectSameInEveryChunking(le).records).toEqual(expected);
		expect(expectSameInEveryChunking(be).records).toEqual(expected);
	});

	it('counts a CRLF cut between CR and LF as one line break, inside and outside quotes', () => {
		const file = utf8('a,b\r\n"1\r\n2",3\r\n4,5\r\n');
		const cuts = [4, 10]; // after the CR ending line 1, and after the CR inside the quotes
		expect(read(file, {}, cuts).records).toEqual([
			[1, ['a', 'b']],
			[2, ['1\r\n2', '3']],
			[4, ['4', '5']],
		]);
	});

	it('reads a field that spans many chunks, quoted or not', () => {
		const long = 'x'.repeat(5000);
		const file = utf8(`a,b\n${long},"${long}""${long}"\n`);
		const cuts = Array.from({ length: Math.floor(file.length / 7) }, (_, i) => (i + 1) * 7);
		expect(read(file, {}, cuts).records[1]).toEqual([2, [long, `${long}"${long}`]]);
	});
});

describe('CsvReader: encodings', () => {
	it('strips a UTF-8 byte-order mark', () => {
		expect(read('\ufeffcode,qty\nA,1\n').records[0]).toEqual([1, ['code', 'qty']]);
	});

	it('reads UTF-8 without a byte-order mark, and a real U+FFFD in it', () => {
		expect(read('code\nCafé \ufffd 😀\n').records[1]).toEqual([2, ['Café \ufffd 😀']]);
	});

	it('refuses bytes that are not UTF-8 in Auto, naming the line, suggesting Windows-1252', () => {
		const file = Buffer.concat([utf8('code,qty\nA,1\nCaf'), Buffer.from([0xe9]), utf8(',2\n')]);
		const error = readError(file);
		expect(error.line).toBe(3);
		expect(error.reason).toMatch(/not valid UTF-8 \(byte 0xE9\).*Windows-1252/);
	});

	it('names the right line for bytes that are not UTF-8, wherever the chunks are cut', () => {
		const file = Buffer.concat([utf8('code\nA€\n'), Buffer.from([0xe9]), utf8('\n')]);
		for (let cut = 0; cut <= file.length; cut++) {
			expect(() => read(file, {}, [cut])).toThrow(
				'line 3: the text is not valid UTF-8 (byte 0xE9)',
			);
		}
	});

	it('names the line of a fault before the header line is complete', () => {
		const file = Buffer.concat([utf8('\r\n\ncode,Caf'), Buffer.from([0xe9]), utf8('\n')]);
		expect(readError(file).line).toBe(3);
		expect(readError('\n\r\r\nco\u0000de\n')).toMatchObject({ line: 4 });
	});

	it('refuses a UTF-8 character cut off at the end of the file', () => {
		const error = readError(Buffer.concat([utf8('code\nA'), Buffer.from([0xe2, 0x82])]));
		expect(error.line).toBe(2);
		expect(error.reason).toMatch(/not valid UTF-8/);
	});

	it('reads Windows-1252 with its own table for 0x80–0x9F (not latin1)', () => {
		const bytes = Buffer.from([
			...utf8('name\n'),
			0x80,
			0x82,
			0x8a,
			0x8c,
			0x93,
			0x94,
			0x96,
			0x99,
			0x9e,
			0x9f,
			0x81,
			0xe9,
			0xff,
			0x0a,
		]);
		expect(read(bytes, { encoding: 'windows-1252' }).records[1]).toEqual([
			2,
			['€‚ŠŒ“”–™žŸ\u0081éÿ'],
		]);
	});

	it('refuses a byte-order mark when Windows-1252 is chosen', () => {
		const error = readError('\ufeffcode\nA\n', { encoding: 'windows-1252' });
		expect(error.line).toBe(1);
		expect(error.reason).toMatch(/UTF-8 byte-order mark.*Auto/);
	});
});

describe('CsvReader: files it refuses', () => {
	const binary = /this looks like a binary file \(e\.g\. XLSX\), not CSV/;

	it('refuses an XLSX (ZIP) file as binary', () => {
		const zip = Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x06, 0x00, 0x08, 0x00]);
		const error = readError(zip);
		expect(error.line).toBe(1);
		expect(error.reason).toMatch(binary);
		expect(readError(zip, { encoding: 'windows-1252' }).reason).toMatch(binary);
	});

	it('refuses a NUL byte further on, naming its line', () => {
		expect(readError('a,b\n1,2\n3,\u0000\n').line).toBe(3);
		const utf16 = Buffer.concat([
			Buffer.from([0xff, 0xfe]),
			Buffer.from('a\nb\n\u0000', 'utf16le'),
		]);
		expect(readError(utf16)).toMatchObject({ line: 3, reason: expect.stringMatching(binary) });
	});

	it.each([
		['an empty file', ''],
		['only blank lines', '\r\n\n\r'],
		['only a byte-order mark', '\ufeff'],
	])('refuses %s: a header row is required', (_, file) => {
		const error = readError(file);
		expect(error.line).toBe(1);
		expect(error.reason).toBe('the file is empty: a header row is required');
	});

	it('accepts a header without data lines', () => {
		expect(read('code,qty').records).toEqual([[1, ['code', 'qty']]]);
	});

	it('refuses a record longer than MAX_RECORD_LENGTH, in one chunk or many', () => {
		const long = `a\n${'x'.repeat(MAX_RECORD_LENGTH + 1)}\n`;
		expect(readError(long).line).toBe(2);
		expect(readError(long).reason).toMatch(/longer than 1048576 characters/);
		const cuts = Array.from({ length: 40 }, (_, i) => (i + 1) * 65536);
		expect(() => read(long, {}, cuts)).toThrow(/line 2: this record is longer/);
		expect(read(`a\n${'x'.repeat(MAX_RECORD_LENGTH - 1)}\n`).records).toHaveLength(2);
	});

	it('refuses a header line longer than MAX_RECORD_LENGTH before it ends', () => {
		const file = utf8(`\n\n${'x'.repeat(MAX_RECORD_LENGTH + 10)}`);
		const cuts = Array.from({ length: 20 }, (_, i) => (i + 1) * 65536);
		const reader = new CsvReader({}, () => undefined);
		let from = 0;
		const pushAll = () => {
			for (const cut of cuts) {
				reader.push(file.subarray(from, cut));
				from = cut;
			}
		};
		expect(pushAll).toThrow('line 3: this record is longer than 1048576 characters');
	});

	it('stops a runaway quote at MAX_RECORD_LENGTH and names the line where it opened', () => {
		const file = `a,b\n1,2\n3,"never closed\n${'4,5\n'.repeat(MAX_RECORD_LENGTH / 3)}`;
		const cuts = Array.from({ length: 30 }, (_, i) => (i + 1) * 65536);
		const error = (() => {
			try {
				read(file, {}, cuts);
			} catch (caught) {
				return caught as CsvFormatError;
			}
			throw new Error('expected an error');
		})();
		expect(error.line).toBe(3);
		expect(error.reason).toMatch(/quoted field opened on line 3 is probably never closed/);
	});

	it('refuses to be used after an error or after end()', () => {
		const reader = new CsvReader({}, () => undefined);
		expect(() => reader.push(utf8('a\n"x"y\n'))).toThrow(CsvFormatError);
		expect(() => reader.push(utf8('b\n'))).toThrow(/after end\(\) or after an error/);
		const ended = new CsvReader({}, () => undefined);
		ended.push(utf8('a\n'));
		ended.end();
		expect(() => ended.end()).toThrow(/after end\(\)/);
	});
});
