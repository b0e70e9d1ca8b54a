/**
 * A streaming CSV reader: bytes in, in chunks cut anywhere (inside a multi-byte character, a
 * quoted field, a CRLF); records out, each with the physical line of the file it starts on.
 * Memory stays at one chunk plus one record, whatever the file's size. Ours because community
 * nodes may not have runtime dependencies; test/property/csvReader.property.test.ts holds it
 * against csv-parse.
 *
 * The rules, RFC 4180 with the leniencies real exports need:
 * - Fields are separated by the delimiter, given or detected from the header line: whichever of
 *   `,` `;` tab `|` occurs most often outside quotes. A tie goes to the earlier in that order; a
 *   header with none of them (one column) gets `,`.
 * - A field that starts with `"` is quoted: it may hold delimiters, CR, LF and `""` (one quote),
 *   and must end at its closing quote (text after it, before the delimiter or line end, is an
 *   error). A quote anywhere else in an unquoted field is an ordinary character (`5" pipe` stays
 *   as it is), as with csv-parse's `relax_quotes`. Spaces are data: ` "a"` is an unquoted field.
 * - Lines end with CRLF, LF or a lone CR, mixed freely. Empty lines are skipped (never a record)
 *   but counted for line numbers, as are line breaks inside quoted fields.
 * - Records come with as many fields as they have; comparing with the header is the caller's job.
 * - Encodings. 'auto': UTF-8 with or without a byte-order mark, UTF-16LE/BE with one (marks are
 *   stripped). Bytes that are not UTF-8 are an error naming the line, not replacement
 *   characters: a Windows-1252 export read as UTF-8 would otherwise turn "Café" into "Caf\uFFFD"
 *   silently. 'windows-1252': every byte is a character (WHATWG's table; Node's TextDecoder may
 *   give latin1 instead). A NUL character is refused as a binary file (an XLSX chosen by
 *   mistake): no text file has one.
 * - No record may be longer than MAX_RECORD_LENGTH characters, so a binary file or a quote never
 *   closed cannot fill the memory.
 *
 * Speed (scripts/csvReaderThroughput.ts, Node 20): a 1M-line sales export of 75 MB in 64 KiB
 * chunks takes 0.4–0.8 s of CPU time (95–185 MB/s, 1.3–2.3 M lines/s); wall clock on this 2-core
 * machine shared with other work (load 10–17): 25–140 MB/s. csv-parse/sync: 10–15 times as long.
 */

export type CsvEncoding = 'auto' | 'windows-1252';

export interface CsvReaderOptions {
	/** Omitted: detected from the header line. */
	delimiter?: ',' | ';' | '\t' | '|';
	/** Default 'auto'. */
	encoding?: CsvEncoding;
}

/** Characters (UTF-16 code units) one record may take, line breaks inside it included: 1 MiB. */
export const MAX_RECORD_LENGTH = 1024 * 1024;

export class CsvFormatError extends Error {
	constructor(
		/** The 1-based physical line of the file the problem is on. */
		readonly line: number,
		readonly reason: string,
	) {
		super(`line ${line}: ${reason}`);
		this.name = 'CsvFormatError';
	}
}

const BINARY_FILE =
	'this looks like a binary file (e.g. XLSX), not CSV: it contains a NUL byte ' +
	'(a UTF-16 text file must start with a byte-order mark)';
const EMPTY_FILE = 'the file is empty: a header row is required';

const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;
const LINE_BREAK = /[\r\n]/;
/** In the order that wins a tie. */
const DELIMITERS = [',', ';', '\t', '|'] as const;

/**
 * V8 makes a slice of 13 characters or more a view that keeps the whole string it was cut from
 * alive, and a concatenation of that length a rope of its parts. A field the caller keeps (a row's
 * item code, its description) would then keep the whole decoded chunk: keeping 1 % of the fields
 * of a 75 MB file kept 74 MB, with this copy 1 MB. Prepending a character and slicing it off
 * flattens into a string of the field's own size: the cheapest copy measured (a Buffer round trip
 * or JSON made reading about 1.5 times slower).
 */
const SHARED_STRING_MIN_LENGTH = 13;
function ownCopy(text: string): string {
	return text.length < SHARED_STRING_MIN_LENGTH ? text : (' ' + text).slice(1);
}

// Where the parser is, between two characters.
/** At the start of a physical line, no record begun (blank lines are skipped here). */
const RECORD_START = 0;
/** After a delimiter. */
const FIELD_START = 1;
const UNQUOTED = 2;
const QUOTED = 3;
/** Just after a quote inside a quoted field: an escaped quote or the closing one. */
const QUOTE_IN_QUOTED = 4;

