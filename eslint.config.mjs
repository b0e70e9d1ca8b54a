import { config } from '@n8n/node-cli/eslint';

// n8n's official community-node lint, unchanged. Tests, tools and the sandbox are not part of the package.
export default [
	...config,
	{
		ignores: [
			'test/**',
			'sandbox/**',
			'scripts/**',
			'build/**',
			'examples/**',
			'.cache/**',
			'gulpfile.js',
			'index.js',
			'jest.config.js',
		],
	},
];
