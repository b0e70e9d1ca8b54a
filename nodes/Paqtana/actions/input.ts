/** How every operation opens: its options and settings, then the run's rows from the input the user chose. */
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import type { DuplicatePolicy } from '../helpers/prepareRows';
import type { ResourceName } from '../helpers/wireFormat';
import { prepareCsvUpload } from './csvInput';
import { invalidRowItems } from './output';
import { type PreparedUpload, prepareUpload } from './prepare';
import { readOptions, readUploadSettings, type UploadSettings } from './settings';

export interface PreparedInput extends PreparedUpload {
	options: IDataObject;
	settings: UploadSettings;
	/** The "Invalid Rows" output. */
	invalidItems: INodeExecutionData[];
}

/**
 * The run's options, settings and rows: from n8n items, or from the CSV files in them (Input Data),
 * with the duplicate policy the operation reads from its options.
 */
export async function prepareInput(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
	resource: ResourceName,
	duplicatesFrom: (options: IDataObject) => DuplicatePolicy,
): Promise<PreparedInput> {
	const options = readOptions.call(this, items.length);
	const settings = readUploadSettings.call(this, resource, options);
	const duplicates = duplicatesFrom(options);
	const upload =
		this.getNodeParameter('inputData', 0, 'items') === 'csvFile'
			? await prepareCsvUpload.call(this, items, settings, options, duplicates)
			: prepareUpload.call(this, items, settings, options, duplicates);
	return { ...upload, options, settings, invalidItems: invalidRowItems(items, upload.invalid) };
}
