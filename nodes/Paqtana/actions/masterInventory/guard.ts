/**
 * The master-inventory wipe guard inside n8n: where its history lives, and who may replace at all.
 *
 * The history is kept in the workflow's global static data, keyed by the endpoint URL (base URL + org,
 * never the token): renaming the node keeps it, and two nodes writing to the same organization share it.
 * n8n saves static data only after production runs (trigger, schedule, webhook), not manual ones.
 */
import {
	type IDataObject,
	type IExecuteFunctions,
	NodeConnectionTypes,
	NodeOperationError,
} from 'n8n-workflow';

import {
	checkWipeGuard,
	parseHistory,
	recordReplace,
	type ReplaceRecord,
	type RowCounts,
	type WipeGuardReport,
} from '../../helpers/wipeGuard';
import { boundedNumber } from '../settings';

export type { WipeGuardReport } from '../../helpers/wipeGuard';

/** Key of the history map in the workflow's global static data: endpoint URL → successful replaces. */
export const HISTORY_KEY = 'paqtanaReplaceHistory';
/** Where versions up to 0.1 kept the last replace, per node (moved into the history on first use). */
const LEGACY_NODE_KEY = 'lastReplace';

/** The guard's answer for one run: a refusal to throw, or what to report on success. */
export type WipeGuardCheck =
	| { refusal: string }
	| {
			/** The Success item's `wipeGuard` field. */
			report: WipeGuardReport;
			/** A sentence for the run's summary hint when the guard could not protect this run. */
			hint?: string;
	  };

export interface WipeGuard {
	check(counts: RowCounts): WipeGuardCheck;
	/** Records a replace Paqtana confirmed; call it only after check() allowed the run. */
	recordSuccess(rows: number): void;
}

/**
 * Whether an AI agent runs this node as a tool. n8n 2.x says so with isToolExecution() when it calls the
 * tool through a sub-node context; agents that hand tool calls back to the engine run the node as a plain
 * node marked `rewireOutputLogTo: ai_tool` (and n8n 1.x has no isToolExecution at all). Every such run
 * uses the tool variant of the node type, whose name n8n derives as `…Tool`.
 */
export function isAiToolRun(this: IExecuteFunctions): boolean {
	const node = this.getNode();
	return (
		this.isToolExecution?.() === true ||
		node.rewireOutputLogTo === NodeConnectionTypes.AiTool ||
		node.type.endsWith('Tool')
	);
}

/** An AI agent may send historical demand but never replace the master inventory. */
export function refuseAiAgent(this: IExecuteFunctions): void {
	if (!isAiToolRun.call(this)) return;
	throw new NodeOperationError(
		this.getNode(),
		'An AI agent may not replace the master inventory: nothing was sent',
		{
			description:
				'Replacing the master inventory deletes every item that is not in the payload, so the Paqtana tool ' +
				'only upserts historical demand. Replace the master inventory from a workflow without an agent ' +
				'(for example on a schedule), where the wipe guard and its options apply.',
		},
	);
}

function historyMap(value: unknown): IDataObject {
	return typeof value === 'object' && value !== null && !Array.isArray(value)
		? (value as IDataObject)
		: {};
}

/** Moves a per-node `lastReplace` of earlier versions into this endpoint's history, once. */
function migrateLegacy(this: IExecuteFunctions, history: ReplaceRecord[]): ReplaceRecord[] {
	const nodeData = this.getWorkflowStaticData('node');
	if (!(LEGACY_NODE_KEY in nodeData)) return history;
	const [legacy] = parseHistory([nodeData[LEGACY_NODE_KEY]]);
	delete nodeData[LEGACY_NODE_KEY];
	if (legacy === undefined || history.some((r) => r.at === legacy.at && r.rows === legacy.rows))
		return history;
	return [legacy, ...history].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
}

/**
 * Opens the guard for replaces sent to `endpointUrl` (the master-inventory URL built from the credential)
 * with the node's options. Refuses at once when an AI agent runs the node.
 */
export function openWipeGuard(
	this: IExecuteFunctions,
	endpointUrl: string,
	options: IDataObject,
): WipeGuard {
	refuseAiAgent.call(this);
	const staticData = this.getWorkflowStaticData('global');
	const stored = parseHistory(historyMap(staticData[HISTORY_KEY])[endpointUrl]);
	const save = (entries: ReplaceRecord[]) => {
		// A new object each time: n8n notices changed static data by assignment to its top level.
		staticData[HISTORY_KEY] = {
			...historyMap(staticData[HISTORY_KEY]),
			[endpointUrl]: entries as unknown as IDataObject[],
		};
	};
	const history = migrateLegacy.call(this, stored);
	if (history !== stored) save(history);
	let acceptedDrop = false;

	return {
		check(counts) {
			const verdict = checkWipeGuard(
				counts,
				history,
				{
					allowEmpty: options.allowEmptyInventory === true,
					acceptDropToRows: Math.round(
						boundedNumber(options.acceptDropToRows, 0, 0, Number.MAX_SAFE_INTEGER),
					),
					maxDropPercent: boundedNumber(options.maxRowDropPercent, 50, 0, 100),
					legacyAllowLargeDrop: options.allowLargeDrop === true,
				},
				new Date(),
			);
			if (!verdict.allowed) return { refusal: verdict.refusal };
			acceptedDrop = verdict.acceptedDrop;
			const hint =
				verdict.report.baseline === null && counts.rows > 0
					? 'The wipe guard had no earlier replace to compare with, so the row count was not checked ' +
						'(n8n saves it only for production runs: manual runs from the editor do not).'
					: undefined;
			return { report: verdict.report, ...(hint === undefined ? {} : { hint }) };
		},
		recordSuccess(rows) {
			const now = new Date();
			save(recordReplace(history, { rows, at: now.toISOString() }, acceptedDrop, now));
		},
	};
}