export class CsvReader {
	private readonly decoder: ByteDecoder;
	private delimiterCode = -1;
	/** Text received before the header line is complete (the delimiter is detected from it). */
	private headerText = '';
	private state = RECORD_START;
	private fields: string[] = [];
	/** The current field's text so far: its pieces in earlier chunks, and before `""` escapes. */
	private partial = '';
	/** The physical line at the parse position. */
	private line = 1;
	private recordLine = 1;
	private quoteLine = 1;
	/** Characters of the current record in earlier chunks. */
	private carriedLength = 0;
	/** Whether the previous text ended with CR (so an LF starting this one ends no further line). */
	private afterCR = false;
	private records = 0;
	private unusable = false;

	constructor(
		options: CsvReaderOptions,
		private readonly onRecord: (fields: string[], line: number) => void,
	) {
		this.decoder = new ByteDecoder(options.encoding ?? 'auto');
		if (options.delimiter !== undefined) this.delimiterCode = options.delimiter.charCodeAt(0);
	}

	/** The delimiter given or detected; undefined until the header line has been read. */
	get delimiter(): string | undefined {
		return this.delimiterCode === -1 ? undefined : String.fromCharCode(this.delimiterCode);
	}

	push(chunk: Uint8Array): void {
		this.guard(() => this.take(chunk, false));
	}

	/** Reads the last record; throws if the file ends inside a quoted field or has no header. */
	end(): void {
		this.guard(() => {
			this.take(new Uint8Array(0), true);
			this.finish();
		});
		this.unusable = true;
	}

	/**
	 * A call that threw (our error or the callback's) leaves the reader unusable, as does end():
	 * later calls throw instead of reading on from a broken state.
	 */
	private guard(step: () => void): void {
		if (this.unusable) throw new Error('CsvReader: used after end() or after an error');
		this.unusable = true;
		step();
		this.unusable = false;
	}

	private take(chunk: Uint8Array, final: boolean): void {
		const { text, fault } = this.decoder.decode(chunk, final);
		this.read(text, final);
		if (fault === undefined) return;
		// The text before the fault has been read, so the error can name the line the fault is on.
		const line = this.delimiterCode === -1 ? 1 + countLineBreaks(this.headerText) : this.line;
		throw new CsvFormatError(line, fault);
	}

	private read(text: string, final: boolean): void {
		if (this.delimiterCode !== -1) {
			if (text.length > 0) this.parse(text);
			return;
		}
		this.headerText += text;
		// The header line can only have been completed by a line break in the new text.
		const detected =
			final || LINE_BREAK.test(text) ? detectDelimiter(this.headerText, final) : undefined;
		if (detected === undefined) {
			if (this.headerText.length > MAX_RECORD_LENGTH) {
				const blankLines = /^[\r\n]*/.exec(this.headerText)?.[0] ?? '';
				throw new CsvFormatError(1 + countLineBreaks(blankLines), recordTooLong(undefined));
			}
			return;
		}
		this.delimiterCode = detected.charCodeAt(0);
		const header = this.headerText;
		this.headerText = '';
		this.parse(header);
	}

