/** The options every upload reads once per execution, within their bounds. */
import { type IDataObject, type IExecuteFunctions, NodeOperationError } from 'n8n-workflow';

import { fieldSourceFromMapping, type FieldSource } from '../helpers/columnMapping';
import { isItemDependent } from '../helpers/expressions';
import type { RowSources } from '../helpers/prepareRows';
import { MAX_RETRY_WAIT_MS } from '../helpers/retryPolicy';
import { DEFAULT_MAX_BODY_BYTES, MIN_BODY_BYTES, type ResourceName } from '../helpers/wireFormat';
import type { RequestSettings } from '../transport/send';

export interface UploadSettings extends RequestSettings {
	resource: ResourceName;
	dryRun: boolean;
	routeInvalidRows: boolean;
}

/**
 * The options, which apply to the whole run (one execution sends one payload). An expression that reads
 * the item is evaluated for every item and must give them all the same value: a per-item value would
 * otherwise silently come from item 0.
 */
export function readOptions(this: IExecuteFunctions, itemCount: number): IDataObject {
	const options = this.getNodeParameter('options', 0, {}) as IDataObject;
	if (itemCount < 2 || !isItemDependent(this.getNode().parameters.options)) return options;
	const first = new Map(
		Object.entries(options).map(([name, value]) => [name, JSON.stringify(value)]),
	);
	for (let itemIndex = 1; itemIndex < itemCount; itemIndex++) {
		const other = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
		for (const name of new Set([...first.keys(), ...Object.keys(other)])) {
			const value = JSON.stringify(other[name]);
			if (value === first.get(name)) continue;
			throw new NodeOperationError(
				this.getNode(),
				`The option "${name}" is ${first.get(name) ?? 'not set'} for item 0 but ${value ?? 'not set'} for item ${itemIndex}`,
				{
					description:
						'Options apply to the whole run (one upload), so an expression in them must give every item the same value. ' +
						'Use a fixed value, or split the items (e.g. with a Switch node) into runs that each have one value.',
				},
			);
		}
	}
	return options;
}

/**
 * A numeric option within its bounds; its default when missing or not a number. An expression can put
 * anything here: a NaN "Max Retries" would never stop retrying, a NaN size limit would never split.
 */
export function boundedNumber(value: unknown, fallback: number, min: number, max: number): number {
	const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
	if (typeof number !== 'number' || !Number.isFinite(number)) return fallback;
	return Math.min(max, Math.max(min, number));
}

function wholeNumber(value: unknown, fallback: number, min: number, max: number): number {
	return Math.round(boundedNumber(value, fallback, min, max));
}

export function readUploadSettings(
	this: IExecuteFunctions,
	resource: ResourceName,
	options: IDataObject,
): UploadSettings {
	return {
		resource,
		dryRun: options.dryRun === true,
		routeInvalidRows: options.onInvalidRows === 'route',
		maxBodyBytes: wholeNumber(
			options.maxBodyBytes,
			DEFAULT_MAX_BODY_BYTES,
			MIN_BODY_BYTES,
			DEFAULT_MAX_BODY_BYTES,
		),
		maxRetries: wholeNumber(options.maxRetries, 5, 0, 20),
		retryDelayMs: wholeNumber(options.retryDelayMs, 1000, 0, MAX_RETRY_WAIT_MS),
		timeoutMs: wholeNumber(options.requestTimeoutSeconds, 300, 1, 86_400) * 1000,
	};
}

/** The saved resource-mapper value, read raw so simple column references skip per-item expression evaluation. */
export function rowSources(this: IExecuteFunctions): RowSources {
	const columns = this.getNode().parameters.columns as
		| { mappingMode?: string; value?: IDataObject | null }
		| undefined;
	if (!columns || columns.mappingMode !== 'defineBelow') return 'auto';
	const sources: Record<string, FieldSource> = {};
	for (const [fieldId, saved] of Object.entries(columns.value ?? {})) {
		const source = fieldSourceFromMapping(saved);
		if (source) sources[fieldId] = source;
	}
	return sources;
}
