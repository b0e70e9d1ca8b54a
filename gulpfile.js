const { src, dest } = require('gulp');

// tsc does not copy assets: put every node and credential icon (light and dark SVG) next to its compiled file.
function buildIcons() {
	return src(['nodes/**/*.svg', 'credentials/**/*.svg'], { base: '.' }).pipe(dest('dist'));
}

exports['build:icons'] = buildIcons;
