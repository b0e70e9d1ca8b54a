/**
 * Input Data "CSV File": the node reads CSV files from the items' binary data itself, streamed line by
 * line into the same preparation as items, so a file of millions of lines never becomes millions of n8n
 * items. Every line is read before anything is sent: "Stop" and errors still mean nothing was sent.
 */
import {
	BINARY_ENCODING,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	NodeOperationError,
} from 'n8n-workflow';

import { CsvFormatError, CsvReader, type CsvReaderOptions } from '../helpers/csvReader';
import type { DuplicatePolicy, ReadPlan } from '../helpers/prepareRows';
import {
	createPreparer,
	finishUpload,
	type PreparedUpload,
	requireFields,
	workspaceCodeReader,
} from './prepare';
import type { UploadSettings } from './settings';

/** Bytes read from a stored file at a time: large enough for speed, small next to any row limit. */
const CHUNK_BYTES = 1 << 20;

export function csvReaderOptions(options: IDataObject): CsvReaderOptions {
	const delimiter = options.csvDelimiter;
	return {
		delimiter:
			delimiter === ',' || delimiter === ';' || delimiter === '\t' || delimiter === '|'
				? delimiter
				: undefined,
		encoding: options.csvEncoding === 'windows-1252' ? 'windows-1252' : 'auto',
	};
}

/** The file's bytes: streamed from n8n's binary store when it is there, else from the item. */
async function* fileChunks(
	this: IExecuteFunctions,
	itemIndex: number,
	property: string,
): AsyncGenerator<Uint8Array> {
	const binary = this.helpers.assertBinaryData(itemIndex, property);
	if (binary.id) {
		for await (const chunk of await this.helpers.getBinaryStream(binary.id, CHUNK_BYTES))
			yield chunk as Uint8Array;
		return;
	}
	yield Buffer.from(binary.data, BINARY_ENCODING);
}

/** Reads every item's CSV file into one upload (several files: one upload, as several items are). */
export async function prepareCsvUpload(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
	settings: UploadSettings,
	options: IDataObject,
	duplicates: DuplicatePolicy,
): Promise<PreparedUpload> {
	const preparer = createPreparer.call(this, settings, options, duplicates, 0);
	const workspace = workspaceCodeReader.call(this);
	const readerOptions = csvReaderOptions(options);
	for (let itemIndex = 0; itemIndex < items.length && !preparer.stopped; itemIndex++) {
		const property = String(this.getNodeParameter('binaryPropertyName', itemIndex, 'data'));
		const fileName = items[itemIndex].binary?.[property]?.fileName;
		const file = `the CSV file${fileName ? ` "${fileName}"` : ''} of item ${itemIndex}`;
		const workspaceCode = workspace.forItem(itemIndex);
		let plan: ReadPlan | undefined;
		const reader = new CsvReader(readerOptions, (fields, line) => {
			if (plan === undefined) {
				plan = preparer.planFor(
					fields.map((name) => name.trim()),
					true,
				);
				requireFields.call(
					this,
					preparer.missingRequired(plan, workspace.given),
					plan.columns,
					preparer.mapsAutomatically,
					` in ${file}`,
				);
				return;
			}
			if (fields.length > plan.columns.length)
				preparer.reject(
					plan,
					fields,
					itemIndex,
					line,
					`has ${fields.length} fields, the header has ${plan.columns.length}: a delimiter inside an unquoted field?`,
				);
			else if (!preparer.stopped) preparer.add(plan, fields, itemIndex, line, workspaceCode);
		});
		try {
			for await (const chunk of fileChunks.call(this, itemIndex, property)) {
				reader.push(chunk);
				if (preparer.stopped) break;
			}
			if (!preparer.stopped) reader.end();
		} catch (error) {
			// Setup errors raised while reading the header are already the node's own.
			if (error instanceof NodeOperationError) throw new NodeOperationError(this.getNode(), error);
			if (!(error instanceof CsvFormatError))
				throw new NodeOperationError(this.getNode(), error as Error, { itemIndex });
			throw new NodeOperationError(
				this.getNode(),
				`Cannot read ${file}: line ${error.line}: ${error.reason}; nothing was sent`,
				{
					itemIndex,
					description:
						'Check that the file is a CSV export (not XLSX: convert it with the Extract From File node), ' +
						'and choose the delimiter and encoding under Options if they are not detected.',
				},
			);
		}
	}
	return finishUpload.call(this, preparer.finish(), settings);
}
