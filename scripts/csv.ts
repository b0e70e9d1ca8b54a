/** A small RFC 4180 CSV reader: header row → one object per line, every cell as text (as n8n's Extract from File gives them). */
export function parseCsv(csv: string): Array<Record<string, string>> {
	const text = csv.replace(/^\uFEFF/, ''); // a byte-order mark, as spreadsheet programs write it
	const records: string[][] = [];
	let record: string[] = [];
	let cell = '';
	let quoted = false;
	for (let i = 0; i < text.length; i++) {
		const char = text[i];
		if (quoted) {
			if (char === '"' && text[i + 1] === '"') {
				cell += '"';
				i++;
			} else if (char === '"') quoted = false;
			else cell += char;
		} else if (char === '"') quoted = true;
		else if (char === ',') {
			record.push(cell);
			cell = '';
		} else if (char === '\n' || char === '\r') {
			if (char === '\r' && text[i + 1] === '\n') i++;
			record.push(cell);
			records.push(record);
			record = [];
			cell = '';
		} else cell += char;
	}
	if (cell !== '' || record.length > 0) records.push([...record, cell]);
	const [header = [], ...lines] = records;
	return lines
		.filter((line) => line.some((value) => value !== ''))
		.map((line) => Object.fromEntries(header.map((name, i) => [name, line[i] ?? ''])));
}
