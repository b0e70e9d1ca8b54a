import { sleep } from 'n8n-workflow';

/**
 * The wait between attempts, ended early when the execution is cancelled. n8n 2.x's `sleep` takes the
 * signal and clears its timer; n8n 1.x's ignores it, so the race with the signal ends the wait there too.
 * An object, so tests can watch and shorten the waits (`jest.spyOn(retryWait, 'wait')`).
 */
export const retryWait = {
	async wait(ms: number, signal: AbortSignal): Promise<void> {
		if (signal.aborted) return;
		let stop = () => {};
		const aborted = new Promise<void>((resolve) => {
			stop = resolve;
			signal.addEventListener('abort', stop, { once: true });
		});
		try {
			await Promise.race([sleep(ms, signal).catch(() => undefined), aborted]);
		} finally {
			signal.removeEventListener('abort', stop);
		}
	},
};
