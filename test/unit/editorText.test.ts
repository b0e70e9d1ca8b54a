import { NodeOperationError } from 'n8n-workflow';

import { descriptionAsHtml, keepLineBreaksInEditor } from '../../nodes/Paqtana/helpers/editorText';
import { paqtanaNode } from '../support';

const node = paqtanaNode('Paqtana', {});

describe('error descriptions in the editor', () => {
	it('turns line breaks into <br> and escapes everything the editor would read as markup', () => {
		expect(descriptionAsHtml('Row 1: "<i>" & `x`\n\n50 %%PARAMETER%%')).toBe(
			'Row 1: "&lt;i&gt;" &amp; &#96;x&#96;<br><br>50 &#37;&#37;PARAMETER&#37;&#37;',
		);
	});

	it('gives a multi-line description an HTML twin and leaves the description as it was', () => {
		const error = new NodeOperationError(node, 'failed', { description: 'a\nb' });
		keepLineBreaksInEditor(error);
		expect(error.context.descriptionTemplate).toBe('a<br>b');
		expect(error.description).toBe('a\nb');
	});

	it('leaves one-line descriptions and templates n8n set itself alone', () => {
		const oneLine = new NodeOperationError(node, 'failed', { description: 'a' });
		keepLineBreaksInEditor(oneLine);
		expect(oneLine.context.descriptionTemplate).toBeUndefined();

		const own = new NodeOperationError(node, 'failed', { description: 'a\nb' });
		own.context.descriptionTemplate = 'n8n %%PARAMETER%%';
		keepLineBreaksInEditor(own);
		expect(own.context.descriptionTemplate).toBe('n8n %%PARAMETER%%');
	});
});
