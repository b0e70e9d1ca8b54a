const { rmSync } = require('node:fs');
const { src, dest } = require('gulp');

// A fresh dist/ for every build: a compiled file whose source was renamed or deleted must not be packed.
function clean(done) {
	rmSync('dist', { recursive: true, force: true });
	done();
}

// tsc does not copy assets: put every node and credential icon (light and dark SVG) next to its compiled file.
function buildIcons() {
	return src(['nodes/**/*.svg', 'credentials/**/*.svg'], { base: '.' }).pipe(dest('dist'));
}

exports.clean = clean;
exports['build:icons'] = buildIcons;