	/**
	 * The state machine over one decoded text. The loops look for the few characters that matter with
	 * charCodeAt and cut each field out with one slice: no per-character string building.
	 */
	private parse(text: string): void {
		const length = text.length;
		const delimiter = this.delimiterCode;
		let state = this.state;
		let i = 0;
		// Where the current record starts in this text (0 when it started in an earlier one).
		let recordStart = 0;
		while (i < length) {
			if (state === RECORD_START) {
				const code = text.charCodeAt(i);
				if (code === LF || code === CR) {
					// A blank line; an LF right after a CR is the rest of that CR's line break.
					if (code === CR || !(i > 0 ? text.charCodeAt(i - 1) === CR : this.afterCR)) this.line++;
					i++;
					continue;
				}
				this.recordLine = this.line;
				this.carriedLength = 0;
				recordStart = i;
				state = FIELD_START;
			}
			if (state === FIELD_START) {
				this.partial = '';
				if (text.charCodeAt(i) === QUOTE) {
					this.quoteLine = this.line;
					state = QUOTED;
					i++;
					continue;
				}
				state = UNQUOTED;
			}
			if (state === UNQUOTED) {
				let end = i;
				let code = 0;
				for (; end < length; end++) {
					code = text.charCodeAt(end);
					if (code === delimiter || code === LF || code === CR) break;
				}
				if (end === length) {
					this.partial += text.slice(i);
					i = length;
					break;
				}
				this.fields.push(ownCopy(this.partial + text.slice(i, end)));
				i = end + 1;
				if (code === delimiter) {
					state = FIELD_START;
				} else {
					this.endRecord(end - recordStart);
					this.line++;
					state = RECORD_START;
				}
				continue;
			}
			if (state === QUOTED) {
				let end = i;
				for (; end < length; end++) {
					const code = text.charCodeAt(end);
					if (code === QUOTE) break;
					if (code === CR) this.line++;
					else if (code === LF && !(end > 0 ? text.charCodeAt(end - 1) === CR : this.afterCR)) {
						this.line++;
					}
				}
				this.partial += text.slice(i, end);
				i = end === length ? length : end + 1;
				if (end < length) state = QUOTE_IN_QUOTED;
				continue;
			}
			// QUOTE_IN_QUOTED
			const code = text.charCodeAt(i);
			if (code === QUOTE) {
				this.partial += '"';
				state = QUOTED;
				i++;
				continue;
			}
			if (code !== delimiter && code !== LF && code !== CR) {
				throw new CsvFormatError(this.line, textAfterQuote(text, i, this.fields.length + 1));
			}
			this.fields.push(ownCopy(this.partial));
			if (code === delimiter) {
				state = FIELD_START;
			} else {
				this.endRecord(i - recordStart);
				this.line++;
				state = RECORD_START;
			}
			i++;
		}
		this.state = state;
		this.afterCR = text.charCodeAt(length - 1) === CR;
		if (state !== RECORD_START) {
			this.carriedLength += length - recordStart;
			if (this.carriedLength > MAX_RECORD_LENGTH) {
				throw new CsvFormatError(
					this.recordLine,
					recordTooLong(state === QUOTED ? this.quoteLine : undefined),
				);
			}
		}
	}

	/** Delivers the record; `lengthHere` is how much of it is in the current text. */
	private endRecord(lengthHere: number): void {
		if (this.carriedLength + lengthHere > MAX_RECORD_LENGTH) {
			throw new CsvFormatError(this.recordLine, recordTooLong(undefined));
		}
		const fields = this.fields;
		this.fields = [];
		this.records++;
		this.onRecord(fields, this.recordLine);
	}

	private finish(): void {
		switch (this.state) {
			case QUOTED:
				throw new CsvFormatError(
					this.quoteLine,
					'the quoted field that opens on this line is never closed (a closing " is missing)',
				);
			case FIELD_START:
				this.fields.push('');
				this.endRecord(0);
				break;
			case UNQUOTED:
			case QUOTE_IN_QUOTED:
				this.fields.push(ownCopy(this.partial));
				this.endRecord(0);
				break;
		}
		this.partial = '';
		if (this.records === 0) throw new CsvFormatError(1, EMPTY_FILE);
	}
}

/** `quoteLine`: where the quoted field the record ends in opened, if it does. */
function recordTooLong(quoteLine: number | undefined): string {
	const cause =
		quoteLine === undefined
			? 'is this a CSV file?'
			: `the quoted field opened on line ${quoteLine} is probably never closed`;
	return `this record is longer than ${MAX_RECORD_LENGTH} characters (${cause})`;
}

function textAfterQuote(text: string, at: number, field: number): string {
	const found = JSON.stringify(text.slice(at, at + 10));
	return (
		`field ${field}: a quoted field must end at its closing quote, but ${found} follows it; ` +
		'inside quotes, write a quote as ""'
	);
}

/** How many line breaks (CRLF, LF or a lone CR) `text` holds. */
function countLineBreaks(text: string): number {
	let breaks = 0;
	for (let i = 0; i < text.length; i++) {
		const code = text.charCodeAt(i);
		if (code === CR || (code === LF && text.charCodeAt(i - 1) !== CR)) breaks++;
	}
	return breaks;
}

/**
 * The delimiter that occurs most often outside quotes in the first non-blank line of `text`, or
 * undefined while that line may not be complete yet (or there is none). A quote opens a quoted
 * section at the start of the line or after a candidate delimiter (the delimiter is not known
 * yet), as it would in the parser.
 */
