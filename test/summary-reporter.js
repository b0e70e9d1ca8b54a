/** Ends the jest run with one plain line, "N passed, N failed", that any CI log reader understands. */
class SummaryReporter {
	onRunComplete(_contexts, results) {
		process.stdout.write(`\n${results.numPassedTests} passed, ${results.numFailedTests} failed\n`);
	}
}

module.exports = SummaryReporter;
