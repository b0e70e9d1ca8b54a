/**
 * Types for the part of n8n's verification scanner (`@n8n/scan-community-package`, an ES module without
 * its own types) that `npm run verify` uses.
 */
declare module '@n8n/scan-community-package/scanner/scanner.mjs' {
	export interface AnalysisResult {
		passed: boolean;
		message?: string;
		/** ESLint's "stylish" report of every finding, present when the scan failed. */
		details?: string;
	}

	/** The files n8n scans in a package's source checkout (its tarball leg scans the compiled code). */
	export const SOURCE_FILE_PATTERNS: string[];

	/** Lints `packageDir` with n8n's community-node rules; default patterns: every .js, .ts and .json. */
	export function analyzePackage(
		packageDir: string,
		filePatterns?: string[],
	): Promise<AnalysisResult>;
}