function detectDelimiter(text: string, final: boolean): string | undefined {
	const counts = DELIMITERS.map(() => 0);
	const codes = DELIMITERS.map((delimiter) => delimiter.charCodeAt(0));
	let i = 0;
	while (i < text.length && (text.charCodeAt(i) === LF || text.charCodeAt(i) === CR)) i++;
	if (i === text.length) return undefined;
	let fieldStart = true;
	let inQuotes = false;
	for (; i < text.length; i++) {
		const code = text.charCodeAt(i);
		if (inQuotes) {
			if (code !== QUOTE) continue;
			if (i + 1 === text.length && !final) return undefined;
			if (text.charCodeAt(i + 1) === QUOTE) i++;
			else inQuotes = false;
			continue;
		}
		if (code === LF || code === CR) break;
		if (code === QUOTE && fieldStart) {
			inQuotes = true;
			continue;
		}
		const candidate = codes.indexOf(code);
		if (candidate !== -1) counts[candidate]++;
		fieldStart = candidate !== -1;
	}
	if (i === text.length && !final) return undefined;
	// Math.max and indexOf give the first of equal counts: the tie rule.
	return DELIMITERS[counts.indexOf(Math.max(...counts))];
}

// ------------------------------------------------------------------------------------ decoding

interface Decoded {
	text: string;
	/** Why the bytes after `text` cannot be read (the caller reads `text` first, then reports it). */
	fault?: string;
}

type TextEncodingName = 'utf-8' | 'utf-16le' | 'utf-16be' | 'windows-1252';

/** Bytes to text in chunks, for one file. 'auto' finds the encoding from a byte-order mark. */
class ByteDecoder {
	/** Undecided until the first bytes (enough for a byte-order mark) are in. */
	private encoding: TextEncodingName | undefined;
	private head: Uint8Array = new Uint8Array(0);
	private readonly utf8 = new TextDecoder('utf-8', { fatal: true });
	/** The start of a character cut by the previous chunk's end (1-3 bytes of UTF-8, 1 of UTF-16). */
	private pending: Uint8Array = new Uint8Array(0);

	constructor(private readonly requested: CsvEncoding) {}

	decode(chunk: Uint8Array, final: boolean): Decoded {
		if (this.encoding === undefined) {
			this.head = concatBytes(this.head, chunk);
			if (this.head.length < 3 && !final) return { text: '' };
			chunk = this.head;
			this.head = new Uint8Array(0);
			const mark = byteOrderMark(chunk);
			if (this.requested === 'windows-1252') {
				this.encoding = 'windows-1252';
				if (mark !== undefined) {
					return {
						text: '',
						fault:
							`the file starts with a ${mark.encoding.toUpperCase()} byte-order mark: ` +
							'choose the encoding Auto, not Windows-1252',
					};
				}
			} else {
				this.encoding = mark?.encoding ?? 'utf-8';
				if (mark !== undefined) chunk = chunk.subarray(mark.length);
			}
		}
		const bytes = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
		switch (this.encoding) {
			case 'utf-8':
				return this.decodeUtf8(bytes, final);
			case 'windows-1252':
				return decodeWindows1252(bytes);
			default:
				return this.decodeUtf16(bytes, final, this.encoding === 'utf-16be');
		}
	}

	private decodeUtf8(bytes: Buffer, final: boolean): Decoded {
		// memchr-fast; the text before the NUL is still read, so the error names its line.
		const nul = bytes.indexOf(0);
		if (nul !== -1) {
			const before = this.decodeUtf8(bytes.subarray(0, nul), true);
			return { text: before.text, fault: before.fault ?? BINARY_FILE };
		}
		try {
			const text = this.utf8.decode(bytes, { stream: !final });
			this.pending = final ? new Uint8Array(0) : cutCharacterTail(this.pending, bytes);
			return { text };
		} catch {
			// Only now find where: the decoder says nothing, and the path must cost nothing otherwise.
			const all = concatBytes(this.pending, bytes);
			const bad = firstInvalidUtf8(all, final);
			const text = Buffer.from(all.buffer, all.byteOffset, bad).toString('utf8');
			const byte = all[bad];
			const shown =
				byte === undefined ? 'the last bytes' : `byte 0x${byte.toString(16).toUpperCase()}`;
			return {
				text,
				fault:
					`the text is not valid UTF-8 (${shown}): if the file was saved by Excel or another ` +
					'Windows program, choose the encoding Windows-1252',
			};
		}
	}

