/**
 * Peak memory of one phase, measured without touching the code under test.
 *
 * "Heap" here is V8's used heap plus its external memory (ArrayBuffers such as the node's row index),
 * so nothing the phase allocates escapes the count. Memory only shrinks through garbage collection, so
 * the highest point during a phase is either just before one of the collections that ran in it or at
 * the phase's end; V8's GCProfiler records the heap before and after every collection. The baseline is
 * taken after a full collection (`--expose-gc`) with the input already in memory, so "added" is what the
 * phase needed on top of its input, including garbage V8 had not yet needed to collect.
 */
import { getHeapStatistics, GCProfiler, type HeapStatistics } from 'node:v8';

export interface PhaseMemory {
	/** Heap after a full collection, before the phase. */
	baselineHeap: number;
	/** Highest heap during the phase. */
	peakHeap: number;
	/** Heap after a full collection at the end, with the phase's result still referenced. */
	retainedHeap: number;
	/** External (ArrayBuffer) memory in the baseline, and the external part of the peak above it: both outside V8's old-space limit. */
	baselineExternal: number;
	peakExternalAdded: number;
	/** Resident set size before the phase and the process's peak RSS by the end of it. */
	baselineRss: number;
	peakRss: number;
	collections: number;
}

export function collectGarbage(): void {
	if (typeof global.gc !== 'function') throw new Error('Run with node --expose-gc');
	global.gc();
	global.gc();
}

/** V8's used heap plus its external memory, now. */
export function heapNow(): { heap: number; external: number } {
	const { used_heap_size: used, external_memory: external } = getHeapStatistics() as ReturnType<
		typeof getHeapStatistics
	> & { external_memory: number };
	return { heap: used + external, external };
}

function heapOf(statistics: HeapStatistics): number {
	return statistics.usedHeapSize + statistics.externalMemory;
}

interface Measurement {
	baseline: { heap: number; external: number };
	baselineRss: number;
	profiler: GCProfiler;
}

function startMeasurement(): Measurement {
	collectGarbage();
	const measurement = {
		baseline: heapNow(),
		baselineRss: process.memoryUsage.rss(),
		profiler: new GCProfiler(),
	};
	measurement.profiler.start();
	return measurement;
}

/** Call with the phase's result still referenced, so the retained heap includes it. */
function finishMeasurement({ baseline, baselineRss, profiler }: Measurement): PhaseMemory {
	const end = heapNow();
	const { statistics } = profiler.stop();
	let peakHeap = end.heap;
	let peakExternal = end.external;
	for (const { beforeGC } of statistics) {
		const heap = heapOf(beforeGC.heapStatistics);
		if (heap > peakHeap) {
			peakHeap = heap;
			peakExternal = beforeGC.heapStatistics.externalMemory;
		}
	}
	const peakRss = process.resourceUsage().maxRSS * 1024;
	collectGarbage();
	return {
		baselineHeap: baseline.heap,
		peakHeap,
		retainedHeap: heapNow().heap,
		baselineExternal: baseline.external,
		peakExternalAdded: Math.max(0, peakExternal - baseline.external),
		baselineRss,
		peakRss,
		collections: statistics.length,
	};
}

/** Runs `phase` once and measures its memory. */
export function measurePhase<T>(phase: () => T): { result: T; memory: PhaseMemory } {
	const measurement = startMeasurement();
	const result = phase();
	return { result, memory: finishMeasurement(measurement) };
}

export async function measureAsyncPhase<T>(
	phase: () => Promise<T>,
): Promise<{ result: T; memory: PhaseMemory }> {
	const measurement = startMeasurement();
	const result = await phase();
	return { result, memory: finishMeasurement(measurement) };
}

/** Measures a phase that begins and ends in callbacks rather than in one call: call the result at its end. */
export function startPhase(): () => PhaseMemory {
	const measurement = startMeasurement();
	return () => finishMeasurement(measurement);
}