	private decodeUtf16(bytes: Buffer, final: boolean, bigEndian: boolean): Decoded {
		let whole = concatBytes(this.pending, bytes);
		const usable = whole.length - (whole.length % 2);
		this.pending = new Uint8Array(whole.subarray(usable));
		whole = whole.subarray(0, usable);
		// A copy, so swapping never touches the caller's bytes.
		const units = bigEndian
			? Buffer.from(whole).swap16()
			: Buffer.from(whole.buffer, whole.byteOffset, usable);
		// A surrogate pair cut by the chunk end is rejoined when the field's pieces are concatenated.
		const text = units.toString('utf16le');
		const nul = text.indexOf('\0');
		if (nul !== -1) return { text: text.slice(0, nul), fault: BINARY_FILE };
		if (final && this.pending.length > 0) {
			return {
				text,
				fault: 'the UTF-16 text ends in the middle of a character (an odd number of bytes)',
			};
		}
		return { text };
	}
}

function byteOrderMark(
	bytes: Uint8Array,
): { encoding: 'utf-8' | 'utf-16le' | 'utf-16be'; length: number } | undefined {
	if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf)
		return { encoding: 'utf-8', length: 3 };
	if (bytes[0] === 0xff && bytes[1] === 0xfe) return { encoding: 'utf-16le', length: 2 };
	if (bytes[0] === 0xfe && bytes[1] === 0xff) return { encoding: 'utf-16be', length: 2 };
	return undefined;
}

function concatBytes(a: Uint8Array, b: Uint8Array): Uint8Array {
	if (a.length === 0) return b;
	const joined = new Uint8Array(a.length + b.length);
	joined.set(a);
	joined.set(b, a.length);
	return joined;
}

/** The unfinished UTF-8 character ending `pending` + `bytes`, which the decoder holds back. */
function cutCharacterTail(pending: Uint8Array, bytes: Uint8Array): Uint8Array {
	const all = bytes.length >= 3 ? bytes : concatBytes(pending, bytes);
	for (let back = 1; back <= Math.min(3, all.length); back++) {
		const byte = all[all.length - back];
		if ((byte & 0xc0) === 0x80) continue; // a continuation byte: the lead is further back
		const needed = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
		// A copy: the caller may reuse its chunk's memory.
		return needed > back ? new Uint8Array(all.subarray(all.length - back)) : new Uint8Array(0);
	}
	return new Uint8Array(0);
}

/**
 * The offset of the first byte that is not part of well-formed UTF-8 (the rules of TextDecoder's
 * fatal mode: no overlong forms, surrogates or code points above U+10FFFF). An unfinished character
 * at the end counts as invalid only when the text is final. Returns bytes.length if all is well.
 */
function firstInvalidUtf8(bytes: Uint8Array, final: boolean): number {
	let i = 0;
	while (i < bytes.length) {
		const lead = bytes[i];
		if (lead < 0x80) {
			i++;
			continue;
		}
		let needed: number;
		let low = 0x80;
		let high = 0xbf;
		if (lead >= 0xc2 && lead <= 0xdf) needed = 1;
		else if (lead >= 0xe0 && lead <= 0xef) {
			needed = 2;
			if (lead === 0xe0) low = 0xa0;
			if (lead === 0xed) high = 0x9f;
		} else if (lead >= 0xf0 && lead <= 0xf4) {
			needed = 3;
			if (lead === 0xf0) low = 0x90;
			if (lead === 0xf4) high = 0x8f;
		} else return i;
		for (let k = 1; k <= needed; k++) {
			if (i + k === bytes.length) return final ? i : bytes.length;
			const next = bytes[i + k];
			if (next < low || next > high) return i;
			low = 0x80;
			high = 0xbf;
		}
		i += needed + 1;
	}
	return bytes.length;
}

/** Windows-1252 at 0x80–0x9F (WHATWG: the five unassigned bytes map to the C1 controls). */
const WINDOWS_1252_C1 =
	'\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021' +
	'\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f' +
	'\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014' +
	'\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178';
const C1_RANGE = /[\u0080-\u009f]/g;

/** latin1 is windows-1252 except at 0x80–0x9F, which are rare: decode as latin1, then fix those. */
function decodeWindows1252(bytes: Buffer): Decoded {
	const nul = bytes.indexOf(0);
	const text = bytes.toString('latin1', 0, nul === -1 ? bytes.length : nul);
	const fixed = text.replace(C1_RANGE, (c) => WINDOWS_1252_C1[c.charCodeAt(0) - 0x80]);
	return nul === -1 ? { text: fixed } : { text: fixed, fault: BINARY_FILE };
}
